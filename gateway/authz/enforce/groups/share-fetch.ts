// ShareFetch (78): see share-topics.ts. Besides the denied topics merged back, every answer is checked
// topic by topic: a share session fetches the partitions it already holds without naming them, so a
// principal that lost READ (a policy reload) must not receive their records — such topics come back
// with 29 and no records, as denied ones do.
import type { PartitionData } from '../../../protocol/messages/share-fetch.ts';
import type { Enforcer } from '../enforcer.ts';
import { TOPIC_AUTHORIZATION_FAILED } from './single-group.ts';
import { type DeniedShareTopic, authorizeShareTopics } from './share-topics.ts';
import { topicDecider } from '../topic-questions.ts';

function deniedPartition(partitionIndex: number, errorCode: number, acknowledged: boolean): PartitionData {
  return {
    partitionIndex,
    errorCode,
    errorMessage: null,
    acknowledgeErrorCode: acknowledged ? errorCode : 0,
    acknowledgeErrorMessage: null,
    // Default-constructed on a broker: 0/0, not −1 (measured on 4.3).
    currentLeader: { leaderId: 0, leaderEpoch: 0 },
    records: Buffer.alloc(0),
    acquiredRecords: [],
  };
}

export const shareFetch: Enforcer<78, DeniedShareTopic[]> = {
  apiKey: 78,
  versions: { min: 0, max: 2 },
  onRequest(req, ctx) {
    const body = req.body();
    const verdict = authorizeShareTopics(ctx, req, body.groupId, body.topics);
    if ('decision' in verdict) return verdict.decision;
    // Always a memo: the answer may carry session partitions the request did not name.
    if (verdict.denied.length === 0) return { action: 'forward', memo: [] };
    return { action: 'rewrite', body: { ...body, topics: verdict.allowed }, memo: verdict.denied };
  },
  onResponse(body, denied, ctx) {
    const mayRead = topicDecider(ctx, 'READ', { quiet: true });
    for (const topic of body.responses) {
      const name = ctx.topics.nameOf(topic.topicId);
      if (name !== undefined && mayRead(name)) continue;
      topic.partitions = topic.partitions.map((p) => deniedPartition(p.partitionIndex, TOPIC_AUTHORIZATION_FAILED, false));
    }
    for (const d of denied) {
      const partitions = d.partitions.map((p) => deniedPartition(p.partitionIndex, d.errorCode, p.acknowledged));
      // The session may have brought the same topic back already (now 29): one entry per topic id.
      const existing = body.responses.find((t) => t.topicId === d.topicId);
      if (!existing) body.responses.push({ topicId: d.topicId, partitions });
      else {
        const present = new Map(existing.partitions.map((p, i) => [p.partitionIndex, i]));
        for (const p of partitions) {
          const at = present.get(p.partitionIndex);
          if (at === undefined) existing.partitions.push(p);
          else existing.partitions[at] = p;
        }
      }
    }
  },
};
