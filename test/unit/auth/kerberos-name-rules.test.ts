import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  InvalidKerberosRulesError,
  KerberosName,
  KerberosShortNamer,
  MalformedKerberosNameError,
  NoMatchingKerberosRuleError,
  splitKerberosRuleList,
} from '../../../gateway/auth/kerberos-name-rules.ts';

const REALM = 'EXAMPLE.COM';
const short = (rules: string, name: string) => KerberosShortNamer.fromRules(REALM, rules).shortName(name);

describe('spec §5.2 examples (every row of the table, default realm EXAMPLE.COM)', () => {
  test('DEFAULT, alice@EXAMPLE.COM → alice', () => assert.equal(short('DEFAULT', 'alice@EXAMPLE.COM'), 'alice'));
  test('DEFAULT, kafka/broker1.example.com@EXAMPLE.COM → kafka', () =>
    assert.equal(short('DEFAULT', 'kafka/broker1.example.com@EXAMPLE.COM'), 'kafka'));
  test('DEFAULT, alice@PARTNER.ORG → failure', () =>
    assert.throws(() => short('DEFAULT', 'alice@PARTNER.ORG'), NoMatchingKerberosRuleError));
  const rules = 'RULE:[1:$1@$0](.*@MYDOMAIN.COM)s/@.*//,DEFAULT';
  test('RULE:[1:$1@$0](.*@MYDOMAIN.COM)s/@.*//,DEFAULT, user@MYDOMAIN.COM → user', () =>
    assert.equal(short(rules, 'user@MYDOMAIN.COM'), 'user'));
  test('same rules, bob@EXAMPLE.COM → bob (DEFAULT)', () => assert.equal(short(rules, 'bob@EXAMPLE.COM'), 'bob'));
  test('RULE:[2:$1@$0](.*@EXAMPLE.COM)s/@.*//, kafka/b1.example.com@EXAMPLE.COM → kafka', () =>
    assert.equal(short('RULE:[2:$1@$0](.*@EXAMPLE.COM)s/@.*//', 'kafka/b1.example.com@EXAMPLE.COM'), 'kafka'));
  test('RULE:[2:$1/$2@$0], kafka/b1.example.com@EXAMPLE.COM → failure (non-simple result)', () =>
    assert.throws(
      () => short('RULE:[2:$1/$2@$0]', 'kafka/b1.example.com@EXAMPLE.COM'),
      /Non-simple name kafka\/b1\.example\.com@EXAMPLE\.COM/,
    ));
  test('RULE:[1:$1]/L, Alice@EXAMPLE.COM → alice', () => assert.equal(short('RULE:[1:$1]/L', 'Alice@EXAMPLE.COM'), 'alice'));
  test('RULE:[1:$1@$0](.*@EXAMPLE.COM)s/@.*///U, alice@EXAMPLE.COM → ALICE', () =>
    assert.equal(short('RULE:[1:$1@$0](.*@EXAMPLE.COM)s/@.*///U', 'alice@EXAMPLE.COM'), 'ALICE'));
});

describe('Kafka KerberosNameTest cases', () => {
  test('parse and map App.* services', () => {
    const namer = KerberosShortNamer.fromRules('REALM.COM', [
      String.raw`RULE:[1:$1](App\..*)s/App\.(.*)/$1/g`,
      String.raw`RULE:[2:$1](App\..*)s/App\.(.*)/$1/g`,
      'DEFAULT',
    ]);
    const name = KerberosName.parse('App.service-name/example.com@REALM.COM');
    assert.equal(name.serviceName, 'App.service-name');
    assert.equal(name.hostName, 'example.com');
    assert.equal(name.realm, 'REALM.COM');
    assert.equal(namer.shortName(name), 'service-name');
    assert.equal(namer.shortName('App.service-name@REALM.COM'), 'service-name');
    assert.equal(namer.shortName('user/host@REALM.COM'), 'user');
  });

  for (const [suffix, cased] of [
    ['L', (t: string) => t.toLowerCase()],
    ['U', (t: string) => t.toUpperCase()],
  ] as const) {
    test(`/${suffix} changes the case of the result`, () => {
      const namer = KerberosShortNamer.fromRules('REALM.COM', [
        `RULE:[1:$1]/${suffix}`,
        `RULE:[2:$1](Test.*)s/ABC///${suffix}`,
        `RULE:[2:$1](ABC.*)s/ABC/XYZ/g/${suffix}`,
        String.raw`RULE:[2:$1](App\..*)s/App\.(.*)/$1/g/` + suffix,
        `RULE:[2:$1]/${suffix}`,
        'DEFAULT',
      ]);
      assert.equal(namer.shortName('User@REALM.COM'), cased('user'));
      assert.equal(namer.shortName('TestABC/host@FOO.COM'), cased('test'));
      assert.equal(namer.shortName('ABC_User_ABC/host@FOO.COM'), cased('xyz_user_xyz'));
      assert.equal(namer.shortName('App.SERVICE-name/example.com@REALM.COM'), cased('service-name'));
      assert.equal(namer.shortName('User/root@REALM.COM'), cased('user'));
    });
  }

  test('invalid rules are refused', () => {
    for (const r of [
      'default',
      'DEFAUL',
      'DEFAULT/L',
      'DEFAULT/g',
      'rule:[1:$1]',
      'rule:[1:$1]/L/U',
      'rule:[1:$1]/U/L',
      'rule:[1:$1]/LU',
      'rule:[1:$1]/UL',
      'rule:[1:$1]/LL',
      'rule:[1:$1]/UU',
      'RULE:[1:$1]/L/U',
      'RULE:[1:$1]/U/L',
      'RULE:[1:$1]/LU',
      'RULE:[1:$1]/UL',
      'RULE:[1:$1]/LL',
      'RULE:[1:$1]/UU',
      'RULE:[1:$1]/l',
      'RULE:[1:$1]/u',
      'RULE:[:$1]',
      '',
    ]) {
      assert.throws(() => KerberosShortNamer.fromRules(REALM, [r]), InvalidKerberosRulesError, r);
    }
  });
});

describe('details', () => {
  test('a name without @ is already short; a malformed name is refused', () => {
    assert.equal(short('RULE:[1:$1]s/a/b/', 'plain'), 'plain');
    assert.equal(short('DEFAULT', 'svc/host'), 'svc/host');
    assert.throws(() => KerberosName.parse('a@b@C'), MalformedKerberosNameError);
    assert.throws(() => KerberosName.parse('a/b/c@C'), MalformedKerberosNameError);
    assert.equal(KerberosName.parse('a/b@C').toString(), 'a/b@C');
  });

  test('format parameters: $k outside the name is an error at evaluation; a bare $ too', () => {
    assert.throws(() => short('RULE:[1:$2]', 'alice@EXAMPLE.COM'), /index 2 from \$2 is outside of the valid range 0 to 1/);
    assert.throws(() => short('RULE:[1:$]', 'alice@EXAMPLE.COM'), /bad format/);
    assert.equal(short('RULE:[1:x$1y]', 'alice@EXAMPLE.COM'), 'xalicey');
  });

  test('component count selects the rule; the regex must match the whole formatted string', () => {
    assert.equal(short('RULE:[2:$1],DEFAULT', 'alice@EXAMPLE.COM'), 'alice'); // n=1: rule skipped, DEFAULT
    assert.throws(() => short('RULE:[1:$1@$0](alice)', 'alice@EXAMPLE.COM'), NoMatchingKerberosRuleError); // partial match only
    assert.equal(short('RULE:[1:$1@$0](alice@.*)s/@.*//', 'alice@EXAMPLE.COM'), 'alice');
  });

  test('s/// replaces the first match; g replaces all', () => {
    assert.equal(short('RULE:[1:$1](.*)s/a/X/', 'banana@EXAMPLE.COM'), 'bXnana');
    assert.equal(short('RULE:[1:$1](.*)s/a/X/g', 'banana@EXAMPLE.COM'), 'bXnXnX');
  });

  test('a non-simple result stops evaluation (later rules are not tried)', () => {
    assert.throws(() => short('RULE:[1:$1@$0],DEFAULT', 'alice@EXAMPLE.COM'), /Non-simple name/);
  });

  test('no rules (empty list) → every realm name fails; unset → DEFAULT', () => {
    assert.throws(() => short('', 'alice@EXAMPLE.COM'), NoMatchingKerberosRuleError);
    assert.equal(KerberosShortNamer.fromRules(REALM).shortName('alice@EXAMPLE.COM'), 'alice');
    assert.deepEqual(splitKerberosRuleList(' RULE:[1:$1] ,  DEFAULT '), ['RULE:[1:$1]', 'DEFAULT']);
  });
});
