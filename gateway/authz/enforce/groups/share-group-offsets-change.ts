// AlterShareGroupOffsets (91) and DeleteShareGroupOffsets (92) authorize alike: an operation on the group
// → else 30 at the top level with the default text (measured on 4.3); READ per topic → 29 (zero TopicId),
// denied topics stripped and merged back. A group-level error from the backend stands alone.
import { DEFAULT_ERROR_MESSAGE, type Struct } from '../../../protocol/index.ts';
import type { RequestOperation } from '../../model.ts';
import type { Enforcer } from '../enforcer.ts';
import { GROUP_AUTHORIZATION_FAILED } from './single-group.ts';
import { topicDecider } from '../topic-questions.ts';

type Topic = { readonly topicName: string };

export function shareGroupOffsetsChange<K extends 91 | 92, T extends Topic>(spec: {
  apiKey: K;
  groupOperation: RequestOperation;
  /** The response entry of a topic the principal may not READ. */
  deniedTopic: (topic: T) => Struct;
}): Enforcer<K, Struct[]> {
  return {
    apiKey: spec.apiKey,
    versions: { min: 0, max: 0 },
    onRequest(req, ctx) {
      const body = req.body() as unknown as { groupId: string; topics: T[] };
      if (!ctx.authz.allowed(spec.groupOperation, 'GROUP', body.groupId)) {
        return {
          action: 'answer',
          body: {
            errorCode: GROUP_AUTHORIZATION_FAILED,
            errorMessage: DEFAULT_ERROR_MESSAGE.GROUP_AUTHORIZATION_FAILED ?? null,
            responses: [],
          },
        };
      }
      const mayRead = topicDecider(ctx, 'READ');
      const allowed = body.topics.filter((t) => mayRead(t.topicName));
      if (allowed.length === body.topics.length) return { action: 'forward' };
      const denied = body.topics.filter((t) => !allowed.includes(t)).map(spec.deniedTopic);
      if (allowed.length === 0) return { action: 'answer', body: { errorCode: 0, errorMessage: null, responses: denied } };
      return { action: 'rewrite', body: { ...body, topics: allowed }, memo: denied };
    },
    onResponse(body, denied) {
      const response = body as unknown as { errorCode: number; responses: Struct[] };
      if (response.errorCode === 0) response.responses.push(...denied);
    },
  };
}
