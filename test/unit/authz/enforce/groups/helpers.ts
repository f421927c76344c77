// Shared steps of the group enforcer tests: ask an enforcer about a request built through the codec,
// and look at a local answer, a rewritten request or a merged answer the way the other side decodes it.
import assert from 'node:assert/strict';
import type { Enforcer, RequestDecision } from '../../../../../gateway/authz/enforce/enforcer.ts';
import {
  decodeRequestFrame,
  encodeRequestFrame,
  type RequestBody,
  type ResponseBody,
  type Struct,
  type TypedApiKey,
} from '../../../../../gateway/protocol/index.ts';
import { applyResponse, requestView, roundTripResponse, testContext, type TestContext } from '../context.ts';

export function decide<K extends TypedApiKey, M>(
  enforcer: Enforcer<K, M>,
  version: number,
  body: Struct,
  acls: string[],
  opts: Parameters<typeof testContext>[1] & { topicIdsResolved?: boolean } = {},
): { decision: RequestDecision<M>; ctx: TestContext } {
  const ctx = testContext(acls, opts);
  const req = requestView(enforcer.apiKey, version, body, { topicIdsResolved: opts.topicIdsResolved });
  return { decision: enforcer.onRequest(req, ctx), ctx };
}

/** The local answer as the client decodes it (fails the test when the decision is not an answer). */
export function answered<K extends TypedApiKey, M>(
  enforcer: Enforcer<K, M>,
  version: number,
  decision: RequestDecision<M>,
): ResponseBody<K> {
  if (decision.action !== 'answer') assert.fail(`expected a local answer, got ${decision.action}`);
  return roundTripResponse(enforcer.apiKey, version, decision.body) as ResponseBody<K>;
}

/** The rewritten request as the backend decodes it, and the memo. */
export function rewritten<K extends TypedApiKey, M>(
  enforcer: Enforcer<K, M>,
  version: number,
  decision: RequestDecision<M>,
): { body: RequestBody<K>; memo: M } {
  if (decision.action !== 'rewrite') assert.fail(`expected a rewrite, got ${decision.action}`);
  const header = { requestApiKey: enforcer.apiKey, requestApiVersion: version, correlationId: 7, clientId: 'c' };
  const frame = encodeRequestFrame(header, decision.body);
  return { body: decodeRequestFrame(frame).body as RequestBody<K>, memo: decision.memo as M };
}

/** The memo of a forward that asked to see the answer (fails the test otherwise). */
export function forwardMemo<M>(decision: RequestDecision<M>): M {
  if (decision.action !== 'forward' || decision.memo === undefined)
    assert.fail(`expected a forward with a memo, got ${JSON.stringify(decision)}`);
  return decision.memo;
}

/** The backend's answer after `onResponse`, as the client decodes it. */
export function afterResponse<K extends TypedApiKey, M>(
  enforcer: Enforcer<K, M>,
  version: number,
  backend: Struct,
  memo: M,
  ctx: TestContext,
): ResponseBody<K> {
  return applyResponse(enforcer, version, backend, memo, ctx) as ResponseBody<K>;
}

export function forwardedWithoutMemo(decision: RequestDecision<unknown>): void {
  assert.deepEqual(decision, { action: 'forward' });
}
