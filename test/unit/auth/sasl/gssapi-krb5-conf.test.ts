// krb5.conf's default_realm (the DEFAULT principal-to-local rule's realm) and the service principal's realm.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { defaultRealmOf, readDefaultRealm, realmOfPrincipal } from '../../../../gateway/auth/sasl/gssapi/krb5-conf.ts';

describe('defaultRealmOf', () => {
  test('reads default_realm from [libdefaults]', () =>
    assert.equal(defaultRealmOf('[libdefaults]\n    default_realm = EXAMPLE.COM\n    rdns = false\n'), 'EXAMPLE.COM'));
  test('ignores a default_realm outside [libdefaults] and comments', () =>
    assert.equal(
      defaultRealmOf(
        '# default_realm = WRONG\n[realms]\n default_realm = WRONG\n[libdefaults]\n ; default_realm = WRONG2\n default_realm=RIGHT.ORG\n',
      ),
      'RIGHT.ORG',
    ));
  test('no [libdefaults] default_realm → undefined', () => assert.equal(defaultRealmOf('[libdefaults]\n rdns = false\n'), undefined));
  test('CRLF line ends', () => assert.equal(defaultRealmOf('[libdefaults]\r\n default_realm = A.B\r\n'), 'A.B'));
});

describe('readDefaultRealm', () => {
  test('the first file that sets it wins; missing files are skipped', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-krb5conf-'));
    try {
      const none = path.join(dir, 'none.conf');
      const first = path.join(dir, 'first.conf');
      const second = path.join(dir, 'second.conf');
      fs.writeFileSync(first, '[libdefaults]\n rdns = false\n');
      fs.writeFileSync(second, '[libdefaults]\n default_realm = SECOND.ORG\n');
      assert.equal(readDefaultRealm([path.join(dir, 'missing.conf'), first, second]), 'SECOND.ORG');
      assert.equal(readDefaultRealm([none]), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('realmOfPrincipal', () => {
  test('service/host@REALM → REALM', () => assert.equal(realmOfPrincipal('kafka/localhost@EXAMPLE.COM'), 'EXAMPLE.COM'));
  test('no realm → undefined', () => {
    assert.equal(realmOfPrincipal('kafka/localhost'), undefined);
    assert.equal(realmOfPrincipal('kafka/localhost@'), undefined);
  });
});
