// Typed views of what an admin enforcer decided, for the tests: the local answer or the merged backend
// answer as a client decodes it, and the rewritten request, each typed by the generated interfaces.
import assert from 'node:assert/strict';
import type { AnyEnforcer, RequestDecision } from '../../../../../gateway/authz/enforce/enforcer.ts';
import type { RequestBody, ResponseBody, Struct, TypedApiKey } from '../../../../../gateway/protocol/index.ts';
import { applyResponse, roundTripResponse, testContext } from '../context.ts';

/** The local answer of `decision` (which must be one), encoded at `version` and decoded. */
export function answered<K extends TypedApiKey>(apiKey: K, version: number, decision: RequestDecision): ResponseBody<K> {
  assert.equal(decision.action, 'answer', `v${version}: expected a local answer`);
  return roundTripResponse(apiKey, version, (decision as { body: Struct }).body) as ResponseBody<K>;
}

/** The rewritten request body of `decision` (which must be a rewrite). */
export function rewritten<K extends TypedApiKey>(_apiKey: K, decision: RequestDecision): RequestBody<K> {
  assert.equal(decision.action, 'rewrite', 'expected a rewritten request');
  return (decision as { body: Struct }).body as RequestBody<K>;
}

/** The memo `decision` left (asserted present). */
export function memoOf(decision: RequestDecision): unknown {
  const memo = (decision as { memo?: unknown }).memo;
  assert.notEqual(memo, undefined, 'expected a memo');
  return memo;
}

/** The backend's answer after the enforcer's onResponse, as a client decodes it. */
export function merged<K extends TypedApiKey>(
  enforcer: AnyEnforcer & { apiKey: K },
  version: number,
  backend: Struct,
  decision: RequestDecision,
): ResponseBody<K> {
  return applyResponse(enforcer, version, backend, memoOf(decision), testContext([])) as ResponseBody<K>;
}
