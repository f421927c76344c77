// `policy suggest`: a policy that allows exactly what observe mode saw, generalised only where the
// data says so. One rule per principal and operation set, so a consumer's topics and its groups (both
// READ) land in one rule; DESCRIBE that READ/WRITE/DELETE/ALTER already imply is not written again;
// names sharing a prefix (up to a '.', '-' or '_') across enough of them become one prefixed pattern.
// The result is replayed against the observations before it is handed out.
import { Document, type YAMLMap, type YAMLSeq } from 'yaml';
import { CompiledPolicy } from '../compiled-policy.ts';
import { CLUSTER_NAME, RESOURCE_TYPES, type RequestOperation, type ResourceType } from '../model.ts';
import type { ResourcePattern } from '../policy.ts';
import { buildPolicy } from '../policy-loader.ts';
import { compactPolicyDocument, principalSlug, resourceEntry } from '../policy-yaml-writer.ts';
import { ANONYMOUS, type Observation, type ObservationSet } from './observation.ts';

export interface SuggestOptions {
  /** Only what was last seen at or after this time (Unix ms). */
  readonly since?: number;
  /** How many observed names must share a prefix before it becomes a prefixed pattern (0: never). */
  readonly prefixMinNames: number;
  /** Where the observations came from (the header says so). */
  readonly source: string;
}

export interface Suggestion {
  readonly yaml: string;
  readonly rules: number;
  /** Observations the policy was made from. */
  readonly observations: readonly Observation[];
  /** Those the suggested policy would still refuse when replayed (empty when it covers them all). */
  readonly uncovered: readonly Observation[];
}

/** Operations a broker grants along with others (Kafka's implied operations), so a rule need not list them. */
const IMPLIED_BY: Partial<Record<RequestOperation, readonly RequestOperation[]>> = {
  DESCRIBE: ['READ', 'WRITE', 'DELETE', 'ALTER'],
  DESCRIBE_CONFIGS: ['ALTER_CONFIGS'],
};
/** Resource types whose names may be generalised to a prefix (a cluster has one name). */
const PREFIXABLE: ReadonlySet<ResourceType> = new Set(['TOPIC', 'GROUP', 'TRANSACTIONAL_ID']);
const SEPARATORS = new Set(['.', '-', '_']);
/** A prefix shorter than this says nothing about a namespace ("a-"). */
const MIN_PREFIX_LENGTH = 3;

type Subject = { principal: string; host: string | null };
type ObservedResource = { type: ResourceType; name: string; ops: Set<RequestOperation>; seen: Observation[] };
type SuggestedRule = {
  subject: Subject;
  ops: RequestOperation[];
  patterns: ResourcePattern[];
  seen: Observation[];
  covers: Map<string, string[]>;
};

export function suggestPolicy(set: ObservationSet, opts: SuggestOptions): Suggestion {
  const used = set.entries.filter((e) => e.allowed > 0 && (opts.since === undefined || e.lastSeen >= opts.since));
  const rules: SuggestedRule[] = [];
  for (const [subject, entries] of bySubject(used)) rules.push(...rulesFor(subject, entries, opts.prefixMinNames));
  const yaml = render(rules, used, set.dropped, opts);
  return { yaml, rules: rules.length, observations: used, uncovered: replay(yaml, used) };
}

/** Observations the policy in `yaml` refuses (each host each was seen from). */
export function replay(yaml: string, observations: readonly Observation[]): Observation[] {
  const loaded = buildPolicy([{ file: 'suggested.yaml', text: yaml }]);
  if (!loaded.ok) throw new Error(`the suggested policy does not load: ${loaded.errors.map((e) => e.message).join('; ')}`);
  const policy = new CompiledPolicy(loaded.policy);
  return observations.filter((o) => !allowsObservation(policy, o));
}

/** Whether a policy lets every host the observation came from do what it did. */
export function allowsObservation(policy: CompiledPolicy, o: Observation): boolean {
  const hosts = o.hosts.length > 0 ? o.hosts : ['0.0.0.0'];
  return hosts.every((host) =>
    o.name === null ? allowsOnAny(policy, o, host) : policy.authorize(o.principal, host, o.operation, o.resourceType, o.name).allowed,
  );
}

/** The one type-level ask (InitProducerId without a transactional id) passes as its enforcer lets it: IDEMPOTENT_WRITE on the cluster, or WRITE on some topic. */
function allowsOnAny(policy: CompiledPolicy, o: Observation, host: string): boolean {
  return (
    (o.operation === 'WRITE' &&
      o.resourceType === 'TOPIC' &&
      policy.authorize(o.principal, host, 'IDEMPOTENT_WRITE', 'CLUSTER', CLUSTER_NAME).allowed) ||
    policy.authorizeByResourceType(o.principal, host, o.operation, o.resourceType).allowed
  );
}

/** Identified principals by name; unidentified clients (User:ANONYMOUS) apart by source address. */
function bySubject(entries: readonly Observation[]): Map<Subject, Observation[]> {
  const subjects = new Map<string, { subject: Subject; entries: Observation[] }>();
  for (const e of entries) {
    const host = e.principal === ANONYMOUS ? (e.hosts[0] ?? null) : null;
    const key = `${e.principal}\u0000${host ?? ''}`;
    let s = subjects.get(key);
    if (s === undefined) subjects.set(key, (s = { subject: { principal: e.principal, host }, entries: [] }));
    s.entries.push(e);
  }
  return new Map([...subjects.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, s]) => [s.subject, s.entries]));
}

function rulesFor(subject: Subject, entries: readonly Observation[], prefixMinNames: number): SuggestedRule[] {
  const resources = new Map<string, ObservedResource>();
  const typeLevel: Observation[] = [];
  for (const e of entries) {
    if (e.name === null) {
      typeLevel.push(e);
      continue;
    }
    const key = `${e.resourceType}\u0000${e.name}`;
    let r = resources.get(key);
    if (r === undefined) resources.set(key, (r = { type: e.resourceType, name: e.name, ops: new Set(), seen: [] }));
    r.ops.add(e.operation);
    r.seen.push(e);
  }
  // An idempotent producer's "WRITE on some topic" is met by any topic it writes; one that writes
  // none gets what a broker would otherwise want (IDEMPOTENT_WRITE on the cluster).
  for (const e of typeLevel) {
    const met = [...resources.values()].some((r) => r.type === e.resourceType && r.ops.has(e.operation));
    if (met) continue;
    const key = `CLUSTER\u0000${CLUSTER_NAME}`;
    let r = resources.get(key);
    if (r === undefined) resources.set(key, (r = { type: 'CLUSTER', name: CLUSTER_NAME, ops: new Set(), seen: [] }));
    r.ops.add('IDEMPOTENT_WRITE');
    r.seen.push(e);
  }
  // One rule per operation set: the topics a consumer reads and its group share [READ].
  const byOps = new Map<string, ObservedResource[]>();
  for (const r of resources.values()) {
    const ops = withoutImplied(r.ops);
    const key = ops.join(',');
    const list = byOps.get(key);
    if (list === undefined) byOps.set(key, [r]);
    else list.push(r);
  }
  return [...byOps.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([ops, rs]) => {
      const covers = new Map<string, string[]>();
      const patterns = RESOURCE_TYPES.flatMap((type) => {
        const names = rs.filter((r) => r.type === type).map((r) => r.name);
        return PREFIXABLE.has(type) ? generalise(type, names, prefixMinNames, covers) : names.sort().map((name) => literal(type, name));
      });
      return { subject, ops: ops.split(',') as RequestOperation[], patterns, seen: rs.flatMap((r) => r.seen), covers };
    });
}

function withoutImplied(ops: ReadonlySet<RequestOperation>): RequestOperation[] {
  return [...ops].filter((op) => !(IMPLIED_BY[op] ?? []).some((by) => ops.has(by))).sort();
}

/** Longest shared prefixes first (the tightest namespace the data shows), each covering enough names. */
function generalise(type: ResourceType, names: readonly string[], minNames: number, covers: Map<string, string[]>): ResourcePattern[] {
  const left = new Set(names);
  const patterns: ResourcePattern[] = [];
  if (minNames > 0) {
    const candidates = new Map<string, string[]>();
    for (const name of names) {
      for (let i = MIN_PREFIX_LENGTH - 1; i < name.length - 1; i++) {
        if (!SEPARATORS.has(name[i])) continue;
        const prefix = name.slice(0, i + 1);
        const members = candidates.get(prefix);
        if (members === undefined) candidates.set(prefix, [name]);
        else members.push(name);
      }
    }
    const ordered = [...candidates.entries()].sort(([a], [b]) => b.length - a.length || (a < b ? -1 : 1));
    for (const [prefix, members] of ordered) {
      const unclaimed = members.filter((n) => left.has(n));
      if (unclaimed.length < minNames) continue;
      for (const n of unclaimed) left.delete(n);
      patterns.push({ type, patternType: 'PREFIXED', name: prefix });
      covers.set(`${type}\u0000${prefix}`, unclaimed.sort());
    }
  }
  return [...patterns, ...[...left].sort().map((name) => literal(type, name))];
}

function literal(type: ResourceType, name: string): ResourcePattern {
  return { type, patternType: 'LITERAL', name };
}

function render(rules: readonly SuggestedRule[], used: readonly Observation[], dropped: number, opts: SuggestOptions): string {
  const ids = new Map<string, number>();
  const doc = new Document({
    version: 1,
    allowEveryoneIfNoAclFound: false,
    rules: rules.map((r) => {
      const base = `${principalSlug(r.subject.principal)}${r.subject.host === null ? '' : `-${r.subject.host.replace(/[^A-Za-z0-9]+/g, '-')}`}-${r.ops.join('-').toLowerCase().replace(/_/g, '-')}`;
      const n = (ids.get(base) ?? 0) + 1;
      ids.set(base, n);
      return {
        id: n === 1 ? base : `${base}-${n}`,
        allow: r.ops,
        principals: [r.subject.principal],
        ...(r.subject.host !== null && { hosts: [r.subject.host] }),
        resources: r.patterns.map(resourceEntry),
      };
    }),
  });
  compactPolicyDocument(doc);
  const items = (doc.get('rules') as YAMLSeq<YAMLMap>).items;
  rules.forEach((r, i) => {
    items[i].commentBefore = ruleComment(r);
    if (i > 0) items[i].spaceBefore = true;
  });
  const principals = new Set(used.map((o) => o.principal)).size;
  doc.commentBefore = [
    ` Suggested by gatehouse policy suggest from ${opts.source}${opts.since === undefined ? '' : ` (seen since ${day(opts.since)})`}:`,
    ` ${used.length} observed (principal, operation, resource) tuples of ${principals} principal(s), ${span(used)}.`,
    ' It allows what was observed; prefixed patterns also allow names not yet seen under the prefix.',
    ' Review it, then load it with mode: enforce.',
    ...(dropped > 0
      ? [` WARNING: the observation store was full and did not record ${dropped} new tuple(s); raise authorization.observe.maxEntries.`]
      : []),
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}

function ruleComment(r: SuggestedRule): string {
  const requests = r.seen.reduce((n, o) => n + o.allowed, 0);
  const lines = [` ${requests.toLocaleString('en-US')} request(s), ${span(r.seen)}`];
  const hosts = new Set(r.seen.flatMap((o) => o.hosts));
  if (r.subject.host === null && hosts.size > 0)
    lines.push(` from ${[...hosts].sort().slice(0, 5).join(', ')}${hosts.size > 5 ? ' …' : ''}`);
  for (const [key, names] of r.covers) {
    const prefix = key.slice(key.indexOf('\u0000') + 1);
    lines.push(` prefix ${prefix} covers ${names.length} observed: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ' …' : ''}`);
  }
  return lines.join('\n');
}

function span(observations: readonly Observation[]): string {
  if (observations.length === 0) return 'nothing seen';
  const first = observations.reduce((t, o) => Math.min(t, o.firstSeen), Infinity);
  const last = observations.reduce((t, o) => Math.max(t, o.lastSeen), 0);
  return day(first) === day(last) ? `seen on ${day(first)}` : `seen ${day(first)} to ${day(last)}`;
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
