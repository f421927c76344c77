// Policy loading: the errors name file, line, column and reason; merging across files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPolicy, type LoadResult } from '../../../gateway/authz/policy-loader.ts';
import type { PolicyError } from '../../../gateway/authz/policy.ts';

function errorsOf(result: LoadResult): PolicyError[] {
  assert.equal(result.ok, false, 'expected the policy to be rejected');
  return result.ok ? [] : result.errors;
}

function only(files: Record<string, string>): PolicyError {
  const errors = errorsOf(buildPolicy(Object.entries(files).map(([file, text]) => ({ file, text }))));
  assert.equal(errors.length, 1, JSON.stringify(errors));
  return errors[0];
}

const RULE = (body: string) => `version: 1
rules:
  - id: r1
${body}`;

test('a valid file loads, with roles expanded and defaults applied', () => {
  const result = buildPolicy([
    {
      file: 'a.yaml',
      text: `version: 1
roles:
  writers: [User:a, User:b]
rules:
  - id: w
    allow: describe
    principals: [role:writers, User:b, User:c]
    resources:
      - topic: { prefix: "pay." }
      - topic: "*"
      - cluster: kafka-cluster
      - transactionalId: { literal: tx }
`,
    },
  ]);
  assert.ok(result.ok);
  const rule = result.policy.rules[0];
  assert.deepEqual(rule.principals, ['User:a', 'User:b', 'User:c']);
  assert.deepEqual(rule.operations, ['DESCRIBE']);
  assert.deepEqual(rule.hosts, ['*']);
  assert.equal(rule.mode, 'enforce');
  assert.deepEqual(rule.resources, [
    { type: 'TOPIC', patternType: 'PREFIXED', name: 'pay.' },
    { type: 'TOPIC', patternType: 'LITERAL', name: '*' },
    { type: 'CLUSTER', patternType: 'LITERAL', name: 'kafka-cluster' },
    { type: 'TRANSACTIONAL_ID', patternType: 'LITERAL', name: 'tx' },
  ]);
  assert.deepEqual(rule.source, { file: 'a.yaml', line: 5, column: 5 });
  assert.equal(result.policy.allowEveryoneIfNoAclFound, false);
  assert.equal(result.policy.mode, 'enforce');
});

test('resource names keep their exact text', () => {
  const result = buildPolicy([
    { file: 'a.yaml', text: RULE('    allow: [READ]\n    principals: [User:a]\n    resources: [{ topic: 1.10 }, { group: true }]\n') },
  ]);
  assert.ok(result.ok);
  assert.deepEqual(
    result.policy.rules[0].resources.map((r) => r.name),
    ['1.10', 'true'],
  );
});

test('unknown key: file, line, column and a suggestion', () => {
  const error = only({
    'p/a.yaml': RULE('    alow: [READ]\n    allow: [READ]\n    principals: [User:a]\n    resources: [{ topic: t }]\n'),
  });
  assert.deepEqual({ ...error, message: undefined }, { file: 'p/a.yaml', line: 4, column: 5, message: undefined });
  assert.match(error.message, /unknown key 'alow' in rule \(did you mean 'allow'\?\)/);
});

test('unknown top-level key', () => {
  const error = only({ 'a.yaml': 'version: 1\nsuperusers: [User:x]\n' });
  assert.equal(error.line, 2);
  assert.equal(error.column, 1);
  assert.match(error.message, /unknown key 'superusers'.*did you mean 'superUsers'/);
});

test('unknown operation', () => {
  const error = only({ 'a.yaml': RULE('    allow: [READ, FETCH]\n    principals: [User:a]\n    resources: [{ topic: t }]\n') });
  assert.deepEqual([error.line, error.column], [4, 19]);
  assert.match(error.message, /unknown operation 'FETCH'/);
});

test('operation not valid for the resource type', () => {
  const error = only({ 'a.yaml': RULE('    allow:\n      - WRITE\n    principals: [User:a]\n    resources:\n      - group: g\n') });
  assert.deepEqual([error.line, error.column], [5, 9]);
  assert.match(error.message, /operation WRITE is not valid for resource type GROUP/);
});

test('malformed principal', () => {
  const error = only({ 'a.yaml': RULE('    allow: [READ]\n    principals: [User:a, alice]\n    resources: [{ topic: t }]\n') });
  assert.deepEqual([error.line, error.column], [5, 26]);
  assert.match(error.message, /malformed principal 'alice'/);
  assert.match(only({ 'a.yaml': 'version: 1\nsuperUsers: ["User:"]\n' }).message, /malformed principal 'User:'/);
});

test('malformed CIDR, bad cluster name, allow and deny together, missing keys', () => {
  assert.match(
    only({ 'a.yaml': RULE('    allow: [READ]\n    principals: [User:a]\n    hosts: [10.0.0.0/40]\n    resources: [{ topic: t }]\n') })
      .message,
    /invalid CIDR '10\.0\.0\.0\/40': prefix length must be 0\.\.32/,
  );
  assert.match(
    only({ 'a.yaml': RULE('    allow: [ALTER]\n    principals: [User:a]\n    resources: [{ cluster: prod }]\n') }).message,
    /always named 'kafka-cluster'/,
  );
  assert.match(
    only({ 'a.yaml': RULE('    allow: [READ]\n    deny: [READ]\n    principals: [User:a]\n    resources: [{ topic: t }]\n') }).message,
    /either allow or deny/,
  );
  const missing = only({ 'a.yaml': RULE('    allow: [READ]\n    principals: [User:a]\n') });
  assert.deepEqual([missing.line, missing.column, missing.message], [3, 5, "rule is missing required key 'resources'"]);
  assert.match(only({ 'a.yaml': 'rules: []\n' }).message, /missing required key 'version'/);
  assert.match(only({ 'a.yaml': 'version: 2\n' }).message, /unsupported policy version '2'/);
});

test('YAML syntax errors carry their position', () => {
  const error = only({ 'a.yaml': 'version: 1\nrules:\n  - id: [unclosed\n' });
  assert.equal(error.file, 'a.yaml');
  assert.ok(error.line >= 3, `line ${error.line}`);
  assert.match(error.message, /^YAML syntax/);
});

test('several problems are all reported', () => {
  const errors = errorsOf(
    buildPolicy([
      { file: 'a.yaml', text: RULE('    allow: [READ, NOPE]\n    principals: [bad]\n    resources: [{ topic: t }, { queue: q }]\n') },
    ]),
  );
  assert.deepEqual(
    errors.map((e) => [e.line, e.column]),
    [
      [4, 19],
      [5, 18],
      [6, 33],
    ],
  );
  assert.match(errors[2].message, /unknown key 'queue' in resource/);
});

test('merging: duplicate ids, duplicate roles, unknown roles and conflicting settings are errors', () => {
  const rule = (id: string) => `  - id: ${id}\n    allow: [READ]\n    principals: [User:a]\n    resources: [{ topic: t }]\n`;
  const dup = only({ 'a.yaml': `version: 1\nrules:\n${rule('x')}`, 'b.yaml': `version: 1\nrules:\n${rule('y')}${rule('x')}` });
  assert.deepEqual([dup.file, dup.line], ['b.yaml', 7]);
  assert.match(dup.message, /duplicate rule id 'x' \(first defined at a\.yaml:3:5\)/);
  const role = only({ 'a.yaml': 'version: 1\nroles:\n  ops: [User:a]\n', 'b.yaml': 'version: 1\nroles:\n  ops: [User:b]\n' });
  assert.deepEqual([role.file, role.line, role.column], ['b.yaml', 3, 3]);
  const unknown = only({
    'a.yaml': `version: 1\nrules:\n  - id: r\n    allow: [READ]\n    principals: [role:nope]\n    resources: [{ topic: t }]\n`,
  });
  assert.deepEqual([unknown.line, unknown.column, unknown.message], [5, 18, "unknown role 'nope'"]);
  const conflict = only({
    'a.yaml': 'version: 1\nallowEveryoneIfNoAclFound: true\n',
    'b.yaml': 'version: 1\nallowEveryoneIfNoAclFound: false\n',
  });
  assert.deepEqual([conflict.file, conflict.line, conflict.column], ['b.yaml', 2, 28]);
  assert.match(conflict.message, /allowEveryoneIfNoAclFound is false here but true in a\.yaml:2:28/);
});

test('merging: super users are the union, equal settings agree, roles cross files', () => {
  const result = buildPolicy([
    { file: 'a.yaml', text: 'version: 1\nsuperUsers: [User:a]\nallowEveryoneIfNoAclFound: true\nroles:\n  r: [User:x]\n' },
    {
      file: 'b.yaml',
      text: 'version: 1\nsuperUsers: [User:b, User:a]\nallowEveryoneIfNoAclFound: true\nrules:\n  - id: q\n    deny: ALL\n    principals: role:r\n    resources: [{ user: "User:x" }]\n',
    },
  ]);
  assert.ok(result.ok);
  assert.deepEqual(result.policy.superUsers, ['User:a', 'User:b']);
  assert.equal(result.policy.allowEveryoneIfNoAclFound, true);
  assert.deepEqual(result.policy.rules[0].principals, ['User:x']);
});

test('the digest is stable for the same sources and changes with them', () => {
  const digest = (text: string) => {
    const result = buildPolicy([{ file: 'a.yaml', text }]);
    assert.ok(result.ok);
    return result.policy.digest;
  };
  assert.equal(digest('version: 1\n'), digest('version: 1\n'));
  assert.notEqual(digest('version: 1\n'), digest('version: 1\nsuperUsers: [User:a]\n'));
});
