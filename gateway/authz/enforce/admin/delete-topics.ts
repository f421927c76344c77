// DeleteTopics (20), spec §2.5. DELETE on the cluster (checked first, denial not logged) authorizes
// everything. Otherwise DESCRIBE and DELETE are asked for every topic, and what a denial discloses
// depends on how the topic was named:
//   by name → 29 with the name and a zero id;
//   by id (v6) → unknown id 100 (before authorization); not deletable → 29 with the id, and with the
//   name only when the topic may be described (the id → name mapping is otherwise not disclosed).
// Entries the broker rejects before authorizing (a name or id given twice, both or neither given) are
// left in the request: the backend rejects them the same way (42) and deletes nothing. An id the
// gateway cannot name is never forwarded: the topic behind it could not have been authorized.
import { ErrorCode, ZERO_UUID, type ResponseBody } from '../../../protocol/index.ts';
import { CLUSTER_NAME } from '../../model.ts';
import type { EnforceContext, Enforcer } from '../enforcer.ts';
import { fullRange } from './full-range.ts';

type Result = ResponseBody<20>['responses'][number];
type DeniedResult = Pick<Result, 'name' | 'topicId' | 'errorCode' | 'errorMessage'>;

const TOPIC_DENIED_MESSAGE = 'Topic authorization failed.';
const UNKNOWN_ID_MESSAGE = 'This server does not host this topic ID.';

interface Entry {
  readonly name: string | null;
  readonly topicId: string;
}

function entriesOf(body: { topicNames: string[]; topics: { name: string | null; topicId: string }[] }, version: number): Entry[] {
  return version >= 6
    ? body.topics.map((t) => ({ name: t.name, topicId: t.topicId }))
    : body.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
}

const byName = (e: Entry): e is Entry & { name: string } => e.name !== null && e.topicId === ZERO_UUID;
const byId = (e: Entry): boolean => e.name === null && e.topicId !== ZERO_UUID;

/** DESCRIBE and DELETE of one topic, asked once per name (as the broker asks once per distinct name). */
function permissions(ctx: EnforceContext): (name: string) => { describe: boolean; delete: boolean } {
  const cache = new Map<string, { describe: boolean; delete: boolean }>();
  return (name) => {
    let p = cache.get(name);
    if (!p) {
      p = { describe: ctx.authz.allowed('DESCRIBE', 'TOPIC', name), delete: ctx.authz.allowed('DELETE', 'TOPIC', name) };
      cache.set(name, p);
    }
    return p;
  };
}

function occurrences(values: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

export const deleteTopics: Enforcer<20, DeniedResult[]> = {
  apiKey: 20,
  versions: fullRange(20),
  onRequest(req, ctx) {
    if (ctx.authz.allowed('DELETE', 'CLUSTER', CLUSTER_NAME, { bypass: true })) return { action: 'forward' };
    const body = req.body();
    const entries = entriesOf(body, req.apiVersion);
    const names = occurrences(entries.filter(byName).map((e) => e.name));
    const ids = occurrences(entries.filter(byId).map((e) => e.topicId));
    const uniqueIds = [...ids].filter(([, n]) => n === 1).map(([id]) => id);
    const unresolved = uniqueIds.filter((id) => ctx.topics.nameOf(id) === undefined);
    if (unresolved.length > 0 && !req.topicIdsResolved) return { action: 'resolve-topic-ids', topicIds: unresolved };

    const may = permissions(ctx);
    const kept = new Set<number>();
    const denied: DeniedResult[] = [];
    const deny = (name: string | null, topicId: string, errorCode: number, errorMessage: string) =>
      denied.push({ name, topicId, errorCode, errorMessage });
    entries.forEach((e, index) => {
      if (byName(e) && names.get(e.name) === 1) {
        const p = may(e.name);
        if (p.describe && p.delete) kept.add(index);
        else deny(e.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED, TOPIC_DENIED_MESSAGE);
      } else if (byId(e) && ids.get(e.topicId) === 1) {
        const name = ctx.topics.nameOf(e.topicId);
        if (name === undefined) {
          deny(null, e.topicId, ErrorCode.UNKNOWN_TOPIC_ID, UNKNOWN_ID_MESSAGE);
          return;
        }
        const p = may(name);
        if (p.delete) kept.add(index);
        else deny(p.describe ? name : null, e.topicId, ErrorCode.TOPIC_AUTHORIZATION_FAILED, TOPIC_DENIED_MESSAGE);
      } else {
        kept.add(index); // rejected by the backend's own validation
      }
    });
    if (denied.length === 0) return { action: 'forward' };
    if (kept.size === 0) return { action: 'answer', body: { responses: denied } };
    const rewritten =
      req.apiVersion >= 6
        ? { ...body, topics: body.topics.filter((_, i) => kept.has(i)) }
        : { ...body, topicNames: body.topicNames.filter((_, i) => kept.has(i)) };
    return { action: 'rewrite', body: rewritten, memo: denied };
  },
  onResponse(body, denied) {
    body.responses.push(...denied.map((d) => ({ ...d })));
  },
};
