// The enforcers of this group, listed for the registry.
import type { AnyEnforcer } from '../enforcer.ts';
import { deleteRecordsEnforcer } from './delete-records.ts';
import { describeProducersEnforcer } from './describe-producers.ts';
import { describeTopicPartitionsEnforcer } from './describe-topic-partitions.ts';
import { fetchEnforcer } from './fetch.ts';
import { listOffsetsEnforcer } from './list-offsets.ts';
import { metadataEnforcer } from './metadata.ts';
import { offsetForLeaderEpochEnforcer } from './offset-for-leader-epoch.ts';
import { produceEnforcer } from './produce.ts';

export const TOPICS_ENFORCERS: readonly AnyEnforcer[] = [
  produceEnforcer,
  fetchEnforcer,
  listOffsetsEnforcer,
  metadataEnforcer,
  deleteRecordsEnforcer,
  offsetForLeaderEpochEnforcer,
  describeProducersEnforcer,
  describeTopicPartitionsEnforcer,
];
