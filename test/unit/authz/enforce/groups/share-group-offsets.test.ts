// DescribeShareGroupOffsets (90), AlterShareGroupOffsets (91), DeleteShareGroupOffsets (92).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alterShareGroupOffsets } from '../../../../../gateway/authz/enforce/groups/alter-share-group-offsets.ts';
import { deleteShareGroupOffsets } from '../../../../../gateway/authz/enforce/groups/delete-share-group-offsets.ts';
import { describeShareGroupOffsets } from '../../../../../gateway/authz/enforce/groups/describe-share-group-offsets.ts';
import { ZERO_UUID } from '../../../../../gateway/protocol/index.ts';
import { answered, decide, forwardedWithoutMemo, rewritten, afterResponse } from './helpers.ts';

const ID_A = 'AAAAAAAAAAAAAAAAAAAAAQ';
const part = (partitionIndex: number) => ({ partitionIndex, startOffset: 5n, leaderEpoch: 0, lag: 1n, errorCode: 0, errorMessage: null });
type P = { partitionIndex: number; startOffset: bigint; lag: bigint; errorCode: number };
type T = { topicName: string; topicId: string; partitions: P[] };
type G = { groupId: string; errorCode: number; topics: T[] };

for (const version of [0, 1]) {
  test(`DescribeShareGroupOffsets v${version}: denied group 30, denied explicit topic 29 (StartOffset −1, Lag −1, zero id), all-topics filtered`, () => {
    const acls = ['User:alice ALLOW DESCRIBE GROUP s1', 'User:alice ALLOW DESCRIBE GROUP s3', 'User:alice ALLOW DESCRIBE TOPIC a'];
    const req = {
      groups: [
        {
          groupId: 's1',
          topics: [
            { topicName: 'a', partitions: [0] },
            { topicName: 'b', partitions: [1] },
          ],
        },
        { groupId: 's2', topics: null },
        { groupId: 's3', topics: null },
      ],
    };
    const { decision, ctx } = decide(describeShareGroupOffsets, version, req, acls);
    const { body, memo } = rewritten(describeShareGroupOffsets, version, decision);
    assert.deepEqual(
      body.groups.map((g: { groupId: string; topics: { topicName: string }[] | null }) => [
        g.groupId,
        g.topics?.map((t) => t.topicName) ?? null,
      ]),
      [
        ['s1', ['a']],
        ['s3', null],
      ],
    );
    const backend = {
      groups: [
        { groupId: 's1', errorCode: 0, topics: [{ topicName: 'a', topicId: ID_A, partitions: [part(0)] }] },
        {
          groupId: 's3',
          errorCode: 0,
          topics: [
            { topicName: 'a', topicId: ID_A, partitions: [part(0)] },
            { topicName: 'secret', topicId: ID_A, partitions: [part(0)] },
          ],
        },
      ],
    };
    const merged = afterResponse(describeShareGroupOffsets, version, backend, memo, ctx);
    const lag = (l: bigint) => (version >= 1 ? l : -1n);
    assert.deepEqual(
      merged.groups.map((g: G) => [
        g.groupId,
        g.errorCode,
        g.topics.map((t) => [t.topicName, t.topicId, t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.startOffset, p.lag])]),
      ]),
      [
        [
          's1',
          0,
          [
            ['a', ID_A, [[0, 0, 5n, lag(1n)]]],
            ['b', ZERO_UUID, [[1, 29, -1n, -1n]]],
          ],
        ],
        ['s3', 0, [['a', ID_A, [[0, 0, 5n, lag(1n)]]]]],
        ['s2', 30, []],
      ],
    );
  });

  test(`DescribeShareGroupOffsets v${version}: every group denied → answered locally; all allowed → forward`, () => {
    const body = answered(
      describeShareGroupOffsets,
      version,
      decide(describeShareGroupOffsets, version, { groups: [{ groupId: 's', topics: null }] }, []).decision,
    );
    assert.deepEqual(
      body.groups.map((g: G) => [g.groupId, g.errorCode]),
      [['s', 30]],
    );
    const acls = ['User:alice ALLOW DESCRIBE GROUP s', 'User:alice ALLOW DESCRIBE TOPIC a'];
    forwardedWithoutMemo(
      decide(describeShareGroupOffsets, version, { groups: [{ groupId: 's', topics: [{ topicName: 'a', partitions: [0] }] }] }, acls)
        .decision,
    );
  });
}

const alterRequest = {
  groupId: 's',
  topics: [
    { topicName: 'a', partitions: [{ partitionIndex: 0, startOffset: 0n }] },
    { topicName: 'b', partitions: [{ partitionIndex: 1, startOffset: 0n }] },
  ],
};

test('AlterShareGroupOffsets v0: group READ denied → top-level 30; topic denied → 29 per partition merged; all allowed → forward', () => {
  assert.equal(
    answered(alterShareGroupOffsets, 0, decide(alterShareGroupOffsets, 0, alterRequest, ['User:alice ALLOW DESCRIBE GROUP s']).decision)
      .errorCode,
    30,
  );
  forwardedWithoutMemo(
    decide(alterShareGroupOffsets, 0, alterRequest, ['User:alice ALLOW READ GROUP s', 'User:alice ALLOW READ TOPIC *']).decision,
  );
  const { decision, ctx } = decide(alterShareGroupOffsets, 0, alterRequest, [
    'User:alice ALLOW READ GROUP s',
    'User:alice ALLOW READ TOPIC a',
  ]);
  const { body, memo } = rewritten(alterShareGroupOffsets, 0, decision);
  assert.deepEqual(
    body.topics.map((t: { topicName: string }) => t.topicName),
    ['a'],
  );
  const backend = { errorCode: 0, responses: [{ topicName: 'a', topicId: ID_A, partitions: [{ partitionIndex: 0, errorCode: 0 }] }] };
  const merged = afterResponse(alterShareGroupOffsets, 0, backend, memo, ctx);
  assert.deepEqual(
    merged.responses.map((t: { topicName: string; topicId: string; partitions: { partitionIndex: number; errorCode: number }[] }) => [
      t.topicName,
      t.topicId,
      t.partitions.map((p) => [p.partitionIndex, p.errorCode]),
    ]),
    [
      ['a', ID_A, [[0, 0]]],
      ['b', ZERO_UUID, [[1, 29]]],
    ],
  );
});

test('DeleteShareGroupOffsets v0: DELETE group denied → top-level 30; topic denied → 29 entry with the default message', () => {
  const req = { groupId: 's', topics: [{ topicName: 'a' }, { topicName: 'b' }] };
  const denied = answered(deleteShareGroupOffsets, 0, decide(deleteShareGroupOffsets, 0, req, ['User:alice ALLOW READ GROUP s']).decision);
  assert.deepEqual([denied.errorCode, denied.errorMessage, denied.responses], [30, 'Group authorization failed.', []]);
  const { decision, ctx } = decide(deleteShareGroupOffsets, 0, req, ['User:alice ALLOW DELETE GROUP s', 'User:alice ALLOW READ TOPIC b']);
  const { body, memo } = rewritten(deleteShareGroupOffsets, 0, decision);
  assert.deepEqual(body.topics, [{ topicName: 'b' }]);
  const merged = afterResponse(
    deleteShareGroupOffsets,
    0,
    { errorCode: 0, responses: [{ topicName: 'b', topicId: ID_A, errorCode: 0 }] },
    memo,
    ctx,
  );
  assert.deepEqual(
    merged.responses.map((t: { topicName: string; errorCode: number; errorMessage: string | null }) => [
      t.topicName,
      t.errorCode,
      t.errorMessage,
    ]),
    [
      ['b', 0, null],
      ['a', 29, 'Topic authorization failed.'],
    ],
  );
});
