// CreatePartitions (37), spec §2.5: ALTER per topic, denied → 29 with a null message. A name given
// twice is rejected by the broker before authorizing (42 "Duplicate topic name."): such entries are
// left in the request, and the backend rejects them the same way without creating anything.
import { ErrorCode, type ResponseBody } from '../../../protocol/index.ts';
import type { Enforcer } from '../enforcer.ts';
import { fullRange } from './full-range.ts';

type Result = ResponseBody<37>['results'][number];

export const createPartitions: Enforcer<37, string[]> = {
  apiKey: 37,
  versions: fullRange(37),
  onRequest(req, ctx) {
    const body = req.body();
    const count = new Map<string, number>();
    for (const t of body.topics) count.set(t.name, (count.get(t.name) ?? 0) + 1);
    const denied = new Set([...count].filter(([name, n]) => n === 1 && !ctx.authz.allowed('ALTER', 'TOPIC', name)).map(([name]) => name));
    if (denied.size === 0) return { action: 'forward' };
    const kept = body.topics.filter((t) => !denied.has(t.name));
    if (kept.length === 0) return { action: 'answer', body: { results: [...denied].map(deniedResult) } };
    return { action: 'rewrite', body: { ...body, topics: kept }, memo: [...denied] };
  },
  onResponse(body, denied) {
    body.results.push(...denied.map(deniedResult));
  },
};

function deniedResult(name: string): Result {
  return { name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null };
}
