// Unit-test helpers for enforcers: a context whose Authorizer is the real policy engine over ACLs
// written as the spec writes them ("User:alice ALLOW READ TOPIC t"), recording every question asked,
// and a RequestView built from a body that really went through the codec (encoded, then decoded).
import type { AnyEnforcer, Authorizer, EnforceContext, RequestView } from '../../../../gateway/authz/enforce/enforcer.ts';
import type { RequestOperation, ResourceType } from '../../../../gateway/authz/model.ts';
import {
  decodeResponseFrame,
  decodeTypedRequestBody,
  encodeRequestFrame,
  encodeResponseFrame,
  decodeRequestHeader,
  type Struct,
  type TypedApiKey,
} from '../../../../gateway/protocol/index.ts';
import { compiled, type PolicyOptions } from '../helpers.ts';

export type Question = { operation: RequestOperation | 'ANY-OF-TYPE' | 'BITFIELD'; type: ResourceType; name: string; quiet: boolean };

export type TestContext = EnforceContext & { asked: Question[] };

export function testContext(
  acls: string[],
  opts: PolicyOptions & {
    principal?: string;
    host?: string;
    /** topic id → name known to the gateway */
    topicIds?: Record<string, string>;
    tokenRequestsAllowed?: boolean;
    /** topics the gateway keeps for itself (the managed ACL topic) */
    reservedTopics?: string[];
  } = {},
): TestContext {
  const policy = compiled(acls, opts);
  const principal = opts.principal ?? 'User:alice';
  const host = opts.host ?? '127.0.0.1';
  const asked: Question[] = [];
  const authz: Authorizer = {
    principal,
    allowed(operation, type, name, o) {
      asked.push({ operation, type, name, quiet: (o?.quiet ?? false) || (o?.bypass ?? false) });
      return policy.authorize(principal, host, operation, type, name).allowed;
    },
    allowedOnAny(operation, type) {
      asked.push({ operation: 'ANY-OF-TYPE', type, name: operation, quiet: false });
      return policy.authorizeByResourceType(principal, host, operation, type).allowed;
    },
    authorizedOperations(type, name) {
      asked.push({ operation: 'BITFIELD', type, name, quiet: true });
      return policy.authorizedOperations(principal, host, type, name);
    },
    ...(opts.reservedTopics && { isReservedTopic: (name: string) => opts.reservedTopics!.includes(name) }),
  };
  const ids = new Map(Object.entries(opts.topicIds ?? {}));
  return {
    authz,
    topics: { nameOf: (id) => ids.get(id) },
    tokenRequestsAllowed: opts.tokenRequestsAllowed ?? true,
    state: new Map(),
    asked,
  };
}

/** A request as the session hands it over: `body` encoded at `version` with a header, then viewed. */
export function requestView<K extends TypedApiKey>(
  apiKey: K,
  apiVersion: number,
  body: Struct,
  opts: {
    correlationId?: number;
    topicIdsResolved?: boolean;
    /** cut `parts` into chunks of this size (default one chunk) */ chunkSize?: number;
  } = {},
): RequestView<K> {
  const correlationId = opts.correlationId ?? 7;
  const payload = encodeRequestFrame(
    { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId, clientId: 'test-client' },
    body,
  );
  const { header, bodyOffset } = decodeRequestHeader(payload);
  let decoded: ReturnType<RequestView<K>['body']> | undefined;
  return {
    apiKey,
    apiVersion,
    correlationId,
    clientId: header.clientId,
    payload,
    parts: splitInto(payload, opts.chunkSize),
    body: () => (decoded ??= decodeTypedRequestBody(payload, apiKey, apiVersion, bodyOffset)),
    topicIdsResolved: opts.topicIdsResolved ?? false,
  };
}

/** A locally made answer as the client would decode it: encoded at the request's version, then decoded. */
export function roundTripResponse(apiKey: number, apiVersion: number, body: Struct): Struct {
  const frame = encodeResponseFrame({ correlationId: 7 }, body, apiKey, apiVersion);
  return decodeResponseFrame(frame, apiKey, apiVersion).body;
}

/** Runs onResponse the way the session does: backend body encoded, decoded, edited, re-encoded, decoded. */
export function applyResponse(enforcer: AnyEnforcer, apiVersion: number, backendBody: Struct, memo: unknown, ctx: EnforceContext): Struct {
  const body = roundTripResponse(enforcer.apiKey as number, apiVersion, backendBody);
  enforcer.onResponse?.(body, memo, ctx, apiVersion);
  return roundTripResponse(enforcer.apiKey as number, apiVersion, body);
}

/** The frame with its size prefix, as chunks of `size` bytes (one chunk when undefined). */
function splitInto(payload: Buffer, size: number | undefined): Buffer[] {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(payload.length);
  const whole = Buffer.concat([prefix, payload]);
  if (size === undefined) return [whole];
  const out: Buffer[] = [];
  for (let at = 0; at < whole.length; at += size) out.push(whole.subarray(at, at + size));
  return out;
}
