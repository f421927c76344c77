// Managed ACLs (created through CreateAcls, kept by a ManagedAclStore) as policy rules and as policy YAML.
// One rule per binding, so the compiled policy decides with them exactly as with hand-written rules; and
// one YAML shape for them, a valid policy file, which both the file store and `gatehouse policy export`
// write, and which the policy loader reads back to the same bindings.
import { createHash } from 'node:crypto';
import { Document, isScalar, visit } from 'yaml';
import { parseHost } from '../host.ts';
import { buildPolicy, formatPolicyError } from '../policy-loader.ts';
import { parsePolicyFile, RESOURCE_KEYS } from '../policy-file.ts';
import type { Policy, PolicyError, PolicyRule, ResourcePattern } from '../policy.ts';
import { bindingKey, type AclBinding } from './acl-binding.ts';

/** Ids of managed rules start with this; hand-written rules always carry a `source`, managed ones never. */
export const MANAGED_RULE_PREFIX = 'managed:';

/** A short id that stays the same for the same binding (across restarts, instances and stores). */
export function managedRuleId(binding: AclBinding): string {
  return MANAGED_RULE_PREFIX + createHash('sha256').update(bindingKey(binding)).digest('hex').slice(0, 12);
}

/** Whether a rule of a compiled policy came from the managed rule set (not from a policy file). */
export function isManagedRule(rule: PolicyRule): boolean {
  return rule.source === undefined && rule.id.startsWith(MANAGED_RULE_PREFIX);
}

/** Whether the policy would read this host as an address range (Kafka reads every host as a plain string). */
function isCidrHost(host: string): boolean {
  const spec = parseHost(host);
  return 'kind' in spec && spec.kind === 'cidr';
}

/** The policy rules the managed bindings mean: one per binding, enforced, without a source file. */
export function managedRules(bindings: readonly AclBinding[]): PolicyRule[] {
  return bindings.map((b) => ({
    id: managedRuleId(b),
    permission: b.permission,
    operations: [b.operation],
    principalRefs: [b.principal],
    principals: [b.principal],
    // Kafka compares an ACL's host with the client's address as strings. A host the policy would read
    // as a CIDR ('10.0.0.0/8') therefore never matches in Kafka; with no hosts the rule still makes the
    // resource "have ACLs" (as in Kafka) but matches no client, instead of widening to the range.
    hosts: isCidrHost(b.host) ? [] : [b.host],
    resources: [b.resource],
    mode: 'enforce',
  }));
}

/** The YAML policy policy-file key of a resource type (`TOPIC` → `topic`). */
const KEY_OF_TYPE = Object.fromEntries(Object.entries(RESOURCE_KEYS).map(([key, type]) => [type, key]));

function resourceYaml(resource: ResourcePattern): Record<string, unknown> {
  const key = KEY_OF_TYPE[resource.type];
  return { [key]: resource.patternType === 'PREFIXED' ? { prefix: resource.name } : resource.name };
}

function ruleYaml(binding: AclBinding): Record<string, unknown> {
  return {
    id: managedRuleId(binding),
    [binding.permission === 'ALLOW' ? 'allow' : 'deny']: [binding.operation],
    principals: [binding.principal],
    ...(binding.host === '*' ? {} : { hosts: [binding.host] }),
    resources: [resourceYaml(binding.resource)],
  };
}

const DEFAULT_HEADER = [
  'Managed ACLs: created and deleted with the Kafka ACL APIs (kafka-acls, AdminClient) through Gatehouse.',
  'A valid policy file: `gatehouse policy check` reads it; move rules into your own policy files to keep them in version control.',
];

/** A policy file holding exactly these bindings, one rule each, in their order. */
export function managedPolicyYaml(bindings: readonly AclBinding[], header: readonly string[] = DEFAULT_HEADER): string {
  const comment = header.map((line) => `# ${line}\n`).join('');
  const doc = new Document({ version: 1, rules: bindings.map(ruleYaml) });
  // Lists of plain values on one line (`allow: [READ]`), as people write policy files.
  visit(doc, {
    Seq(_, seq) {
      if (seq.items.length > 0 && seq.items.every((item) => isScalar(item))) seq.flow = true;
    },
  });
  return comment + doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** Why these bindings cannot be written as a policy file that reads back to them, or undefined when they can. */
export function managedYamlProblem(bindings: readonly AclBinding[]): string | undefined {
  const text = managedPolicyYaml(bindings, []);
  const read = managedBindingsFromText('managed ACLs', text);
  if (!read.ok) return read.errors.map(formatPolicyError).join('; ');
  const got = new Set(read.bindings.map(bindingKey));
  const lost = bindings.filter((b) => !got.has(bindingKey(b)));
  if (lost.length > 0) return `cannot be written as a policy rule and read back: ${lost.map(describeBinding).join(', ')}`;
  const want = new Set(bindings.map(bindingKey));
  const extra = read.bindings.filter((b) => !want.has(bindingKey(b)));
  if (extra.length > 0) return `reads back as other bindings: ${extra.map(describeBinding).join(', ')}`;
  return undefined;
}

export type ManagedReadResult = { ok: true; bindings: AclBinding[] } | { ok: false; errors: PolicyError[] };

/**
 * The bindings a managed ACL file holds. The file may have been edited by hand: rules with several
 * principals, operations or resources expand to one binding each, and roles expand to their members.
 * What a Kafka ACL cannot mean is refused at its line, not dropped: superUsers, allowEveryoneIfNoAclFound,
 * mode (global or per rule) and CIDR hosts belong in a hand-written policy file.
 */
export function managedBindingsFromText(file: string, text: string): ManagedReadResult {
  const { fragment, errors } = parsePolicyFile(file, text);
  if (errors.length > 0) return { ok: false, errors };
  const refused: PolicyError[] = [];
  const notHere = 'a managed ACL file holds Kafka ACLs only; put this in a hand-written policy file';
  if (fragment.mode) refused.push({ ...fragment.mode.at, message: `mode: ${notHere}` });
  if (fragment.allowEveryoneIfNoAclFound)
    refused.push({ ...fragment.allowEveryoneIfNoAclFound.at, message: `allowEveryoneIfNoAclFound: ${notHere}` });
  for (const s of fragment.superUsers) refused.push({ ...s.at, message: `superUsers: ${notHere}` });
  for (const rule of fragment.rules) {
    if (rule.mode !== 'enforce') refused.push({ ...rule.source, message: `rule '${rule.id}': mode ${rule.mode}: ${notHere}` });
    for (const host of rule.hosts) {
      if (isCidrHost(host)) refused.push({ ...rule.source, message: `rule '${rule.id}': CIDR host ${host}: ${notHere}` });
    }
  }
  if (refused.length > 0) return { ok: false, errors: refused };
  const built = buildPolicy([{ file, text }]);
  if (!built.ok) return built;
  return { ok: true, bindings: bindingsOfPolicy(built.policy) };
}

/** Every binding a policy's rules mean (principal × host × operation × resource), without duplicates, in order. */
export function bindingsOfPolicy(policy: Pick<Policy, 'rules'>): AclBinding[] {
  const seen = new Set<string>();
  const out: AclBinding[] = [];
  for (const rule of policy.rules) {
    for (const resource of rule.resources)
      for (const principal of rule.principals)
        for (const host of rule.hosts)
          for (const operation of rule.operations) {
            const binding: AclBinding = { resource, principal, host, operation, permission: rule.permission };
            const key = bindingKey(binding);
            if (seen.has(key)) continue;
            seen.add(key);
            out.push(binding);
          }
  }
  return out;
}

/** One binding as one line, in kafka-acls' words (for messages and logs). */
export function describeBinding(b: AclBinding): string {
  return `(principal=${b.principal}, host=${b.host}, operation=${b.operation}, permissionType=${b.permission}) on ${b.resource.type}:${b.resource.patternType}:${b.resource.name}`;
}
