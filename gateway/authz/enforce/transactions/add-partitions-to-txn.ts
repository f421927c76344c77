// AddPartitionsToTxn (spec §2.5). v0–3 come from producers: WRITE on the transactional id (→ 53 in every
// partition), then WRITE on every topic, Kafka's internal topics never authorized. One denied topic fails
// the whole transaction step: its partitions get 29 and every other partition 55 OPERATION_NOT_ATTEMPTED,
// so the request is answered here and the transaction is not touched. v4+ come from brokers (partition
// verification) and need CLUSTER_ACTION → else 31 at the top level.
import { API_KEY, ErrorCode, type RequestBody, type ResponseBody, versionRange } from '../../../protocol/index.ts';
import { CLUSTER_NAME } from '../../model.ts';
import type { Authorizer, Enforcer, RequestDecision } from '../enforcer.ts';
import { isKafkaInternalTopic } from './kafka-internal-topics.ts';

type Request = RequestBody<typeof API_KEY.AddPartitionsToTxn>;
type TopicResult = ResponseBody<typeof API_KEY.AddPartitionsToTxn>['resultsByTopicV3AndBelow'][number];

/** The first version only brokers send. */
const FIRST_BROKER_VERSION = 4;

export const addPartitionsToTxnEnforcer: Enforcer<typeof API_KEY.AddPartitionsToTxn> = {
  apiKey: API_KEY.AddPartitionsToTxn,
  versions: versionRange(API_KEY.AddPartitionsToTxn) ?? { min: 0, max: -1 },
  onRequest(req, { authz }) {
    if (req.apiVersion >= FIRST_BROKER_VERSION) {
      if (authz.allowed('CLUSTER_ACTION', 'CLUSTER', CLUSTER_NAME)) return { action: 'forward' };
      return { action: 'answer', body: { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, resultsByTransaction: [] } };
    }
    return producerRequest(req.body(), authz);
  },
};

function producerRequest(body: Request, authz: Authorizer): RequestDecision {
  const topics = body.v3AndBelowTopics;
  if (!authz.allowed('WRITE', 'TRANSACTIONAL_ID', body.v3AndBelowTransactionalId)) {
    // As the broker's generic error answer: every requested topic and partition, as requested.
    const results = topics.map((t) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((p) => ({
        partitionIndex: p,
        partitionErrorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
      })),
    }));
    return answer(results);
  }
  const writable = new Map<string, boolean>();
  for (const { name } of topics) {
    // Internal topics are left out before the question is asked: never authorized, never audited.
    if (!writable.has(name)) writable.set(name, !isKafkaInternalTopic(name) && authz.allowed('WRITE', 'TOPIC', name));
  }
  if ([...writable.values()].every(Boolean)) return { action: 'forward' };
  return answer(notAttempted(topics, writable));
}

/** One result per topic name, each partition once: 29 where the topic is denied, 55 everywhere else. */
function notAttempted(topics: Request['v3AndBelowTopics'], writable: ReadonlyMap<string, boolean>): TopicResult[] {
  const byName = new Map<string, Map<number, number>>();
  for (const t of topics) {
    const code = writable.get(t.name) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    let partitions = byName.get(t.name);
    if (!partitions) byName.set(t.name, (partitions = new Map<number, number>()));
    for (const p of t.partitions) partitions.set(p, code);
  }
  return [...byName].map(([name, partitions]) => ({
    name,
    resultsByPartition: [...partitions].map(([partitionIndex, partitionErrorCode]) => ({ partitionIndex, partitionErrorCode })),
  }));
}

function answer(resultsByTopicV3AndBelow: TopicResult[]): RequestDecision {
  return { action: 'answer', body: { throttleTimeMs: 0, resultsByTopicV3AndBelow } };
}
