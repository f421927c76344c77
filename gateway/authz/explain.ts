// `policy explain`: the decision plus every rule that applies to the resource and, for each, what
// made it match or not. Tooling path: clarity over speed.
import type { CompiledPolicy } from './compiled-policy.ts';
import type { Decision } from './decision.ts';
import { clientHost } from './host.ts';
import { operationBit, WILDCARD_RESOURCE, type RequestOperation, type ResourceType } from './model.ts';
import type { PolicyRule, ResourcePattern } from './policy.ts';

export interface ExplainRequest {
  readonly principal: string;
  readonly host: string;
  readonly operation: RequestOperation;
  readonly resourceType: ResourceType;
  readonly resourceName: string;
}

export interface ConsideredRule {
  readonly rule: PolicyRule;
  /** The pattern through which the rule applies to the resource. */
  readonly pattern: ResourcePattern;
  /** Why it does not match the request; undefined when it matches. */
  readonly mismatch?: 'principal' | 'host' | 'operation';
}

export interface Explanation {
  readonly decision: Decision;
  readonly superUser: boolean;
  readonly considered: readonly ConsideredRule[];
}

export function explain(policy: CompiledPolicy, request: ExplainRequest): Explanation {
  const host = clientHost(request.host);
  const decision = policy.authorize(request.principal, host, request.operation, request.resourceType, request.resourceName);
  const considered = policy
    .index(request.resourceType)
    .bindings.filter(({ pattern }) => patternApplies(pattern, request.resourceName))
    .map(({ rule, pattern }): ConsideredRule => {
      const mismatch =
        !rule.anyPrincipal && !rule.principals.has(request.principal)
          ? 'principal'
          : !rule.hosts.matches(host)
            ? 'host'
            : (rule.mask & operationBit(request.operation)) === 0
              ? 'operation'
              : undefined;
      return { rule: rule.rule, pattern, mismatch };
    });
  return { decision, superUser: policy.isSuperUser(request.principal), considered };
}

/** Spec §1.6 step 3: literal same name, literal `*`, or a prefix of the name. */
export function patternApplies(pattern: ResourcePattern, name: string): boolean {
  if (pattern.patternType === 'PREFIXED') return name.startsWith(pattern.name);
  return pattern.name === name || pattern.name === WILDCARD_RESOURCE;
}
