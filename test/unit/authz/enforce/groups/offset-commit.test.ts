// OffsetCommit (8): READ group (30 in every partition), then per topic READ (29), v10 by topic id
// (unknown id resolved on the backend first, then 100).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { offsetCommit } from '../../../../../gateway/authz/enforce/groups/offset-commit.ts';
import { answered, decide, forwardedWithoutMemo, rewritten, afterResponse } from './helpers.ts';

const ID_A = 'AAAAAAAAAAAAAAAAAAAAAQ';
const ID_B = 'AAAAAAAAAAAAAAAAAAAAAg';
const ID_GONE = 'AAAAAAAAAAAAAAAAAAAAAw';
const topicIds = { [ID_A]: 'a', [ID_B]: 'b' };

function request(version: number, topics: { name: string; id: string; partitions: number[] }[]) {
  return {
    groupId: 'g',
    generationIdOrMemberEpoch: version >= 1 ? 1 : -1,
    memberId: version >= 1 ? 'm' : '',
    topics: topics.map((t) => ({
      ...(version >= 10 ? { topicId: t.id } : { name: t.name }),
      partitions: t.partitions.map((partitionIndex) => ({ partitionIndex, committedOffset: 5n, committedMetadata: '' })),
    })),
  };
}
const both = [
  { name: 'a', id: ID_A, partitions: [0, 1] },
  { name: 'b', id: ID_B, partitions: [2] },
];
const key = (version: number, t: { name: string; topicId: string }) => (version >= 10 ? t.topicId : t.name);

for (const version of [0, 5, 10]) {
  const aclsAll = ['User:alice ALLOW READ GROUP g', 'User:alice ALLOW READ TOPIC a', 'User:alice ALLOW READ TOPIC b'];

  test(`OffsetCommit v${version}: group and topics allowed → forward, no memo`, () => {
    forwardedWithoutMemo(decide(offsetCommit, version, request(version, both), aclsAll, { topicIds }).decision);
  });

  test(`OffsetCommit v${version}: group denied → 30 in every partition, topics not asked`, () => {
    const { decision, ctx } = decide(offsetCommit, version, request(version, both), ['User:alice ALLOW READ TOPIC a'], { topicIds });
    const body = answered(offsetCommit, version, decision);
    assert.deepEqual(
      body.topics.map((t: { name: string; topicId: string; partitions: { partitionIndex: number; errorCode: number }[] }) => [
        key(version, t),
        t.partitions.map((p) => [p.partitionIndex, p.errorCode]),
      ]),
      [
        [
          version >= 10 ? ID_A : 'a',
          [
            [0, 30],
            [1, 30],
          ],
        ],
        [version >= 10 ? ID_B : 'b', [[2, 30]]],
      ],
    );
    assert.deepEqual(
      ctx.asked.map((q) => q.type),
      ['GROUP'],
    );
  });

  test(`OffsetCommit v${version}: topic b denied → only a goes upstream, b merged back with 29`, () => {
    const { decision } = decide(
      offsetCommit,
      version,
      request(version, both),
      ['User:alice ALLOW READ GROUP g', 'User:alice ALLOW READ TOPIC a'],
      {
        topicIds,
      },
    );
    const { body, memo } = rewritten(offsetCommit, version, decision);
    assert.deepEqual(
      body.topics.map((t: { name: string; topicId: string }) => key(version, t)),
      [version >= 10 ? ID_A : 'a'],
    );
    const backend = {
      topics: [
        {
          name: 'a',
          topicId: ID_A,
          partitions: [
            { partitionIndex: 0, errorCode: 0 },
            { partitionIndex: 1, errorCode: 0 },
          ],
        },
      ],
    };
    if (version < 10) backend.topics[0].topicId = 'AAAAAAAAAAAAAAAAAAAAAA';
    else backend.topics[0].name = '';
    const merged = afterResponse(offsetCommit, version, backend, memo, decide(offsetCommit, version, {}, []).ctx);
    assert.deepEqual(
      merged.topics.map((t: { name: string; topicId: string; partitions: { errorCode: number }[] }) => [
        key(version, t),
        t.partitions.map((p) => p.errorCode),
      ]),
      [
        [version >= 10 ? ID_A : 'a', [0, 0]],
        [version >= 10 ? ID_B : 'b', [29]],
      ],
    );
  });

  test(`OffsetCommit v${version}: every topic denied → answered locally with 29s`, () => {
    const { decision } = decide(offsetCommit, version, request(version, both), ['User:alice ALLOW READ GROUP g'], { topicIds });
    const body = answered(offsetCommit, version, decision);
    assert.deepEqual(
      body.topics.map((t: { partitions: { errorCode: number }[] }) => t.partitions.map((p) => p.errorCode)),
      [[29, 29], [29]],
    );
  });
}

test('OffsetCommit v10: an id the gateway does not know is resolved first, then answered 100 before authorization', () => {
  const acls = ['User:alice ALLOW READ GROUP g', 'User:alice ALLOW READ TOPIC a'];
  const topics = [
    { name: 'a', id: ID_A, partitions: [0] },
    { name: '?', id: ID_GONE, partitions: [4] },
  ];
  const first = decide(offsetCommit, 10, request(10, topics), acls, { topicIds }).decision;
  assert.deepEqual(first, { action: 'resolve-topic-ids', topicIds: [ID_GONE] });
  const { decision, ctx } = decide(offsetCommit, 10, request(10, topics), acls, { topicIds, topicIdsResolved: true });
  const { body, memo } = rewritten(offsetCommit, 10, decision);
  assert.deepEqual(
    body.topics.map((t: { topicId: string }) => t.topicId),
    [ID_A],
  );
  assert.deepEqual(memo, [{ name: '', topicId: ID_GONE, partitions: [{ partitionIndex: 4, errorCode: 100 }] }]);
  assert.deepEqual(
    ctx.asked.map((q) => `${q.type}:${q.name}`),
    ['GROUP:g', 'TOPIC:a'],
  );
});
