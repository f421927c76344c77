// The seam every per-API behaviour of authorization plugs into. The session peeks a request's header,
// finds the API's enforcer in the registry (none for an advertised key and version = the request is
// refused, as a broker refuses an API it does not serve), and acts on what `onRequest` returns:
//   forward  — the original bytes go upstream untouched (a memo asks for `onResponse` on the answer);
//   rewrite  — a rewritten body (denied items stripped) goes upstream under the same header, and the
//              memo carries what `onResponse` merges back into the backend's answer;
//   answer   — the gateway answers itself with the API's exact error shape (nothing goes upstream);
//   answer-later — as answer, once the promise settles (ACL changes wait for their store); later
//              answers still leave in request order; a rejection closes the connection;
//   close    — the connection is closed without an answer, as a broker does (denied acks=0 Produce);
//   resolve-topic-ids — the request names topic ids the gateway has not seen: the session looks them
//              up on the backend, then asks again (ids still unknown then get UNKNOWN_TOPIC_ID).
// Enforcers decide with the `Authorizer` they are handed (principal, client host and the policy in force
// for this request are bound into it); they never see sockets, metrics or the audit log directly.
import type { RequestBody, ResponseBody, Struct, TypedApiKey } from '../../protocol/index.ts';
import type { AclActor } from '../acls/acl-binding.ts';
import type { AclService } from '../acls/acl-service.ts';
import type { RequestOperation, ResourceType } from '../model.ts';

/** The authorization questions an enforcer may ask, bound to one request's principal, host and policy. */
export interface Authorizer {
  /** The session principal as `Type:name`. */
  readonly principal: string;
  /**
   * May the principal perform `operation` on the resource (spec §1.6)? The decision is audited and
   * counted unless `quiet` (checks a broker does not log: CLUSTER before per-item checks, filters of
   * all-topics listings, bitfields). `bypass` marks a cluster-wide shortcut past finer questions (quiet
   * too): in global dry-run it is taken only when the policy allows it, so the finer questions are asked
   * and observed.
   */
  allowed(
    operation: RequestOperation,
    type: ResourceType,
    name: string,
    opts?: { readonly quiet?: boolean; readonly bypass?: boolean },
  ): boolean;
  /** May it perform `operation` on at least one resource of `type` (§1.7, InitProducerId without a transactional id)? */
  allowedOnAny(operation: RequestOperation, type: ResourceType): boolean;
  /** The §1.8 authorized-operations bitfield for the resource (never audited). */
  authorizedOperations(type: ResourceType, name: string): number;
  /**
   * Whether `name` is a topic the gateway keeps for itself (the managed ACL topic): denied to everyone,
   * and left out of listings that a cluster-level permission would otherwise show whole.
   */
  isReservedTopic?(name: string): boolean;
}

/** Topic id → name, as learned from the backend's Metadata answers. */
export interface TopicNames {
  nameOf(topicId: string): string | undefined;
  /**
   * Name → id when the gateway has seen the topic exist (optional: without it Metadata v0–3, which cannot
   * turn auto-creation off, fails closed for topics the principal may not CREATE).
   */
  idOf?(name: string): string | undefined;
}

/** What an enforcer may read of a request: the header's fields, the raw bytes (for walkers), the body decoded on first use. */
export interface RequestView<K extends TypedApiKey = TypedApiKey> {
  readonly apiKey: K;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** The frame after its 4-byte size prefix (request header first), joined: a copy when it spans chunks. */
  readonly payload: Buffer;
  /**
   * The frame as the chunks it arrived in, 4-byte size prefix first: what a chunk-aware walker reads so
   * a large Produce is never joined (joining copies every record byte).
   */
  readonly parts: readonly Buffer[];
  /** The body, decoded once on first call, typed by the generated interfaces. */
  body(): RequestBody<K>;
  /**
   * True when the session has already looked up on the backend the topic ids this enforcer asked for
   * (`resolve-topic-ids`): ids still unknown now do not exist (UNKNOWN_TOPIC_ID), ask no more.
   */
  readonly topicIdsResolved: boolean;
}

/** What the session tells an enforcer about the connection; `state` lives as long as the connection. */
export interface EnforceContext {
  readonly authz: Authorizer;
  readonly topics: TopicNames;
  /**
   * Whether a broker would accept delegation-token requests on this connection: not on PLAINTEXT, not
   * on TLS without a client certificate (User:ANONYMOUS), not when authenticated by a token.
   */
  readonly tokenRequestsAllowed: boolean;
  /** Per-connection state an enforcer keeps between requests (e.g. fetch sessions), one slot per api key. */
  readonly state: Map<number, unknown>;
  /** The ACL APIs' service (absent: the gateway runs without one and answers them as a broker with no authorizer). */
  readonly acls?: AclService;
  /** Who is calling, for the audit of ACL changes (absent in tools and unit tests that do not change ACLs). */
  readonly caller?: AclActor;
  /** Counts what a forwarded Produce carries to a topic (the gateway's per-topic metrics; absent: not counted). */
  readonly produced?: (topic: string, records: number, bytes: number) => void;
}

export type RequestDecision<M = unknown> =
  /** `noAnswer`: the request gets no response (acks=0 Produce), so the session expects none. */
  | { readonly action: 'forward'; readonly memo?: M; readonly noAnswer?: boolean }
  | { readonly action: 'rewrite'; readonly body: Struct; readonly memo?: M }
  | { readonly action: 'answer'; readonly body: Struct }
  | { readonly action: 'answer-later'; readonly body: Promise<Struct> }
  | { readonly action: 'close'; readonly reason: string }
  | { readonly action: 'resolve-topic-ids'; readonly topicIds: readonly string[] };

export interface Enforcer<K extends TypedApiKey = TypedApiKey, M = unknown> {
  readonly apiKey: K;
  /** The versions this enforcer authorizes (inclusive); the gateway advertises no others. */
  readonly versions: { readonly min: number; readonly max: number };
  onRequest(req: RequestView<K>, ctx: EnforceContext): RequestDecision<M>;
  /**
   * Runs on the decoded backend answer whenever `onRequest` left a memo (`undefined` = no call): merges
   * the denied items back, filters what the principal may not see, fills authorized-operations. Edits
   * `body` in place; the session re-encodes it.
   */
  onResponse?(body: ResponseBody<K>, memo: M, ctx: EnforceContext, apiVersion: number): void;
}

/** Any enforcer, for tables (the api key's own types are checked where each one is written). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a table holds enforcers of every api key
export type AnyEnforcer = Enforcer<any, any>;
