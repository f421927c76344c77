// StreamsGroupHeartbeat (88, KIP-1071): READ on the group → else 30. When a topology is sent, its
// topics (source, repartition sink and source, changelog) are checked: a Kafka internal topic → 130,
// an invalid name → 130 (each with the broker's message), then every one must be DESCRIBE-authorized,
// else the whole heartbeat fails with 29.
import type { StreamsGroupHeartbeatRequest } from '../../../protocol/messages/streams-group-heartbeat.ts';
import type { Enforcer } from '../enforcer.ts';
import { GROUP_AUTHORIZATION_FAILED, TOPIC_AUTHORIZATION_FAILED } from './single-group.ts';
import { topicDecider } from '../topic-questions.ts';
import { KAFKA_INTERNAL_TOPICS, isValidTopicName } from './topic-names.ts';

const STREAMS_INVALID_TOPOLOGY = 130;

function refused(errorCode: number, errorMessage: string | null = null) {
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    memberId: '',
    memberEpoch: 0,
    heartbeatIntervalMs: 0,
    acceptableRecoveryLag: 0,
    taskOffsetIntervalMs: 0,
    status: [],
    endpointInformationEpoch: 0,
  };
}

function topologyTopics(topology: NonNullable<StreamsGroupHeartbeatRequest['topology']>): string[] {
  const names = new Set<string>();
  for (const sub of topology.subtopologies) {
    for (const n of sub.sourceTopics) names.add(n);
    for (const n of sub.repartitionSinkTopics) names.add(n);
    for (const t of sub.repartitionSourceTopics) names.add(t.name);
    for (const t of sub.stateChangelogTopics) names.add(t.name);
  }
  return [...names];
}

export const streamsGroupHeartbeat: Enforcer<88> = {
  apiKey: 88,
  versions: { min: 0, max: 0 },
  onRequest(req, ctx) {
    const body = req.body();
    if (!ctx.authz.allowed('READ', 'GROUP', body.groupId)) return { action: 'answer', body: refused(GROUP_AUTHORIZATION_FAILED) };
    if (body.topology === null) return { action: 'forward' };
    const topics = topologyTopics(body.topology);
    const internal = topics.filter((t) => KAFKA_INTERNAL_TOPICS.has(t));
    if (internal.length > 0) {
      const message = `Use of Kafka internal topics ${internal.join(',')} in a Kafka Streams topology is prohibited.`;
      return { action: 'answer', body: refused(STREAMS_INVALID_TOPOLOGY, message) };
    }
    const invalid = topics.filter((t) => !isValidTopicName(t));
    if (invalid.length > 0) {
      return { action: 'answer', body: refused(STREAMS_INVALID_TOPOLOGY, `Topic names ${invalid.join(',')} are not valid topic names.`) };
    }
    const mayDescribe = topicDecider(ctx, 'DESCRIBE');
    if (!topics.map(mayDescribe).every(Boolean)) return { action: 'answer', body: refused(TOPIC_AUTHORIZATION_FAILED) };
    return { action: 'forward' };
  },
};
