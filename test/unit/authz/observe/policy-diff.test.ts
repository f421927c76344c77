// `policy diff`: the access change computed from the rule sets, where rule text and meaning diverge —
// a rewrite that changes nothing, a new deny a super user never meets, a widened prefix, an emptied
// role, a host narrowed (effective access: the DESCRIBE that READ or WRITE implies is listed too) — and, with observations, the observed consumer group a change would break.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompiledPolicy } from '../../../../gateway/authz/compiled-policy.ts';
import { ObservationRecorder } from '../../../../gateway/authz/observe/observation-recorder.ts';
import { describeChange, diffPolicies } from '../../../../gateway/authz/observe/policy-diff.ts';
import { buildPolicy } from '../../../../gateway/authz/policy-loader.ts';

function policy(text: string): CompiledPolicy {
  const loaded = buildPolicy([{ file: 'p.yaml', text: `version: 1\n${text}` }]);
  assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
  return new CompiledPolicy(loaded.policy);
}

const lines = (before: string, after: string) => {
  const d = diffPolicies(policy(before), policy(after));
  return { gained: d.gained.map(describeChange), lost: d.lost.map(describeChange) };
};

test('the same access written differently is no change (rules split, renamed, roles instead of names)', () => {
  const before = `rules:
  - { id: a, allow: [READ, WRITE], principals: [User:alice, User:bob], resources: [ { topic: orders } ] }
`;
  const after = `roles:
  team: [User:bob, User:alice]
rules:
  - { id: read, allow: [READ], principals: [role:team], resources: [ { topic: orders } ] }
  - { id: write, allow: [WRITE], principals: [role:team], resources: [ { topic: orders } ] }
`;
  assert.deepEqual(lines(before, after), { gained: [], lost: [] });
});

test('a new deny on a super user changes nothing for them (super users skip the rules); for others it does', () => {
  const before = `superUsers: [User:admin]
rules:
  - { id: r, allow: [READ], principals: ["User:*"], resources: [ { topic: orders } ] }
`;
  const after = `superUsers: [User:admin]
rules:
  - { id: r, allow: [READ], principals: ["User:*"], resources: [ { topic: orders } ] }
  - { id: d, deny: [READ], principals: [User:admin, User:bob], resources: [ { topic: orders } ] }
`;
  assert.deepEqual(lines(before, after), { gained: [], lost: ["User:bob: READ on TOPIC 'orders'"] });
});

test('a widened prefix shows as access gained on the names only the wider prefix covers', () => {
  const before = `rules:
  - { id: r, allow: [READ], principals: [User:alice], resources: [ { topic: { prefix: "orders.eu." } } ] }
`;
  const after = `rules:
  - { id: r, allow: [READ], principals: [User:alice], resources: [ { topic: { prefix: "orders." } } ] }
`;
  assert.deepEqual(lines(before, after), { gained: ["User:alice: READ, DESCRIBE on TOPIC names starting 'orders.'"], lost: [] });
});

test('an emptied role loses its members their access (the rule text is unchanged)', () => {
  const rule = `rules:
  - { id: r, allow: [READ], principals: [role:readers], resources: [ { group: billing } ] }
`;
  const d = lines(`roles:\n  readers: [User:alice, User:bob]\n${rule}`, `roles:\n  readers: []\n${rule}`);
  assert.deepEqual(d, {
    gained: [],
    lost: ["User:alice: READ, DESCRIBE on GROUP 'billing'", "User:bob: READ, DESCRIBE on GROUP 'billing'"],
  });
});

test('a rule narrowed to one network is a loss from every other host only', () => {
  const before = `rules:
  - { id: r, allow: [WRITE], principals: [User:alice], resources: [ { topic: t } ] }
`;
  const after = `rules:
  - { id: r, allow: [WRITE], principals: [User:alice], hosts: [10.0.0.0/8], resources: [ { topic: t } ] }
`;
  assert.deepEqual(lines(before, after), { gained: [], lost: ["User:alice from other hosts: WRITE, DESCRIBE on TOPIC 't'"] });
});

test('allowEveryoneIfNoAclFound turned on is a gain for every principal on every unnamed resource', () => {
  const d = lines(`rules: []\n`, `allowEveryoneIfNoAclFound: true\nrules: []\n`);
  assert.ok(
    d.gained.includes(
      'any other principal: READ, WRITE, CREATE, DESCRIBE, DELETE, ALTER, DESCRIBE_CONFIGS, ALTER_CONFIGS on TOPIC names no rule names',
    ),
    d.gained.join('\n'),
  );
  assert.deepEqual(d.lost, []);
});

test('with observations: the change that would break one observed consumer group is reported, and only that one', () => {
  const recorder = new ObservationRecorder({ maxEntries: 100 });
  for (const [principal, type, name] of [
    ['User:bob', 'GROUP', 'billing'],
    ['User:bob', 'TOPIC', 'invoices'],
    ['User:carol', 'GROUP', 'reports'],
    ['User:carol', 'TOPIC', 'invoices'],
  ] as const)
    recorder.slot(principal, '10.0.0.7', 'READ', type, name).hit('allowed');
  const before = policy(`rules:
  - { id: consumers, allow: [READ], principals: [User:bob, User:carol], resources: [ { topic: invoices }, { group: billing }, { group: reports } ] }
`);
  const after = policy(`rules:
  - { id: consumers, allow: [READ], principals: [User:bob, User:carol], resources: [ { topic: invoices }, { group: reports } ] }
`);
  const d = diffPolicies(before, after, recorder.snapshot().entries);
  assert.deepEqual(
    d.broken.map((o) => `${o.principal} ${o.operation} ${o.resourceType} ${o.name}`),
    ['User:bob READ GROUP billing'],
  );
  assert.deepEqual(d.lost.map(describeChange), [
    "User:bob: READ, DESCRIBE on GROUP 'billing'",
    "User:carol: READ, DESCRIBE on GROUP 'billing'",
  ]);
});
