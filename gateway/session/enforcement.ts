// Authorization as one connection sees it: the enforcer registry, the Authorizer bound to this
// connection's principal and real address, the EnforceContext every enforcer gets, and the request
// view an enforcer reads (header fields at once; payload joined and body decoded only when asked).
// The session (session.ts) acts on the decisions; this module holds what they are made with.
import type { ClientIdentity } from '../auth/client-identity.ts';
import type { AclService } from '../authz/acls/acl-service.ts';
import type { CompiledPolicy } from '../authz/compiled-policy.ts';
import type { AnyEnforcer, EnforceContext, RequestDecision, RequestView } from '../authz/enforce/enforcer.ts';
import type { EnforcerRegistry } from '../authz/enforce/registry.ts';
import { RequestAuthorizer, type DecisionSink } from '../authz/enforce/request-authorizer.ts';
import type { Frame } from '../net/frame-reader.ts';
import {
  type RequestHeaderPeek,
  type RequestBody,
  type Struct,
  type TypedApiKey,
  decodeRequestHeader,
  decodeResponseFrame,
  decodeTypedRequestBody,
  encodeRequestFrame,
  encodeResponseFrame,
} from '../protocol/index.ts';
import type { Address } from '../routing/broker-map.ts';
import type { TopicIdCache } from '../routing/topic-ids.ts';

/** What the gateway gives every session when authorization is on (absent: `mode: off`). */
export type EnforcementServices = {
  readonly registry: EnforcerRegistry;
  /** The policy in force now. */
  readonly policy: () => CompiledPolicy | undefined;
  readonly decisions: DecisionSink;
  /** Looks up topic ids on the backend into the topic id cache; never rejects. */
  readonly resolveTopicIds: (backend: Address) => Promise<void>;
  /** The ACL APIs' service (absent: they are answered as by a broker with no authorizer). */
  readonly acls?: AclService;
};

/** A request as an enforcer sees it: nothing beyond the peeked header is read until the enforcer asks. */
class FrameRequestView implements RequestView {
  private decoded: RequestBody<TypedApiKey> | undefined;

  constructor(
    private readonly frame: Frame,
    private readonly header: RequestHeaderPeek,
    readonly topicIdsResolved: boolean,
  ) {}

  get apiKey(): TypedApiKey {
    return this.header.apiKey as TypedApiKey;
  }
  get apiVersion(): number {
    return this.header.apiVersion;
  }
  get correlationId(): number {
    return this.header.correlationId;
  }
  get clientId(): string | null {
    return this.header.clientId;
  }
  get payload(): Buffer {
    return this.frame.payload;
  }
  get parts(): readonly Buffer[] {
    return this.frame.parts;
  }

  body(): RequestBody<TypedApiKey> {
    if (this.decoded === undefined) {
      const payload = this.frame.payload;
      this.decoded = decodeTypedRequestBody(payload, this.apiKey, this.apiVersion, decodeRequestHeader(payload).bodyOffset);
    }
    return this.decoded;
  }
}

export class SessionEnforcement {
  readonly authz: RequestAuthorizer;
  readonly ctx: EnforceContext;

  constructor(
    private readonly services: EnforcementServices,
    identity: ClientIdentity,
    listener: string,
    topics: TopicIdCache,
    /** Counts what forwarded Produce requests carry, by topic. */
    produced?: (topic: string, records: number, bytes: number) => void,
  ) {
    this.authz = new RequestAuthorizer({
      principal: identity.principal.toString(),
      clientAddress: identity.address,
      listener,
      policy: services.policy,
      sink: services.decisions,
    });
    this.ctx = {
      authz: this.authz,
      topics,
      // A broker serves token requests only to clients authenticated by something else than a token,
      // on a secured channel: here, TLS with a client certificate or SASL (SASL_PLAINTEXT included, as
      // Kafka does; the gateway issues no tokens, so no SASL login is token-authenticated). PLAINTEXT
      // and anonymous TLS: no.
      tokenRequestsAllowed: identity.tls?.subject != null || identity.method === 'sasl',
      state: new Map(),
      acls: services.acls,
      caller: { principal: identity.principal.toString(), clientAddress: identity.address, listener },
      produced,
    };
  }

  /** The enforcer of this key and version, or undefined: the request is refused. */
  enforcerFor(apiKey: number, apiVersion: number): AnyEnforcer | undefined {
    return this.services.registry.enforcerFor(apiKey, apiVersion);
  }

  /** The enforcer's decision on a request (under the policy in force now). ProtocolError: the request does not parse. */
  decide(enforcer: AnyEnforcer, frame: Frame, header: RequestHeaderPeek, topicIdsResolved: boolean): RequestDecision {
    this.authz.begin(header.apiKey);
    return enforcer.onRequest(new FrameRequestView(frame, header, topicIdsResolved), this.ctx);
  }

  resolveTopicIds(backend: Address): Promise<void> {
    return this.services.resolveTopicIds(backend);
  }

  /** The rewritten request under the original header, with its size prefix. */
  rewrite(frame: Frame, body: Struct): Buffer {
    return encodeRequestFrame(decodeRequestHeader(frame.payload).header, body, { sizePrefix: true });
  }

  /** A locally made answer, at the request's version, with its size prefix. */
  answer(header: RequestHeaderPeek, body: Struct): Buffer {
    return encodeResponseFrame({ correlationId: header.correlationId }, body, header.apiKey, header.apiVersion, { sizePrefix: true });
  }

  /** The backend's answer with the enforcer's merge/filter applied, re-encoded. ProtocolError: it does not parse. */
  respond(enforcer: AnyEnforcer, memo: unknown, apiKey: number, apiVersion: number, payload: Buffer): Buffer {
    const { header, body } = decodeResponseFrame(payload, apiKey, apiVersion);
    this.authz.begin(apiKey);
    enforcer.onResponse?.(body, memo, this.ctx, apiVersion);
    return encodeResponseFrame(header, body, apiKey, apiVersion, { sizePrefix: true });
  }
}
