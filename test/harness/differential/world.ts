// The differential world, written once: principals, resources and the ACL list both sides get. The list
// is rendered as `kafka-acls` command lines for the secured broker and as a Gatehouse policy for the
// gateway, so the two can only differ where the systems do.
// Names stay clear of StandardAuthorizer's known bugs (nothing starts with '*' or a character sorting
// before it; no principal is literally User:*).
import { stringify } from 'yaml';

export const PRINCIPALS = ['alice', 'bob', 'carol', 'admin'] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];
export const SUPER_USER: PrincipalName = 'admin';

/** Topics made in setup (name → partitions); `diff.missing` never exists. */
export const TOPICS: Readonly<Record<string, number>> = {
  'diff.allowed': 2,
  'diff.readonly': 1,
  'diff.denied': 1,
  'diff.describe': 1,
};
export const MISSING_TOPIC = 'diff.missing';
/** Groups that get committed offsets (by the super user) for these topics, so OffsetFetch has data. */
export const GROUPS = ['g.allowed', 'g.denied'] as const;
export const OFFSET_TOPICS = ['diff.allowed', 'diff.readonly', 'diff.denied'] as const;
export const TRANSACTIONAL_IDS = ['tx.allowed', 'tx.denied'] as const;
/** Records produced to every partition of every topic in setup. */
export const RECORDS_PER_PARTITION = 3;

type ResourceKind = 'topic' | 'group' | 'transactionalId' | 'cluster';
export type AclRule = {
  id: string;
  principal: PrincipalName;
  /** Kafka operation names (kafka-acls spelling in upper snake case). */
  operations: string[];
  pattern: 'LITERAL' | 'PREFIXED';
  resources: Array<{ kind: ResourceKind; name: string }>;
};

/** The one ACL list (every entry ALLOW: the world needs no DENY to stage every scenario). */
export const ACLS: readonly AclRule[] = [
  {
    id: 'alice-own',
    principal: 'alice',
    operations: ['ALL'],
    pattern: 'LITERAL',
    resources: [
      { kind: 'topic', name: 'diff.allowed' },
      { kind: 'group', name: 'g.allowed' },
      { kind: 'transactionalId', name: 'tx.allowed' },
    ],
  },
  {
    id: 'alice-readonly',
    principal: 'alice',
    operations: ['READ'],
    pattern: 'LITERAL',
    resources: [{ kind: 'topic', name: 'diff.readonly' }],
  },
  {
    id: 'alice-describe',
    principal: 'alice',
    operations: ['DESCRIBE'],
    pattern: 'LITERAL',
    resources: [{ kind: 'topic', name: 'diff.describe' }],
  },
  {
    id: 'alice-created',
    principal: 'alice',
    operations: ['CREATE', 'DELETE', 'ALTER', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'DESCRIBE', 'WRITE', 'READ'],
    pattern: 'PREFIXED',
    resources: [{ kind: 'topic', name: 'diff.created.' }],
  },
  {
    id: 'bob-denied-for-alice',
    principal: 'bob',
    operations: ['ALL'],
    pattern: 'LITERAL',
    resources: [
      { kind: 'topic', name: 'diff.denied' },
      { kind: 'group', name: 'g.denied' },
      { kind: 'transactionalId', name: 'tx.denied' },
    ],
  },
  {
    id: 'carol-everything',
    principal: 'carol',
    operations: ['ALL'],
    pattern: 'LITERAL',
    resources: [
      { kind: 'cluster', name: 'kafka-cluster' },
      { kind: 'topic', name: '*' },
      { kind: 'group', name: '*' },
      { kind: 'transactionalId', name: '*' },
    ],
  },
];

const TOOL_RESOURCE_FLAG: Record<ResourceKind, string> = {
  topic: '--topic',
  group: '--group',
  transactionalId: '--transactional-id',
  cluster: '--cluster',
};

/** `kafka-acls --add` arguments (after the connection options), one tool run per rule. */
export function kafkaAclsArgs(rule: AclRule): string[] {
  // The tool spells operations in Pascal case (DescribeConfigs); DESCRIBE_CONFIGS would be misread.
  const pascal = (op: string) =>
    op
      .toLowerCase()
      .split('_')
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join('');
  const operationArgs = rule.operations.flatMap((op) => ['--operation', pascal(op)]);
  const resourceArgs = rule.resources.flatMap((r) => (r.kind === 'cluster' ? ['--cluster'] : [TOOL_RESOURCE_FLAG[r.kind], r.name]));
  return [
    '--add',
    '--allow-principal',
    `User:${rule.principal}`,
    ...operationArgs,
    ...resourceArgs,
    '--resource-pattern-type',
    rule.pattern.toLowerCase(),
    '--force',
  ];
}

/** The same list as a Gatehouse policy file (YAML). */
export function gatewayPolicyYaml(): string {
  return stringify({
    version: 1,
    superUsers: [`User:${SUPER_USER}`],
    allowEveryoneIfNoAclFound: false,
    rules: ACLS.map((rule) => ({
      id: rule.id,
      allow: rule.operations,
      principals: [`User:${rule.principal}`],
      resources: rule.resources.map((r) => ({ [r.kind]: rule.pattern === 'PREFIXED' ? { prefix: r.name } : r.name })),
    })),
  });
}

/** Kafka's ssl.principal.mapping.rules for both sides: a certificate CN=alice is User:alice. */
export const PRINCIPAL_MAPPING_RULES = 'RULE:^CN=([^,]+).*$/$1/,DEFAULT';
