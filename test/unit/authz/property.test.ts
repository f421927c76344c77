// Property test: the compiled index against a naive reference that expands every rule into Kafka
// ACL entries and applies spec §1.6/§1.7/§1.8 literally, on random policies and queries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledPolicy } from '../../../gateway/authz/compiled-policy.ts';
import { OPERATIONS_BY_RESOURCE_TYPE, type Operation, type RequestOperation, type ResourceType } from '../../../gateway/authz/model.ts';
import type { PolicyRule, RuleMode } from '../../../gateway/authz/policy.ts';
import { policyOf } from './helpers.ts';

// Mulberry32: small, seeded, reproducible.
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRINCIPALS = ['User:alice', 'User:bob', 'User:*', 'Svc:x'];
const RULE_HOSTS = ['*', '10.0.0.5', '10.0.0.6', '10.0.0.0/24', '0:0:0:0:0:0:0:1'];
const PEERS: Record<string, string> = {
  '10.0.0.5': '10.0.0.5',
  '10.0.0.6': '10.0.0.6',
  '10.0.1.1': '10.0.1.1',
  '::1': '0:0:0:0:0:0:0:1',
  '::ffff:10.0.0.5': '10.0.0.5',
};
const NAMES = ['a', 'ab', 'abc', 'b', 'ba', '*', 'hardcode'];
const TYPES: ResourceType[] = ['TOPIC', 'GROUP', 'TRANSACTIONAL_ID'];

interface Entry {
  principal: string;
  host: string;
  type: ResourceType;
  patternType: string;
  name: string;
  operation: Operation;
  deny: boolean;
  dryRun: boolean;
  ruleId: string;
}

function expand(rules: readonly PolicyRule[]): Entry[] {
  return rules.flatMap((rule) =>
    rule.principals.flatMap((principal) =>
      rule.hosts.flatMap((host) =>
        rule.resources.flatMap((resource) =>
          rule.operations.map((operation) => ({
            principal,
            host,
            type: resource.type,
            patternType: resource.patternType,
            name: resource.name,
            operation,
            deny: rule.permission === 'DENY',
            dryRun: rule.mode === 'dry-run',
            ruleId: rule.id,
          })),
        ),
      ),
    ),
  );
}

function hostMatches(aclHost: string, peer: string): boolean {
  if (aclHost === '*' || aclHost === peer) return true;
  if (!aclHost.includes('/') || peer.includes(':')) return false;
  const [net, bits] = aclHost.split('/');
  const toInt = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toInt(net) / size) === Math.floor(toInt(peer) / size);
}

function opMatches(entry: Entry, op: RequestOperation): boolean {
  if (entry.operation === 'ALL' || entry.operation === op) return true;
  if (entry.deny) return false;
  if (op === 'DESCRIBE') return ['READ', 'WRITE', 'DELETE', 'ALTER'].includes(entry.operation);
  return op === 'DESCRIBE_CONFIGS' && entry.operation === 'ALTER_CONFIGS';
}

type Naive = { allowed: boolean; ruleIds: string[] };

function naiveAuthorize(
  entries: Entry[],
  everyone: boolean,
  principal: string,
  peer: string,
  op: RequestOperation,
  type: ResourceType,
  name: string,
): Naive {
  const applicable = entries.filter(
    (e) =>
      e.type === type &&
      ((e.patternType === 'LITERAL' && (e.name === name || e.name === '*')) || (e.patternType === 'PREFIXED' && name.startsWith(e.name))),
  );
  const matching = applicable.filter(
    (e) => (e.principal === principal || e.principal === 'User:*') && hostMatches(e.host, peer) && opMatches(e, op),
  );
  const ids = (list: Entry[]) => [...new Set(list.map((e) => e.ruleId))].sort();
  const denies = matching.filter((e) => e.deny);
  if (denies.length > 0) return { allowed: false, ruleIds: ids(denies) };
  const allows = matching.filter((e) => !e.deny);
  if (allows.length > 0) return { allowed: true, ruleIds: ids(allows) };
  return { allowed: applicable.length === 0 && everyone, ruleIds: [] };
}

function naiveByType(
  entries: Entry[],
  everyone: boolean,
  principal: string,
  peer: string,
  op: RequestOperation,
  type: ResourceType,
): boolean {
  if (naiveAuthorize(entries, everyone, principal, peer, op, type, 'hardcode').allowed) return true;
  const relevant = entries.filter(
    (e) =>
      e.type === type &&
      hostMatches(e.host, peer) &&
      (e.principal === principal || e.principal === 'User:*') &&
      (e.operation === op || e.operation === 'ALL'),
  );
  const denyLit = relevant.filter((e) => e.deny && e.patternType === 'LITERAL').map((e) => e.name);
  const denyPre = relevant.filter((e) => e.deny && e.patternType === 'PREFIXED').map((e) => e.name);
  if (denyLit.includes('*')) return false;
  const allows = relevant.filter((e) => !e.deny);
  if (allows.some((e) => e.patternType === 'LITERAL' && e.name === '*')) return true;
  return allows.some((e) => !(e.patternType === 'LITERAL' && denyLit.includes(e.name)) && !denyPre.some((p) => e.name.startsWith(p)));
}

/** Dry-run as documented: enforce-only rules decide; a denial by the full set alone is a dry-run denial. */
interface Expanded {
  all: Entry[];
  enforced: Entry[];
  superUsers: string[];
  mode: RuleMode;
}

function naiveDecision(
  { all: allEntries, enforced: enforcedEntries, superUsers, mode }: Expanded,
  principal: string,
  query: (entries: Entry[]) => Naive,
) {
  if (superUsers.includes(principal)) return { decision: 'allowed', ruleIds: [] as string[] };
  const all = query(allEntries);
  if (mode === 'dry-run') return { decision: all.allowed ? 'allowed' : 'dry_run_denied', ruleIds: all.ruleIds };
  const enforced = query(enforcedEntries);
  if (!enforced.allowed) return { decision: 'denied', ruleIds: enforced.ruleIds };
  return all.allowed ? { decision: 'allowed', ruleIds: enforced.ruleIds } : { decision: 'dry_run_denied', ruleIds: all.ruleIds };
}

function randomPolicy(random: () => number): {
  rules: PolicyRule[];
  superUsers: string[];
  allowEveryoneIfNoAclFound: boolean;
  mode: RuleMode;
} {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const some = <T>(list: readonly T[], max: number): T[] => [
    ...new Set(Array.from({ length: 1 + Math.floor(random() * max) }, () => pick(list))),
  ];
  const rules: PolicyRule[] = Array.from({ length: Math.floor(random() * 9) }, (_, i) => {
    const type = pick(TYPES);
    const operations = some<Operation>(['ALL', ...OPERATIONS_BY_RESOURCE_TYPE[type]], 2);
    const principals = some(PRINCIPALS, 2);
    return {
      id: `r${i}`,
      permission: random() < 0.35 ? 'DENY' : 'ALLOW',
      operations,
      principalRefs: principals,
      principals,
      hosts: some(RULE_HOSTS, 2),
      resources: some(NAMES, 2).map((name) => ({ type, name, patternType: random() < 0.3 && name !== '*' ? 'PREFIXED' : 'LITERAL' })),
      mode: random() < 0.15 ? 'dry-run' : 'enforce',
    } satisfies PolicyRule;
  });
  return {
    rules,
    superUsers: random() < 0.1 ? ['User:bob'] : [],
    allowEveryoneIfNoAclFound: random() < 0.4,
    mode: random() < 0.1 ? 'dry-run' : 'enforce',
  };
}

test('compiled policy agrees with the naive reference on random policies (authorize, by type, bitfields)', () => {
  const random = prng(20240601);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  let checked = 0;
  for (let round = 0; round < 600; round++) {
    const spec = randomPolicy(random);
    const policy = new CompiledPolicy(policyOf(spec.rules, spec));
    const expanded = {
      all: expand(spec.rules),
      enforced: expand(spec.rules.filter((r) => r.mode === 'enforce')),
      superUsers: spec.superUsers,
      mode: spec.mode,
    };
    for (let q = 0; q < 10; q++) {
      const principal = pick(PRINCIPALS.filter((p) => p !== 'User:*'));
      const peer = pick(Object.keys(PEERS));
      const type = pick(TYPES);
      const op = pick(OPERATIONS_BY_RESOURCE_TYPE[type]);
      const name = pick([...NAMES, 'abcd', 'x']);
      const context = () => JSON.stringify({ round, spec, principal, peer, op, type, name });

      const got = policy.authorize(principal, peer, op, type, name);
      const want = naiveDecision(expanded, principal, (entries) =>
        naiveAuthorize(entries, spec.allowEveryoneIfNoAclFound, principal, PEERS[peer], op, type, name),
      );
      assert.equal(got.decision, want.decision, context());
      assert.deepEqual([...got.ruleIds].sort(), want.ruleIds, context());

      const byType = policy.authorizeByResourceType(principal, peer, op, type);
      const wantByType = naiveDecision(expanded, principal, (entries) => ({
        allowed: naiveByType(entries, spec.allowEveryoneIfNoAclFound, principal, PEERS[peer], op, type),
        ruleIds: [],
      }));
      assert.equal(byType.decision, wantByType.decision, `byType ${context()}`);

      let bits = 0;
      for (const each of OPERATIONS_BY_RESOURCE_TYPE[type]) {
        const d = naiveDecision(expanded, principal, (entries) =>
          naiveAuthorize(entries, spec.allowEveryoneIfNoAclFound, principal, PEERS[peer], each, type, name),
        );
        if (d.decision !== 'denied')
          bits |=
            1 <<
            {
              READ: 3,
              WRITE: 4,
              CREATE: 5,
              DELETE: 6,
              ALTER: 7,
              DESCRIBE: 8,
              CLUSTER_ACTION: 9,
              DESCRIBE_CONFIGS: 10,
              ALTER_CONFIGS: 11,
              IDEMPOTENT_WRITE: 12,
              CREATE_TOKENS: 13,
              DESCRIBE_TOKENS: 14,
              TWO_PHASE_COMMIT: 15,
            }[each];
      }
      assert.equal(policy.authorizedOperations(principal, peer, type, name), bits, `bitfield ${context()}`);
      checked++;
    }
  }
  assert.equal(checked, 6000);
});
