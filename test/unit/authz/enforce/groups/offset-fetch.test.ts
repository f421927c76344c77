// OffsetFetch (9): DESCRIBE group (placement by version), DESCRIBE per explicit topic (29), all-topics
// answers filtered silently, v8+ batched groups, v10 topic ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { offsetFetch } from '../../../../../gateway/authz/enforce/groups/offset-fetch.ts';
import { answered, decide, forwardedWithoutMemo, rewritten, afterResponse, forwardMemo } from './helpers.ts';

const ID_A = 'AAAAAAAAAAAAAAAAAAAAAQ';
const ID_B = 'AAAAAAAAAAAAAAAAAAAAAg';
const ID_GONE = 'AAAAAAAAAAAAAAAAAAAAAw';
const topicIds = { [ID_A]: 'a', [ID_B]: 'b' };
const partition = (partitionIndex: number, committedOffset = 10n) => ({ partitionIndex, committedOffset, metadata: '', errorCode: 0 });

type Part = { partitionIndex: number; committedOffset: bigint; errorCode: number; metadata: string | null; committedLeaderEpoch: number };
type Topic = { name: string; topicId?: string; partitions: Part[] };
const summary = (topics: Topic[], byId = false) =>
  topics.map((t) => [byId ? t.topicId : t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.committedOffset])]);

const single = (topics: { name: string; partitionIndexes: number[] }[] | null) => ({ groupId: 'g', topics });

test('OffsetFetch v1: group denied → 30 in every requested partition (offset −1, metadata "")', () => {
  const { decision } = decide(offsetFetch, 1, single([{ name: 'a', partitionIndexes: [0, 1] }]), ['User:alice ALLOW DESCRIBE TOPIC a']);
  const body = answered(offsetFetch, 1, decision);
  assert.deepEqual(summary(body.topics), [
    [
      'a',
      [
        [0, 30, -1n],
        [1, 30, -1n],
      ],
    ],
  ]);
  assert.equal(body.topics[0].partitions[0].metadata, '');
});

for (const version of [2, 5, 7]) {
  test(`OffsetFetch v${version}: group denied → top-level 30, no topics`, () => {
    const { decision } = decide(offsetFetch, version, single([{ name: 'a', partitionIndexes: [0] }]), []);
    const body = answered(offsetFetch, version, decision);
    assert.equal(body.errorCode, 30);
    assert.deepEqual(body.topics, []);
  });
}

for (const version of [0, 5, 7]) {
  test(`OffsetFetch v${version}: READ on the group implies DESCRIBE; all topics allowed → forward`, () => {
    const acls = ['User:alice ALLOW READ GROUP g', 'User:alice ALLOW DESCRIBE TOPIC a'];
    forwardedWithoutMemo(decide(offsetFetch, version, single([{ name: 'a', partitionIndexes: [0] }]), acls).decision);
  });

  test(`OffsetFetch v${version}: topic b not describable → stripped, merged back with 29 (offset −1)`, () => {
    const acls = ['User:alice ALLOW DESCRIBE GROUP g', 'User:alice ALLOW DESCRIBE TOPIC a'];
    const req = single([
      { name: 'a', partitionIndexes: [0] },
      { name: 'b', partitionIndexes: [3, 4] },
    ]);
    const { decision, ctx } = decide(offsetFetch, version, req, acls);
    const { body, memo } = rewritten(offsetFetch, version, decision);
    assert.deepEqual(
      body.topics?.map((t: { name: string }) => t.name),
      ['a'],
    );
    const merged = afterResponse(offsetFetch, version, { topics: [{ name: 'a', partitions: [partition(0)] }] }, memo, ctx);
    assert.deepEqual(summary(merged.topics), [
      ['a', [[0, 0, 10n]]],
      [
        'b',
        [
          [3, 29, -1n],
          [4, 29, -1n],
        ],
      ],
    ]);
    if (version >= 5) assert.equal(merged.topics[1].partitions[0].committedLeaderEpoch, -1);
  });
}

test('OffsetFetch v5: a coordinator error at the group level stands alone (no denied topics merged)', () => {
  const acls = ['User:alice ALLOW DESCRIBE GROUP g'];
  const { decision, ctx } = decide(offsetFetch, 5, single([{ name: 'b', partitionIndexes: [0] }]), acls);
  const { memo } = rewritten(offsetFetch, 5, decision);
  const merged = afterResponse(offsetFetch, 5, { errorCode: 16, topics: [] }, memo, ctx);
  assert.equal(merged.errorCode, 16);
  assert.deepEqual(merged.topics, []);
});

test('OffsetFetch v7: all topics (null) → forwarded, the answer filtered silently to describable topics', () => {
  const acls = ['User:alice ALLOW DESCRIBE GROUP g', 'User:alice ALLOW DESCRIBE TOPIC a'];
  const { decision, ctx } = decide(offsetFetch, 7, single(null), acls);
  assert.equal(decision.action, 'forward');
  const backend = {
    topics: [
      { name: 'a', partitions: [partition(0)] },
      { name: 'secret', partitions: [partition(0)] },
    ],
  };
  const merged = afterResponse(offsetFetch, 7, backend, forwardMemo(decision), ctx);
  assert.deepEqual(summary(merged.topics), [['a', [[0, 0, 10n]]]]);
  const filterQuestions = ctx.asked.filter((q) => q.type === 'TOPIC');
  assert.ok(filterQuestions.length > 0 && filterQuestions.every((q) => q.quiet));
});

for (const version of [8, 9]) {
  test(`OffsetFetch v${version}: batched groups — denied group gets a 30 entry, denied topic 29, all-topics group filtered`, () => {
    const acls = ['User:alice ALLOW DESCRIBE GROUP g1', 'User:alice ALLOW DESCRIBE GROUP g3', 'User:alice ALLOW DESCRIBE TOPIC a'];
    const req = {
      groups: [
        {
          groupId: 'g1',
          topics: [
            { name: 'a', partitionIndexes: [0] },
            { name: 'b', partitionIndexes: [1] },
          ],
        },
        { groupId: 'g2', topics: [{ name: 'a', partitionIndexes: [0] }] },
        { groupId: 'g3', topics: null },
      ],
    };
    const { decision, ctx } = decide(offsetFetch, version, req, acls);
    const { body, memo } = rewritten(offsetFetch, version, decision);
    assert.deepEqual(
      body.groups.map((g: { groupId: string; topics: { name: string }[] | null }) => [g.groupId, g.topics?.map((t) => t.name) ?? null]),
      [
        ['g1', ['a']],
        ['g3', null],
      ],
    );
    const backend = {
      groups: [
        { groupId: 'g1', errorCode: 0, topics: [{ name: 'a', partitions: [partition(0)] }] },
        {
          groupId: 'g3',
          errorCode: 0,
          topics: [
            { name: 'a', partitions: [partition(2)] },
            { name: 'b', partitions: [partition(2)] },
          ],
        },
      ],
    };
    const merged = afterResponse(offsetFetch, version, backend, memo, ctx);
    assert.deepEqual(
      merged.groups.map((g: { groupId: string; errorCode: number; topics: Topic[] }) => [g.groupId, g.errorCode, summary(g.topics)]),
      [
        [
          'g1',
          0,
          [
            ['a', [[0, 0, 10n]]],
            ['b', [[1, 29, -1n]]],
          ],
        ],
        ['g3', 0, [['a', [[2, 0, 10n]]]]],
        ['g2', 30, []],
      ],
    );
  });
}

test('OffsetFetch v8: every group denied → answered locally, one 30 entry per group', () => {
  const req = {
    groups: [
      { groupId: 'g1', topics: null },
      { groupId: 'g2', topics: [{ name: 'a', partitionIndexes: [0] }] },
    ],
  };
  const body = answered(offsetFetch, 8, decide(offsetFetch, 8, req, []).decision);
  assert.deepEqual(
    body.groups.map((g: { groupId: string; errorCode: number; topics: unknown[] }) => [g.groupId, g.errorCode, g.topics.length]),
    [
      ['g1', 30, 0],
      ['g2', 30, 0],
    ],
  );
});

test('OffsetFetch v10: ids — unknown resolved first then 100, denied id 29, all-topics answer filtered by id', () => {
  const acls = ['User:alice ALLOW DESCRIBE GROUP g', 'User:alice ALLOW DESCRIBE GROUP h', 'User:alice ALLOW DESCRIBE TOPIC a'];
  const req = {
    groups: [
      {
        groupId: 'g',
        topics: [
          { topicId: ID_A, partitionIndexes: [0] },
          { topicId: ID_B, partitionIndexes: [0] },
          { topicId: ID_GONE, partitionIndexes: [0] },
        ],
      },
      { groupId: 'h', topics: null },
    ],
  };
  assert.deepEqual(decide(offsetFetch, 10, req, acls, { topicIds }).decision, { action: 'resolve-topic-ids', topicIds: [ID_GONE] });
  const { decision, ctx } = decide(offsetFetch, 10, req, acls, { topicIds, topicIdsResolved: true });
  const { body, memo } = rewritten(offsetFetch, 10, decision);
  assert.deepEqual(
    body.groups[0].topics?.map((t: { topicId: string }) => t.topicId),
    [ID_A],
  );
  const backend = {
    groups: [
      { groupId: 'g', errorCode: 0, topics: [{ topicId: ID_A, partitions: [partition(0)] }] },
      {
        groupId: 'h',
        errorCode: 0,
        topics: [
          { topicId: ID_A, partitions: [partition(1)] },
          { topicId: ID_B, partitions: [partition(1)] },
        ],
      },
    ],
  };
  const merged = afterResponse(offsetFetch, 10, backend, memo, ctx);
  assert.deepEqual(summary(merged.groups[0].topics, true), [
    [ID_A, [[0, 0, 10n]]],
    [ID_B, [[0, 29, -1n]]],
    [ID_GONE, [[0, 100, -1n]]],
  ]);
  assert.deepEqual(summary(merged.groups[1].topics, true), [[ID_A, [[1, 0, 10n]]]]);
});
