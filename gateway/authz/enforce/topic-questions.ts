// Topic questions an enforcer asks: once per topic name per request (a broker authorizes the set of
// names, so a topic named twice is one decision and one audit line), and the topic ids it cannot name yet.
import type { RequestOperation } from '../model.ts';
import type { EnforceContext } from './enforcer.ts';

/** `(name) => allowed` for one request: the first answer for a name is reused for its repeats. */
export function topicDecider(ctx: EnforceContext, operation: RequestOperation, opts?: { quiet?: boolean }): (name: string) => boolean {
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

/** The distinct ids among `ids` the gateway cannot name yet (what `resolve-topic-ids` asks the session for). */
export function unknownTopicIds(ctx: EnforceContext, ids: Iterable<string>): string[] {
  const missing = new Set<string>();
  for (const id of ids) if (ctx.topics.nameOf(id) === undefined) missing.add(id);
  return [...missing];
}
