// `policy check` warnings: never-matching rules, shadowed allows, unusual principal types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintPolicy } from '../../../gateway/authz/policy-lint.ts';
import { acl, policyOf } from './helpers.ts';

const messages = (...args: Parameters<typeof policyOf>) => lintPolicy(policyOf(...args)).map((w) => w.message);

test('a clean policy has no warnings', () => {
  assert.deepEqual(messages([acl('User:alice ALLOW READ TOPIC t'), acl('User:* DENY WRITE TOPIC t')]), []);
});

test('allows fully shadowed by one deny', () => {
  const shadowed = messages([
    acl('User:alice ALLOW READ TOPIC pay.in', { id: 'a' }),
    acl('User:* DENY ALL TOPIC pay PREFIXED', { id: 'd' }),
  ]);
  assert.deepEqual(shadowed, ["allow rule 'a' is shadowed: deny rule 'd' denies everything it allows"]);
  assert.deepEqual(messages([acl('User:alice ALLOW READ TOPIC t'), acl('User:alice DENY READ TOPIC t')]), [], 'READ still grants DESCRIBE');
  assert.equal(
    messages([acl('User:alice ALLOW WRITE TOPIC t'), { ...acl('User:alice DENY WRITE TOPIC t'), operations: ['WRITE', 'DESCRIBE'] }])
      .length,
    1,
  );
  assert.deepEqual(
    messages([acl('User:alice ALLOW READ TOPIC t host 10.0.0.5'), acl('User:alice DENY ALL TOPIC t host 10.0.0.6')]),
    [],
    'other host',
  );
  assert.deepEqual(
    messages([acl('User:alice ALLOW READ TOPIC t'), acl('User:alice DENY ALL TOPIC t', { mode: 'dry-run' })]),
    [],
    'dry-run deny does not shadow',
  );
});

test('rules that can never match', () => {
  assert.match(messages([acl('User:alice ALLOW READ TOPIC t host kafka.example.com')])[0], /can never match: host 'kafka\.example\.com'/);
  assert.match(messages([{ ...acl('User:alice ALLOW READ TOPIC t'), principals: [] }])[0], /roles have no members/);
  assert.match(messages([acl('User:root ALLOW READ TOPIC t')], { superUsers: ['User:root'] })[0], /all its principals are super users/);
});

test('unknown principal types and fake wildcards', () => {
  const found = messages([acl('Svc:x ALLOW READ TOPIC t'), acl('Group:* ALLOW READ TOPIC t')]);
  assert.match(found[0], /unknown principal type 'Svc'/);
  assert.match(found[1], /'Group:\*' is not a wildcard/);
});
