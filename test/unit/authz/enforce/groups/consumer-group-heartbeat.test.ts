// ConsumerGroupHeartbeat (68) and ShareGroupHeartbeat (76): READ group → 30; every subscribed name
// DESCRIBE → else the whole heartbeat 29.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consumerGroupHeartbeat } from '../../../../../gateway/authz/enforce/groups/consumer-group-heartbeat.ts';
import { shareGroupHeartbeat } from '../../../../../gateway/authz/enforce/groups/share-group-heartbeat.ts';
import { answered, decide, forwardedWithoutMemo } from './helpers.ts';

const cases = [
  { enforcer: consumerGroupHeartbeat, name: 'ConsumerGroupHeartbeat', versions: [0, 1] },
  { enforcer: shareGroupHeartbeat, name: 'ShareGroupHeartbeat', versions: [0, 1] },
];

for (const { enforcer, name, versions } of cases) {
  for (const version of versions) {
    const request = { groupId: 'g', memberId: 'm', memberEpoch: 0, subscribedTopicNames: ['a', 'b'] };

    test(`${name} v${version}: READ group and DESCRIBE on every subscribed topic → forward`, () => {
      const acls = ['User:alice ALLOW READ GROUP g', 'User:alice ALLOW READ TOPIC a', 'User:alice ALLOW DESCRIBE TOPIC b'];
      forwardedWithoutMemo(decide(enforcer, version, request, acls).decision);
    });

    test(`${name} v${version}: group denied → 30, nothing assigned, topics not asked`, () => {
      const { decision, ctx } = decide(enforcer, version, request, ['User:alice ALLOW DESCRIBE GROUP g']);
      const body = answered(enforcer, version, decision);
      assert.deepEqual([body.errorCode, body.errorMessage, body.memberId, body.assignment], [30, null, null, null]);
      assert.deepEqual(
        ctx.asked.map((q) => q.type),
        ['GROUP'],
      );
    });

    test(`${name} v${version}: one subscribed topic not describable → the whole heartbeat fails with 29`, () => {
      const { decision, ctx } = decide(enforcer, version, request, ['User:alice ALLOW READ GROUP g', 'User:alice ALLOW DESCRIBE TOPIC b']);
      assert.equal(answered(enforcer, version, decision).errorCode, 29);
      assert.deepEqual(
        ctx.asked.map((q) => `${q.type}:${q.name}`),
        ['GROUP:g', 'TOPIC:a', 'TOPIC:b'],
      );
    });

    test(`${name} v${version}: no subscription in this heartbeat (null) → only the group is checked`, () => {
      const { decision } = decide(enforcer, version, { ...request, subscribedTopicNames: null }, ['User:alice ALLOW READ GROUP g']);
      forwardedWithoutMemo(decision);
    });
  }
}

test('ConsumerGroupHeartbeat v1: a regex subscription is the coordinator’s to resolve → forwarded', () => {
  const req = { groupId: 'g', memberId: 'm', memberEpoch: 0, subscribedTopicNames: null, subscribedTopicRegex: 'a.*' };
  forwardedWithoutMemo(decide(consumerGroupHeartbeat, 1, req, ['User:alice ALLOW READ GROUP g']).decision);
});
