// JoinGroup (11): READ on the group; a denial is answered with the broker's defaults (§2.4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinGroup } from '../../../../../gateway/authz/enforce/groups/join-group.ts';
import { answered, decide, forwardedWithoutMemo } from './helpers.ts';

const request = {
  groupId: 'g',
  sessionTimeoutMs: 10000,
  memberId: '',
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: Buffer.from([1]) }],
};

for (const version of [0, 5, 9]) {
  test(`JoinGroup v${version}: READ on the group forwards the original bytes`, () => {
    const { decision, ctx } = decide(joinGroup, version, request, ['User:alice ALLOW READ GROUP g']);
    forwardedWithoutMemo(decision);
    assert.deepEqual(ctx.asked, [{ operation: 'READ', type: 'GROUP', name: 'g', quiet: false }]);
  });

  test(`JoinGroup v${version}: DESCRIBE only is not enough: 30 with the broker's defaults`, () => {
    const { decision } = decide(joinGroup, version, request, ['User:alice ALLOW DESCRIBE GROUP g']);
    const body = answered(joinGroup, version, decision);
    assert.equal(body.errorCode, 30);
    assert.equal(body.generationId, -1);
    assert.equal(body.protocolName, version >= 7 ? null : '');
    assert.equal(body.leader, '');
    assert.equal(body.memberId, '');
    assert.deepEqual(body.members, []);
  });
}
