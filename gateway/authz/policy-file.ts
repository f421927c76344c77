// Parses one policy file into a fragment. Everything that needs the other files (role names,
// duplicate ids, conflicting settings) is checked when fragments are merged (policy-loader.ts).
import {
  CLUSTER_NAME,
  isOperation,
  isOperationValidFor,
  OPERATIONS_BY_RESOURCE_TYPE,
  type Operation,
  type Permission,
  type ResourceType,
} from './model.ts';
import { parseHost } from './host.ts';
import { ROLE_PREFIX, type PolicyRule, type ResourcePattern, type RuleMode, type SourceLocation } from './policy.ts';
import { principalProblem } from '../common/principal.ts';
import { isMap, isSeq } from 'yaml';
import { readYaml, type YamlFile, type YamlNode } from './yaml-reader.ts';

export const POLICY_FORMAT_VERSION = '1';
export const RULE_MODES: readonly RuleMode[] = ['enforce', 'dry-run'];
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]*$/;

/** YAML key → resource type, in the order they are documented. */
export const RESOURCE_KEYS: Readonly<Record<string, ResourceType>> = {
  topic: 'TOPIC',
  group: 'GROUP',
  cluster: 'CLUSTER',
  transactionalId: 'TRANSACTIONAL_ID',
  delegationToken: 'DELEGATION_TOKEN',
  user: 'USER',
};
export const TOP_LEVEL_KEYS = ['version', 'mode', 'superUsers', 'allowEveryoneIfNoAclFound', 'roles', 'rules'] as const;
export const RULE_KEYS = ['id', 'description', 'allow', 'deny', 'principals', 'hosts', 'resources', 'mode'] as const;

export interface Located<T> {
  readonly value: T;
  readonly at: SourceLocation;
}

/** A rule whose principals still name roles; `principals` is filled in at merge time. */
export type DraftRule = Omit<PolicyRule, 'principals' | 'source'> & {
  readonly source: SourceLocation;
  readonly principalRefsAt: readonly SourceLocation[];
};

export interface PolicyFragment {
  readonly file: string;
  readonly mode?: Located<RuleMode>;
  readonly superUsers: readonly Located<string>[];
  readonly allowEveryoneIfNoAclFound?: Located<boolean>;
  readonly roles: readonly { name: string; members: readonly string[]; at: SourceLocation }[];
  readonly rules: readonly DraftRule[];
}

export function parsePolicyFile(fileName: string, text: string): { fragment: PolicyFragment; errors: YamlFile['errors'] } {
  const { file, root } = readYaml(fileName, text);
  const fragment: PolicyFragment = { file: fileName, superUsers: [], roles: [], rules: [] };
  if (file.errors.length > 0) return { fragment, errors: file.errors };
  const top = file.map(root, 'policy file', TOP_LEVEL_KEYS, ['version']);
  if (!top) return { fragment, errors: file.errors };

  const version = top.get('version');
  const versionText = version && file.string(version.value, 'version');
  if (versionText !== undefined && versionText !== POLICY_FORMAT_VERSION) {
    file.error(version!.value, `unsupported policy version '${versionText}'; this gateway reads version ${POLICY_FORMAT_VERSION}`);
  }
  const modeEntry = top.get('mode');
  const mode = modeEntry && file.oneOf(modeEntry.value, 'mode', RULE_MODES);
  const everyoneEntry = top.get('allowEveryoneIfNoAclFound');
  const everyone = everyoneEntry && file.boolean(everyoneEntry.value, 'allowEveryoneIfNoAclFound');
  const superEntry = top.get('superUsers');
  const superUsers = (superEntry ? (file.strings(superEntry.value, 'superUsers') ?? []) : []).flatMap((p) =>
    checkPrincipal(file, p.value, p.node) ? [{ value: p.value, at: file.at(p.node) }] : [],
  );
  const rolesEntry = top.get('roles');
  const rulesEntry = top.get('rules');
  return {
    fragment: {
      file: fileName,
      mode: mode === undefined ? undefined : { value: mode, at: file.at(modeEntry!.value) },
      allowEveryoneIfNoAclFound: everyone === undefined ? undefined : { value: everyone, at: file.at(everyoneEntry!.value) },
      superUsers,
      roles: rolesEntry ? parseRoles(file, rolesEntry.value) : [],
      rules: rulesEntry ? parseRules(file, rulesEntry.value) : [],
    },
    errors: file.errors,
  };
}

function checkPrincipal(file: YamlFile, principal: string, node: YamlNode): boolean {
  const problem = principalProblem(principal);
  if (problem) file.error(node, problem);
  return problem === undefined;
}

function parseRoles(file: YamlFile, node: YamlNode): PolicyFragment['roles'] {
  const names = file.map(node, 'roles', namesOf(node));
  if (!names) return [];
  const roles: { name: string; members: string[]; at: SourceLocation }[] = [];
  for (const { key, keyNode, value } of names.values()) {
    if (!ID_PATTERN.test(key)) file.error(keyNode, `role name '${key}' must be letters, digits, '.', '_', '-', ':', '@'`);
    const members = (file.strings(value, `role '${key}'`) ?? []).filter((m) => {
      if (m.value.startsWith(ROLE_PREFIX))
        return file.error(m.node, `role '${key}' names another role; roles list principals only`) ?? false;
      return checkPrincipal(file, m.value, m.node);
    });
    roles.push({ name: key, members: members.map((m) => m.value), at: file.at(keyNode) });
  }
  return roles;
}

// A mapping whose keys are free-form names: every key present is "known".
function namesOf(node: YamlNode): string[] {
  return isMap(node) ? node.items.map((pair) => String((pair.key as { value?: unknown } | null)?.value)) : [];
}

function parseRules(file: YamlFile, node: YamlNode): DraftRule[] {
  if (!isSeq(node)) {
    file.error(node, 'rules must be a list');
    return [];
  }
  return (node.items as YamlNode[]).flatMap((item) => parseRule(file, item) ?? []);
}

function parseRule(file: YamlFile, node: YamlNode): DraftRule | undefined {
  const errorsBefore = file.errors.length;
  const entries = file.map(node, 'rule', RULE_KEYS, ['id', 'principals', 'resources']);
  if (!entries) return undefined;
  const id = entries.get('id') && file.string(entries.get('id')!.value, 'rule id');
  if (id !== undefined && !ID_PATTERN.test(id)) {
    file.error(entries.get('id')!.value, `rule id '${id}' must be letters, digits, '.', '_', '-', ':', '@'`);
  }
  const description = entries.get('description') && file.string(entries.get('description')!.value, 'description');
  const mode = entries.get('mode') ? file.oneOf(entries.get('mode')!.value, 'mode', RULE_MODES) : 'enforce';

  const allow = entries.get('allow');
  const deny = entries.get('deny');
  if (allow && deny) file.error(deny.keyNode, 'a rule has either allow or deny, not both; write two rules');
  if (!allow && !deny) file.error(node, "rule needs 'allow: [operations]' or 'deny: [operations]'");
  const permission: Permission = deny && !allow ? 'DENY' : 'ALLOW';
  const operationsEntry = allow ?? deny;

  const resources = entries.get('resources') ? parseResources(file, entries.get('resources')!.value) : [];
  const operations = operationsEntry ? parseOperations(file, operationsEntry.value, resources) : [];
  const principalList = entries.get('principals') ? (file.strings(entries.get('principals')!.value, 'principals') ?? []) : [];
  const principals = principalList.filter((p) => p.value.startsWith(ROLE_PREFIX) || checkPrincipal(file, p.value, p.node));
  if (entries.get('principals') && principalList.length === 0) file.error(entries.get('principals')!.value, 'principals must not be empty');
  const hostList = entries.get('hosts') ? (file.strings(entries.get('hosts')!.value, 'hosts') ?? []) : [];
  // An empty list would match every host (fail open); Kafka has no such ACL. Omit `hosts` for "*".
  if (entries.get('hosts') && hostList.length === 0) file.error(entries.get('hosts')!.value, 'hosts must not be empty (omit it for "*")');
  for (const host of hostList) {
    const parsed = parseHost(host.value);
    if ('error' in parsed) file.error(host.node, parsed.error);
  }

  if (file.errors.length > errorsBefore || id === undefined || mode === undefined) return undefined;
  return {
    id,
    description,
    permission,
    operations: operations.map((o) => o.operation),
    principalRefs: principals.map((p) => p.value),
    principalRefsAt: principals.map((p) => file.at(p.node)),
    hosts: hostList.length > 0 ? hostList.map((h) => h.value) : ['*'],
    resources: resources.map((r) => r.pattern),
    mode,
    source: file.at(node),
  };
}

function parseOperations(file: YamlFile, node: YamlNode, resources: readonly { pattern: ResourcePattern }[]): { operation: Operation }[] {
  const list = file.strings(node, 'operations') ?? [];
  if (list.length === 0) file.error(node, 'operations must not be empty');
  const out: { operation: Operation }[] = [];
  for (const item of list) {
    const operation = item.value.toUpperCase();
    if (!isOperation(operation)) {
      file.error(
        item.node,
        `unknown operation '${item.value}' (expected one of: ALL, ${Object.values(OPERATIONS_BY_RESOURCE_TYPE)
          .flat()
          .filter((o, i, a) => a.indexOf(o) === i)
          .join(', ')})`,
      );
      continue;
    }
    for (const type of new Set(resources.map((r) => r.pattern.type))) {
      if (!isOperationValidFor(operation, type)) {
        file.error(
          item.node,
          `operation ${operation} is not valid for resource type ${type} (valid: ALL, ${OPERATIONS_BY_RESOURCE_TYPE[type].join(', ')})`,
        );
      }
    }
    out.push({ operation });
  }
  return out;
}

function parseResources(file: YamlFile, node: YamlNode): { pattern: ResourcePattern }[] {
  if (!isSeq(node) || node.items.length === 0) {
    file.error(node, 'resources must be a non-empty list, e.g. - topic: orders');
    return [];
  }
  return (node.items as YamlNode[]).flatMap((item) => {
    const pattern = parseResource(file, item);
    return pattern ? [{ pattern }] : [];
  });
}

function parseResource(file: YamlFile, node: YamlNode): ResourcePattern | undefined {
  const before = file.errors.length;
  const entries = file.map(node, 'resource', Object.keys(RESOURCE_KEYS));
  if (!entries || (entries.size === 0 && file.errors.length > before)) return undefined;
  if (entries.size !== 1) return file.error(node, `a resource names exactly one of: ${Object.keys(RESOURCE_KEYS).join(', ')}`);
  const [{ key, value }] = entries.values();
  const type = RESOURCE_KEYS[key];
  const pattern = readPattern(file, value, key);
  if (!pattern) return undefined;
  if (type === 'CLUSTER' && (pattern.patternType !== 'LITERAL' || pattern.name !== CLUSTER_NAME)) {
    return file.error(value, `the cluster resource is always named '${CLUSTER_NAME}'`);
  }
  return { type, ...pattern };
}

// `orders` (literal), `"*"` (every resource), `{ prefix: "payments." }`, `{ literal: "orders" }`.
function readPattern(file: YamlFile, node: YamlNode, key: string): Omit<ResourcePattern, 'type'> | undefined {
  if (isMap(node)) {
    const entries = file.map(node, `${key} pattern`, ['literal', 'prefix']);
    if (!entries) return undefined;
    if (entries.size !== 1) return file.error(node, `${key} pattern has exactly one of 'literal' or 'prefix'`);
    const [{ key: kind, value }] = entries.values();
    const name = file.string(value, `${key} ${kind}`);
    return name === undefined ? undefined : { patternType: kind === 'prefix' ? 'PREFIXED' : 'LITERAL', name };
  }
  const name = file.string(node, `${key} name`);
  return name === undefined ? undefined : { patternType: 'LITERAL', name };
}
