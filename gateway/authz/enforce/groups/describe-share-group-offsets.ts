// DescribeShareGroupOffsets (90): per group DESCRIBE → 30 in its entry; explicit topics: DESCRIBE per
// topic → 29 in every requested partition (StartOffset −1, Lag −1, zero TopicId); all topics (Topics
// null): the backend's answer is filtered to describable topics, silently.
import { ZERO_UUID } from '../../../protocol/index.ts';
import type {
  DescribeShareGroupOffsetsRequestTopic,
  DescribeShareGroupOffsetsResponseTopic,
} from '../../../protocol/messages/describe-share-group-offsets.ts';
import type { Enforcer } from '../enforcer.ts';
import { GROUP_AUTHORIZATION_FAILED, TOPIC_AUTHORIZATION_FAILED } from './single-group.ts';
import { topicDecider } from '../topic-questions.ts';

interface GroupMemo {
  filterAll: boolean;
  deniedTopics: DescribeShareGroupOffsetsResponseTopic[];
}

export interface DescribeShareGroupOffsetsMemo {
  groups: Map<string, GroupMemo>;
  deniedGroupIds: string[];
}

const deniedGroup = (groupId: string) => ({ groupId, topics: [], errorCode: GROUP_AUTHORIZATION_FAILED, errorMessage: null });

function deniedTopic(topic: DescribeShareGroupOffsetsRequestTopic): DescribeShareGroupOffsetsResponseTopic {
  return {
    topicName: topic.topicName,
    topicId: ZERO_UUID,
    partitions: topic.partitions.map((partitionIndex) => ({
      partitionIndex,
      startOffset: -1n,
      leaderEpoch: -1,
      lag: -1n,
      errorCode: TOPIC_AUTHORIZATION_FAILED,
      errorMessage: null,
    })),
  };
}

export const describeShareGroupOffsets: Enforcer<90, DescribeShareGroupOffsetsMemo> = {
  apiKey: 90,
  versions: { min: 0, max: 1 },
  onRequest(req, ctx) {
    const body = req.body();
    const allowedGroups = body.groups.filter((g) => ctx.authz.allowed('DESCRIBE', 'GROUP', g.groupId));
    const deniedGroupIds = body.groups.filter((g) => !allowedGroups.includes(g)).map((g) => g.groupId);
    if (body.groups.length > 0 && allowedGroups.length === 0)
      return { action: 'answer', body: { groups: deniedGroupIds.map(deniedGroup) } };
    const mayDescribe = topicDecider(ctx, 'DESCRIBE');
    const memo: DescribeShareGroupOffsetsMemo = { groups: new Map(), deniedGroupIds };
    let stripped = deniedGroupIds.length > 0;
    let needsResponse = stripped;
    const keptGroups = allowedGroups.map((group) => {
      if (group.topics === null) {
        memo.groups.set(group.groupId, { filterAll: true, deniedTopics: [] });
        needsResponse = true;
        return group;
      }
      const topics = group.topics.filter((t) => mayDescribe(t.topicName));
      const deniedTopics = group.topics.filter((t) => !topics.includes(t)).map(deniedTopic);
      memo.groups.set(group.groupId, { filterAll: false, deniedTopics });
      if (deniedTopics.length > 0) stripped = needsResponse = true;
      return { ...group, topics };
    });
    if (!needsResponse) return { action: 'forward' };
    return stripped ? { action: 'rewrite', body: { ...body, groups: keptGroups }, memo } : { action: 'forward', memo };
  },
  onResponse(body, memo, ctx) {
    const mayDescribeQuietly = topicDecider(ctx, 'DESCRIBE', { quiet: true });
    for (const group of body.groups) {
      const groupMemo = memo.groups.get(group.groupId);
      if (!groupMemo) continue;
      if (groupMemo.filterAll) group.topics = group.topics.filter((t) => mayDescribeQuietly(t.topicName));
      if (group.errorCode === 0) group.topics.push(...groupMemo.deniedTopics);
    }
    for (const groupId of memo.deniedGroupIds) body.groups.push(deniedGroup(groupId));
  },
};
