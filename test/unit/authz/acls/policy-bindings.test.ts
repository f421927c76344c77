import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bindingApproximations, policyBindings, ruleWhere } from '../../../../gateway/authz/acls/policy-bindings.ts';
import { buildPolicy } from '../../../../gateway/authz/policy-loader.ts';
import type { Policy } from '../../../../gateway/authz/policy.ts';

function load(files: Record<string, string>): Policy {
  const result = buildPolicy(Object.entries(files).map(([file, text]) => ({ file, text })));
  assert.ok(result.ok, JSON.stringify(result));
  return result.policy;
}

/** Each listed binding as one line: "principal host PERMISSION OPERATION TYPE:PATTERN:name <- rule". */
function lines(policy: Policy): string[] {
  return policyBindings(policy).map(({ binding: b, source }) => {
    const from = source.kind === 'policy-file' ? ` <- ${source.ruleId}` : '';
    return `${b.principal} ${b.host} ${b.permission} ${b.operation} ${b.resource.type}:${b.resource.patternType}:${b.resource.name}${from}`;
  });
}

describe('policyBindings', () => {
  test('a multi-resource, multi-operation rule: resource × principal × host × operation, as written', () => {
    const policy = load({
      'team.yaml': `version: 1
rules:
  - id: readers
    allow: [READ, DESCRIBE]
    principals: [User:a, User:b]
    hosts: [10.0.0.5, "*"]
    resources:
      - topic: { prefix: "pay." }
      - group: g
`,
    });
    // DESCRIBE is valid on a group; READ too.
    assert.deepEqual(lines(policy), [
      'User:a 10.0.0.5 ALLOW READ TOPIC:PREFIXED:pay. <- readers',
      'User:a 10.0.0.5 ALLOW DESCRIBE TOPIC:PREFIXED:pay. <- readers',
      'User:a * ALLOW READ TOPIC:PREFIXED:pay. <- readers',
      'User:a * ALLOW DESCRIBE TOPIC:PREFIXED:pay. <- readers',
      'User:b 10.0.0.5 ALLOW READ TOPIC:PREFIXED:pay. <- readers',
      'User:b 10.0.0.5 ALLOW DESCRIBE TOPIC:PREFIXED:pay. <- readers',
      'User:b * ALLOW READ TOPIC:PREFIXED:pay. <- readers',
      'User:b * ALLOW DESCRIBE TOPIC:PREFIXED:pay. <- readers',
      'User:a 10.0.0.5 ALLOW READ GROUP:LITERAL:g <- readers',
      'User:a 10.0.0.5 ALLOW DESCRIBE GROUP:LITERAL:g <- readers',
      'User:a * ALLOW READ GROUP:LITERAL:g <- readers',
      'User:a * ALLOW DESCRIBE GROUP:LITERAL:g <- readers',
      'User:b 10.0.0.5 ALLOW READ GROUP:LITERAL:g <- readers',
      'User:b 10.0.0.5 ALLOW DESCRIBE GROUP:LITERAL:g <- readers',
      'User:b * ALLOW READ GROUP:LITERAL:g <- readers',
      'User:b * ALLOW DESCRIBE GROUP:LITERAL:g <- readers',
    ]);
    const first = policyBindings(policy)[0];
    assert.deepEqual(first.source, { kind: 'policy-file', ruleId: 'readers', location: { file: 'team.yaml', line: 3, column: 5 } });
    assert.deepEqual(bindingApproximations(policy), []);
  });

  test('files in load order, rules as written; a binding two rules yield is listed once, from the first', () => {
    const policy = load({
      'a.yaml': 'version: 1\nrules:\n  - id: r1\n    deny: [WRITE]\n    principals: ["User:*"]\n    resources: [{ topic: t }]\n',
      'b.yaml':
        'version: 1\nrules:\n  - id: r2\n    allow: [ALTER]\n    principals: [User:x]\n    resources: [{ cluster: kafka-cluster }]\n' +
        '  - id: r3\n    deny: [WRITE, READ]\n    principals: ["User:*"]\n    resources: [{ topic: t }]\n',
    });
    assert.deepEqual(lines(policy), [
      'User:* * DENY WRITE TOPIC:LITERAL:t <- r1',
      'User:x * ALLOW ALTER CLUSTER:LITERAL:kafka-cluster <- r2',
      'User:* * DENY READ TOPIC:LITERAL:t <- r3',
    ]);
  });

  test('a role: one binding per member, each noting the role (not when also named directly)', () => {
    const policy = load({
      'team.yaml': `version: 1
roles:
  writers: [User:a, User:b]
rules:
  - id: w
    allow: [WRITE]
    principals: [role:writers, User:b, User:c]
    resources: [{ topic: t }]
`,
    });
    const listed = policyBindings(policy);
    assert.deepEqual(
      listed.map((l) => l.binding.principal),
      ['User:a', 'User:b', 'User:c'],
    );
    assert.deepEqual(
      listed.map((l) => (l.source.kind === 'policy-file' ? l.source.approximation : 'managed')),
      ['principal User:a is a member of role writers: Kafka has no roles, one binding per member is shown', undefined, undefined],
    );
    assert.deepEqual(bindingApproximations(policy), [
      'team.yaml:5 (rule w): principal User:a is a member of role writers: Kafka has no roles, one binding per member is shown',
    ]);
  });

  test('a CIDR host is shown as written with a note; an IP is shown in the form Kafka compares', () => {
    const policy = load({
      'net.yaml': `version: 1
rules:
  - id: lan
    allow: [READ]
    principals: [User:a]
    hosts: [10.0.0.0/8, "::1", 192.168.1.7]
    resources: [{ topic: t }]
`,
    });
    const listed = policyBindings(policy);
    assert.deepEqual(
      listed.map((l) => l.binding.host),
      ['10.0.0.0/8', '0:0:0:0:0:0:0:1', '192.168.1.7'],
    );
    const cidrNote = 'host 10.0.0.0/8 is a CIDR: Kafka would match only that literal string; the gateway matches the range';
    assert.deepEqual(
      listed.map((l) => (l.source.kind === 'policy-file' ? l.source.approximation : 'managed')),
      [cidrNote, undefined, undefined],
    );
    assert.deepEqual(bindingApproximations(policy), [`net.yaml:3 (rule lan): ${cidrNote}`]);
  });

  test('dry-run, per rule or for the whole policy, is noted on every binding; notes combine', () => {
    const rule = (mode: string) => `version: 1
${mode}roles:
  ops: [User:o]
rules:
  - id: maybe
    deny: [DELETE]
    principals: [role:ops]
    hosts: [10.1.0.0/16]
    mode: dry-run
    resources: [{ topic: { prefix: x } }]
  - id: sure
    allow: [ALL]
    principals: [User:o]
    resources: [{ topic: "*" }]
`;
    const perRule = load({ 'd.yaml': rule('') });
    assert.deepEqual(bindingApproximations(perRule), [
      'd.yaml:5 (rule maybe): host 10.1.0.0/16 is a CIDR: Kafka would match only that literal string; the gateway matches the range; ' +
        'principal User:o is a member of role ops: Kafka has no roles, one binding per member is shown; dry-run: logged, not enforced',
    ]);
    assert.equal(policyBindings(perRule).length, 2);
    const whole = load({ 'd.yaml': rule('mode: dry-run\n') });
    const notes = bindingApproximations(whole);
    assert.equal(notes.length, 2);
    assert.match(notes[0], /^d\.yaml:6 \(rule maybe\): .*; dry-run \(whole policy\): logged, not enforced$/);
    assert.equal(notes[1], 'd.yaml:12 (rule sure): dry-run (whole policy): logged, not enforced');
  });

  test('super users and allowEveryoneIfNoAclFound are broker settings, not bindings: not listed', () => {
    const policy = load({
      's.yaml': 'version: 1\nsuperUsers: [User:admin]\nallowEveryoneIfNoAclFound: true\nrules: []\n',
    });
    assert.deepEqual(policyBindings(policy), []);
    assert.deepEqual(bindingApproximations(policy), []);
  });

  test('a rule whose roles have no members yields no binding but is not silently dropped from the tools', () => {
    const policy = load({
      'e.yaml':
        'version: 1\nroles:\n  nobody: []\nrules:\n  - id: empty\n    allow: [READ]\n    principals: [role:nobody]\n    resources: [{ topic: t }]\n',
    });
    assert.deepEqual(policyBindings(policy), []);
    assert.deepEqual(bindingApproximations(policy), [
      'e.yaml:5 (rule empty): no principal (its roles have no members): no Kafka binding, yet its resources count as having ACLs',
    ]);
  });
});

test('ruleWhere names a rule by file:line when it knows them', () => {
  assert.equal(ruleWhere('orders-read', { file: 'team.yaml', line: 12, column: 5 }), 'team.yaml:12 (rule orders-read)');
  assert.equal(ruleWhere('orders-read'), '(rule orders-read)');
});
