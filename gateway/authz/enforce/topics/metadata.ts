// Metadata (3), every version (spec §2.5).
// - All topics (v0 empty array, v1+ null): forwarded; the answer is filtered to topics the principal may
//   DESCRIBE, without denial log (quiet), as the broker filters.
// - Explicit names: DESCRIBE per distinct name; denied → 29 entry (name, zero id, partitions [], ops INT_MIN).
// - By id (v12+, some non-zero id; zero ids are ignored as the broker ignores them): unknown id → 100
//   (Name null), denied → 29 with Name null and the id. v10–11 with an id or a null name → 42.
// - Auto-creation: the backend would create a missing topic for anyone. For DESCRIBE-authorized names when
//   AllowAutoTopicCreation (v4+; v0–3 always true): CREATE on the cluster (quiet), else CREATE per topic.
//   If a name lacks CREATE and may be missing, v4+ is sent with AllowAutoTopicCreation=false and that name's
//   UNKNOWN_TOPIC_OR_PARTITION (3) becomes 29 (the CREATE question is asked again then, audited: the broker
//   logs a CREATE denial only for topics it tried to create). Known limitation: in such a request, other
//   missing topics the principal may create are not auto-created (they come back 3; the broker would create
//   them). v0–3 cannot turn creation off: for a name lacking CREATE that the gateway has not seen exist
//   (`topics.idOf`), the topic list is looked up on the backend first; a name still unknown then is
//   missing (or the lookup failed): it is stripped and answered 29 — fail closed.
// - Authorized-operations bitfields are computed here (the backend has no authorizer): topics when
//   IncludeTopicAuthorizedOperations (v8+), the cluster when IncludeClusterAuthorizedOperations (v8–10):
//   DESCRIBE on the cluster ? bitfield : 0.
// No Metadata request is answered locally (but v10–11 id misuse): the client needs the backend's brokers;
// when every named topic is denied an emptied request still goes upstream and the entries are merged.
import { API_KEY, ZERO_UUID, type Struct } from '../../../protocol/index.ts';
import type { EnforceContext, Enforcer, RequestDecision } from '../enforcer.ts';
import { CLUSTER_NAME, OPS_OMITTED, topicDecider, unknownTopicIds } from './topic-authz.ts';

const UNKNOWN_TOPIC_OR_PARTITION = 3;
const TOPIC_AUTHORIZATION_FAILED = 29;
const INVALID_REQUEST = 42;
const UNKNOWN_TOPIC_ID = 100;

export interface MetadataMemo {
  /** All-topics mode: keep only topics the principal may DESCRIBE. */
  readonly filter: boolean;
  /** The request sent upstream asks for every topic only because v0 cannot ask for none: drop them all. */
  readonly dropBackendTopics: boolean;
  /** Names sent with auto-creation off for lack of CREATE: their 3 becomes 29. */
  readonly createDenied: ReadonlySet<string> | undefined;
  /** Entries placed before the backend's (unknown ids) and after them (denied). */
  readonly before: readonly Struct[];
  readonly after: readonly Struct[];
  readonly topicOps: boolean;
  readonly clusterOps: boolean;
}

const errorEntry = (errorCode: number, name: string | null, topicId: string): Struct => ({
  errorCode,
  name,
  topicId,
  isInternal: false,
  partitions: [],
  topicAuthorizedOperations: OPS_OMITTED,
});

export const metadataEnforcer: Enforcer<typeof API_KEY.Metadata, MetadataMemo> = {
  apiKey: API_KEY.Metadata,
  versions: { min: 0, max: 13 },

  onRequest(req, ctx): RequestDecision<MetadataMemo> {
    const v = req.apiVersion;
    const body = req.body();
    const topics = body.topics as Struct[] | null;
    const topicOps = v >= 8 && body.includeTopicAuthorizedOperations;
    const clusterOps = v >= 8 && v <= 10 && body.includeClusterAuthorizedOperations;
    const memo = (m: Partial<MetadataMemo>): MetadataMemo => ({
      filter: false,
      dropBackendTopics: false,
      createDenied: undefined,
      before: [],
      after: [],
      topicOps,
      clusterOps,
      ...m,
    });

    if (topics === null || (v === 0 && topics.length === 0)) return { action: 'forward', memo: memo({ filter: true }) };
    if (topics.length === 0) return clusterOps ? { action: 'forward', memo: memo({}) } : { action: 'forward' };

    if (v >= 10 && v <= 11 && topics.some((t) => t.name === null || t.topicId !== ZERO_UUID)) {
      return {
        action: 'answer',
        body: {
          throttleTimeMs: 0,
          brokers: [],
          topics: topics.map((t) => errorEntry(INVALID_REQUEST, (t.name as string | null) ?? '', ZERO_UUID)),
        },
      };
    }
    if (v >= 12 && topics.some((t) => t.topicId !== ZERO_UUID)) return byIds(body, topics, req.topicIdsResolved, ctx, memo);

    const describe = topicDecider(ctx, 'DESCRIBE');
    const after: Struct[] = [];
    const authorized: string[] = [];
    for (const name of new Set(topics.map((t) => t.name as string))) {
      if (describe(name)) authorized.push(name);
      else after.push(errorEntry(TOPIC_AUTHORIZATION_FAILED, name, ZERO_UUID));
    }
    const autoCreate = v < 4 || body.allowAutoTopicCreation;
    const mayBeMissing = (name: string): boolean => ctx.topics.idOf?.(name) === undefined;
    let noCreate: string[] = [];
    if (autoCreate && authorized.length > 0 && !ctx.authz.allowed('CREATE', 'CLUSTER', CLUSTER_NAME, { bypass: true })) {
      noCreate = authorized.filter((n) => mayBeMissing(n) && !ctx.authz.allowed('CREATE', 'TOPIC', n, { quiet: true }));
    }
    let kept = authorized;
    let createDenied: Set<string> | undefined;
    if (noCreate.length > 0 && v >= 4) createDenied = new Set(noCreate);
    else if (noCreate.length > 0) {
      // v0–3: creation cannot be turned off. Names the gateway has not seen exist are looked up on the
      // backend first (a broker asks only DESCRIBE of a topic that exists); those still unknown are missing.
      if (!req.topicIdsResolved) return { action: 'resolve-topic-ids', topicIds: [] };
      const stripped = new Set(noCreate);
      kept = authorized.filter((n) => !stripped.has(n));
      for (const n of noCreate) {
        ctx.authz.allowed('CREATE', 'TOPIC', n); // the audited denial the broker would log
        after.push(errorEntry(TOPIC_AUTHORIZATION_FAILED, n, ZERO_UUID));
      }
    }
    if (after.length === 0 && createDenied === undefined && !topicOps && !clusterOps) return { action: 'forward' };
    const m = memo({ after, createDenied, dropBackendTopics: kept.length === 0 && v === 0 });
    if (kept.length === authorized.length && after.length === 0 && createDenied === undefined) return { action: 'forward', memo: m };
    const rewritten: Struct = { ...body, topics: kept.map((name) => ({ topicId: ZERO_UUID, name })) };
    if (createDenied !== undefined) rewritten.allowAutoTopicCreation = false;
    if (kept.length === 0 && v === 0) rewritten.topics = []; // v0 has no "no topics": ask all, drop them all
    return { action: 'rewrite', body: rewritten, memo: m };
  },

  onResponse(body, memo, ctx): void {
    let topics = body.topics as Struct[];
    if (memo.dropBackendTopics) topics = [];
    else if (memo.filter)
      topics = topics.filter((t) => t.name !== null && ctx.authz.allowed('DESCRIBE', 'TOPIC', t.name as string, { quiet: true }));
    if (memo.createDenied !== undefined) {
      topics = topics.map((t) => {
        if (t.errorCode !== UNKNOWN_TOPIC_OR_PARTITION || !memo.createDenied!.has(t.name as string)) return t;
        ctx.authz.allowed('CREATE', 'TOPIC', t.name as string); // the audited denial the broker would log
        return errorEntry(TOPIC_AUTHORIZATION_FAILED, t.name as string, ZERO_UUID);
      });
    }
    if (memo.topicOps) {
      for (const t of topics) {
        const mine = t.errorCode === TOPIC_AUTHORIZATION_FAILED || t.errorCode === UNKNOWN_TOPIC_ID || t.name === null;
        t.topicAuthorizedOperations = mine ? OPS_OMITTED : ctx.authz.authorizedOperations('TOPIC', t.name as string);
      }
    }
    body.topics = [...(memo.before as never[]), ...(topics as never[]), ...(memo.after as never[])];
    if (memo.clusterOps) {
      body.clusterAuthorizedOperations = ctx.authz.allowed('DESCRIBE', 'CLUSTER', CLUSTER_NAME, { quiet: true })
        ? ctx.authz.authorizedOperations('CLUSTER', CLUSTER_NAME)
        : 0;
    }
  },
};

function byIds(
  body: Struct,
  topics: Struct[],
  resolved: boolean,
  ctx: EnforceContext,
  memo: (m: Partial<MetadataMemo>) => MetadataMemo,
): RequestDecision<MetadataMemo> {
  const ids = [...new Set(topics.map((t) => t.topicId as string))].filter((id) => id !== ZERO_UUID);
  if (!resolved) {
    const unknown = unknownTopicIds(ctx, ids);
    if (unknown.length > 0) return { action: 'resolve-topic-ids', topicIds: unknown };
  }
  const describe = topicDecider(ctx, 'DESCRIBE');
  const before: Struct[] = [];
  const after: Struct[] = [];
  const kept: string[] = [];
  for (const id of ids) {
    const name = ctx.topics.nameOf(id);
    if (name === undefined) before.push(errorEntry(UNKNOWN_TOPIC_ID, null, id));
    else if (describe(name)) kept.push(id);
    else after.push(errorEntry(TOPIC_AUTHORIZATION_FAILED, null, id));
  }
  const m = memo({ before, after });
  if (before.length === 0 && after.length === 0) return m.topicOps || m.clusterOps ? { action: 'forward', memo: m } : { action: 'forward' };
  return { action: 'rewrite', body: { ...body, topics: kept.map((topicId) => ({ topicId, name: null })) }, memo: m };
}
