// The credential store as the gateway holds it: loaded at start (a bad file throws with file:line),
// reloaded when the file is rewritten in place or replaced by rename, and a broken edit keeps the last
// good users with a `credentials_reload_failed` log line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCredentialFile, type UserCredentials } from '../../../../gateway/auth/credentials/credential-file.ts';
import { CredentialStore } from '../../../../gateway/auth/credentials/credential-store.ts';
import { deriveScramCredential } from '../../../../gateway/auth/credentials/scram-keys.ts';
import { createScryptVerifier } from '../../../../gateway/auth/credentials/scrypt-verifier.ts';

type Line = { level: string; fields: Record<string, unknown>; message: string };

function memoryLog() {
  const lines: Line[] = [];
  const add = (level: string) => (fields: object, message: string) =>
    void lines.push({ level, fields: fields as Record<string, unknown>, message });
  return { lines, log: { info: add('info'), warn: add('warn'), error: add('error') } };
}

async function fileFor(names: string[]): Promise<string> {
  const users = new Map<string, UserCredentials>();
  for (const name of names) {
    users.set(name, {
      scram: new Map([['SCRAM-SHA-512', await deriveScramCredential('SCRAM-SHA-512', `pw-${name}`, 4096)]]),
      plain: await createScryptVerifier(`pw-${name}`),
    });
  }
  return formatCredentialFile(users);
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('credential store: load, reload on change and on rename, keep the last good set on a broken file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-credentials-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'users.yaml');
  await writeFile(file, await fileFor(['alice']));
  const { lines, log } = memoryLog();
  const store = await CredentialStore.open({ file, debounceMs: 20 }, log);
  t.after(() => store.close());

  assert.ok(store.plain('alice'));
  assert.ok(store.scram('alice', 'SCRAM-SHA-512'));
  assert.equal(store.scram('alice', 'SCRAM-SHA-256'), undefined);
  assert.equal(store.plain('bob'), undefined);
  assert.deepEqual(lines[0].fields, { event: 'credentials_loaded', file, users: 1 });

  // Rewritten in place.
  await writeFile(file, await fileFor(['alice', 'bob']));
  await until(() => store.plain('bob') !== undefined, 'bob after an in-place write');

  // Replaced by rename, as `gatehouse users` and editors do.
  const temp = join(dir, '.users.yaml.tmp');
  await writeFile(temp, await fileFor(['carol']));
  await rename(temp, file);
  await until(() => store.plain('carol') !== undefined, 'carol after a rename');
  assert.equal(store.plain('alice'), undefined, 'alice was removed');

  // A broken edit: the last good users stay, the log says why (and quotes no secret).
  await writeFile(file, 'users:\n  carol: [\n');
  await until(() => lines.some((l) => l.fields.event === 'credentials_reload_failed'), 'the reload failure');
  const failed = lines.find((l) => l.fields.event === 'credentials_reload_failed')!;
  assert.equal(failed.level, 'error');
  assert.match(String(failed.fields.err), /users\.yaml:\d+: YAML syntax/);
  assert.equal(failed.fields.kept, 1);
  assert.ok(store.plain('carol'), 'carol kept');

  // Deleted: also kept. Then fixed: loaded again.
  await rm(file);
  await until(() => lines.filter((l) => l.fields.event === 'credentials_reload_failed').length >= 2, 'the missing-file failure');
  assert.ok(store.plain('carol'));
  await writeFile(file, await fileFor(['dave']));
  await until(() => store.plain('dave') !== undefined, 'dave after the fix');

  // After close, changes are no longer read.
  store.close();
  await writeFile(file, await fileFor(['erin']));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(store.plain('erin'), undefined);
  for (const line of lines) assert.ok(!JSON.stringify(line).includes('pw-'), 'no password-derived text in logs');
});

test('credential store: a bad file at open throws an Error naming file:line: reason; a missing file too', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-credentials-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'users.yaml');
  await writeFile(file, 'users:\n  alice:\n    PLAIN: plaintext-password\n');
  const { log } = memoryLog();
  await assert.rejects(CredentialStore.open({ file }, log), (err: Error) => {
    assert.match(err.message, new RegExp(`${file.replace(/[.]/g, '\\.')}:3: user 'alice': PLAIN: expected scrypt`));
    assert.ok(!err.message.includes('plaintext-password'));
    return true;
  });
  await assert.rejects(CredentialStore.open({ file: join(dir, 'missing.yaml') }, log), /missing\.yaml: cannot read/);
});
