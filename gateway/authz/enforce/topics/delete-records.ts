// DeleteRecords (21): DELETE per topic; denied partitions carry 29 with LowWatermark −1 (spec §2.4).
import { API_KEY, type Struct } from '../../../protocol/index.ts';
import { TOPIC_AUTHORIZATION_FAILED, perTopicPartitionsEnforcer } from './per-topic-partitions.ts';

export const deleteRecordsEnforcer = perTopicPartitionsEnforcer({
  apiKey: API_KEY.DeleteRecords,
  versions: { min: 0, max: 2 },
  operation: 'DELETE',
  nameField: 'name',
  partitionsOf: (t) => (t.partitions as Struct[]).map((p) => p.partitionIndex as number),
  deniedPartition: (partitionIndex) => ({ partitionIndex, lowWatermark: -1n, errorCode: TOPIC_AUTHORIZATION_FAILED }),
  answer: (topics) => ({ throttleTimeMs: 0, topics }),
});
