// OffsetDelete (47): DELETE on the group, else 30 at the top level only; then READ per topic → 29 in its
// partitions. The backend is asked even when every topic is denied, as a broker asks its coordinator
// (group-level errors such as a non-empty or unknown group still reach the client); a group-level error
// from it stands alone, without the per-topic entries.
import type { OffsetDeleteResponseTopic } from '../../../protocol/messages/offset-delete.ts';
import type { Enforcer } from '../enforcer.ts';
import { GROUP_AUTHORIZATION_FAILED, TOPIC_AUTHORIZATION_FAILED } from './single-group.ts';
import { topicDecider } from '../topic-questions.ts';

export const offsetDelete: Enforcer<47, OffsetDeleteResponseTopic[]> = {
  apiKey: 47,
  versions: { min: 0, max: 0 },
  onRequest(req, ctx) {
    const body = req.body();
    if (!ctx.authz.allowed('DELETE', 'GROUP', body.groupId)) {
      return { action: 'answer', body: { errorCode: GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] } };
    }
    const mayRead = topicDecider(ctx, 'READ');
    const allowed = body.topics.filter((t) => mayRead(t.name));
    if (allowed.length === body.topics.length) return { action: 'forward' };
    const denied = body.topics
      .filter((t) => !allowed.includes(t))
      .map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: TOPIC_AUTHORIZATION_FAILED })),
      }));
    return { action: 'rewrite', body: { ...body, topics: allowed }, memo: denied };
  },
  onResponse(body, denied) {
    if (body.errorCode === 0) body.topics.push(...denied);
  },
};
