// ConsumerGroupDescribe (69): see group-describe.ts. The topics checked are those in every member's
// current and target assignment; entries carry both id and name, the name is used, and an entry whose
// name is empty is named through the gateway's id map (an id it cannot name is not describable).
import type { DescribedGroup } from '../../../protocol/messages/consumer-group-describe.ts';
import type { EnforceContext, Enforcer } from '../enforcer.ts';
import { type GroupDescribeMemo, describeGroupsRequest, describeGroupsResponse, groupDenied, topicsDenied } from './group-describe.ts';

const TOPICS_DENIED_MESSAGE = 'The group has described topic(s) that the client is not authorized to describe.';

function* assignedTopics(group: DescribedGroup, ctx: EnforceContext): Iterable<string | undefined> {
  for (const member of group.members) {
    for (const tp of [...member.assignment.topicPartitions, ...member.targetAssignment.topicPartitions]) {
      yield tp.topicName !== '' ? tp.topicName : ctx.topics.nameOf(tp.topicId);
    }
  }
}

export const consumerGroupDescribe: Enforcer<69, GroupDescribeMemo> = {
  apiKey: 69,
  versions: { min: 0, max: 1 },
  onRequest(req, ctx) {
    return describeGroupsRequest(ctx, req.body(), groupDenied);
  },
  onResponse(body, memo, ctx) {
    describeGroupsResponse(body.groups, memo, ctx, (g) => assignedTopics(g, ctx), topicsDenied(TOPICS_DENIED_MESSAGE), groupDenied);
  },
};
