// Turns `kafka-acls --list` output into a policy file, so a cluster's ACLs carry over unchanged.
// Reads the Kafka 2.1+ format (ResourcePattern(...) / (principal=..., permissionType=...)) and the
// older one (`Topic:LITERAL:orders` / "User:alice has Allow permission for operations: Read from
// hosts: *"). ACLs grouped into rules: one rule per permission, principal, host and operation set.
import { Document } from 'yaml';
import { isOperation, isOperationValidFor, isResourceType, type Operation, type Permission } from './model.ts';
import type { ResourcePattern } from './policy.ts';
import { compactPolicyDocument, principalSlug, resourceEntry } from './policy-yaml-writer.ts';

export interface KafkaAcl {
  readonly resource: ResourcePattern;
  readonly principal: string;
  readonly host: string;
  readonly operation: Operation;
  readonly permission: Permission;
}

export interface ImportResult {
  readonly acls: KafkaAcl[];
  /** Lines that looked like ACLs but could not be carried over, and why. */
  readonly warnings: string[];
}

const NEW_RESOURCE = /ResourcePattern\(resourceType=(\w+), name=(.*), patternType=(\w+)\)/;
const NEW_ENTRY = /^\s*\(principal=(.*), host=([^,]*), operation=(\w+), permissionType=(\w+)\)\s*$/;
const OLD_RESOURCE = /^Current ACLs for resource `(\w+):(?:(LITERAL|PREFIXED):)?(.*)`:\s*$/;
const OLD_ENTRY = /^\s*(.*) has (Allow|Deny) permission for operations: (\w+) from hosts: (.*?)\s*$/;

/** `IdempotentWrite` / `IDEMPOTENT_WRITE` / `TransactionalId` → the enum spelling. */
function enumName(text: string): string {
  return /[a-z]/.test(text) ? text.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() : text;
}

export function parseKafkaAclsList(text: string): ImportResult {
  const acls: KafkaAcl[] = [];
  const warnings: string[] = [];
  let resource: ResourcePattern | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    const modern = NEW_RESOURCE.exec(line);
    const legacy = modern ? null : OLD_RESOURCE.exec(line);
    if (modern || legacy) {
      const [type, name, pattern] = modern ? [modern[1], modern[2], modern[3]] : [legacy![1], legacy![3], legacy![2] ?? 'LITERAL'];
      const resourceType = enumName(type);
      resource = undefined;
      if (!isResourceType(resourceType) || (pattern !== 'LITERAL' && pattern !== 'PREFIXED')) {
        warnings.push(`line ${index + 1}: unsupported resource ${type}/${pattern}; its ACLs are skipped`);
      } else resource = { type: resourceType, patternType: pattern, name };
      return;
    }
    const entry = NEW_ENTRY.exec(line);
    const old = entry ? undefined : OLD_ENTRY.exec(line);
    if (!entry && !old) return;
    const [principal, host, operationText, permissionText] = entry ? entry.slice(1) : [old![1], old![4], old![3], old![2]];
    const operation = enumName(operationText);
    const permission = permissionText.toUpperCase();
    const where = `line ${index + 1}`;
    if (!resource) return void warnings.push(`${where}: ACL outside a supported resource; skipped`);
    if (!isOperation(operation) || (permission !== 'ALLOW' && permission !== 'DENY')) {
      return void warnings.push(`${where}: unknown operation or permission '${operationText}'/'${permissionText}'; skipped`);
    }
    if (!isOperationValidFor(operation, resource.type)) {
      return void warnings.push(
        `${where}: ${permission} ${operation} on ${resource.type} is not valid in a policy; skipped (review it by hand)`,
      );
    }
    // The old format lists several hosts comma-separated for one permission/operation.
    for (const each of host.split(',').map((h) => h.trim())) acls.push({ resource, principal, host: each, operation, permission });
  });
  return { acls, warnings };
}

interface ImportedRule {
  id: string;
  description: string;
  allow?: Operation[];
  deny?: Operation[];
  principals: string[];
  hosts?: string[];
  resources: Record<string, string | { prefix: string }>[];
}

/** Groups ACLs into rules: same permission, principal, host and operations share one rule. */
export function aclsToRules(acls: readonly KafkaAcl[]): ImportedRule[] {
  const operations = new Map<string, { acl: KafkaAcl; ops: Operation[] }>();
  for (const acl of acls) {
    const key = JSON.stringify([acl.permission, acl.principal, acl.host, acl.resource]);
    const group = operations.get(key) ?? { acl, ops: [] };
    if (!group.ops.includes(acl.operation)) group.ops.push(acl.operation);
    operations.set(key, group);
  }
  const rules = new Map<string, { acl: KafkaAcl; ops: Operation[]; resources: ResourcePattern[] }>();
  for (const { acl, ops } of operations.values()) {
    const key = JSON.stringify([acl.permission, acl.principal, acl.host, [...ops].sort(), acl.resource.type]);
    const rule = rules.get(key) ?? { acl, ops, resources: [] };
    rule.resources.push(acl.resource);
    rules.set(key, rule);
  }
  const used = new Map<string, number>();
  return [...rules.values()].map(({ acl, ops, resources }) => {
    const base = `${acl.permission.toLowerCase()}-${principalSlug(acl.principal)}-${acl.resource.type.toLowerCase().replace(/_/g, '-')}`;
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    return {
      id: n === 1 ? base : `${base}-${n}`,
      description: `Imported from kafka-acls: ${acl.permission} ${acl.principal} from ${acl.host}`,
      [acl.permission === 'ALLOW' ? 'allow' : 'deny']: ops,
      principals: [acl.principal],
      ...(acl.host === '*' ? {} : { hosts: [acl.host] }),
      resources: resources.map(resourceEntry),
    };
  });
}

/** The policy file text for imported ACLs, with a header saying where it came from. */
export function importedPolicyYaml(result: ImportResult, source: string): string {
  const doc = new Document({ version: 1, allowEveryoneIfNoAclFound: false, rules: aclsToRules(result.acls) });
  compactPolicyDocument(doc);
  doc.commentBefore = [
    ` Imported from kafka-acls --list output (${source}): ${result.acls.length} ACLs.`,
    ' super.users and allow.everyone.if.no.acl.found are broker settings: copy them by hand.',
    ...result.warnings.map((w) => ` WARNING ${w}`),
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}
