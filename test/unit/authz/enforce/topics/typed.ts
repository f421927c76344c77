// Typed views of what a topic enforcer decided, for the tests: the local answer or the merged backend
// answer as a client decodes it, and the rewritten request as the backend decodes it.
import assert from 'node:assert/strict';
import type { AnyEnforcer, EnforceContext, RequestDecision } from '../../../../../gateway/authz/enforce/enforcer.ts';
import type { RequestBody, ResponseBody, Struct, TypedApiKey } from '../../../../../gateway/protocol/index.ts';
import { applyResponse, requestView, roundTripResponse } from '../context.ts';

/** The local answer of `decision` (asserted to be one), encoded at `version` and decoded. */
export function answered<K extends TypedApiKey>(apiKey: K, version: number, decision: RequestDecision): ResponseBody<K> {
  assert.equal(decision.action, 'answer', `v${version}: expected a local answer`);
  return roundTripResponse(apiKey, version, (decision as { body: Struct }).body) as ResponseBody<K>;
}

/** The rewritten request of `decision` (asserted to be one), encoded at `version` and decoded. */
export function sent<K extends TypedApiKey>(apiKey: K, version: number, decision: RequestDecision): RequestBody<K> {
  assert.equal(decision.action, 'rewrite', `v${version}: expected a rewritten request`);
  return requestView(apiKey, version, (decision as { body: Struct }).body).body();
}

/** The memo `decision` left (asserted present). */
export function memoOf(decision: RequestDecision): unknown {
  const memo = (decision as { memo?: unknown }).memo;
  assert.notEqual(memo, undefined, 'expected a memo');
  return memo;
}

/** The backend's answer after onResponse with the decision's memo, as a client decodes it. */
export function merged<K extends TypedApiKey>(
  enforcer: AnyEnforcer & { apiKey: K },
  version: number,
  backend: Struct,
  decision: RequestDecision,
  ctx: EnforceContext,
): ResponseBody<K> {
  return applyResponse(enforcer, version, backend, memoOf(decision), ctx) as ResponseBody<K>;
}

/** A locally made body as a client decodes it. */
export function decoded<K extends TypedApiKey>(apiKey: K, version: number, body: Struct): ResponseBody<K> {
  return roundTripResponse(apiKey, version, body) as ResponseBody<K>;
}
