// The policy compiled for decisions (spec §1.6, §1.7, §1.8). Immutable: a reload builds a new one
// and swaps it in, so a decision that started with this object finishes with it.
import { clientHost, type ClientHost } from './host.ts';
import {
  OPERATIONS_BY_RESOURCE_TYPE,
  RESOURCE_TYPES,
  operationBit,
  WILDCARD_RESOURCE,
  type RequestOperation,
  type ResourceType,
} from './model.ts';
import { combineVerdicts, decide, type Decision, type Verdict } from './decision.ts';
import type { Policy, PolicyRule } from './policy.ts';
import { compileRule, ResourceIndex, type CompiledRule } from './resource-index.ts';

/** The name §1.7 step 1 authorizes against (Kafka's default authorizeByResourceType). */
const PROBE_RESOURCE_NAME = 'hardcode';

/** How a policy is compiled, beyond the policy itself (set by the gateway from its configuration). */
export interface CompileOptions {
  /**
   * Topics no client may use through the gateway (the managed ACL topic): every operation is denied,
   * super users included and before the super-user check, whatever the rules say. The topic is then
   * also left out of every listing, since enforcers drop denied topics from them.
   */
  readonly reservedTopics?: readonly string[];
  /** Super users may READ and DESCRIBE the reserved topics (to inspect them); writes stay denied. */
  readonly superUsersMayReadReserved?: boolean;
}

/** The operations `superUsersMayReadReserved` opens to super users. */
const RESERVED_READ_OPERATIONS: ReadonlySet<RequestOperation> = new Set(['READ', 'DESCRIBE']);

export class CompiledPolicy {
  readonly rules: readonly CompiledRule[];
  private readonly indexes = new Map<ResourceType, ResourceIndex>();
  private readonly superUsers: ReadonlySet<string>;
  private readonly hasDryRunRules: boolean;
  /** No dry-run anywhere: one evaluation decides (the common, fast case). */
  private readonly plainEnforcement: boolean;
  private readonly reservedTopics: ReadonlySet<string>;
  private readonly reservedRule: PolicyRule | undefined;

  constructor(
    readonly policy: Policy,
    /** Increases with every successful reload; audit events and metrics carry it. */
    readonly version = 1,
    private readonly options: CompileOptions = {},
  ) {
    this.reservedTopics = new Set(options.reservedTopics ?? []);
    this.reservedRule = this.reservedTopics.size === 0 ? undefined : reservedTopicRule([...this.reservedTopics]);
    this.superUsers = new Set(policy.superUsers);
    this.rules = policy.rules.map(compileRule);
    this.hasDryRunRules = this.rules.some((r) => r.dryRun);
    this.plainEnforcement = !this.hasDryRunRules && policy.mode === 'enforce';
    for (const type of RESOURCE_TYPES) this.indexes.set(type, new ResourceIndex(type));
    for (const rule of this.rules) {
      // A rule whose roles are all empty expands to no ACL at all, as in Kafka.
      if (rule.principals.size === 0) continue;
      for (const pattern of rule.rule.resources) this.indexes.get(pattern.type)!.add(rule, pattern);
    }
  }

  index(type: ResourceType): ResourceIndex {
    return this.indexes.get(type)!;
  }

  isSuperUser(principal: string): boolean {
    return this.superUsers.has(principal);
  }

  /** May `principal` connecting from `host` perform `operation` on the resource? (§1.6) */
  authorize(principal: string, host: string | ClientHost, operation: RequestOperation, type: ResourceType, name: string): Decision {
    const client = typeof host === 'string' ? clientHost(host) : host;
    if (this.reservedRule !== undefined && type === 'TOPIC' && this.reservedTopics.has(name)) return this.reserved(principal, operation);
    if (this.plainEnforcement && !this.superUsers.has(principal)) {
      const verdict = this.evaluate(principal, client, operation, type, name, false);
      return decide(verdict, verdict.allowed ? 'allowed' : 'denied', this.version);
    }
    return this.decide(principal, (withDryRun) => this.evaluate(principal, client, operation, type, name, withDryRun));
  }

  /** May `principal` perform `operation` on at least one resource of `type`? (§1.7) */
  authorizeByResourceType(principal: string, host: string | ClientHost, operation: RequestOperation, type: ResourceType): Decision {
    const client = typeof host === 'string' ? clientHost(host) : host;
    return this.decide(principal, (withDryRun) => {
      const probe = this.evaluate(principal, client, operation, type, PROBE_RESOURCE_NAME, withDryRun);
      return probe.allowed ? probe : this.scanResourceType(principal, client, operation, type, withDryRun);
    });
  }

  /** The §1.8 bitfield: bit n set iff the operation with wire code n is allowed on the resource. */
  authorizedOperations(principal: string, host: string | ClientHost, type: ResourceType, name: string): number {
    const client = typeof host === 'string' ? clientHost(host) : host;
    let bits = 0;
    for (const operation of OPERATIONS_BY_RESOURCE_TYPE[type]) {
      if (this.authorize(principal, client, operation, type, name).allowed) bits |= operationBit(operation);
    }
    return bits;
  }

  /** Whether `name` is a reserved topic (the managed ACL topic): no client uses it through the gateway. */
  isReservedTopic(name: string): boolean {
    return this.reservedTopics.has(name);
  }

  // Denied whatever the rules, super users and dry-run mode included: a client that could write the ACL
  // topic could grant itself anything on every gateway instance.
  private reserved(principal: string, operation: RequestOperation): Decision {
    if (this.options.superUsersMayReadReserved && this.superUsers.has(principal) && RESERVED_READ_OPERATIONS.has(operation)) {
      return decide(SUPER_USER, 'allowed', this.version);
    }
    return decide({ allowed: false, reason: 'deny-rule', rules: [this.reservedRule!] }, 'denied', this.version);
  }

  private decide(principal: string, verdict: (withDryRun: boolean) => Verdict): Decision {
    if (this.superUsers.has(principal)) {
      return combineVerdicts(
        'enforce',
        false,
        () => SUPER_USER,
        () => SUPER_USER,
        this.version,
      );
    }
    return combineVerdicts(
      this.policy.mode,
      this.hasDryRunRules,
      () => verdict(false),
      () => verdict(true),
      this.version,
    );
  }

  private evaluate(
    principal: string,
    host: ClientHost,
    operation: RequestOperation,
    type: ResourceType,
    name: string,
    withDryRun: boolean,
  ): Verdict {
    const bit = operationBit(operation);
    let applicable = false;
    let denies: CompiledRule[] | undefined;
    let allows: CompiledRule[] | undefined;
    this.indexes.get(type)!.forEachApplicable(name, (rules) => {
      for (const rule of rules) {
        if (rule.dryRun && !withDryRun) continue;
        applicable = true;
        if ((rule.mask & bit) === 0 || !(rule.anyPrincipal || rule.principals.has(principal)) || !rule.hosts.matches(host)) continue;
        if (rule.deny) denies = addOnce(denies, rule);
        else allows = addOnce(allows, rule);
      }
    });
    if (denies) return { allowed: false, reason: 'deny-rule', rules: inPolicyOrder(denies) };
    if (allows) return { allowed: true, reason: 'allow-rule', rules: inPolicyOrder(allows) };
    if (applicable) return { allowed: false, reason: 'no-matching-allow', rules: [] };
    return this.policy.allowEveryoneIfNoAclFound
      ? { allowed: true, reason: 'no-acl-allow-everyone', rules: [] }
      : { allowed: false, reason: 'no-acl-default-deny', rules: [] };
  }

  // §1.7 step 2: exact operation or ALL, no implication; DENY `*` first, then ALLOW `*`, then an
  // ALLOW pattern that no DENY covers.
  private scanResourceType(
    principal: string,
    host: ClientHost,
    operation: RequestOperation,
    type: ResourceType,
    withDryRun: boolean,
  ): Verdict {
    const bit = operationBit(operation);
    const denyLiterals = new Set<string>();
    const denyPrefixes: string[] = [];
    const allowLiterals: { name: string; rule: PolicyRule }[] = [];
    const allowPrefixes: { name: string; rule: PolicyRule }[] = [];
    for (const { rule, pattern } of this.indexes.get(type)!.bindings) {
      if (rule.dryRun && !withDryRun) continue;
      if ((rule.exactMask & bit) === 0 || !(rule.anyPrincipal || rule.principals.has(principal)) || !rule.hosts.matches(host)) continue;
      const literal = pattern.patternType === 'LITERAL';
      if (rule.deny) {
        if (literal) denyLiterals.add(pattern.name);
        else denyPrefixes.push(pattern.name);
      } else (literal ? allowLiterals : allowPrefixes).push({ name: pattern.name, rule: rule.rule });
    }
    const denied = (reason: Verdict['reason']): Verdict => ({ allowed: false, reason, rules: [] });
    if (denyLiterals.has(WILDCARD_RESOURCE)) return denied('resource-type-scan');
    const coveredByDenyPrefix = (name: string) => denyPrefixes.some((prefix) => name.startsWith(prefix));
    const grant =
      allowLiterals.find((a) => a.name === WILDCARD_RESOURCE) ??
      allowLiterals.find((a) => !denyLiterals.has(a.name) && !coveredByDenyPrefix(a.name)) ??
      allowPrefixes.find((a) => !coveredByDenyPrefix(a.name));
    return grant ? { allowed: true, reason: 'resource-type-scan', rules: [grant.rule] } : denied('resource-type-scan');
  }
}

const SUPER_USER: Verdict = { allowed: true, reason: 'super-user', rules: [] };

/** The rule audit events and `policy explain` name when a reserved topic is refused. */
function reservedTopicRule(topics: readonly string[]): PolicyRule {
  return {
    id: 'gatehouse:reserved-topic',
    description: 'the managed ACL topic: no client may use it through the gateway (authorization.managedAcls)',
    permission: 'DENY',
    operations: ['ALL'],
    principalRefs: ['User:*'],
    principals: ['User:*'],
    hosts: ['*'],
    resources: topics.map((name) => ({ type: 'TOPIC' as const, patternType: 'LITERAL' as const, name })),
    mode: 'enforce',
  };
}

function addOnce(list: CompiledRule[] | undefined, rule: CompiledRule): CompiledRule[] {
  if (!list) return [rule];
  if (!list.includes(rule)) list.push(rule);
  return list;
}

function inPolicyOrder(rules: CompiledRule[]): PolicyRule[] {
  if (rules.length > 1) rules.sort((a, b) => a.order - b.order);
  return rules.map((r) => r.rule);
}
