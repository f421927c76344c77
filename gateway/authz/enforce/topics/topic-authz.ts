// Small helpers shared by the topic enforcers: the cluster resource's name, the "not requested" bitfield,
// topic-name validity (as the broker checks it before authorizing some APIs) and per-request memoized
// topic decisions (a name repeated in one request is asked once, as the broker asks once per topic).
import type { RequestOperation } from '../../model.ts';
import type { EnforceContext } from '../enforcer.ts';

export { CLUSTER_NAME } from '../../model.ts';
/** Authorized-operations value meaning "not requested / omitted" (spec §1.8). */
export const OPS_OMITTED = -2147483648;

const LEGAL_TOPIC_CHARS = /^[a-zA-Z0-9._-]+$/;
const MAX_TOPIC_NAME_LENGTH = 249;

/** Kafka's topic name rule: 1–249 of [a-zA-Z0-9._-], not "." or "..". */
export function isValidTopicName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_TOPIC_NAME_LENGTH && name !== '.' && name !== '..' && LEGAL_TOPIC_CHARS.test(name);
}

/** A topic decision per name for one request: the first answer is reused for repeats. */
export function topicDecider(ctx: EnforceContext, operation: RequestOperation, quiet = false): (name: string) => boolean {
  const seen = new Map<string, boolean>();
  return (name) => {
    let ok = seen.get(name);
    if (ok === undefined) {
      ok = ctx.authz.allowed(operation, 'TOPIC', name, quiet ? { quiet } : undefined);
      seen.set(name, ok);
    }
    return ok;
  };
}

/** The distinct topic ids the gateway cannot name yet (what `resolve-topic-ids` asks the session for). */
export function unknownTopicIds(ctx: EnforceContext, ids: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const id of ids) if (ctx.topics.nameOf(id) === undefined) out.add(id);
  return [...out];
}
