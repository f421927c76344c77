// ShareAcknowledge (79): see share-topics.ts; denied topics are merged back with 29 (or 100) in each
// acknowledged partition.
import type { Enforcer } from '../enforcer.ts';
import { type DeniedShareTopic, authorizeShareTopics } from './share-topics.ts';

export const shareAcknowledge: Enforcer<79, DeniedShareTopic[]> = {
  apiKey: 79,
  versions: { min: 0, max: 2 },
  onRequest(req, ctx) {
    const body = req.body();
    const verdict = authorizeShareTopics(ctx, req, body.groupId, body.topics);
    if ('decision' in verdict) return verdict.decision;
    if (verdict.denied.length === 0) return { action: 'forward' };
    return { action: 'rewrite', body: { ...body, topics: verdict.allowed }, memo: verdict.denied };
  },
  onResponse(body, denied, _ctx, version) {
    // From v2 a broker answering with a top-level error (e.g. an unknown share session) lists no
    // partitions at all, the denied ones included (measured on 4.3).
    if (version >= 2 && body.errorCode !== 0) return;
    for (const d of denied) {
      const partitions = d.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: d.errorCode,
        errorMessage: null,
        currentLeader: { leaderId: 0, leaderEpoch: 0 },
      }));
      body.responses.push({ topicId: d.topicId, partitions });
    }
  },
};
