// OffsetDelete (47): DELETE group → top-level 30 only; READ per topic → 29 per partition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { offsetDelete } from '../../../../../gateway/authz/enforce/groups/offset-delete.ts';
import { answered, decide, forwardedWithoutMemo, rewritten, afterResponse } from './helpers.ts';

const request = {
  groupId: 'g',
  topics: [
    { name: 'a', partitions: [{ partitionIndex: 0 }] },
    { name: 'b', partitions: [{ partitionIndex: 1 }, { partitionIndex: 2 }] },
  ],
};

test('OffsetDelete v0: READ on the group is not DELETE → top-level 30, no topics', () => {
  const body = answered(offsetDelete, 0, decide(offsetDelete, 0, request, ['User:alice ALLOW READ GROUP g']).decision);
  assert.equal(body.errorCode, 30);
  assert.deepEqual(body.topics, []);
});

test('OffsetDelete v0: everything allowed → forward', () => {
  const acls = ['User:alice ALLOW DELETE GROUP g', 'User:alice ALLOW READ TOPIC *'];
  forwardedWithoutMemo(decide(offsetDelete, 0, request, acls).decision);
});

test('OffsetDelete v0: topic b denied → stripped and merged back with 29; a group error from the backend stands alone', () => {
  const { decision, ctx } = decide(offsetDelete, 0, request, ['User:alice ALLOW DELETE GROUP g', 'User:alice ALLOW READ TOPIC a']);
  const { body, memo } = rewritten(offsetDelete, 0, decision);
  assert.deepEqual(
    body.topics.map((t: { name: string }) => t.name),
    ['a'],
  );
  const ok = { errorCode: 0, topics: [{ name: 'a', partitions: [{ partitionIndex: 0, errorCode: 0 }] }] };
  const merged = afterResponse(offsetDelete, 0, ok, memo, ctx);
  assert.deepEqual(
    merged.topics.map((t: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }) => [
      t.name,
      t.partitions.map((p) => [p.partitionIndex, p.errorCode]),
    ]),
    [
      ['a', [[0, 0]]],
      [
        'b',
        [
          [1, 29],
          [2, 29],
        ],
      ],
    ],
  );
  const groupError = afterResponse(offsetDelete, 0, { errorCode: 68, topics: [] }, memo, ctx);
  assert.deepEqual([groupError.errorCode, groupError.topics], [68, []]);
});
