// SyncGroup (14): v5+ missing protocol type/name → 23 before authorization; then READ → 30, empty assignment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syncGroup } from '../../../../../gateway/authz/enforce/groups/sync-group.ts';
import { answered, decide, forwardedWithoutMemo } from './helpers.ts';

const request = {
  groupId: 'g',
  generationId: 1,
  memberId: 'm',
  protocolType: 'consumer',
  protocolName: 'range',
  assignments: [{ memberId: 'm', assignment: Buffer.from([1, 2]) }],
};

for (const version of [0, 3, 5]) {
  test(`SyncGroup v${version}: allowed forwards; denied answers 30 with an empty assignment`, () => {
    forwardedWithoutMemo(decide(syncGroup, version, request, ['User:alice ALLOW READ GROUP g']).decision);
    const body = answered(syncGroup, version, decide(syncGroup, version, request, []).decision);
    assert.equal(body.errorCode, 30);
    assert.equal(body.assignment.length, 0);
  });
}

test('SyncGroup v5: a missing ProtocolName is refused with 23 before the group is authorized', () => {
  const { decision, ctx } = decide(syncGroup, 5, { ...request, protocolName: null }, []);
  assert.equal(answered(syncGroup, 5, decision).errorCode, 23);
  assert.deepEqual(ctx.asked, []);
});

test('SyncGroup v4: protocol type and name are not part of v4, so no 23', () => {
  const { decision } = decide(syncGroup, 4, { ...request, protocolName: null, protocolType: null }, ['User:alice ALLOW READ GROUP g']);
  forwardedWithoutMemo(decision);
});
