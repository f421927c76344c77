// Produce (0), the hot path. Authorization reads the transactional id, acks, topic names (ids in v13) and the
// first batch's transactional bit with a chunk-aware walk that never joins the frame nor decodes records.
// Order (spec §2.3/§2.5): a transactional first batch in any partition needs a non-null TransactionalId
// with WRITE on it, else 53 in every partition; then per topic (v13: unknown id → 100) WRITE → 29.
// All allowed → forward with no memo (nothing decoded, nothing cached; acks=0: marked as getting no answer,
// so the session need not read acks itself). acks=0 with any error → close, as the broker does. Writes to
// internal topics (client id `__admin_client`) are the backend's rule.
import { API_KEY, type Struct } from '../../../protocol/index.ts';
import { type ProduceAuthPeek, peekProduceForAuthorization } from '../../../protocol/peek.ts';
import type { EnforceContext, Enforcer, RequestDecision } from '../enforcer.ts';
import { unknownTopicIds } from './topic-authz.ts';

const TOPIC_AUTHORIZATION_FAILED = 29;
const TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53;
const UNKNOWN_TOPIC_ID = 100;

/** Denied topics as response entries, appended to the backend's answer. */
type DeniedTopics = Struct[];

const deniedPartition = (index: number, errorCode: number): Struct => ({
  index,
  errorCode,
  baseOffset: -1n,
  logAppendTimeMs: -1n,
  logStartOffset: -1n,
  recordErrors: [],
  errorMessage: null,
});

function deniedTopic(t: ProduceAuthPeek['topics'][number], errorCode: number): Struct {
  return {
    name: t.name ?? '',
    topicId: t.topicId ?? undefined,
    partitionResponses: t.partitions.map((p) => deniedPartition(p, errorCode)),
  };
}

/** The everyday decisions, made once (the hot path allocates no decision). */
const FORWARD: RequestDecision<DeniedTopics> = { action: 'forward' };
const FORWARD_UNANSWERED: RequestDecision<DeniedTopics> = { action: 'forward', noAnswer: true };

export const produceEnforcer: Enforcer<typeof API_KEY.Produce, DeniedTopics> = {
  apiKey: API_KEY.Produce,
  versions: { min: 0, max: 13 },

  onRequest(req, ctx): RequestDecision<DeniedTopics> {
    const peek = peekProduceForAuthorization(req.parts);
    const { topics } = peek;
    if (peek.transactional && (peek.transactionalId === null || !ctx.authz.allowed('WRITE', 'TRANSACTIONAL_ID', peek.transactionalId))) {
      if (peek.acks === 0) return { action: 'close', reason: 'acks=0 Produce denied (transactional id)' };
      return {
        action: 'answer',
        body: { responses: topics.map((t) => deniedTopic(t, TRANSACTIONAL_ID_AUTHORIZATION_FAILED)), throttleTimeMs: 0 },
      };
    }
    const byId = req.apiVersion >= 13;
    if (byId && !req.topicIdsResolved && someIdUnknown(ctx, topics)) {
      return { action: 'resolve-topic-ids', topicIds: unknownTopicIds(ctx, idsOf(topics)) };
    }
    // Hot loop: one question per topic entry (the Authorizer caches), no allocation while all are allowed.
    let denied: boolean[] | undefined;
    for (let i = 0; i < topics.length; i++) {
      const t = topics[i];
      const name = byId ? ctx.topics.nameOf(t.topicId!) : t.name!;
      if (name !== undefined && ctx.authz.allowed('WRITE', 'TOPIC', name)) continue;
      (denied ??= new Array<boolean>(topics.length).fill(false))[i] = true;
    }
    if (denied === undefined) {
      countForwarded(ctx, topics, byId, undefined);
      return peek.acks === 0 ? FORWARD_UNANSWERED : FORWARD;
    }
    if (peek.acks === 0) return { action: 'close', reason: 'acks=0 Produce denied (topic)' };

    const deniedEntries: Struct[] = [];
    let allDenied = true;
    for (let i = 0; i < topics.length; i++) {
      if (!denied[i]) {
        allDenied = false;
        continue;
      }
      const t = topics[i];
      const code = byId && ctx.topics.nameOf(t.topicId!) === undefined ? UNKNOWN_TOPIC_ID : TOPIC_AUTHORIZATION_FAILED;
      deniedEntries.push(deniedTopic(t, code));
    }
    if (allDenied) return { action: 'answer', body: { responses: deniedEntries, throttleTimeMs: 0 } };
    countForwarded(ctx, topics, byId, denied);
    const body = req.body();
    return { action: 'rewrite', body: { ...body, topicData: body.topicData.filter((_, i) => !denied[i]) }, memo: deniedEntries };
  },

  onResponse(body, memo): void {
    body.responses.push(...(memo as never[]));
  },
};

/** What the forwarded topics carry, for the per-topic metrics (after the decision: denied topics are not counted). */
function countForwarded(ctx: EnforceContext, topics: ProduceAuthPeek['topics'], byId: boolean, denied: boolean[] | undefined): void {
  const produced = ctx.produced;
  if (produced === undefined) return;
  for (let i = 0; i < topics.length; i++) {
    if (denied?.[i]) continue;
    const t = topics[i];
    const name = byId ? ctx.topics.nameOf(t.topicId!) : t.name;
    if (name != null) produced(name, t.records, t.bytes);
  }
}

/** Whether some topic id has no name yet (checked first, so the usual all-known case allocates nothing). */
function someIdUnknown(ctx: EnforceContext, topics: ProduceAuthPeek['topics']): boolean {
  for (let i = 0; i < topics.length; i++) if (ctx.topics.nameOf(topics[i].topicId!) === undefined) return true;
  return false;
}

function* idsOf(topics: ProduceAuthPeek['topics']): Iterable<string> {
  for (const t of topics) yield t.topicId!;
}
