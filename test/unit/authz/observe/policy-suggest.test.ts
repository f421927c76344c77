// `policy suggest`: a policy that allows what was observed and, replayed, refuses none of it; shared
// prefixes generalised only where enough names share them; a consumer's group beside the topics it
// reads; implied DESCRIBE not written; unidentified clients by address; --since honoured.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { CompiledPolicy } from '../../../../gateway/authz/compiled-policy.ts';
import { ObservationRecorder } from '../../../../gateway/authz/observe/observation-recorder.ts';
import type { ObservationSet } from '../../../../gateway/authz/observe/observation.ts';
import { replay, suggestPolicy } from '../../../../gateway/authz/observe/policy-suggest.ts';
import { buildPolicy } from '../../../../gateway/authz/policy-loader.ts';
import type { RequestOperation, ResourceType } from '../../../../gateway/authz/model.ts';

type Ask = [principal: string, host: string, op: RequestOperation, type: ResourceType, name: string | null, times?: number];

function observed(asks: Ask[], at = Date.parse('2026-11-20T10:00:00Z')): ObservationSet {
  const recorder = new ObservationRecorder({ maxEntries: 1000, now: () => at });
  for (const [principal, host, op, type, name, times] of asks) {
    const slot = recorder.slot(principal, host, op, type, name);
    for (let i = 0; i < (times ?? 1); i++) slot.hit('dry_run_denied');
  }
  return recorder.snapshot();
}

function compile(yaml: string): CompiledPolicy {
  const loaded = buildPolicy([{ file: 'suggested.yaml', text: yaml }]);
  assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
  return new CompiledPolicy(loaded.policy);
}

type Rule = { id: string; allow: string[]; principals: string[]; hosts?: string[]; resources: Array<Record<string, unknown>> };

const WORKLOAD: Ask[] = [
  ['User:orders-app', '10.0.0.5', 'WRITE', 'TOPIC', 'orders.eu.created', 40],
  ['User:orders-app', '10.0.0.5', 'WRITE', 'TOPIC', 'orders.eu.paid', 30],
  ['User:orders-app', '10.0.0.5', 'WRITE', 'TOPIC', 'orders.eu.shipped', 20],
  ['User:orders-app', '10.0.0.5', 'DESCRIBE', 'TOPIC', 'orders.eu.created', 5],
  ['User:orders-app', '10.0.0.5', 'WRITE', 'TOPIC', null, 1],
  ['User:orders-app', '10.0.0.5', 'WRITE', 'TOPIC', 'audit', 3],
  ['User:analytics', '10.0.0.6', 'READ', 'TOPIC', 'orders.eu.created', 100],
  ['User:analytics', '10.0.0.6', 'READ', 'GROUP', 'analytics-orders', 50],
  ['User:analytics', '10.0.0.6', 'DESCRIBE', 'GROUP', 'analytics-orders', 2],
  ['User:ANONYMOUS', '192.168.1.7', 'DESCRIBE', 'TOPIC', 'audit', 4],
];

test('the suggestion allows every observed ask (replayed) and loads as a policy', () => {
  const set = observed(WORKLOAD);
  const s = suggestPolicy(set, { prefixMinNames: 3, source: 'obs.json' });
  assert.deepEqual(s.uncovered, []);
  assert.deepEqual(replay(s.yaml, set.entries), []);
  compile(s.yaml);
});

test('three names under one prefix become a prefixed rule; a single name stays literal; implied DESCRIBE is not written', () => {
  const s = suggestPolicy(observed(WORKLOAD), { prefixMinNames: 3, source: 'obs.json' });
  const rules = (parse(s.yaml) as { rules: Rule[] }).rules;
  const writer = rules.filter((r) => r.principals[0] === 'User:orders-app');
  assert.deepEqual(writer, [
    {
      id: 'orders-app-write',
      allow: ['WRITE'],
      principals: ['User:orders-app'],
      resources: [{ topic: { prefix: 'orders.eu.' } }, { topic: 'audit' }],
    },
  ]);
  assert.match(
    s.yaml,
    /# 98 request\(s\), seen on 2026-11-20\n\s+# from 10\.0\.0\.5\n\s+# prefix orders\.eu\. covers 3 observed: orders\.eu\.created, orders\.eu\.paid, orders\.eu\.shipped/,
  );
  const policy = compile(s.yaml);
  assert.equal(
    policy.authorize('User:orders-app', '10.0.0.5', 'WRITE', 'TOPIC', 'orders.eu.refunded').allowed,
    true,
    'the prefix is the generalisation',
  );
  assert.equal(policy.authorize('User:orders-app', '10.0.0.5', 'WRITE', 'TOPIC', 'orders.us.created').allowed, false);
  assert.equal(
    policy.authorize('User:orders-app', '10.0.0.5', 'READ', 'TOPIC', 'audit').allowed,
    false,
    'nothing observed, nothing allowed',
  );
});

test('with --prefix-min above the count (or 0) every name stays literal', () => {
  for (const prefixMinNames of [4, 0]) {
    const s = suggestPolicy(observed(WORKLOAD), { prefixMinNames, source: 'obs.json' });
    assert.doesNotMatch(s.yaml, /prefix:/);
    assert.deepEqual(s.uncovered, []);
  }
});

test("a consumer's group and the topics it reads share one READ rule (the group's DESCRIBE is implied)", () => {
  const s = suggestPolicy(observed(WORKLOAD), { prefixMinNames: 3, source: 'obs.json' });
  const rules = (parse(s.yaml) as { rules: Rule[] }).rules;
  assert.deepEqual(
    rules.filter((r) => r.principals[0] === 'User:analytics'),
    [
      {
        id: 'analytics-read',
        allow: ['READ'],
        principals: ['User:analytics'],
        resources: [{ topic: 'orders.eu.created' }, { group: 'analytics-orders' }],
      },
    ],
  );
});

test('unidentified clients are allowed only from the address they were seen at', () => {
  const s = suggestPolicy(observed(WORKLOAD), { prefixMinNames: 3, source: 'obs.json' });
  const rules = (parse(s.yaml) as { rules: Rule[] }).rules;
  const anonymous = rules.filter((r) => r.principals[0] === 'User:ANONYMOUS');
  assert.deepEqual(
    anonymous.map((r) => r.hosts),
    [['192.168.1.7']],
  );
  const policy = compile(s.yaml);
  assert.equal(policy.authorize('User:ANONYMOUS', '192.168.1.7', 'DESCRIBE', 'TOPIC', 'audit').allowed, true);
  assert.equal(policy.authorize('User:ANONYMOUS', '192.168.1.8', 'DESCRIBE', 'TOPIC', 'audit').allowed, false);
});

test('an idempotent producer that writes no topic gets IDEMPOTENT_WRITE on the cluster, nothing broader', () => {
  const set = observed([['User:init-only', '10.0.0.9', 'WRITE', 'TOPIC', null]]);
  const s = suggestPolicy(set, { prefixMinNames: 3, source: 'obs.json' });
  assert.deepEqual(s.uncovered, []);
  assert.deepEqual((parse(s.yaml) as { rules: Rule[] }).rules[0].resources, [{ cluster: 'kafka-cluster' }]);
  assert.deepEqual((parse(s.yaml) as { rules: Rule[] }).rules[0].allow, ['IDEMPOTENT_WRITE']);
});

test('--since leaves out what was last seen before it; refused asks are never suggested', () => {
  const old = observed([['User:gone', '10.0.0.1', 'READ', 'TOPIC', 'legacy']], Date.parse('2026-10-01T00:00:00Z'));
  const recent = observed([['User:here', '10.0.0.2', 'READ', 'TOPIC', 'current']]);
  const refused = new ObservationRecorder({ maxEntries: 10 });
  refused.slot('User:intruder', '10.0.0.3', 'WRITE', 'TOPIC', 'secret').hit('denied');
  const set = { entries: [...old.entries, ...recent.entries, ...refused.snapshot().entries], dropped: 0 };
  const s = suggestPolicy(set, { prefixMinNames: 3, source: 'obs.json', since: Date.parse('2026-11-01T00:00:00Z') });
  const principals = (parse(s.yaml) as { rules: Rule[] }).rules.map((r) => r.principals[0]);
  assert.deepEqual(principals, ['User:here']);
});

test('a full store is said in the header', () => {
  const s = suggestPolicy({ ...observed(WORKLOAD), dropped: 12 }, { prefixMinNames: 3, source: 'obs.json' });
  assert.match(s.yaml, /WARNING: the observation store was full and did not record 12 new tuple/);
});
