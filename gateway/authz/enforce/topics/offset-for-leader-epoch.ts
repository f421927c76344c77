// OffsetForLeaderEpoch (23): CLUSTER_ACTION on the cluster (followers; no denial log) lets everything
// through; otherwise DESCRIBE per topic (KIP-320 consumers), denied partitions carry 29.
import { API_KEY, type Struct } from '../../../protocol/index.ts';
import { TOPIC_AUTHORIZATION_FAILED, perTopicPartitionsEnforcer } from './per-topic-partitions.ts';

export const offsetForLeaderEpochEnforcer = perTopicPartitionsEnforcer({
  apiKey: API_KEY.OffsetForLeaderEpoch,
  versions: { min: 0, max: 4 },
  operation: 'DESCRIBE',
  clusterBypass: 'CLUSTER_ACTION',
  nameField: 'topic',
  partitionsOf: (t) => (t.partitions as Struct[]).map((p) => p.partition as number),
  deniedPartition: (partition) => ({ errorCode: TOPIC_AUTHORIZATION_FAILED, partition, leaderEpoch: -1, endOffset: -1n }),
  answer: (topics) => ({ throttleTimeMs: 0, topics }),
});
