// Warnings for a valid policy: things Kafka accepts but that are almost certainly not what the
// author meant (rules that never match, allows that a deny fully cancels, unusual principal types).
import { canEverMatch, parseHost, type HostSpec } from './host.ts';
import { DEFAULT_PRINCIPAL_TYPE, parsePrincipal } from '../common/principal.ts';
import { OPERATIONS_BY_RESOURCE_TYPE, operationBit, operationMask, WILDCARD_PRINCIPAL, WILDCARD_RESOURCE } from './model.ts';
import type { Policy, PolicyRule, ResourcePattern, SourceLocation } from './policy.ts';

export interface PolicyWarning {
  readonly at?: SourceLocation;
  readonly ruleId?: string;
  readonly message: string;
}

export function lintPolicy(policy: Policy): PolicyWarning[] {
  return [...principalWarnings(policy), ...policy.rules.flatMap((rule) => neverMatchWarnings(policy, rule)), ...shadowWarnings(policy)];
}

function principalWarnings(policy: Policy): PolicyWarning[] {
  const warnings: PolicyWarning[] = [];
  const seen = new Set<string>();
  const check = (principal: string, where: Pick<PolicyWarning, 'at' | 'ruleId'>) => {
    if (seen.has(principal) || principal === WILDCARD_PRINCIPAL) return;
    seen.add(principal);
    const parsed = parsePrincipal(principal);
    if (!parsed || parsed.type === DEFAULT_PRINCIPAL_TYPE) return;
    const message =
      parsed.name === '*'
        ? `'${principal}' is not a wildcard: only ${WILDCARD_PRINCIPAL} matches every principal; this matches a principal named '*'`
        : `unknown principal type '${parsed.type}' in '${principal}': Kafka's default principal builder only produces ${DEFAULT_PRINCIPAL_TYPE}:…; it matches only if authentication maps clients to this type`;
    warnings.push({ ...where, message });
  };
  for (const principal of policy.superUsers) check(principal, {});
  for (const [role, members] of policy.roles) for (const member of members) check(member, { ruleId: `role:${role}` });
  for (const rule of policy.rules) for (const principal of rule.principals) check(principal, { at: rule.source, ruleId: rule.id });
  return warnings;
}

function neverMatchWarnings(policy: Policy, rule: PolicyRule): PolicyWarning[] {
  const warn = (message: string): PolicyWarning => ({ at: rule.source, ruleId: rule.id, message });
  const warnings: PolicyWarning[] = [];
  if (rule.principals.length === 0) warnings.push(warn('rule can never match: its roles have no members'));
  else if (rule.principals.every((p) => policy.superUsers.includes(p))) {
    warnings.push(warn('rule never decides anything: all its principals are super users, who bypass rules'));
  }
  const hosts = rule.hosts.map((h) => ({ text: h, spec: parseHost(h) as HostSpec }));
  const dead = hosts.filter((h) => !canEverMatch(h.spec));
  if (dead.length > 0) {
    const all = dead.length === hosts.length;
    warnings.push(
      warn(
        `${all ? 'rule can never match: ' : ''}host${dead.length > 1 ? 's' : ''} ${dead.map((h) => `'${h.text}'`).join(', ')} ` +
          'never match: hosts are compared with the client IP address (use an IP, a CIDR or "*")',
      ),
    );
  }
  return warnings;
}

function shadowWarnings(policy: Policy): PolicyWarning[] {
  const denies = policy.rules.filter((r) => r.permission === 'DENY' && r.mode === 'enforce');
  return policy.rules.flatMap((allow) => {
    if (allow.permission !== 'ALLOW' || allow.principals.length === 0) return [];
    const shadow = denies.find((deny) => covers(deny, allow));
    return shadow
      ? [
          {
            at: allow.source,
            ruleId: allow.id,
            message: `allow rule '${allow.id}' is shadowed: deny rule '${shadow.id}' denies everything it allows`,
          },
        ]
      : [];
  });
}

/** Whether one DENY rule alone denies every request the ALLOW rule would allow. */
function covers(deny: PolicyRule, allow: PolicyRule): boolean {
  const anyPrincipal = deny.principals.includes(WILDCARD_PRINCIPAL);
  if (!anyPrincipal && !allow.principals.every((p) => deny.principals.includes(p))) return false;
  if (!deny.hosts.includes('*') && !allow.hosts.every((h) => deny.hosts.includes(h))) return false;
  const denied = operationMask('DENY', deny.operations);
  const allowed = operationMask('ALLOW', allow.operations);
  return allow.resources.every((resource) => {
    const relevant = OPERATIONS_BY_RESOURCE_TYPE[resource.type].reduce((mask, op) => mask | operationBit(op), 0);
    return (allowed & relevant & ~denied) === 0 && deny.resources.some((pattern) => patternCovers(pattern, resource));
  });
}

function patternCovers(outer: ResourcePattern, inner: ResourcePattern): boolean {
  if (outer.type !== inner.type) return false;
  if (outer.patternType === 'LITERAL') {
    return outer.name === WILDCARD_RESOURCE || (inner.patternType === 'LITERAL' && inner.name === outer.name);
  }
  return inner.name.startsWith(outer.name) && !(inner.patternType === 'LITERAL' && inner.name === WILDCARD_RESOURCE);
}
