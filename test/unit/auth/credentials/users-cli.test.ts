// `gatehouse users add | remove | list`: the password from stdin (never argv), what lands in the file
// (keys and hashes that verify, never the password), exit codes and messages, and concurrent writers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCredentialFile } from '../../../../gateway/auth/credentials/credential-file.ts';
import { deriveScramCredential } from '../../../../gateway/auth/credentials/scram-keys.ts';
import { verifyScrypt } from '../../../../gateway/auth/credentials/scrypt-verifier.ts';
import { runUsers } from '../../../../gateway/commands/users.ts';
import { REPO_ROOT } from '../../../harness/paths.ts';
import { run } from '../../../harness/run.ts';

async function users(password: string | null, ...args: string[]) {
  const out = { stdout: '', stderr: '', asked: 0 };
  const code = await runUsers(args, {
    out: (text) => void (out.stdout += text),
    err: (text) => void (out.stderr += text),
    readPassword: () => {
      out.asked++;
      return password === null ? Promise.reject(new Error('no password expected')) : Promise.resolve(password);
    },
  });
  return { code, ...out };
}

async function readUsers(file: string) {
  const read = parseCredentialFile(file, await readFile(file, 'utf8'));
  if (!read.ok) return assert.fail(read.errors.join('\n'));
  return read.users;
}

test('the real command: password piped on stdin, file created owner-only, no password in it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-users-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'users.yaml');
  const added = await run(process.execPath, [join(REPO_ROOT, 'gateway/gatehouse.mjs'), 'users', 'add', 'alice', '--file', file], {
    input: 'correct horse battery\n',
  });
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /added user 'alice' \(SCRAM-SHA-256, SCRAM-SHA-512, PLAIN\)/);
  const text = await readFile(file, 'utf8');
  assert.ok(!text.includes('correct horse'), 'the password is not in the file');
  assert.ok(!text.includes(Buffer.from('correct horse battery').toString('base64')), 'nor its base64');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const alice = (await readUsers(file)).get('alice')!;
  // The final line break is not part of the password.
  assert.ok(await verifyScrypt(alice.plain!, 'correct horse battery'));
  const scram = alice.scram.get('SCRAM-SHA-512')!;
  assert.equal(scram.iterations, 8192);
  assert.deepEqual(await deriveScramCredential('SCRAM-SHA-512', 'correct horse battery', 8192, scram.salt), scram);

  const listed = await run(process.execPath, [join(REPO_ROOT, 'gateway/gatehouse.mjs'), 'users', 'list', '--file', file]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal(listed.stdout, 'alice  SCRAM-SHA-256,SCRAM-SHA-512,PLAIN\n');
  assert.deepEqual(await readdir(dir), ['users.yaml'], 'no temp or lock file left behind');
});

test('add: mechanisms, iterations, replacing a user; refusals with exit codes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-users-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'users.yaml');

  const bob = await users('pw1', 'add', 'bob', '--file', file, '--mechanism', 'scram-sha-256,PLAIN', '--iterations', '4096');
  assert.equal(bob.code, 0, bob.stderr);
  let stored = (await readUsers(file)).get('bob')!;
  assert.deepEqual([...stored.scram.keys()], ['SCRAM-SHA-256']);
  assert.equal(stored.scram.get('SCRAM-SHA-256')!.iterations, 4096);
  assert.ok(stored.plain);

  // Adding again replaces every credential of the user (no mechanism left with the old password).
  const again = await users('pw2', 'add', 'bob', '--file', file, '-m', 'SCRAM-SHA-512');
  assert.equal(again.code, 0);
  assert.match(again.stdout, /updated user 'bob' \(SCRAM-SHA-512\)/);
  stored = (await readUsers(file)).get('bob')!;
  assert.deepEqual([...stored.scram.keys()], ['SCRAM-SHA-512']);
  assert.equal(stored.plain, undefined);

  const empty = await users('', 'add', 'carol', '--file', file);
  assert.deepEqual([empty.code, empty.stderr], [1, 'gatehouse users: the password is empty; nothing written\n']);
  const twoLines = await users('a\nb', 'add', 'carol', '--file', file);
  assert.equal(twoLines.code, 1);
  assert.match(twoLines.stderr, /one line/);
  assert.equal((await readUsers(file)).has('carol'), false);

  // Usage errors (exit 2), before any password is asked for.
  for (const args of [
    ['add', '--file', file],
    ['add', 'a', 'b', '--file', file],
    ['add', 'carol'],
    ['add', 'carol', '--file', file, '--mechanism', 'GSSAPI'],
    ['add', 'carol', '--file', file, '--iterations', '4095'],
    ['add', 'carol', '--file', file, '--iterations', '16385'],
    ['add', 'carol', '--file', file, '--password', 'x'],
    ['add', 'carol', '--file', file, '--password=x'],
    ['add', ' carol', '--file', file],
    ['add', 'ca\u0007rol', '--file', file],
    ['frobnicate'],
    ['list', 'extra', '--file', file],
  ]) {
    const result = await users(null, ...args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.asked, 0);
    assert.match(result.stderr, /^gatehouse users: .+\n\nUsage: gatehouse users/);
  }
  assert.match((await users(null, 'add', 'carol', '--file', file, '--password', 'x')).stderr, /read from stdin, never from arguments/);
});

test('remove and list; a broken file is reported and left alone', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-users-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'users.yaml');
  const missing = await users(null, 'list', '--file', file);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /does not exist/);

  for (const name of ['zoe', 'adam', 'a,b=c'])
    assert.equal((await users(`pw-${name}`, 'add', name, '--file', file, '-m', 'PLAIN')).code, 0);
  const listed = await users(null, 'list', '--file', file);
  assert.equal(listed.stdout, 'a,b=c  PLAIN\nadam   PLAIN\nzoe    PLAIN\n');
  assert.ok(!listed.stdout.includes('scrypt'));

  const removed = await users(null, 'remove', 'adam', '--file', file);
  assert.deepEqual([removed.code, removed.stdout], [0, `removed user 'adam' from ${file}\n`]);
  assert.deepEqual([...(await readUsers(file)).keys()].sort(), ['a,b=c', 'zoe']);
  const unknown = await users(null, 'remove', 'adam', '--file', file);
  assert.deepEqual([unknown.code, unknown.stderr], [1, `gatehouse users: no user 'adam' in ${file}\n`]);

  await writeFile(file, 'users:\n  zoe:\n    PLAIN: nope\n');
  const broken = await users(null, 'add', 'eve', '--file', file);
  assert.equal(broken.code, 1);
  assert.equal(broken.asked, 0, 'refused before asking for a password');
  assert.match(broken.stderr, /users\.yaml:3: user 'zoe': PLAIN: expected scrypt/);
  assert.equal(await readFile(file, 'utf8'), 'users:\n  zoe:\n    PLAIN: nope\n', 'the broken file is not overwritten');
});

test('concurrent adds all land (the lock serializes writers)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-users-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'users.yaml');
  const names = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
  const results = await Promise.all(
    names.map((n) => users(`pw-${n}`, 'add', n, '--file', file, '-m', 'SCRAM-SHA-256', '--iterations', '4096')),
  );
  assert.deepEqual(
    results.map((r) => r.code),
    names.map(() => 0),
  );
  assert.deepEqual([...(await readUsers(file)).keys()].sort(), names);
  // A lock left by a process that no longer exists is taken over.
  await writeFile(`${file}.lock`, '999999999');
  assert.equal((await users('pw', 'add', 'late', '--file', file, '-m', 'PLAIN')).code, 0);
  assert.deepEqual(await readdir(dir), ['users.yaml']);
});

// A terminal is what `script` gives the command (util-linux); where it is missing the test says so.
const hasScript = spawnSync('script', ['--version']).status === 0;

test(
  'on a terminal: prompts twice without echo; a mismatch writes nothing',
  { skip: hasScript ? false : 'util-linux `script` is not installed' },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-users-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'users.yaml');
    const onTerminal = (name: string, answers: string[]) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const command = [process.execPath, join(REPO_ROOT, 'gateway/gatehouse.mjs'), 'users', 'add', name, '--file', file, '-m', 'PLAIN'];
        const child = spawn('script', ['-qec', command.map((a) => `'${a}'`).join(' '), '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
        let output = '';
        let answered = 0;
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          // Answer each prompt once it is shown, as a person would.
          const prompts = (output.match(/Password for [^:]+: |Again: /g) ?? []).length;
          while (answered < prompts && answered < answers.length) child.stdin.write(`${answers[answered++]}\r`);
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, output });
        });
      });
    const ok = await onTerminal('tty-user', ['typed secret', 'typed secret']);
    assert.equal(ok.code, 0, ok.output);
    assert.match(ok.output, /Password for tty-user: /);
    assert.ok(!ok.output.includes('typed secret'), 'the password is not echoed');
    assert.ok(await verifyScrypt((await readUsers(file)).get('tty-user')!.plain!, 'typed secret'));

    const mismatch = await onTerminal('other', ['one', 'two']);
    assert.equal(mismatch.code, 1, mismatch.output);
    assert.match(mismatch.output, /the passwords do not match; nothing written/);
    assert.equal((await readUsers(file)).has('other'), false);
  },
);
