import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidSslMappingRulesError, NoMatchingSslRuleError, SslPrincipalMapper } from '../../../gateway/auth/ssl-principal-mapper.ts';

const DOCS_RULES = String.raw`RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/, RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L, RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/L, DEFAULT`;
const RULES_1_TO_3 = DOCS_RULES.replace(/, DEFAULT$/, '');

const map = (rules: string | undefined, dn: string) => SslPrincipalMapper.fromRules(rules).getName(dn);

describe('spec §5.1 examples (every row of the table)', () => {
  test('CN=serviceuser,OU=ServiceUsers,… → serviceuser (rule 1)', () => {
    assert.equal(map(DOCS_RULES, 'CN=serviceuser,OU=ServiceUsers,O=Unknown,L=Unknown,ST=Unknown,C=Unknown'), 'serviceuser');
  });
  test('CN=adminUser,OU=Admin,… → adminuser@admin (rule 2, lower-cased)', () => {
    assert.equal(map(DOCS_RULES, 'CN=adminUser,OU=Admin,O=Unknown,L=Unknown,ST=Unknown,C=Unknown'), 'adminuser@admin');
  });
  test('O=Acme,CN=Bob.Smith → bob.smith (rule 3)', () => {
    assert.equal(map(DOCS_RULES, 'O=Acme,CN=Bob.Smith'), 'bob.smith');
  });
  test('O=Acme,OU=Ops → O=Acme,OU=Ops (DEFAULT)', () => {
    assert.equal(map(DOCS_RULES, 'O=Acme,OU=Ops'), 'O=Acme,OU=Ops');
  });
  test('O=Acme,OU=Ops with rules 1–3 only → no match (connection refused)', () => {
    assert.throws(() => map(RULES_1_TO_3, 'O=Acme,OU=Ops'), NoMatchingSslRuleError);
    assert.equal(SslPrincipalMapper.fromRules(RULES_1_TO_3).tryGetName('O=Acme,OU=Ops'), undefined);
  });
  test('rules unset → the full DN', () => {
    const dn = 'CN=writeuser,OU=Unknown,O=Unknown,L=Unknown,ST=Unknown,C=Unknown';
    assert.equal(map(undefined, dn), dn);
    assert.equal(SslPrincipalMapper.fromRules(null).getName(dn), dn);
  });
});

describe('Kafka SslPrincipalMapperTest cases', () => {
  test('valid rules', () => {
    for (const r of [
      'DEFAULT',
      'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/',
      'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L, DEFAULT',
      'RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/',
      'RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/L',
      'RULE:^cn=(.?),ou=(.?),dc=(.?),dc=(.?)$/$1@$2/U',
      'RULE:^CN=([^,ADEFLTU,]+)(,.*|$)/$1/',
      'RULE:^CN=([^,DEFAULT,]+)(,.*|$)/$1/',
    ]) {
      assert.doesNotThrow(() => SslPrincipalMapper.fromRules(r), r);
    }
  });

  test('invalid rules', () => {
    for (const r of [
      'default',
      'DEFAUL',
      'DEFAULT/L',
      'DEFAULT/U',
      'RULE:CN=(.*?),OU=ServiceUsers.*/$1',
      'rule:^CN=(.*?),OU=ServiceUsers.*$/$1/',
      'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L/U',
      'RULE:^CN=(.*?),OU=ServiceUsers.*$/L',
      'RULE:^CN=(.*?),OU=ServiceUsers.*$/U',
      'RULE:^CN=(.*?),OU=ServiceUsers.*$/LU',
      'RULE:a/b/X',
      'DEFAULT, garbage',
    ]) {
      assert.throws(() => SslPrincipalMapper.fromRules(r), InvalidSslMappingRulesError, r);
    }
  });

  test('mapping with /L, /U and DEFAULT', () => {
    const mapper = SslPrincipalMapper.fromRules(
      [
        'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L',
        'RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L',
        'RULE:^cn=(.*?),ou=(.*?),dc=(.*?),dc=(.*?)$/$1@$2/U',
        'RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/U',
        'DEFAULT',
      ].join(', '),
    );
    assert.equal(mapper.getName('CN=Duke,OU=ServiceUsers,O=Org,C=US'), 'duke');
    assert.equal(mapper.getName('CN=Duke,OU=SME,O=mycp,L=Fulton,ST=MD,C=US'), 'duke@sme');
    assert.equal(mapper.getName('cn=duke,ou=sme,dc=mycp,dc=com'), 'DUKE@SME');
    assert.equal(mapper.getName('cN=duke,OU=JavaSoft,O=Sun Microsystems'), 'DUKE');
    assert.equal(mapper.getName('OU=JavaSoft,O=Sun Microsystems,C=US'), 'OU=JavaSoft,O=Sun Microsystems,C=US');
  });

  test('escaped comma with whitespace inside the name', () => {
    const mapper = SslPrincipalMapper.fromRules(String.raw`RULE:^CN=((\\, *|\w)+)(,.*|$)/$1/,DEFAULT`);
    assert.equal(mapper.getName(String.raw`CN=Tkac\, Adam,OU=ITZ,DC=geodis,DC=cz`), String.raw`Tkac\, Adam`);
  });

  test('rule splitting (as Kafka prints the parsed rules)', () => {
    const cases: [string, string][] = [
      ['[]', ''],
      ['[DEFAULT]', 'DEFAULT'],
      ['[RULE:/]', 'RULE://'],
      ['[RULE:/.*]', 'RULE:/.*/'],
      ['[RULE:/.*/L]', 'RULE:/.*/L'],
      ['[RULE:/, DEFAULT]', 'RULE://,DEFAULT'],
      ['[RULE:/, DEFAULT]', '  RULE:// ,  DEFAULT  '],
      ['[RULE:   /     , DEFAULT]', '  RULE:   /     / ,  DEFAULT  '],
      ['[RULE:  /     /U, DEFAULT]', '  RULE:  /     /U   ,DEFAULT  '],
      ['[RULE:([A-Z]*)/$1/U, RULE:([a-z]+)/$1, DEFAULT]', '  RULE:([A-Z]*)/$1/U   ,RULE:([a-z]+)/$1/,   DEFAULT  '],
      // empty rules are ignored
      ['[]', ',   , , ,      , , ,   '],
      ['[RULE:/, DEFAULT]', ',,RULE://,,,DEFAULT,,'],
      ['[RULE: /   , DEFAULT]', ',  , RULE: /   /    ,,,   DEFAULT, ,   '],
      ['[RULE:   /  /U, DEFAULT]', '     ,  , RULE:   /  /U    ,,  ,DEFAULT, ,'],
      // escape sequences stay in the fields
      [String.raw`[RULE:\/\\\(\)\n\t/\/\/]`, String.raw`RULE:\/\\\(\)\n\t/\/\//`],
      [String.raw`[RULE:\**\/+/*/L, RULE:\/*\**/**]`, String.raw`RULE:\**\/+/*/L,RULE:\/*\**/**/`],
      // commas and rule keywords inside patterns
      [
        String.raw`[RULE:,RULE:,/,RULE:,\//U, RULE:,/RULE:,, RULE:,RULE:,/L,RULE:,/L, RULE:, DEFAULT, /DEFAULT, DEFAULT]`,
        String.raw`RULE:,RULE:,/,RULE:,\//U,RULE:,/RULE:,/,RULE:,RULE:,/L,RULE:,/L,RULE:, DEFAULT, /DEFAULT/,DEFAULT`,
      ],
    ];
    for (const [expected, rules] of cases) {
      assert.equal(SslPrincipalMapper.fromRules(rules).toString(), `SslPrincipalMapper(rules = ${expected})`, rules);
    }
  });
});

describe('evaluation details', () => {
  test('the pattern must match the entire DN', () => {
    // 'CN=([^,]+)' matches a prefix only: the rule does not apply, DEFAULT does.
    assert.equal(map('RULE:CN=([^,]+)/$1/, DEFAULT', 'CN=alice,O=Acme'), 'CN=alice,O=Acme');
    assert.equal(map('RULE:CN=([^,]+),.*/$1/, DEFAULT', 'CN=alice,O=Acme'), 'alice');
  });

  test('replace-all: a pattern that also matches the empty string at the end yields the replacement twice', () => {
    assert.equal(map('RULE:.*/x/', 'CN=alice'), 'xx');
    assert.equal(map('RULE:CN=(.*)/$1/', 'CN=alice'), 'alice');
    // matches() lets the lazy group reach the end, but replaceAll then finds an empty match at every position
    assert.equal(map('RULE:(.*?)/[$1]/', 'CN=a'), '[]C[]N[]=[]a[]');
  });

  test('back-references beyond the group count: $4 with 3 groups is literal; $12 is group 1 then "2"', () => {
    const three = String.raw`RULE:^CN=(.*?),OU=(.*?),O=(.*?)$`;
    assert.equal(map(`${three}/$1@$4/`, 'CN=a,OU=b,O=c'), 'a@$4');
    assert.equal(map(`${three}/$12/`, 'CN=a,OU=b,O=c'), 'a2');
    assert.equal(map(`${three}/$3$2$1/`, 'CN=a,OU=b,O=c'), 'cba');
    assert.equal(map(`${three}/$0/`, 'CN=a,OU=b,O=c'), 'CN=a,OU=b,O=c');
    // Kafka's escaping works on positions of the original string: a second invalid reference is mangled
    // into a Java "No group" error, which fails the mapping (the connection is refused).
    assert.throws(() => map(`${three}/$4$5/`, 'CN=a,OU=b,O=c'), NoMatchingSslRuleError);
    // A pattern without groups leaves $1 alone, and Java then fails on it.
    assert.throws(() => map('RULE:^CN=a$/$1/', 'CN=a'), NoMatchingSslRuleError);
  });

  test('\\/ in pattern and replacement is a literal slash; other escapes follow Java', () => {
    assert.equal(map(String.raw`RULE:^CN=(.*)\/(.*)$/$1\/$2/`, 'CN=a/b'), 'a/b');
    assert.equal(map(String.raw`RULE:^CN=(.*)$/\$1/`, 'CN=a'), '$1');
    assert.equal(map(String.raw`RULE:^CN=(.*)$/$1\\x/`, 'CN=a'), String.raw`a\x`);
  });

  test('a failed mapping reports the DN and the rules', () => {
    assert.throws(() => map('RULE:^CN=x$/y/', 'CN=alice'), /No rules apply to CN=alice, rules \[RULE:\^CN=x\$\/y\]/);
  });

  test('upper/lower case use the locale-independent mapping', () => {
    assert.equal(map('RULE:^CN=(.*)$/$1/U', 'CN=istanbul'), 'ISTANBUL');
    assert.equal(map('RULE:^CN=(.*)$/$1/L', 'CN=İI'), 'i̇i');
  });

  test('Java regex constructs: \\p{Alpha}, \\Q…\\E, leading (?i), named groups in ${name}', () => {
    assert.equal(map(String.raw`RULE:^CN=(\p{Alpha}+),.*$/$1/`, 'CN=bob,O=x'), 'bob');
    assert.equal(map(String.raw`RULE:^\QCN=a.b\E,(.*)$/$1/`, 'CN=a.b,O=x'), 'O=x');
    assert.equal(map(String.raw`RULE:(?i)^cn=([a-z]+)$/$1/`, 'CN=Bob'), 'Bob');
    assert.equal(map('RULE:^CN=(?<user>[a-z]+)$/$' + '{user}/', 'CN=bob'), 'bob');
  });

  test('Java-only constructs are refused at configuration time rather than misread', () => {
    for (const r of [
      String.raw`RULE:^CN=(a++)$/$1/`,
      String.raw`RULE:^CN=(?>a)$/$1/`,
      String.raw`RULE:^CN=[a-z&&[^b]]$/$1/`,
      String.raw`RULE:^CN=(?x)a$/$1/`,
    ]) {
      assert.throws(() => SslPrincipalMapper.fromRules(r), InvalidSslMappingRulesError, r);
    }
  });
});
