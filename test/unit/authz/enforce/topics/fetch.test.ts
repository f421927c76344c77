// Fetch enforcer: consumer READ per topic (ids resolved first, 100 for unknown ones), follower
// CLUSTER_ACTION, §2.4 defaults, and fetch sessions: a policy reload that revokes READ reaches the
// partitions an incremental fetch no longer lists.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EnforceContext } from '../../../../../gateway/authz/enforce/enforcer.ts';
import { MAX_PARTITIONS_PER_SESSION } from '../../../../../gateway/authz/enforce/topics/fetch-sessions.ts';
import { fetchEnforcer } from '../../../../../gateway/authz/enforce/topics/fetch.ts';
import type { Struct } from '../../../../../gateway/protocol/index.ts';
import { type TestContext, requestView, testContext } from '../context.ts';
import { answered, merged, sent } from './typed.ts';

const FETCH = 1;
const ID_A = 'AAAAAAAAAAAAAAAAAAAAAQ';
const ID_B = 'AAAAAAAAAAAAAAAAAAAAAg';
const ID_UNKNOWN = 'AAAAAAAAAAAAAAAAAAAAAw';
const IDS = { [ID_A]: 'a', [ID_B]: 'b' };
const READ_A = ['User:alice ALLOW READ TOPIC a'];
const READ_AB = ['User:alice ALLOW READ TOPIC a', 'User:alice ALLOW READ TOPIC b'];

const ref = (v: number, t: 'a' | 'b'): string => (v >= 13 ? (t === 'a' ? ID_A : ID_B) : t);
const keyOf = (v: number, t: { topic: string; topicId: string }): string => (v >= 13 ? t.topicId : t.topic);

function fetchBody(
  v: number,
  topics: [string, number[]][],
  opts: { replicaId?: number; sessionId?: number; epoch?: number; forgotten?: [string, number[]][] } = {},
): Struct {
  const replicaId = opts.replicaId ?? -1;
  return {
    ...(v >= 15 ? { replicaState: { replicaId, replicaEpoch: -1n } } : { replicaId }),
    maxWaitMs: 500,
    minBytes: 1,
    sessionId: opts.sessionId ?? 0,
    sessionEpoch: opts.epoch ?? -1,
    topics: topics.map(([t, parts]) => ({
      topic: v >= 13 ? '' : t,
      topicId: v >= 13 ? t : undefined,
      partitions: parts.map((partition) => ({ partition, fetchOffset: 0n, partitionMaxBytes: 1 << 20 })),
    })),
    forgottenTopicsData: (opts.forgotten ?? []).map(([t, partitions]) => ({
      topic: v >= 13 ? '' : t,
      topicId: v >= 13 ? t : undefined,
      partitions,
    })),
  };
}

const backendPartition = (partitionIndex: number): Struct => ({
  partitionIndex,
  errorCode: 0,
  highWatermark: 10n,
  records: Buffer.from('data'),
});

test('consumer, all allowed: forward without memo (the response is never decoded)', () => {
  for (const v of [4, 12, 13, 18]) {
    const ctx = testContext(READ_AB, { topicIds: IDS });
    const d = fetchEnforcer.onRequest(
      requestView(
        FETCH,
        v,
        fetchBody(v, [
          [ref(v, 'a'), [0]],
          [ref(v, 'b'), [0]],
        ]),
      ),
      ctx,
    );
    assert.deepEqual(d, { action: 'forward' }, `v${v}`);
    assert.deepEqual(
      ctx.asked.map((q) => `${q.operation} ${q.name}`),
      ['READ a', 'READ b'],
    );
  }
});

test('consumer, all denied: 29 per partition with the §2.4 defaults, top-level ErrorCode 0', () => {
  for (const v of [4, 12, 18]) {
    const ctx = testContext([], { topicIds: IDS });
    const d = fetchEnforcer.onRequest(requestView(FETCH, v, fetchBody(v, [[ref(v, 'a'), [0, 1]]])), ctx);
    assert.equal(d.action, 'answer', `v${v}`);
    const res = answered(FETCH, v, d);
    if (v >= 7) assert.equal(res.errorCode, 0);
    assert.equal(keyOf(v, res.responses[0]), ref(v, 'a'));
    assert.deepEqual(
      res.responses[0].partitions.map((p) => [
        p.partitionIndex,
        p.errorCode,
        p.highWatermark,
        p.lastStableOffset,
        p.logStartOffset,
        p.abortedTransactions?.length ?? 0,
        p.preferredReadReplica,
        p.records?.length,
      ]),
      [
        [0, 29, -1n, -1n, -1n, 0, -1, 0],
        [1, 29, -1n, -1n, -1n, 0, -1, 0],
      ],
    );
  }
});

test('consumer, partial: denied topic stripped and merged after the backend topics', () => {
  for (const v of [4, 12, 18]) {
    const ctx = testContext(READ_A, { topicIds: IDS });
    const d = fetchEnforcer.onRequest(
      requestView(
        FETCH,
        v,
        fetchBody(v, [
          [ref(v, 'a'), [0]],
          [ref(v, 'b'), [2]],
        ]),
      ),
      ctx,
    );
    assert.equal(d.action, 'rewrite', `v${v}`);
    assert.deepEqual(
      sent(FETCH, v, d).topics.map((t) => keyOf(v, t)),
      [ref(v, 'a')],
    );
    const backend = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [{ topic: 'a', topicId: ID_A, partitions: [backendPartition(0)] }],
    };
    const res = merged(fetchEnforcer, v, backend, d, ctx);
    assert.deepEqual(
      res.responses.map((t) => [keyOf(v, t), t.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
      [
        [ref(v, 'a'), [[0, 0]]],
        [ref(v, 'b'), [[2, 29]]],
      ],
    );
  }
});

test('v13+: unknown topic ids are resolved first, then answered 100 without being authorized', () => {
  const ctx = testContext(READ_AB, { topicIds: IDS });
  const b = fetchBody(13, [
    [ID_A, [0]],
    [ID_UNKNOWN, [0]],
  ]);
  assert.deepEqual(fetchEnforcer.onRequest(requestView(FETCH, 13, b), ctx), { action: 'resolve-topic-ids', topicIds: [ID_UNKNOWN] });
  const d = fetchEnforcer.onRequest(requestView(FETCH, 13, b, { topicIdsResolved: true }), ctx);
  assert.equal(d.action, 'rewrite');
  const res = merged(fetchEnforcer, 13, { responses: [] }, d, ctx);
  assert.deepEqual(
    res.responses.map((t) => [t.topicId, t.partitions[0].errorCode]),
    [[ID_UNKNOWN, 100]],
  );
  assert.deepEqual(
    ctx.asked.map((q) => q.name),
    ['a'],
  );
});

test('follower fetch: CLUSTER_ACTION on the cluster; denied → 29 in every partition (even unknown ids), never 31', () => {
  for (const v of [4, 14, 15, 18]) {
    const denied = testContext(READ_AB, { topicIds: IDS });
    const d = fetchEnforcer.onRequest(
      requestView(
        FETCH,
        v,
        fetchBody(
          v,
          [
            [ref(v, 'a'), [0, 1]],
            [v >= 13 ? ID_UNKNOWN : 'c', [0]],
          ],
          { replicaId: 1 },
        ),
      ),
      denied,
    );
    assert.equal(d.action, 'answer', `v${v}`);
    const res = answered(FETCH, v, d);
    assert.deepEqual(
      res.responses.flatMap((t) => t.partitions.map((p) => p.errorCode)),
      [29, 29, 29],
    );
    assert.deepEqual(denied.asked[0], { operation: 'CLUSTER_ACTION', type: 'CLUSTER', name: 'kafka-cluster', quiet: false });
    const allowed = testContext(['User:alice ALLOW CLUSTER_ACTION CLUSTER kafka-cluster'], { topicIds: IDS });
    assert.deepEqual(fetchEnforcer.onRequest(requestView(FETCH, v, fetchBody(v, [[ref(v, 'a'), [0]]], { replicaId: 1 })), allowed), {
      action: 'forward',
    });
  }
});

/** The same connection (state) under a new policy: what a reload does between two requests. */
function reloaded(ctx: EnforceContext, acls: string[]): TestContext {
  return { ...testContext(acls, { topicIds: IDS }), state: ctx.state };
}

test('fetch session: a reload that revokes READ makes the next incremental fetch answer 29 and forget the topic upstream', () => {
  for (const v of [7, 12, 13, 18]) {
    const before = testContext(READ_AB, { topicIds: IDS });
    // Full fetch opening a session (epoch 0): all allowed, forwarded untouched.
    const full = fetchBody(
      v,
      [
        [ref(v, 'a'), [0]],
        [ref(v, 'b'), [0, 1]],
      ],
      { sessionId: 0, epoch: 0 },
    );
    assert.deepEqual(fetchEnforcer.onRequest(requestView(FETCH, v, full), before), { action: 'forward' });
    // The backend answered sessionId 77; the client's first incremental fetch lists nothing (nothing changed).
    const inc1 = fetchBody(v, [], { sessionId: 77, epoch: 1 });
    assert.deepEqual(fetchEnforcer.onRequest(requestView(FETCH, v, inc1), before), { action: 'forward' });
    // Policy reload: READ on b revoked.
    const after = reloaded(before, READ_A);
    const inc2 = fetchBody(v, [], { sessionId: 77, epoch: 2 });
    const d = fetchEnforcer.onRequest(requestView(FETCH, v, inc2), after);
    assert.equal(d.action, 'rewrite', `v${v}`);
    const up = sent(FETCH, v, d);
    assert.equal(up.sessionId, 77);
    assert.equal(up.sessionEpoch, 2);
    assert.deepEqual(
      up.forgottenTopicsData.map((t) => [keyOf(v, t), t.partitions]),
      [[ref(v, 'b'), [0, 1]]],
    );
    const res = merged(fetchEnforcer, v, { throttleTimeMs: 0, errorCode: 0, sessionId: 77, responses: [] }, d, after);
    assert.equal(res.sessionId, 77);
    assert.equal(res.errorCode, 0);
    assert.deepEqual(
      res.responses.map((t) => [keyOf(v, t), t.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
      [
        [
          ref(v, 'b'),
          [
            [0, 29],
            [1, 29],
          ],
        ],
      ],
    );
    // Every session partition was re-authorized, not only the (empty) listed ones.
    assert.deepEqual(after.asked.map((q) => q.name).sort(), ['a', 'b']);
  }
});

test('fetch session: an incremental fetch for a session the gateway cannot account for gets 70 (client starts over)', () => {
  const ctx = testContext(READ_AB, { topicIds: IDS });
  const d = fetchEnforcer.onRequest(requestView(FETCH, 12, fetchBody(12, [], { sessionId: 5, epoch: 3 })), ctx);
  assert.equal(d.action, 'answer');
  const res = answered(FETCH, 12, d);
  assert.equal(res.errorCode, 70);
  assert.equal(res.responses.length, 0);
});

test('fetch session: partitions forgotten with the right epoch stop being tracked; a wrong epoch cannot hide them', () => {
  const v = 12;
  const ctx = testContext(READ_AB, { topicIds: IDS });
  fetchEnforcer.onRequest(
    requestView(
      FETCH,
      v,
      fetchBody(
        v,
        [
          ['a', [0]],
          ['b', [0]],
        ],
        { epoch: 0 },
      ),
    ),
    ctx,
  );
  // Wrong epoch (the broker refuses it and keeps the session): b stays tracked.
  fetchEnforcer.onRequest(requestView(FETCH, v, fetchBody(v, [], { sessionId: 9, epoch: 1 })), ctx);
  fetchEnforcer.onRequest(requestView(FETCH, v, fetchBody(v, [], { sessionId: 9, epoch: 5, forgotten: [['b', [0]]] })), ctx);
  let d = fetchEnforcer.onRequest(requestView(FETCH, v, fetchBody(v, [], { sessionId: 9, epoch: 2 })), reloaded(ctx, READ_A));
  assert.equal(d.action, 'rewrite', 'b still in the session');
  // Right epoch: b forgotten by the client, no longer re-authorized.
  fetchEnforcer.onRequest(requestView(FETCH, v, fetchBody(v, [], { sessionId: 9, epoch: 3, forgotten: [['b', [0]]] })), ctx);
  d = fetchEnforcer.onRequest(requestView(FETCH, v, fetchBody(v, [], { sessionId: 9, epoch: 4 })), reloaded(ctx, READ_A));
  assert.deepEqual(d, { action: 'forward' });
  // Epoch −1 closes the session: a later incremental on it is not accounted for.
  fetchEnforcer.onRequest(requestView(FETCH, v, fetchBody(v, [['a', [0]]], { sessionId: 9, epoch: -1 })), ctx);
  assert.equal(fetchEnforcer.onRequest(requestView(FETCH, v, fetchBody(v, [], { sessionId: 9, epoch: 5 })), ctx).action, 'answer');
});

test('fetch session: a session over the partition bound is not tracked; its incremental fetch gets 70', () => {
  const v = 12;
  const ctx = testContext(READ_AB, { topicIds: IDS });
  const many = Array.from({ length: MAX_PARTITIONS_PER_SESSION + 1 }, (_, i) => i);
  assert.deepEqual(fetchEnforcer.onRequest(requestView(FETCH, v, fetchBody(v, [['a', many]], { epoch: 0 })), ctx), { action: 'forward' });
  const d = fetchEnforcer.onRequest(requestView(FETCH, v, fetchBody(v, [], { sessionId: 3, epoch: 1 })), ctx);
  assert.equal(answered(FETCH, v, d).errorCode, 70);
});
