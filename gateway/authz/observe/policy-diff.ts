// `policy diff`: the effective access change between two policies, computed by asking both compiled
// policies the same questions, never by comparing rule text. The questions cover every distinct case
// the two rule sets can tell apart: each principal they name (roles expanded, super users included)
// and "any other principal"; each host entry and "any other host"; per resource type, each literal
// name, each prefix (a name under it that nothing longer names) and "any other name"; every operation
// the type has. A new deny shadowed by a super user, a widened prefix or an emptied role then shows
// exactly as the access it changes.
import { CompiledPolicy } from '../compiled-policy.ts';
import { patternApplies } from '../explain.ts';
import { clientHost, HostMatcher, parseHost, type ClientHost } from '../host.ts';
import type { PolicyRule } from '../policy.ts';
import { CLUSTER_NAME, OPERATIONS_BY_RESOURCE_TYPE, RESOURCE_TYPES, WILDCARD_PRINCIPAL, WILDCARD_RESOURCE } from '../model.ts';
import type { RequestOperation, ResourceType } from '../model.ts';
import { allowsObservation } from './policy-suggest.ts';
import type { Observation } from './observation.ts';

/** Stands for every principal neither policy names (no real principal is spelled so). */
export const OTHER_PRINCIPAL = 'User:\u2039any other principal\u203a';
/** Stands for every name of a type that no pattern names (a control character no Kafka name has). */
const OTHER_NAME = '\u0000';

/** Which names of a type a change is about. */
export type ResourceScope =
  { readonly kind: 'literal'; readonly name: string } | { readonly kind: 'prefix'; readonly prefix: string } | { readonly kind: 'other' };

export interface AccessChange {
  /** A principal, or OTHER_PRINCIPAL. */
  readonly principal: string;
  /** '*' when the change holds from every host, else the host entry it holds from ('other hosts': none named). */
  readonly host: string;
  readonly resourceType: ResourceType;
  readonly resource: ResourceScope;
  readonly operations: readonly RequestOperation[];
}

export interface BrokenObservation {
  readonly observation: Observation;
}

export interface PolicyDiff {
  readonly gained: readonly AccessChange[];
  readonly lost: readonly AccessChange[];
  /** Observed work the old policy let through and the new one refuses (only with observations). */
  readonly broken: readonly Observation[];
}

type HostWitness = { label: string; address: ClientHost };
type NameWitness = { scope: ResourceScope; name: string };

export function diffPolicies(before: CompiledPolicy, after: CompiledPolicy, observations?: readonly Observation[]): PolicyDiff {
  const superUsers = new Set([...before.policy.superUsers, ...after.policy.superUsers]);
  const beforeRules = before.policy.rules.filter((r) => r.principals.length > 0);
  const afterRules = after.policy.rules.filter((r) => r.principals.length > 0);
  const sameSettings = settingsKey(before) === settingsKey(after);
  const gained: AccessChange[] = [];
  const lost: AccessChange[] = [];
  for (const type of RESOURCE_TYPES) {
    for (const witness of nameWitnesses([before, after], type)) {
      // A decision on a resource depends only on the rules whose patterns match it (and on super users and
      // allowEveryoneIfNoAclFound): a principal those rules do not name decides as "any other principal",
      // a host they do not name as "other hosts". So only these are asked — what keeps a 1,000-rule diff fast.
      const applies = (r: PolicyRule) => r.resources.some((p) => p.type === type && patternApplies(p, witness.name));
      const matchingBefore = beforeRules.filter(applies);
      const matchingAfter = afterRules.filter(applies);
      // The same rules (whatever their ids or other resources) under the same settings decide alike: skip.
      if (sameSettings && sameMeaning(matchingBefore, matchingAfter)) continue;
      const matching = [...matchingBefore, ...matchingAfter];
      const principals = principalWitnesses(matching, superUsers);
      const hosts = hostWitnesses(matching);
      for (const principal of principals) {
        // Per host: which operations each side allows; then folded to '*' when every host agrees.
        const perHost = hosts.map((h) => {
          const up: RequestOperation[] = [];
          const down: RequestOperation[] = [];
          for (const op of OPERATIONS_BY_RESOURCE_TYPE[type]) {
            const was = before.authorize(principal, h.address, op, type, witness.name).allowed;
            const now = after.authorize(principal, h.address, op, type, witness.name).allowed;
            if (now && !was) up.push(op);
            if (was && !now) down.push(op);
          }
          return { host: h.label, up, down };
        });
        collect(gained, perHost, 'up', principal, type, witness.scope);
        collect(lost, perHost, 'down', principal, type, witness.scope);
      }
    }
  }
  const broken = (observations ?? []).filter((o) => o.allowed > 0 && allowsObservation(before, o) && !allowsObservation(after, o));
  return { gained, lost, broken };
}

function collect(
  into: AccessChange[],
  perHost: ReadonlyArray<{ host: string; up: RequestOperation[]; down: RequestOperation[] }>,
  side: 'up' | 'down',
  principal: string,
  resourceType: ResourceType,
  resource: ResourceScope,
): void {
  const key = (ops: readonly string[]) => ops.join(',');
  const first = key(perHost[0][side]);
  if (perHost.every((h) => key(h[side]) === first)) {
    if (first !== '') into.push({ principal, host: '*', resourceType, resource, operations: perHost[0][side] });
    return;
  }
  for (const h of perHost) if (h[side].length > 0) into.push({ principal, host: h.host, resourceType, resource, operations: h[side] });
}

/** What a policy decides with besides its rules. */
function settingsKey(p: CompiledPolicy): string {
  return JSON.stringify([[...p.policy.superUsers].sort(), p.policy.allowEveryoneIfNoAclFound, p.policy.mode]);
}

/** Whether two lists of rules matching one resource grant and refuse the same (ids and other resources aside). */
function sameMeaning(a: readonly PolicyRule[], b: readonly PolicyRule[]): boolean {
  if (a.length !== b.length) return false;
  const key = (r: PolicyRule) =>
    JSON.stringify([r.permission, [...r.operations].sort(), [...r.principals].sort(), [...r.hosts].sort(), r.mode]);
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.every((k, i) => k === right[i]);
}

function principalWitnesses(rules: readonly PolicyRule[], superUsers: ReadonlySet<string>): string[] {
  const named = new Set<string>(superUsers);
  for (const r of rules) for (const principal of r.principals) named.add(principal);
  named.delete(WILDCARD_PRINCIPAL);
  return [...[...named].sort(), OTHER_PRINCIPAL];
}

/** Test addresses (RFC 5737/3849) tried for "any other host": the first no host entry matches. */
const OTHER_HOST_CANDIDATES = ['192.0.2.1', '198.51.100.1', '203.0.113.1', '2001:db8::1'];

function hostWitnesses(rules: readonly PolicyRule[]): HostWitness[] {
  const entries = new Set<string>();
  for (const r of rules) for (const h of r.hosts) if (h !== '*') entries.add(h);
  // Parsed once: the same few addresses are asked about for every principal and operation.
  const witnesses: HostWitness[] = [...entries].sort().map((entry) => ({ label: entry, address: clientHost(entry.split('/')[0]) }));
  const other = OTHER_HOST_CANDIDATES.find((address) => [...entries].every((entry) => !hostMatches(entry, address)));
  if (other !== undefined) witnesses.push({ label: 'other hosts', address: clientHost(other) });
  return witnesses;
}

function hostMatches(entry: string, address: string): boolean {
  const spec = parseHost(entry);
  return !('error' in spec) && new HostMatcher([spec]).matches(clientHost(address));
}

function nameWitnesses(policies: readonly CompiledPolicy[], type: ResourceType): NameWitness[] {
  if (type === 'CLUSTER') return [{ scope: { kind: 'literal', name: CLUSTER_NAME }, name: CLUSTER_NAME }];
  const literals = new Set<string>();
  const prefixes = new Set<string>();
  for (const p of policies) {
    for (const r of p.policy.rules) {
      for (const pattern of r.resources) {
        if (pattern.type !== type || (pattern.patternType === 'LITERAL' && pattern.name === WILDCARD_RESOURCE)) continue;
        (pattern.patternType === 'PREFIXED' ? prefixes : literals).add(pattern.name);
      }
    }
  }
  return [
    ...[...literals].sort().map((name): NameWitness => ({ scope: { kind: 'literal', name }, name })),
    // A name under the prefix that no literal equals and no longer prefix covers: the prefix's own case.
    ...[...prefixes].sort().map((prefix): NameWitness => ({ scope: { kind: 'prefix', prefix }, name: `${prefix}${OTHER_NAME}` })),
    { scope: { kind: 'other' }, name: OTHER_NAME },
  ];
}

/** One line per change: `User:alice  TOPIC prefix 'orders.'  READ, WRITE` (host when not every host). */
export function describeChange(c: AccessChange): string {
  const who = c.principal === OTHER_PRINCIPAL ? 'any other principal' : c.principal;
  const from = c.host === '*' ? '' : ` from ${c.host}`;
  return `${who}${from}: ${c.operations.join(', ')} on ${describeResource(c.resourceType, c.resource)}`;
}

export function describeResource(type: ResourceType, scope: ResourceScope): string {
  switch (scope.kind) {
    case 'literal':
      return type === 'CLUSTER' ? 'CLUSTER' : `${type} '${scope.name}'`;
    case 'prefix':
      return `${type} names starting '${scope.prefix}'`;
    case 'other':
      return `${type} names no rule names`;
  }
}
