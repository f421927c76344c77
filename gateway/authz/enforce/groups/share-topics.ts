// What ShareFetch and ShareAcknowledge have in common: a group id that must be set (42) and READ-able
// (30 at the top level, nothing else), topics by id (unknown → 100, checked first), READ per topic (29
// in each of its partitions). The request always reaches the backend once the group is allowed, even
// with every topic stripped: it also moves the share session's epoch, which a local answer would not.
import type { EnforceContext, RequestDecision } from '../enforcer.ts';
import { GROUP_AUTHORIZATION_FAILED, TOPIC_AUTHORIZATION_FAILED } from './single-group.ts';
import { topicDecider, unknownTopicIds } from '../topic-questions.ts';

const INVALID_REQUEST = 42;
const UNKNOWN_TOPIC_ID = 100;

export interface ShareTopic {
  topicId: string;
  partitions: { partitionIndex: number; acknowledgementBatches: unknown[] }[];
}

/** A denied topic: its id and, per requested partition, whether it carried acknowledgements. */
export interface DeniedShareTopic {
  topicId: string;
  errorCode: number;
  partitions: { partitionIndex: number; acknowledged: boolean }[];
}

export type ShareTopicsVerdict<T> = { decision: RequestDecision<never> } | { allowed: T[]; denied: DeniedShareTopic[] };

export function authorizeShareTopics<T extends ShareTopic>(
  ctx: EnforceContext,
  req: { topicIdsResolved: boolean },
  groupId: string | null,
  topics: T[],
): ShareTopicsVerdict<T> {
  if (groupId === null) return { decision: { action: 'answer', body: { errorCode: INVALID_REQUEST, responses: [] } } };
  if (!ctx.authz.allowed('READ', 'GROUP', groupId)) {
    return { decision: { action: 'answer', body: { errorCode: GROUP_AUTHORIZATION_FAILED, responses: [] } } };
  }
  if (!req.topicIdsResolved) {
    const missing = unknownTopicIds(
      ctx,
      topics.map((t) => t.topicId),
    );
    if (missing.length > 0) return { decision: { action: 'resolve-topic-ids', topicIds: missing } };
  }
  const mayRead = topicDecider(ctx, 'READ');
  const allowed: T[] = [];
  const denied: DeniedShareTopic[] = [];
  for (const topic of topics) {
    const name = ctx.topics.nameOf(topic.topicId);
    const errorCode = name === undefined ? UNKNOWN_TOPIC_ID : mayRead(name) ? 0 : TOPIC_AUTHORIZATION_FAILED;
    if (errorCode === 0) allowed.push(topic);
    else {
      const partitions = topic.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        acknowledged: p.acknowledgementBatches.length > 0,
      }));
      denied.push({ topicId: topic.topicId, errorCode, partitions });
    }
  }
  return { allowed, denied };
}
