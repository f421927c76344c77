// OffsetCommit (8): READ on the group (denied: 30 in every partition, there is no top-level field), then
// per topic (v10: by id; an id the backend does not know → 100 first) READ → 29 in its partitions. Only
// the authorized topics go to the backend; the denied ones are appended to its answer.
import type { OffsetCommitRequestTopic, OffsetCommitResponseTopic } from '../../../protocol/messages/offset-commit.ts';
import type { Enforcer } from '../enforcer.ts';
import { GROUP_AUTHORIZATION_FAILED, TOPIC_AUTHORIZATION_FAILED } from './single-group.ts';
import { topicDecider, unknownTopicIds } from '../topic-questions.ts';

const UNKNOWN_TOPIC_ID = 100;
const FIRST_TOPIC_ID_VERSION = 10;

function failedTopic(topic: OffsetCommitRequestTopic, errorCode: number): Partial<OffsetCommitResponseTopic> {
  return {
    name: topic.name,
    topicId: topic.topicId,
    partitions: topic.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
  };
}

export const offsetCommit: Enforcer<8, Partial<OffsetCommitResponseTopic>[]> = {
  apiKey: 8,
  versions: { min: 0, max: 10 },
  onRequest(req, ctx) {
    const body = req.body();
    if (!ctx.authz.allowed('READ', 'GROUP', body.groupId)) {
      return { action: 'answer', body: { topics: body.topics.map((t) => failedTopic(t, GROUP_AUTHORIZATION_FAILED)) } };
    }
    const byId = req.apiVersion >= FIRST_TOPIC_ID_VERSION;
    if (byId && !req.topicIdsResolved) {
      const missing = unknownTopicIds(
        ctx,
        body.topics.map((t) => t.topicId),
      );
      if (missing.length > 0) return { action: 'resolve-topic-ids', topicIds: missing };
    }
    const mayRead = topicDecider(ctx, 'READ');
    const allowed: OffsetCommitRequestTopic[] = [];
    const denied: Partial<OffsetCommitResponseTopic>[] = [];
    for (const topic of body.topics) {
      const name = byId ? ctx.topics.nameOf(topic.topicId) : topic.name;
      if (name === undefined) denied.push(failedTopic(topic, UNKNOWN_TOPIC_ID));
      else if (!mayRead(name)) denied.push(failedTopic(topic, TOPIC_AUTHORIZATION_FAILED));
      else allowed.push(topic);
    }
    if (denied.length === 0) return { action: 'forward' };
    // Nothing left to commit: the broker answers without asking the coordinator.
    if (allowed.length === 0) return { action: 'answer', body: { topics: denied } };
    return { action: 'rewrite', body: { ...body, topics: allowed }, memo: denied };
  },
  onResponse(body, denied) {
    body.topics.push(...(denied as OffsetCommitResponseTopic[]));
  },
};
