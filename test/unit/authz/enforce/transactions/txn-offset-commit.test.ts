import assert from 'node:assert/strict';
import { test } from 'node:test';
import { txnOffsetCommitEnforcer as enforcer } from '../../../../../gateway/authz/enforce/transactions/txn-offset-commit.ts';
import type { Struct } from '../../../../../gateway/protocol/index.ts';
import { applyResponse, requestView, roundTripResponse, testContext } from '../context.ts';
import { sampleVersions } from './sample-versions.ts';

const KEY = 28;
const BOTH = ['User:alice ALLOW WRITE TRANSACTIONAL_ID tx1', 'User:alice ALLOW READ GROUP g1'];
const partition = (partitionIndex: number) => ({ partitionIndex, committedOffset: 42n, committedLeaderEpoch: -1, committedMetadata: null });
const request = (version: number, topics: { name: string; partitions: number[] }[]) =>
  requestView(KEY, version, {
    transactionalId: 'tx1',
    groupId: 'g1',
    producerId: 5n,
    producerEpoch: 0,
    topics: topics.map((t) => ({ name: t.name, partitions: t.partitions.map(partition) })),
  });

/** [topic, [[partition, error], …]] in answer order, as a client reads it. */
function codes(body: Struct): [string, number[][]][] {
  return (body.topics as Struct[]).map((t) => [
    t.name as string,
    (t.partitions as Struct[]).map((p) => [p.partitionIndex as number, p.errorCode as number]),
  ]);
}

test('the enforcer covers every version of the codec tables', () => {
  assert.deepEqual(enforcer.versions, { min: 0, max: 5 });
});

for (const v of sampleVersions(enforcer)) {
  const topics = [
    { name: 'a', partitions: [0, 1] },
    { name: 'secret', partitions: [4] },
  ];

  test(`v${v}: every topic readable → forwarded, no memo`, () => {
    const ctx = testContext([...BOTH, 'User:alice ALLOW READ TOPIC a', 'User:alice ALLOW READ TOPIC secret']);
    assert.deepEqual(enforcer.onRequest(request(v, topics), ctx), { action: 'forward' });
    assert.deepEqual(
      ctx.asked.map((q) => `${q.operation} ${q.type} ${q.name}`),
      ['WRITE TRANSACTIONAL_ID tx1', 'READ GROUP g1', 'READ TOPIC a', 'READ TOPIC secret'],
    );
  });

  test(`v${v}: no WRITE on the transactional id → 53 in every partition, nothing else asked`, () => {
    const ctx = testContext(['User:alice ALLOW READ GROUP g1', 'User:alice ALLOW READ TOPIC *']);
    const d = enforcer.onRequest(request(v, topics), ctx);
    assert.equal(d.action, 'answer');
    assert.deepEqual(codes(roundTripResponse(KEY, v, d.action === 'answer' ? d.body : {})), [
      [
        'a',
        [
          [0, 53],
          [1, 53],
        ],
      ],
      ['secret', [[4, 53]]],
    ]);
    assert.equal(ctx.asked.length, 1);
  });

  test(`v${v}: no READ on the group → 30 in every partition`, () => {
    const ctx = testContext(['User:alice ALLOW WRITE TRANSACTIONAL_ID tx1', 'User:alice ALLOW READ TOPIC *']);
    const d = enforcer.onRequest(request(v, topics), ctx);
    assert.deepEqual(codes(roundTripResponse(KEY, v, d.action === 'answer' ? d.body : {})), [
      [
        'a',
        [
          [0, 30],
          [1, 30],
        ],
      ],
      ['secret', [[4, 30]]],
    ]);
  });

  test(`v${v}: one topic denied → rewritten without it; its partitions merged back with 29, first`, () => {
    const ctx = testContext([...BOTH, 'User:alice ALLOW READ TOPIC a']);
    const d = enforcer.onRequest(request(v, topics), ctx);
    assert.equal(d.action, 'rewrite');
    if (d.action !== 'rewrite') return;
    // What goes upstream: the same request with only the readable topic.
    const upstream = requestView(KEY, v, d.body).body();
    assert.deepEqual(
      upstream.topics.map((t) => t.name),
      ['a'],
    );
    assert.equal(upstream.transactionalId, 'tx1');
    assert.equal(upstream.groupId, 'g1');
    const backend = {
      throttleTimeMs: 3,
      topics: [
        {
          name: 'a',
          partitions: [
            { partitionIndex: 0, errorCode: 0 },
            { partitionIndex: 1, errorCode: 0 },
          ],
        },
      ],
    };
    const merged = applyResponse(enforcer, v, backend, d.memo, ctx);
    assert.deepEqual(codes(merged), [
      ['secret', [[4, 29]]],
      [
        'a',
        [
          [0, 0],
          [1, 0],
        ],
      ],
    ]);
    assert.equal(merged.throttleTimeMs, 3);
  });

  test(`v${v}: every topic denied → answered locally with 29, one entry per topic name`, () => {
    const ctx = testContext(BOTH);
    const d = enforcer.onRequest(
      request(v, [
        { name: 'x', partitions: [0] },
        { name: 'x', partitions: [1] },
        { name: 'y', partitions: [2] },
      ]),
      ctx,
    );
    assert.equal(d.action, 'answer');
    assert.deepEqual(codes(roundTripResponse(KEY, v, d.action === 'answer' ? d.body : {})), [
      [
        'x',
        [
          [0, 29],
          [1, 29],
        ],
      ],
      ['y', [[2, 29]]],
    ]);
    assert.equal(ctx.asked.filter((q) => q.name === 'x').length, 1);
  });
}
