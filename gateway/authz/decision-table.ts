// Decision tables (`*.test.yaml`): expected decisions for a policy, checked by `gatehouse policy
// test`. Each case is one request; `expect` is the decision, `rules` optionally the deciding rules.
import { isMap, isSeq } from 'yaml';
import type { CompiledPolicy } from './compiled-policy.ts';
import type { Decision, DecisionOutcome } from './decision.ts';
import { isOperation, type RequestOperation, type ResourceType } from './model.ts';
import type { PolicyError, SourceLocation } from './policy.ts';
import { RESOURCE_KEYS } from './policy-file.ts';
import { principalProblem } from '../common/principal.ts';
import { readYaml, type YamlFile, type YamlNode } from './yaml-reader.ts';

export interface DecisionCase {
  readonly name: string;
  readonly principal: string;
  readonly host: string;
  readonly operation: RequestOperation;
  readonly resourceType: ResourceType;
  readonly resourceName: string;
  readonly expect: DecisionOutcome;
  readonly expectRules?: readonly string[];
  readonly at: SourceLocation;
}

export interface DecisionTable {
  /** The policy under test, as written (relative to the table's file). */
  readonly policy?: string;
  readonly cases: readonly DecisionCase[];
}

const OUTCOMES: readonly DecisionOutcome[] = ['allowed', 'denied', 'dry_run_denied'];
const CASE_KEYS = ['name', 'principal', 'host', 'operation', 'expect', 'rules', ...Object.keys(RESOURCE_KEYS)];
/** A loopback client unless the case says otherwise. */
const DEFAULT_HOST = '127.0.0.1';

export function parseDecisionTable(fileName: string, text: string): { table: DecisionTable; errors: PolicyError[] } {
  const { file, root } = readYaml(fileName, text);
  const top = root === undefined ? undefined : file.map(root, 'decision table', ['policy', 'cases'], ['cases']);
  const policy = top?.get('policy') && file.string(top.get('policy')!.value, 'policy');
  const casesNode = top?.get('cases')?.value;
  if (top && !isSeq(casesNode)) file.error(casesNode, 'cases must be a list');
  const cases = isSeq(casesNode) ? (casesNode.items as YamlNode[]).flatMap((node, i) => parseCase(file, node, i) ?? []) : [];
  return { table: { policy, cases }, errors: file.errors };
}

function parseCase(file: YamlFile, node: YamlNode, index: number): DecisionCase | undefined {
  const before = file.errors.length;
  const entries = file.map(node, 'case', CASE_KEYS, ['principal', 'operation', 'expect']);
  if (!entries || !isMap(node)) return undefined;
  const text = (key: string) => (entries.has(key) ? file.string(entries.get(key)!.value, key) : undefined);
  const principal = text('principal');
  if (principal !== undefined && principalProblem(principal)) file.error(entries.get('principal')!.value, principalProblem(principal)!);
  const operation = text('operation')?.toUpperCase();
  if (operation !== undefined && (!isOperation(operation) || operation === 'ALL')) {
    file.error(entries.get('operation')!.value, `unknown request operation '${operation}'`);
  }
  const expect = file.oneOf(entries.get('expect')?.value, 'expect', OUTCOMES);
  const resourceKeys = Object.keys(RESOURCE_KEYS).filter((k) => entries.has(k));
  if (resourceKeys.length !== 1) file.error(node, `a case names exactly one resource: ${Object.keys(RESOURCE_KEYS).join(', ')}`);
  const resourceName = resourceKeys.length === 1 ? text(resourceKeys[0]) : undefined;
  const rules = entries.has('rules') ? file.strings(entries.get('rules')!.value, 'rules')?.map((r) => r.value) : undefined;
  if (file.errors.length > before || !principal || !expect || resourceName === undefined) return undefined;
  return {
    name: text('name') ?? `case ${index + 1}`,
    principal,
    host: text('host') ?? DEFAULT_HOST,
    operation: operation as RequestOperation,
    resourceType: RESOURCE_KEYS[resourceKeys[0]],
    resourceName,
    expect,
    expectRules: rules,
    at: file.at(node),
  };
}

export interface CaseResult {
  readonly case: DecisionCase;
  readonly decision: Decision;
  readonly pass: boolean;
}

export function runDecisionTable(policy: CompiledPolicy, cases: readonly DecisionCase[]): CaseResult[] {
  return cases.map((c) => {
    const decision = policy.authorize(c.principal, c.host, c.operation, c.resourceType, c.resourceName);
    const rulesMatch = c.expectRules === undefined || sameSet(c.expectRules, decision.ruleIds);
    return { case: c, decision, pass: decision.decision === c.expect && rulesMatch };
  });
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
