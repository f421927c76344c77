// DescribeProducers (61): an invalid topic name gets its validation error from the backend first (it names
// nothing that could exist); otherwise READ per topic, denied partitions carry 29 with the default message.
import { API_KEY, DEFAULT_ERROR_MESSAGE } from '../../../protocol/index.ts';
import { TOPIC_AUTHORIZATION_FAILED, perTopicPartitionsEnforcer } from './per-topic-partitions.ts';
import { isValidTopicName } from './topic-authz.ts';

export const describeProducersEnforcer = perTopicPartitionsEnforcer({
  apiKey: API_KEY.DescribeProducers,
  versions: { min: 0, max: 0 },
  operation: 'READ',
  nameField: 'name',
  checkedByBackend: (name) => !isValidTopicName(name),
  partitionsOf: (t) => t.partitionIndexes as number[],
  deniedPartition: (partitionIndex) => ({
    partitionIndex,
    errorCode: TOPIC_AUTHORIZATION_FAILED,
    errorMessage: DEFAULT_ERROR_MESSAGE.TOPIC_AUTHORIZATION_FAILED,
    activeProducers: [],
  }),
  answer: (topics) => ({ throttleTimeMs: 0, topics }),
});
