// ShareGroupHeartbeat (76, KIP-932): READ on the group → else 30; every subscribed name DESCRIBE →
// else the whole heartbeat fails with 29 (4.1+), as for consumer groups.
import type { Enforcer } from '../enforcer.ts';
import { refusedHeartbeat, subscriptionDescribable } from './consumer-group-heartbeat.ts';
import { GROUP_AUTHORIZATION_FAILED, TOPIC_AUTHORIZATION_FAILED } from './single-group.ts';

export const shareGroupHeartbeat: Enforcer<76> = {
  apiKey: 76,
  versions: { min: 0, max: 1 },
  onRequest(req, ctx) {
    const body = req.body();
    if (!ctx.authz.allowed('READ', 'GROUP', body.groupId)) return { action: 'answer', body: refusedHeartbeat(GROUP_AUTHORIZATION_FAILED) };
    if (!subscriptionDescribable(ctx, body.subscribedTopicNames))
      return { action: 'answer', body: refusedHeartbeat(TOPIC_AUTHORIZATION_FAILED) };
    return { action: 'forward' };
  },
};
