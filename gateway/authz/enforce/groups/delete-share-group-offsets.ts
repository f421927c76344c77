// DeleteShareGroupOffsets (92): DELETE on the group → else 30 at the top level; READ per topic → 29 in
// its entry with the default message (zero TopicId). A group-level error from the backend stands alone.
import { DEFAULT_ERROR_MESSAGE, ZERO_UUID } from '../../../protocol/index.ts';
import type { DeleteShareGroupOffsetsResponseTopic } from '../../../protocol/messages/delete-share-group-offsets.ts';
import type { Enforcer } from '../enforcer.ts';
import { GROUP_AUTHORIZATION_FAILED, TOPIC_AUTHORIZATION_FAILED } from './single-group.ts';
import { topicCheck } from './topic-checks.ts';

export const deleteShareGroupOffsets: Enforcer<92, DeleteShareGroupOffsetsResponseTopic[]> = {
  apiKey: 92,
  versions: { min: 0, max: 0 },
  onRequest(req, ctx) {
    const body = req.body();
    if (!ctx.authz.allowed('DELETE', 'GROUP', body.groupId)) {
      // The broker fills the default text here (measured on 4.3).
      return {
        action: 'answer',
        body: {
          errorCode: GROUP_AUTHORIZATION_FAILED,
          errorMessage: DEFAULT_ERROR_MESSAGE.GROUP_AUTHORIZATION_FAILED ?? null,
          responses: [],
        },
      };
    }
    const mayRead = topicCheck(ctx, 'READ');
    const allowed = body.topics.filter((t) => mayRead(t.topicName));
    if (allowed.length === body.topics.length) return { action: 'forward' };
    const denied = body.topics
      .filter((t) => !allowed.includes(t))
      .map((t) => ({
        topicName: t.topicName,
        topicId: ZERO_UUID,
        errorCode: TOPIC_AUTHORIZATION_FAILED,
        errorMessage: DEFAULT_ERROR_MESSAGE.TOPIC_AUTHORIZATION_FAILED ?? null,
      }));
    if (allowed.length === 0) return { action: 'answer', body: { errorCode: 0, errorMessage: null, responses: denied } };
    return { action: 'rewrite', body: { ...body, topics: allowed }, memo: denied };
  },
  onResponse(body, denied) {
    if (body.errorCode === 0) body.responses.push(...denied);
  },
};
