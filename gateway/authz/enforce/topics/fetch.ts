// Fetch (1). Follower fetch (replica id ≥ 0) needs CLUSTER_ACTION on the cluster, else 29 in every
// requested partition. Consumer fetch: (v13+ unknown topic id → 100 per partition) READ per topic → 29
// per partition with the §2.4 defaults; the top-level ErrorCode stays 0. Denied topics are stripped from
// the request and merged into the response after the backend's topics.
// Fetch sessions (v7+): see fetch-sessions.ts. Every partition of a tracked session is re-authorized on
// every request; denied ones are added to ForgottenTopicsData upstream (the backend stops sending them)
// and answered with 29. A session request is never answered locally (the backend's session epoch must
// advance with the client's), so when all is denied an emptied request still goes upstream.
// The fast path stays: all allowed → forward, no memo, the response is never decoded; the request is read
// by a walk (peekFetchForAuthorization) and decoded only to rewrite it.
import { API_KEY, type Struct } from '../../../protocol/index.ts';
import type { FetchRequest } from '../../../protocol/messages/fetch.ts';
import { type FetchAuthPeek, type FetchTopicAuthPeek, peekFetchForAuthorization } from '../../../protocol/peek.ts';
import type { EnforceContext, Enforcer, RequestDecision } from '../enforcer.ts';
import {
  type PartitionSet,
  type TrackedSession,
  addPartitions,
  applyIncremental,
  recordPending,
  sessionFor,
  sessionState,
} from './fetch-sessions.ts';
import { CLUSTER_NAME, topicDecider, unknownTopicIds } from './topic-authz.ts';

const TOPIC_AUTHORIZATION_FAILED = 29;
const FETCH_SESSION_ID_NOT_FOUND = 70;
const UNKNOWN_TOPIC_ID = 100;
const FIRST_SESSION_VERSION = 7;
const FIRST_ID_VERSION = 13;
const FULL_FETCH_NO_SESSION = -1;
const NEW_SESSION = 0;

/** Denied partitions as response topic entries. */
type DeniedTopics = Struct[];

const EMPTY_RECORDS = Buffer.alloc(0);

/** A denied partition (§2.4); fields a version lacks are left out (they must keep their defaults there). */
const deniedPartition = (partitionIndex: number, errorCode: number): Struct => ({
  partitionIndex,
  errorCode,
  highWatermark: -1n,
  lastStableOffset: -1n,
  logStartOffset: -1n,
  preferredReadReplica: -1,
  records: EMPTY_RECORDS,
});

/** A response topic entry keyed as the version keys topics (name before v13, id from v13). */
function deniedTopic(key: string, byId: boolean, partitions: Iterable<number>, errorCode: number): Struct {
  const parts: Struct[] = [];
  for (const p of partitions) parts.push(deniedPartition(p, errorCode));
  return byId ? { topicId: key, partitions: parts } : { topic: key, partitions: parts };
}

function partitionSet(topics: readonly FetchTopicAuthPeek[]): PartitionSet {
  const out: PartitionSet = new Map();
  for (const t of topics) addPartitions(out, t.key, t.partitions);
  return out;
}

function localAnswer(responses: Struct[], errorCode = 0): Struct {
  return { throttleTimeMs: 0, errorCode, sessionId: 0, responses };
}

export const fetchEnforcer: Enforcer<typeof API_KEY.Fetch, DeniedTopics> = {
  apiKey: API_KEY.Fetch,
  versions: { min: 0, max: 18 },

  onRequest(req, ctx): RequestDecision<DeniedTopics> {
    const v = req.apiVersion;
    const peek = peekFetchForAuthorization(req.payload);
    const byId = v >= FIRST_ID_VERSION;
    if (peek.replicaId >= 0) return followerFetch(peek, byId, ctx);

    const listed = partitionSet(peek.topics);
    const sessions = v >= FIRST_SESSION_VERSION;
    const epoch = sessions ? peek.sessionEpoch : FULL_FETCH_NO_SESSION;
    let session: TrackedSession | undefined;
    if (sessions) {
      const state = sessionState(ctx.state, API_KEY.Fetch);
      if (epoch <= NEW_SESSION) {
        if (peek.sessionId !== 0) state.sessions.delete(peek.sessionId);
      } else {
        session = sessionFor(state, peek.sessionId, epoch, byId);
        if (session === undefined) return { action: 'answer', body: localAnswer([], FETCH_SESSION_ID_NOT_FOUND) };
        if (!req.topicIdsResolved) applyIncremental(state, peek.sessionId, session, epoch, listed, partitionSet(peek.forgotten));
      }
    }
    // What must be authorized: the whole session for an incremental fetch, the listed partitions otherwise.
    const checked = session?.partitions ?? listed;
    if (byId && !req.topicIdsResolved) {
      const unknown = unknownTopicIds(ctx, checked.keys());
      if (unknown.length > 0) return { action: 'resolve-topic-ids', topicIds: unknown };
    }
    const read = topicDecider(ctx, 'READ');
    const deniedKeys = new Map<string, number>(); // topic key → error code
    for (const key of checked.keys()) {
      const name = byId ? ctx.topics.nameOf(key) : key;
      if (name === undefined) deniedKeys.set(key, UNKNOWN_TOPIC_ID);
      else if (!read(name)) deniedKeys.set(key, TOPIC_AUTHORIZATION_FAILED);
    }
    if (epoch === NEW_SESSION && deniedKeys.size < checked.size) recordPending(sessionState(ctx.state, API_KEY.Fetch), byId, listed);
    if (deniedKeys.size === 0) return { action: 'forward' };

    const denied: Struct[] = [];
    for (const [key, code] of deniedKeys) denied.push(deniedTopic(key, byId, checked.get(key)!, code));
    const body: FetchRequest = req.body();
    const keyOf = (t: { topic: string; topicId: string }): string => (byId ? t.topicId : t.topic);
    const topics = body.topics.filter((t) => !deniedKeys.has(keyOf(t)));
    if (session === undefined && topics.length === 0) return { action: 'answer', body: localAnswer(denied) };
    const rewritten: Struct = { ...body, topics };
    if (session !== undefined) {
      // Forget every denied session partition upstream, so the backend stops sending its data.
      const forgotten = new Map<string, Set<number>>();
      for (const t of body.forgottenTopicsData) addPartitions(forgotten, keyOf(t), t.partitions);
      for (const key of deniedKeys.keys()) addPartitions(forgotten, key, checked.get(key) ?? []);
      rewritten.forgottenTopicsData = [...forgotten].map(([key, parts]) =>
        byId ? { topicId: key, partitions: [...parts] } : { topic: key, partitions: [...parts] },
      );
      // Session partitions whose id no longer names a topic: reported and forgotten once, then untracked.
      for (const [key, code] of deniedKeys) if (code === UNKNOWN_TOPIC_ID) session.partitions.delete(key);
    }
    return { action: 'rewrite', body: rewritten, memo: denied };
  },

  onResponse(body, memo): void {
    body.responses.push(...(memo as never[]));
  },
};

function followerFetch(peek: FetchAuthPeek, byId: boolean, ctx: EnforceContext): RequestDecision<DeniedTopics> {
  if (ctx.authz.allowed('CLUSTER_ACTION', 'CLUSTER', CLUSTER_NAME)) return { action: 'forward' };
  const responses = peek.topics.map((t) => deniedTopic(t.key, byId, t.partitions, TOPIC_AUTHORIZATION_FAILED));
  return { action: 'answer', body: localAnswer(responses) };
}
