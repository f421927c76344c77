// DescribeTopicPartitions (75, KIP-966): DESCRIBE per topic. Explicit names: denied → 29 entry (name, zero
// id, IsInternal false, partitions []), stripped upstream and appended. Empty list = all topics: the answer
// is filtered quietly to describable topics. TopicAuthorizedOperations is always computed for the topics
// returned (no request flag; the backend has no authorizer), so the answer is always edited.
// Known gap: in all-topics mode the backend paginates over every topic, so a page may hold fewer topics
// than the limit and NextCursor may name a topic the principal may not describe (the broker paginates over
// authorized topics only). The cursor's topic name is left as is: replacing it would break paging.
import { API_KEY, ZERO_UUID, type Struct } from '../../../protocol/index.ts';
import type { Enforcer, RequestDecision } from '../enforcer.ts';
import { OPS_OMITTED, topicDecider } from './topic-authz.ts';

const TOPIC_AUTHORIZATION_FAILED = 29;

export interface DescribeTopicPartitionsMemo {
  readonly filter: boolean;
  readonly denied: readonly Struct[];
}

export const describeTopicPartitionsEnforcer: Enforcer<typeof API_KEY.DescribeTopicPartitions, DescribeTopicPartitionsMemo> = {
  apiKey: API_KEY.DescribeTopicPartitions,
  versions: { min: 0, max: 0 },

  onRequest(req, ctx): RequestDecision<DescribeTopicPartitionsMemo> {
    const body = req.body();
    if (body.topics.length === 0) return { action: 'forward', memo: { filter: true, denied: [] } };
    const describe = topicDecider(ctx, 'DESCRIBE');
    const kept: Struct[] = [];
    const denied: Struct[] = [];
    const deniedNames = new Set<string>();
    for (const t of body.topics) {
      if (describe(t.name)) kept.push(t);
      else if (!deniedNames.has(t.name)) {
        deniedNames.add(t.name);
        denied.push({
          errorCode: TOPIC_AUTHORIZATION_FAILED,
          name: t.name,
          topicId: ZERO_UUID,
          isInternal: false,
          partitions: [],
          topicAuthorizedOperations: OPS_OMITTED,
        });
      }
    }
    if (denied.length === 0) return { action: 'forward', memo: { filter: false, denied } };
    if (kept.length === 0) return { action: 'answer', body: { throttleTimeMs: 0, topics: denied, nextCursor: null } };
    return { action: 'rewrite', body: { ...body, topics: kept }, memo: { filter: false, denied } };
  },

  onResponse(body, memo, ctx): void {
    const topics = memo.filter
      ? body.topics.filter((t) => t.name !== null && ctx.authz.allowed('DESCRIBE', 'TOPIC', t.name, { quiet: true }))
      : body.topics;
    for (const t of topics) {
      if (t.name !== null && t.errorCode !== TOPIC_AUTHORIZATION_FAILED)
        t.topicAuthorizedOperations = ctx.authz.authorizedOperations('TOPIC', t.name);
    }
    body.topics = [...topics, ...(memo.denied as never[])];
  },
};
