// TxnOffsetCommit (spec §2.5): WRITE on the transactional id → 53 in every partition, then READ on the
// group → 30 in every partition (whole request), then READ per topic → 29 in that topic's partitions. A
// partly denied request goes upstream without the denied topics, which are put back into the answer
// first, as the broker lists them before the coordinator's results.
import { API_KEY, ErrorCode, type RequestBody, type ResponseBody, versionRange } from '../../../protocol/index.ts';
import type { Enforcer } from '../enforcer.ts';

type RequestTopic = RequestBody<typeof API_KEY.TxnOffsetCommit>['topics'][number];
type ResponseTopic = ResponseBody<typeof API_KEY.TxnOffsetCommit>['topics'][number];

/** The denied topics to put back into the backend's answer. */
export type TxnOffsetCommitMemo = { readonly denied: ResponseTopic[] };

export const txnOffsetCommitEnforcer: Enforcer<typeof API_KEY.TxnOffsetCommit, TxnOffsetCommitMemo> = {
  apiKey: API_KEY.TxnOffsetCommit,
  versions: versionRange(API_KEY.TxnOffsetCommit) ?? { min: 0, max: -1 },
  onRequest(req, { authz }) {
    const body = req.body();
    if (!authz.allowed('WRITE', 'TRANSACTIONAL_ID', body.transactionalId)) {
      return {
        action: 'answer',
        body: { throttleTimeMs: 0, topics: asRequested(body.topics, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED) },
      };
    }
    if (!authz.allowed('READ', 'GROUP', body.groupId)) {
      return { action: 'answer', body: { throttleTimeMs: 0, topics: asRequested(body.topics, ErrorCode.GROUP_AUTHORIZATION_FAILED) } };
    }
    const readable = new Map<string, boolean>();
    for (const { name } of body.topics) if (!readable.has(name)) readable.set(name, authz.allowed('READ', 'TOPIC', name));
    const allowed = body.topics.filter((t) => readable.get(t.name));
    if (allowed.length === body.topics.length) return { action: 'forward' };
    const denied = mergedByName(
      body.topics.filter((t) => !readable.get(t.name)),
      ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    );
    // Nothing left to commit: the broker answers without asking the coordinator.
    if (allowed.length === 0) return { action: 'answer', body: { throttleTimeMs: 0, topics: denied } };
    return { action: 'rewrite', body: { ...body, topics: allowed }, memo: { denied } };
  },
  onResponse(body, memo) {
    body.topics = [...memo.denied, ...body.topics];
  },
};

/** The broker's generic error answer: every requested topic and partition, as requested, with `errorCode`. */
function asRequested(topics: readonly RequestTopic[], errorCode: number): ResponseTopic[] {
  return topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }));
}

/** Topics denied by name: one entry per name carrying all its requested partitions. */
function mergedByName(topics: readonly RequestTopic[], errorCode: number): ResponseTopic[] {
  const byName = new Map<string, ResponseTopic>();
  for (const t of topics) {
    let entry = byName.get(t.name);
    if (!entry) byName.set(t.name, (entry = { name: t.name, partitions: [] }));
    for (const p of t.partitions) entry.partitions.push({ partitionIndex: p.partitionIndex, errorCode });
  }
  return [...byName.values()];
}
