// ConsumerGroupHeartbeat (68, KIP-848): READ on the group → else 30; then every name in
// SubscribedTopicNames must be DESCRIBE-authorized, else the whole heartbeat fails with 29 (no partial
// subscription). A SubscribedTopicRegex is resolved by the coordinator; see the note in index.ts.
import type { EnforceContext, Enforcer } from '../enforcer.ts';
import { GROUP_AUTHORIZATION_FAILED, TOPIC_AUTHORIZATION_FAILED } from './single-group.ts';
import { topicDecider } from '../topic-questions.ts';

/** The answer of a refused heartbeat: the code, nothing assigned. */
export const refusedHeartbeat = (errorCode: number) => ({
  throttleTimeMs: 0,
  errorCode,
  errorMessage: null,
  memberId: null,
  memberEpoch: 0,
  heartbeatIntervalMs: 0,
  assignment: null,
});

/** True when every subscribed name (null or empty: none) may be described. */
export function subscriptionDescribable(ctx: EnforceContext, names: readonly string[] | null): boolean {
  if (names === null || names.length === 0) return true;
  const mayDescribe = topicDecider(ctx, 'DESCRIBE');
  // Every name is asked (the broker filters the whole list), then the verdict.
  return names.map(mayDescribe).every(Boolean);
}

export const consumerGroupHeartbeat: Enforcer<68> = {
  apiKey: 68,
  versions: { min: 0, max: 1 },
  onRequest(req, ctx) {
    const body = req.body();
    if (!ctx.authz.allowed('READ', 'GROUP', body.groupId)) return { action: 'answer', body: refusedHeartbeat(GROUP_AUTHORIZATION_FAILED) };
    if (!subscriptionDescribable(ctx, body.subscribedTopicNames))
      return { action: 'answer', body: refusedHeartbeat(TOPIC_AUTHORIZATION_FAILED) };
    return { action: 'forward' };
  },
};
