// The KIP-848-era group-describe APIs (ConsumerGroupDescribe, ShareGroupDescribe, StreamsGroupDescribe)
// share one behaviour: DESCRIBE per group (denied: a 30 entry appended after the backend's), the
// authorized-operations bitfield for groups returned without error when asked (the backend has no
// authorizer), and — a response rewrite — a group whose members or topology name a topic the principal
// may not DESCRIBE is replaced by a 29 entry with the broker's message and nothing else.
import type { Struct } from '../../../protocol/index.ts';
import type { EnforceContext, RequestDecision } from '../enforcer.ts';
import { GROUP_AUTHORIZATION_FAILED, TOPIC_AUTHORIZATION_FAILED } from './single-group.ts';
import { topicDecider } from '../topic-questions.ts';

export interface GroupDescribeMemo {
  deniedGroupIds: string[];
  fillAuthorizedOperations: boolean;
}

interface DescribedGroupLike {
  errorCode: number;
  groupId: string;
  authorizedOperations: number;
}

export function describeGroupsRequest(
  ctx: EnforceContext,
  body: { groupIds: string[]; includeAuthorizedOperations: boolean },
  deniedEntry: (groupId: string) => Struct,
): RequestDecision<GroupDescribeMemo> {
  const allowed = body.groupIds.filter((g) => ctx.authz.allowed('DESCRIBE', 'GROUP', g));
  const deniedGroupIds = body.groupIds.filter((g) => !allowed.includes(g));
  if (body.groupIds.length > 0 && allowed.length === 0) return { action: 'answer', body: { groups: deniedGroupIds.map(deniedEntry) } };
  // Always a memo: the topic check needs the backend's answer even when every group is allowed.
  const memo = { deniedGroupIds, fillAuthorizedOperations: body.includeAuthorizedOperations };
  return deniedGroupIds.length > 0 ? { action: 'rewrite', body: { ...body, groupIds: allowed }, memo } : { action: 'forward', memo };
}

/**
 * Edits the backend's groups in place: bitfields first, then the topic check (a replaced group keeps
 * no bitfield, as on a broker), then the denied groups appended. `topicsOf` lists a group's topic
 * names; `undefined` in it stands for a topic the gateway cannot name (treated as not describable).
 */
export function describeGroupsResponse<G extends DescribedGroupLike>(
  groups: G[],
  memo: GroupDescribeMemo,
  ctx: EnforceContext,
  topicsOf: (group: G) => Iterable<string | undefined>,
  replacement: (groupId: string) => Struct,
  deniedEntry: (groupId: string) => Struct,
): void {
  const mayDescribe = topicDecider(ctx, 'DESCRIBE');
  groups.forEach((group, i) => {
    if (group.errorCode !== 0) return;
    if (memo.fillAuthorizedOperations) group.authorizedOperations = ctx.authz.authorizedOperations('GROUP', group.groupId);
    for (const name of topicsOf(group)) {
      if (name === undefined || !mayDescribe(name)) {
        groups[i] = replacement(group.groupId) as G;
        return;
      }
    }
  });
  for (const groupId of memo.deniedGroupIds) groups.push(deniedEntry(groupId) as G);
}

export const groupDenied = (groupId: string): Struct => ({
  groupId,
  errorCode: GROUP_AUTHORIZATION_FAILED,
  errorMessage: null,
  members: [],
});

export const topicsDenied =
  (errorMessage: string, extra: Struct = {}) =>
  (groupId: string): Struct => ({ groupId, errorCode: TOPIC_AUTHORIZATION_FAILED, errorMessage, members: [], ...extra });
