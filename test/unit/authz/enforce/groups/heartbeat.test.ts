// Heartbeat (12) and LeaveGroup (13): READ on the group, whole-request 30.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heartbeat } from '../../../../../gateway/authz/enforce/groups/heartbeat.ts';
import { leaveGroup } from '../../../../../gateway/authz/enforce/groups/leave-group.ts';
import { answered, decide, forwardedWithoutMemo } from './helpers.ts';

for (const version of [0, 2, 4]) {
  const request = { groupId: 'g', generationId: 3, memberId: 'm' };
  test(`Heartbeat v${version}: allowed forwards, denied answers 30`, () => {
    forwardedWithoutMemo(decide(heartbeat, version, request, ['User:alice ALLOW READ GROUP g']).decision);
    const denied = decide(heartbeat, version, request, ['User:alice ALLOW READ GROUP other']).decision;
    assert.equal(answered(heartbeat, version, denied).errorCode, 30);
  });
}

for (const version of [0, 3, 5]) {
  const request = version < 3 ? { groupId: 'g', memberId: 'm' } : { groupId: 'g', members: [{ memberId: 'm', groupInstanceId: null }] };
  test(`LeaveGroup v${version}: allowed forwards, denied answers 30 at the top level with no member entries`, () => {
    forwardedWithoutMemo(decide(leaveGroup, version, request, ['User:alice ALLOW READ GROUP g']).decision);
    const body = answered(leaveGroup, version, decide(leaveGroup, version, request, []).decision);
    assert.equal(body.errorCode, 30);
    assert.deepEqual(body.members, []);
  });
}
