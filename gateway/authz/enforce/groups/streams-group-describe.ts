// StreamsGroupDescribe (89): see group-describe.ts; the topics checked are every topic of the topology
// (source, repartition sink and source, changelog). A replaced group also loses its topology.
import type { DescribedGroup } from '../../../protocol/messages/streams-group-describe.ts';
import type { Enforcer } from '../enforcer.ts';
import { type GroupDescribeMemo, describeGroupsRequest, describeGroupsResponse, groupDenied, topicsDenied } from './group-describe.ts';

const TOPICS_DENIED_MESSAGE = 'The described group uses topics that the client is not authorized to describe.';

function* topologyTopics(group: DescribedGroup): Iterable<string> {
  for (const sub of group.topology?.subtopologies ?? []) {
    yield* sub.sourceTopics;
    yield* sub.repartitionSinkTopics;
    for (const t of sub.stateChangelogTopics) yield t.name;
    for (const t of sub.repartitionSourceTopics) yield t.name;
  }
}

export const streamsGroupDescribe: Enforcer<89, GroupDescribeMemo> = {
  apiKey: 89,
  versions: { min: 0, max: 0 },
  onRequest(req, ctx) {
    return describeGroupsRequest(ctx, req.body(), groupDenied);
  },
  onResponse(body, memo, ctx) {
    describeGroupsResponse(body.groups, memo, ctx, topologyTopics, topicsDenied(TOPICS_DENIED_MESSAGE, { topology: null }), groupDenied);
  },
};
