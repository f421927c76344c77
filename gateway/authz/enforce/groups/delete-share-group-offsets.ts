// DeleteShareGroupOffsets (92): DELETE on the group → else 30 at the top level; READ per topic → 29 in
// its entry with the default message (zero TopicId).
import { DEFAULT_ERROR_MESSAGE, ZERO_UUID } from '../../../protocol/index.ts';
import { shareGroupOffsetsChange } from './share-group-offsets-change.ts';
import { TOPIC_AUTHORIZATION_FAILED } from './single-group.ts';

export const deleteShareGroupOffsets = shareGroupOffsetsChange({
  apiKey: 92,
  groupOperation: 'DELETE',
  deniedTopic: (t: { topicName: string }) => ({
    topicName: t.topicName,
    topicId: ZERO_UUID,
    errorCode: TOPIC_AUTHORIZATION_FAILED,
    errorMessage: DEFAULT_ERROR_MESSAGE.TOPIC_AUTHORIZATION_FAILED ?? null,
  }),
});
