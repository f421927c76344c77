// The credential store file: what `gatehouse users` writes reads back the same, and every malformed
// entry is reported as file:line: reason without quoting a key or a hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatCredentialFile,
  parseCredentialFile,
  userMechanisms,
  type UserCredentials,
} from '../../../../gateway/auth/credentials/credential-file.ts';
import { deriveScramCredential } from '../../../../gateway/auth/credentials/scram-keys.ts';
import { createScryptVerifier, parseScryptVerifier, verifyScrypt } from '../../../../gateway/auth/credentials/scrypt-verifier.ts';

async function sampleUsers(): Promise<Map<string, UserCredentials>> {
  const users = new Map<string, UserCredentials>();
  users.set('alice', {
    scram: new Map([
      ['SCRAM-SHA-256', await deriveScramCredential('SCRAM-SHA-256', 'pw-a', 8192)],
      ['SCRAM-SHA-512', await deriveScramCredential('SCRAM-SHA-512', 'pw-a', 4096)],
    ]),
    plain: await createScryptVerifier('pw-a'),
  });
  // Names YAML would otherwise read as something else, or that need quoting.
  for (const name of ['true', '0123', 'a: b', 'CN=x,O=y', '- z']) {
    users.set(name, { scram: new Map(), plain: await createScryptVerifier(`pw-${name}`) });
  }
  return users;
}

test('formatted users read back identically, with a header and no password in the text', async () => {
  const users = await sampleUsers();
  const text = formatCredentialFile(users);
  assert.match(text, /^# Gatehouse credential store/);
  assert.ok(!text.includes('pw-a'));
  const read = parseCredentialFile('users.yaml', text);
  if (!read.ok) return assert.fail(read.errors.join('\n'));
  assert.deepEqual([...read.users.keys()].sort(), [...users.keys()].sort());
  for (const [name, user] of users) {
    const back: UserCredentials = read.users.get(name)!;
    assert.deepEqual(back.scram, user.scram, name);
    assert.deepEqual(back.plain, user.plain, name);
  }
  assert.deepEqual(userMechanisms(read.users.get('alice')!), ['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN']);
  assert.deepEqual(userMechanisms(read.users.get('true')!), ['PLAIN']);
  assert.ok(await verifyScrypt(read.users.get('0123')!.plain!, 'pw-0123'));
});

test('an empty file and an empty users mapping are stores without users', () => {
  for (const text of ['', '# nothing yet\n', 'users:\n', 'users: {}\n']) {
    const read = parseCredentialFile('users.yaml', text);
    assert.ok(read.ok && read.users.size === 0, text);
  }
});

test('malformed files: file:line: reason for each problem, never the secret values', () => {
  const key32 = Buffer.alloc(32, 7).toString('base64');
  const salt = Buffer.alloc(16, 1).toString('base64');
  const cases: [string, RegExp][] = [
    ['users: [alice]\n', /^u\.yaml:1: 'users' must be a mapping/],
    ['people: {}\n', /^u\.yaml:1: unknown key 'people'/],
    ['- a\n', /^u\.yaml:1: expected a mapping with the key 'users'/],
    ['users:\n  alice: x\n', /^u\.yaml:2: user 'alice' must be a mapping/],
    ['users:\n  alice:\n    SCRAM-SHA-1: {}\n', /^u\.yaml:3: user 'alice': unknown mechanism 'SCRAM-SHA-1'/],
    ['users:\n  alice:\n    PLAIN: md5$abc\n', /^u\.yaml:3: user 'alice': PLAIN: expected scrypt\$N\$r\$p\$salt\$hash/],
    [`users:\n  alice:\n    PLAIN: scrypt$1000$8$1$${salt}$${key32}\n`, /^u\.yaml:3: .*N must be a power of two/],
    [`users:\n  alice:\n    PLAIN: scrypt$16384$8$1$${salt}$short\n`, /^u\.yaml:3: .*hash must be base64/],
    [
      `users:\n  alice:\n    SCRAM-SHA-256:\n      salt: ${salt}\n      storedKey: ${key32}\n      serverKey: ${key32}\n`,
      /^u\.yaml:4: user 'alice': SCRAM-SHA-256: missing iterations/,
    ],
    [
      `users:\n  alice:\n    SCRAM-SHA-512:\n      salt: ${salt}\n      storedKey: ${key32}\n      serverKey: ${key32}\n      iterations: 4096\n`,
      /^u\.yaml:5: user 'alice': SCRAM-SHA-512: storedKey must be 64 bytes \(got 32\)/,
    ],
    [
      `users:\n  alice:\n    SCRAM-SHA-256:\n      salt: not*base64\n      storedKey: ${key32}\n      serverKey: ${key32}\n      iterations: many\n`,
      /^u\.yaml:4: .*salt must be base64; u\.yaml:7: .*iterations must be a positive integer/,
    ],
    ['users:\n  alice:\n  alice:\n', /^u\.yaml:[23]: YAML syntax: Map keys must be unique/],
    ['users:\n  alice: {\n', /^u\.yaml:\d+: YAML syntax/],
  ];
  for (const [text, expected] of cases) {
    const read = parseCredentialFile('u.yaml', text);
    assert.equal(read.ok, false, text);
    const errors = read.ok ? '' : read.errors.join('; ');
    assert.match(errors, expected);
    assert.ok(!errors.includes(key32) && !errors.includes(salt), `no secret quoted: ${errors}`);
  }
});

test('weak stored iterations load (the mechanism refuses them), so one entry cannot take the whole store down', async () => {
  const users = new Map([
    ['old', { scram: new Map([['SCRAM-SHA-256', await deriveScramCredential('SCRAM-SHA-256', 'x', 1000)]]), plain: undefined }],
  ]);
  const read = parseCredentialFile('u.yaml', formatCredentialFile(users as Map<string, UserCredentials>));
  assert.ok(read.ok && read.users.get('old')!.scram.get('SCRAM-SHA-256')!.iterations === 1000);
});

test('scrypt verifiers: the format round-trips, parameters are bounded', async () => {
  const v = await createScryptVerifier('pw');
  assert.match(
    `scrypt$${v.cost}$${v.blockSize}$${v.parallelization}$${v.salt.toString('base64')}$${v.hash.toString('base64')}`,
    /^scrypt\$16384\$8\$1\$/,
  );
  assert.ok(await verifyScrypt(v, 'pw'));
  assert.ok(!(await verifyScrypt(v, 'pW')));
  const hash = Buffer.alloc(32).toString('base64');
  assert.equal(typeof parseScryptVerifier(`scrypt$2097152$8$1$AAAA$${hash}`), 'string');
  assert.equal(typeof parseScryptVerifier(`scrypt$16384$64$1$AAAA$${hash}`), 'string');
  assert.equal(typeof parseScryptVerifier(`scrypt$16384$8$17$AAAA$${hash}`), 'string');
  assert.equal(typeof parseScryptVerifier(`scrypt$16384$8$1$$${hash}`), 'string');
  assert.equal(typeof parseScryptVerifier(`scrypt$016384$8$1$AAAA$${hash}`), 'string');
  assert.equal(typeof parseScryptVerifier(`scrypt$16384$8$1$AAAA$${hash}`), 'object');
});
