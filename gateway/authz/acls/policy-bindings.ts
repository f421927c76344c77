// The YAML policy as Kafka ACL bindings, for DescribeAcls and the policy's own tools. One rule means
// every (resource pattern × principal × host × operation) with its permission; that expansion is listed
// in policy order (files in load order, rules as written, each list as written), each binding once
// (the first rule that yields it is its source).
//
// Rules Kafka cannot say exactly are listed as the closest bindings with an `approximation` note, never
// dropped: a CIDR host (Kafka compares hosts string-equal), dry-run (Kafka has no such mode), a
// principal reached through a role (Kafka has no roles). Super users are not ACLs in Kafka either
// (`super.users` is broker config, DescribeAcls never lists it), so they are not listed; nor is
// `allowEveryoneIfNoAclFound`, which is the broker setting of the same name.
import { parseHost } from '../host.ts';
import { ROLE_PREFIX, type Policy, type PolicyRule, type SourceLocation } from '../policy.ts';
import { bindingKey, type AclBinding, type ListedBinding } from './acl-binding.ts';

const DRY_RUN_RULE = 'dry-run: logged, not enforced';
const DRY_RUN_POLICY = 'dry-run (whole policy): logged, not enforced';

/** Every binding the policy's rules mean, de-duplicated, in policy order. */
export function policyBindings(policy: Policy): ListedBinding[] {
  const seen = new Set<string>();
  const out: ListedBinding[] = [];
  for (const rule of policy.rules) {
    for (const { binding, notes } of ruleBindings(policy, rule)) {
      const key = bindingKey(binding);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        binding,
        source: {
          kind: 'policy-file',
          ruleId: rule.id,
          ...(rule.source ? { location: rule.source } : {}),
          ...(notes.length > 0 ? { approximation: notes.join('; ') } : {}),
        },
      });
    }
  }
  return out;
}

/**
 * One line per rule whose bindings are approximations (or that yields none), naming where it is
 * written: for `gatehouse policy check`.
 */
export function bindingApproximations(policy: Policy): string[] {
  const lines: string[] = [];
  for (const rule of policy.rules) {
    const notes = new Set<string>();
    if (rule.principals.length === 0) {
      notes.add('no principal (its roles have no members): no Kafka binding, yet its resources count as having ACLs');
    }
    for (const expanded of ruleBindings(policy, rule)) for (const note of expanded.notes) notes.add(note);
    if (notes.size > 0) lines.push(`${ruleWhere(rule.id, rule.source)}: ${[...notes].join('; ')}`);
  }
  return lines;
}

/** `team.yaml:12 (rule orders-read)`: how the policy's tools (and DeleteAcls, from a binding's source) name a rule. */
export function ruleWhere(ruleId: string, location?: SourceLocation): string {
  const at = location ? `${location.file}:${location.line} ` : '';
  return `${at}(rule ${ruleId})`;
}

/** One binding of a rule, with how it differs from what the rule means (empty: exact). */
interface ExpandedBinding {
  readonly binding: AclBinding;
  readonly notes: readonly string[];
}

function ruleBindings(policy: Policy, rule: PolicyRule): ExpandedBinding[] {
  const hosts = rule.hosts.map(bindingHost);
  const roleOf = principalRoles(policy, rule);
  const dryRun = policy.mode === 'dry-run' ? DRY_RUN_POLICY : rule.mode === 'dry-run' ? DRY_RUN_RULE : undefined;
  const out: ExpandedBinding[] = [];
  for (const resource of rule.resources) {
    for (const principal of rule.principals) {
      for (const host of hosts) {
        for (const operation of rule.operations) {
          out.push({
            binding: { resource, principal, host: host.text, operation, permission: rule.permission },
            notes: [host.note, roleOf.get(principal), dryRun].filter((n): n is string => n !== undefined),
          });
        }
      }
    }
  }
  return out;
}

/**
 * The host as a Kafka binding carries it: `*`, or an address in Java's rendering (the form a broker
 * compares with, so "::1" is shown as "0:0:0:0:0:0:0:1" — the same host for both); a CIDR as written,
 * with a note, since Kafka would compare it string-equal with client addresses.
 */
function bindingHost(written: string): { text: string; note?: string } {
  const spec = parseHost(written);
  if ('error' in spec) return { text: written };
  switch (spec.kind) {
    case 'any':
      return { text: '*' };
    case 'exact':
      return { text: spec.rendered };
    case 'cidr':
      return {
        text: written,
        note: `host ${written} is a CIDR: Kafka would match only that literal string; the gateway matches the range`,
      };
  }
}

/** Principal → note, for the principals this rule reaches only through a role. */
function principalRoles(policy: Policy, rule: PolicyRule): Map<string, string> {
  const direct = new Set(rule.principalRefs.filter((ref) => !ref.startsWith(ROLE_PREFIX)));
  const notes = new Map<string, string>();
  for (const ref of rule.principalRefs) {
    if (!ref.startsWith(ROLE_PREFIX)) continue;
    const role = ref.slice(ROLE_PREFIX.length);
    for (const member of policy.roles.get(role) ?? []) {
      if (direct.has(member) || notes.has(member)) continue;
      notes.set(member, `principal ${member} is a member of role ${role}: Kafka has no roles, one binding per member is shown`);
    }
  }
  return notes;
}
