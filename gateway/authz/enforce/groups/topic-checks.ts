// Topic questions a group API asks, once per topic name per request (a broker authorizes the set of
// names, so a topic named twice is one decision and one audit line), and topic ids mapped to names.
import type { RequestOperation } from '../../model.ts';
import type { EnforceContext } from '../enforcer.ts';

/** `(name) => allowed`, memoized for one request. */
export function topicCheck(ctx: EnforceContext, operation: RequestOperation, opts: { quiet?: boolean } = {}): (name: string) => boolean {
  const decided = new Map<string, boolean>();
  return (name) => {
    let allowed = decided.get(name);
    if (allowed === undefined) {
      allowed = ctx.authz.allowed(operation, 'TOPIC', name, opts);
      decided.set(name, allowed);
    }
    return allowed;
  };
}

/** The ids among `ids` the gateway cannot name yet, without duplicates (what `resolve-topic-ids` asks for). */
export function unnamedTopicIds(ctx: EnforceContext, ids: Iterable<string>): string[] {
  const missing = new Set<string>();
  for (const id of ids) if (ctx.topics.nameOf(id) === undefined) missing.add(id);
  return [...missing];
}
