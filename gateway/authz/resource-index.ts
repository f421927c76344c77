// The per-resource-type index: which rules apply to a resource name (spec §1.6 step 3) without
// scanning the policy. Literal names are a map lookup, `*` is one list, prefixes are grouped by
// length so a lookup costs one map probe per distinct prefix length.
import { exactOperationMask, operationMask, WILDCARD_PRINCIPAL, WILDCARD_RESOURCE, type ResourceType } from './model.ts';
import { HostMatcher, parseHost, type HostSpec } from './host.ts';
import type { PolicyRule, ResourcePattern } from './policy.ts';

/** A rule prepared for matching: everything but the resource is checked from here. */
export interface CompiledRule {
  readonly rule: PolicyRule;
  /** Position in the policy, to report rules in the order they were written. */
  readonly order: number;
  readonly deny: boolean;
  readonly dryRun: boolean;
  /** Request operations this rule matches (ALLOW includes implied operations). */
  readonly mask: number;
  /** Exactly its operations (or all for ALL): what §1.7 scans for. */
  readonly exactMask: number;
  readonly anyPrincipal: boolean;
  readonly principals: ReadonlySet<string>;
  readonly hosts: HostMatcher;
}

export function compileRule(rule: PolicyRule, order: number): CompiledRule {
  return {
    rule,
    order,
    deny: rule.permission === 'DENY',
    dryRun: rule.mode === 'dry-run',
    mask: operationMask(rule.permission, rule.operations),
    exactMask: exactOperationMask(rule.operations),
    anyPrincipal: rule.principals.includes(WILDCARD_PRINCIPAL),
    principals: new Set(rule.principals),
    hosts: new HostMatcher(rule.hosts.map((h) => parseHost(h)).filter((h): h is HostSpec => !('error' in h))),
  };
}

export interface Binding {
  readonly rule: CompiledRule;
  readonly pattern: ResourcePattern;
}

export class ResourceIndex {
  private readonly literal = new Map<string, CompiledRule[]>();
  private readonly wildcard: CompiledRule[] = [];
  private readonly prefixedByLength = new Map<number, Map<string, CompiledRule[]>>();
  private prefixLengths: number[] = [];
  /** Every (rule, pattern) of this type, for the §1.7 scan and for tooling. */
  readonly bindings: Binding[] = [];

  constructor(readonly type: ResourceType) {}

  add(rule: CompiledRule, pattern: ResourcePattern): void {
    this.bindings.push({ rule, pattern });
    if (pattern.patternType === 'LITERAL' && pattern.name === WILDCARD_RESOURCE) {
      this.wildcard.push(rule);
      return;
    }
    if (pattern.patternType === 'LITERAL') {
      pushTo(this.literal, pattern.name, rule);
      return;
    }
    let byName = this.prefixedByLength.get(pattern.name.length);
    if (!byName) {
      byName = new Map();
      this.prefixedByLength.set(pattern.name.length, byName);
      this.prefixLengths = [...this.prefixedByLength.keys()].sort((a, b) => a - b);
    }
    pushTo(byName, pattern.name, rule);
  }

  /** Calls `visit` with each non-empty list of rules applicable to `name`. */
  forEachApplicable(name: string, visit: (rules: readonly CompiledRule[]) => void): void {
    const literal = this.literal.get(name);
    if (literal) visit(literal);
    if (this.wildcard.length > 0) visit(this.wildcard);
    for (const length of this.prefixLengths) {
      if (length > name.length) break;
      const rules = this.prefixedByLength.get(length)!.get(name.slice(0, length));
      if (rules) visit(rules);
    }
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
