// The Authorizer one connection's enforcers ask: the session principal and real client address (after
// PROXY) bound to the policy in force at each request. Decisions are cached per connection by
// (operation, resource type, name) — a client asks the same questions at every request — and the cache
// is dropped as soon as another policy is in force, so a reload decides the next request of every open
// connection. Every decision that is not quiet is counted and, when it is a denial (or an allow the
// audit settings keep), written to the audit log, through the narrow DecisionSink (authz never sees
// metrics or log objects).
import { apiName } from '../../protocol/index.ts';
import { auditEvent, type AuthzAuditEvent, type RequestContext } from '../audit-event.ts';
import type { CompiledPolicy } from '../compiled-policy.ts';
import type { Decision } from '../decision.ts';
import { clientHost, type ClientHost } from '../host.ts';
import type { RequestOperation, ResourceType } from '../model.ts';
import type { ObservationSlot } from '../observe/observation-recorder.ts';
import type { Authorizer } from './enforcer.ts';

/** Bounded label values of one counted decision (`rule`: a rule id, '', 'super-user' or 'no-acl'). */
export interface DecisionLabels {
  /** Who asked (the sink labels only dry-run denials with it, behind a cap). */
  readonly principal: string;
  readonly api: string;
  readonly resource_type: ResourceType;
  readonly operation: RequestOperation;
  readonly decision: Decision['decision'];
  readonly rule: string;
}

/** Where counted and audited decisions go (the gateway wires metrics and the audit log behind it). */
export interface DecisionSink {
  /** The counter for these labels, looked up once and kept: bumping it again costs no label object. */
  counter(labels: DecisionLabels): { inc(): void };
  /** Whether allowed decisions may be audited at all (else their audit events are never built). */
  readonly auditsAllows: boolean;
  audit(event: AuthzAuditEvent): void;
  /**
   * Observe mode: where this principal's asks of (operation, resource) are counted (`name` null: any
   * resource of the type). Absent: nothing is observed. Called once per connection and question.
   */
  observe?(principal: string, host: string, operation: RequestOperation, type: ResourceType, name: string | null): ObservationSlot;
}

/** A sink that drops everything (unit tests of enforcers, tools). */
export const NO_DECISION_SINK: DecisionSink = { counter: () => ({ inc: () => {} }), auditsAllows: false, audit: () => {} };

/** The label naming what decided: bounded (rule ids come from the policy; the sink caps their number). */
export function ruleLabel(decision: Decision): string {
  switch (decision.reason) {
    case 'super-user':
      return 'super-user';
    case 'no-acl-allow-everyone':
    case 'no-acl-default-deny':
      return 'no-acl';
    default:
      return decision.ruleIds[0] ?? '';
  }
}

/** Without a policy (never in force when the gateway runs: a start without one is refused) nothing is allowed. */
const NO_POLICY: Decision = {
  allowed: false,
  decision: 'denied',
  reason: 'no-acl-default-deny',
  rules: [],
  ruleIds: [],
  dryRun: false,
  policyVersion: 0,
};

type Cached = {
  readonly operation: RequestOperation | 'ANY';
  readonly type: ResourceType;
  readonly decision: Decision;
  /** The counter child for each api key this decision was counted under (sparse, by api key). */
  counters?: Array<{ inc(): void } | undefined>;
  /** Where observe mode counts this question (looked up at its first ask). */
  observation?: ObservationSlot;
};

/** Names remembered per connection before the cache starts over (a client listing every topic). */
const MAX_CACHED_NAMES = 10_000;
/** allowedOnAny(operation) is cached under this prefix + the operation: a name no resource has. */
const ANY_RESOURCE = '\u0000any:';

export class RequestAuthorizer implements Authorizer {
  readonly principal: string;
  private readonly host: ClientHost;
  private policy: CompiledPolicy | undefined;
  private bound = false;
  private readonly decisions = new Map<string, Cached[]>();
  private readonly bitfields = new Map<string, number>();
  private apiKey = -1;
  private context: RequestContext;
  private readonly contexts: RequestContext[] = [];

  constructor(
    private readonly opts: {
      readonly principal: string;
      /** The real client address (after PROXY). */
      readonly clientAddress: string;
      readonly listener: string;
      /** The policy in force now (read at every request). */
      readonly policy: () => CompiledPolicy | undefined;
      readonly sink: DecisionSink;
    },
  ) {
    this.principal = opts.principal;
    this.host = clientHost(opts.clientAddress);
    this.context = { principal: opts.principal, clientAddress: opts.clientAddress, listener: opts.listener, api: '' };
  }

  /** Binds the policy in force now and the api being served: called before each onRequest / onResponse. */
  begin(apiKey: number): this {
    const policy = this.opts.policy();
    if (policy !== this.policy || !this.bound) {
      // Another policy: every cached answer may be wrong now.
      this.policy = policy;
      this.bound = true;
      this.decisions.clear();
      this.bitfields.clear();
    }
    if (apiKey !== this.apiKey) {
      // One context per api key for the connection's life: a client alternating Produce and Fetch allocates nothing.
      this.apiKey = apiKey;
      this.context = this.contexts[apiKey] ??= { ...this.context, api: apiName(apiKey) ?? String(apiKey) };
    }
    return this;
  }

  /** The version of the policy the last `begin` bound (0: none). */
  get policyVersion(): number {
    return this.policy?.version ?? 0;
  }

  allowed(
    operation: RequestOperation,
    type: ResourceType,
    name: string,
    opts?: { readonly quiet?: boolean; readonly bypass?: boolean },
  ): boolean {
    // Asked per topic of every Produce and Fetch: a cache hit allocates nothing (no closure, no key string).
    const entry =
      this.cached(operation, type, name) ??
      this.remember(
        operation,
        type,
        name,
        this.policy ? this.policy.authorize(this.principal, this.host, operation, type, name) : NO_POLICY,
      );
    if (opts?.bypass === true) return entry.decision.allowed && !this.observing(entry.decision);
    if (opts?.quiet !== true) this.record(entry, operation, name, name);
    return entry.decision.allowed;
  }

  /**
   * A shortcut allowed only because the whole policy is in dry-run: not taken, so the enforcer asks the
   * finer questions a client's work really needs and observe mode records those (a cluster-wide CREATE
   * would otherwise stand for every topic created). Nothing is refused in global dry-run either way.
   */
  private observing(decision: Decision): boolean {
    return decision.dryRun && this.policy?.policy.mode === 'dry-run';
  }

  allowedOnAny(operation: RequestOperation, type: ResourceType): boolean {
    const key = ANY_RESOURCE + operation;
    const entry =
      this.cached('ANY', type, key) ??
      this.remember(
        'ANY',
        type,
        key,
        this.policy ? this.policy.authorizeByResourceType(this.principal, this.host, operation, type) : NO_POLICY,
      );
    this.record(entry, operation, '*', null);
    return entry.decision.allowed;
  }

  authorizedOperations(type: ResourceType, name: string): number {
    const key = `${type}\u0000${name}`;
    let bits = this.bitfields.get(key);
    if (bits === undefined) {
      bits = this.policy ? this.policy.authorizedOperations(this.principal, this.host, type, name) : 0;
      if (this.bitfields.size >= MAX_CACHED_NAMES) this.bitfields.clear();
      this.bitfields.set(key, bits);
    }
    return bits;
  }

  isReservedTopic(name: string): boolean {
    if (!this.bound) this.begin(this.apiKey);
    return this.policy?.isReservedTopic(name) ?? false;
  }

  /** The cached decision, or undefined (binds the policy first when no `begin` did yet). */
  private cached(operation: RequestOperation | 'ANY', type: ResourceType, name: string): Cached | undefined {
    if (!this.bound) this.begin(this.apiKey);
    const list = this.decisions.get(name);
    if (list === undefined) return undefined;
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      if (c.operation === operation && c.type === type) return c;
    }
    return undefined;
  }

  private remember(operation: RequestOperation | 'ANY', type: ResourceType, name: string, decision: Decision): Cached {
    let list = this.decisions.get(name);
    if (list === undefined) {
      if (this.decisions.size >= MAX_CACHED_NAMES) this.decisions.clear();
      list = [];
      this.decisions.set(name, list);
    }
    const entry: Cached = { operation, type, decision };
    list.push(entry);
    return entry;
  }

  private record(entry: Cached, operation: RequestOperation, name: string, observedName: string | null): void {
    if (this.opts.sink.observe !== undefined) {
      entry.observation ??= this.opts.sink.observe(this.principal, this.opts.clientAddress, operation, entry.type, observedName);
      entry.observation.hit(entry.decision.decision);
    }
    const counters = (entry.counters ??= []);
    let counter = counters[this.apiKey];
    if (!counter) {
      counter = this.opts.sink.counter({
        principal: this.principal,
        api: this.context.api,
        resource_type: entry.type,
        operation,
        decision: entry.decision.decision,
        rule: ruleLabel(entry.decision),
      });
      counters[this.apiKey] = counter;
    }
    counter.inc();
    if (entry.decision.decision === 'allowed' && !this.opts.sink.auditsAllows) return;
    this.opts.sink.audit(auditEvent(this.context, { operation, resourceType: entry.type, resourceName: name }, entry.decision));
  }
}
