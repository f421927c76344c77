// Test helpers: build policies from one-line ACLs written as the spec writes them, e.g.
// "User:alice ALLOW READ TOPIC pay. PREFIXED host 10.0.0.6".
import { CompiledPolicy } from '../../../gateway/authz/compiled-policy.ts';
import { isOperation, isResourceType } from '../../../gateway/authz/model.ts';
import type { Policy, PolicyRule, RuleMode } from '../../../gateway/authz/policy.ts';

let counter = 0;

export function acl(text: string, extra: Partial<PolicyRule> = {}): PolicyRule {
  const [principal, permission, operation, type, name, ...rest] = text.split(/\s+/);
  if (permission !== 'ALLOW' && permission !== 'DENY') throw new Error(`bad permission in '${text}'`);
  if (!isOperation(operation) || !isResourceType(type)) throw new Error(`bad operation/type in '${text}'`);
  const patternType = rest[0] === 'PREFIXED' ? 'PREFIXED' : 'LITERAL';
  const hostAt = rest.indexOf('host');
  return {
    id: `acl-${++counter}`,
    permission,
    operations: [operation],
    principalRefs: [principal],
    principals: [principal],
    hosts: [hostAt === -1 ? '*' : rest[hostAt + 1]],
    resources: [{ type, patternType, name }],
    mode: 'enforce',
    ...extra,
  };
}

export interface PolicyOptions {
  superUsers?: string[];
  allowEveryoneIfNoAclFound?: boolean;
  mode?: RuleMode;
}

export function policyOf(rules: PolicyRule[], options: PolicyOptions = {}): Policy {
  return {
    superUsers: options.superUsers ?? [],
    allowEveryoneIfNoAclFound: options.allowEveryoneIfNoAclFound ?? false,
    mode: options.mode ?? 'enforce',
    roles: new Map(),
    rules,
    files: [],
    digest: 'test',
  };
}

export function compiled(rules: (string | PolicyRule)[], options: PolicyOptions = {}): CompiledPolicy {
  return new CompiledPolicy(
    policyOf(
      rules.map((r) => (typeof r === 'string' ? acl(r) : r)),
      options,
    ),
  );
}
