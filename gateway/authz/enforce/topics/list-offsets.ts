// ListOffsets (2): DESCRIBE per topic; denied partitions carry 29 with Timestamp/Offset/LeaderEpoch −1 (spec §2.4).
import { API_KEY, type Struct } from '../../../protocol/index.ts';
import { TOPIC_AUTHORIZATION_FAILED, perTopicPartitionsEnforcer } from './per-topic-partitions.ts';

export const listOffsetsEnforcer = perTopicPartitionsEnforcer({
  apiKey: API_KEY.ListOffsets,
  versions: { min: 0, max: 11 },
  operation: 'DESCRIBE',
  nameField: 'name',
  partitionsOf: (t) => (t.partitions as Struct[]).map((p) => p.partitionIndex as number),
  deniedPartition: (partitionIndex) => ({
    partitionIndex,
    errorCode: TOPIC_AUTHORIZATION_FAILED,
    oldStyleOffsets: [],
    timestamp: -1n,
    offset: -1n,
    leaderEpoch: -1,
  }),
  answer: (topics) => ({ throttleTimeMs: 0, topics }),
});
