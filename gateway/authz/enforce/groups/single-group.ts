// The classic group-membership APIs (JoinGroup, Heartbeat, LeaveGroup, SyncGroup) and the KIP-848 style
// heartbeats share one shape: one group id, READ on it, and a whole-request answer when denied.
import type { ResponseBody, TypedApiKey } from '../../../protocol/index.ts';
import type { EnforceContext, RequestDecision } from '../enforcer.ts';

export const GROUP_AUTHORIZATION_FAILED = 30;
export const TOPIC_AUTHORIZATION_FAILED = 29;
export const INT_MIN = -2147483648;

/** READ on the group, or the API's denial answered locally; `undefined` when allowed. */
export function denyUnlessGroupRead<K extends TypedApiKey>(
  ctx: EnforceContext,
  groupId: string,
  denied: () => Partial<ResponseBody<K>>,
): RequestDecision | undefined {
  return ctx.authz.allowed('READ', 'GROUP', groupId) ? undefined : { action: 'answer', body: denied() };
}
