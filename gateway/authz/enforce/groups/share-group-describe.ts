// ShareGroupDescribe (77): see group-describe.ts; the topics checked are those in members' assignments.
import type { DescribedGroup } from '../../../protocol/messages/share-group-describe.ts';
import type { EnforceContext, Enforcer } from '../enforcer.ts';
import { type GroupDescribeMemo, describeGroupsRequest, describeGroupsResponse, groupDenied, topicsDenied } from './group-describe.ts';

const TOPICS_DENIED_MESSAGE = 'The group has described topic(s) that the client is not authorized to describe.';

function* assignedTopics(group: DescribedGroup, ctx: EnforceContext): Iterable<string | undefined> {
  for (const member of group.members) {
    for (const tp of member.assignment.topicPartitions) yield tp.topicName !== '' ? tp.topicName : ctx.topics.nameOf(tp.topicId);
  }
}

export const shareGroupDescribe: Enforcer<77, GroupDescribeMemo> = {
  apiKey: 77,
  versions: { min: 0, max: 1 },
  onRequest(req, ctx) {
    return describeGroupsRequest(ctx, req.body(), groupDenied);
  },
  onResponse(body, memo, ctx) {
    describeGroupsResponse(body.groups, memo, ctx, (g) => assignedTopics(g, ctx), topicsDenied(TOPICS_DENIED_MESSAGE), groupDenied);
  },
};
