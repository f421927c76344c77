// The one principal type: parsing `Type:name` (names may contain colons), equality, ANONYMOUS.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PRINCIPAL_TYPE, KafkaPrincipal, parsePrincipal, principalProblem } from '../../../gateway/common/principal.ts';

test('Type:name splits at the first colon; both sides must be non-empty', () => {
  const dn = parsePrincipal('User:CN=alice,O=Acme:Inc');
  assert.ok(dn instanceof KafkaPrincipal);
  assert.deepEqual([dn.type, dn.name, dn.toString()], ['User', 'CN=alice,O=Acme:Inc', 'User:CN=alice,O=Acme:Inc']);
  for (const bad of ['alice', ':alice', 'User:', '', ':']) assert.equal(parsePrincipal(bad), undefined, bad);
});

test('principalProblem: malformed and padded principals', () => {
  assert.equal(principalProblem('Service:edge'), undefined);
  assert.match(principalProblem('alice')!, /malformed principal 'alice': expected Type:name/);
  assert.match(principalProblem(' User:alice')!, /leading or trailing spaces/);
  assert.match(principalProblem('User:alice ')!, /leading or trailing spaces/);
});

test('equality by type and name; ANONYMOUS and user() are User principals', () => {
  assert.equal(DEFAULT_PRINCIPAL_TYPE, 'User');
  assert.equal(KafkaPrincipal.ANONYMOUS.toString(), 'User:ANONYMOUS');
  assert.ok(KafkaPrincipal.user('ANONYMOUS').equals(KafkaPrincipal.ANONYMOUS));
  assert.ok(parsePrincipal('User:bob')!.equals({ type: 'User', name: 'bob' }));
  assert.ok(!KafkaPrincipal.user('bob').equals(new KafkaPrincipal('Group', 'bob')));
});
