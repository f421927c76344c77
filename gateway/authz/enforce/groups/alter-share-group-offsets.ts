// AlterShareGroupOffsets (91): READ on the group → else 30 at the top level; READ per topic → 29 in
// each of its partitions (zero TopicId).
import { ZERO_UUID } from '../../../protocol/index.ts';
import type { AlterShareGroupOffsetsRequestTopic } from '../../../protocol/messages/alter-share-group-offsets.ts';
import { shareGroupOffsetsChange } from './share-group-offsets-change.ts';
import { TOPIC_AUTHORIZATION_FAILED } from './single-group.ts';

export const alterShareGroupOffsets = shareGroupOffsetsChange({
  apiKey: 91,
  groupOperation: 'READ',
  deniedTopic: (t: AlterShareGroupOffsetsRequestTopic) => ({
    topicName: t.topicName,
    topicId: ZERO_UUID,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: TOPIC_AUTHORIZATION_FAILED, errorMessage: null })),
  }),
});
