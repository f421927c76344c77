// kill -9 while a real process writes the managed ACL file in a loop: every restart reads a whole file
// (the old one or the new one, never half of one) holding exactly the first n bindings written, n at
// least what the writer had acknowledged; temp files the killed writer left are cleared. Meanwhile a
// reader polls the file: it never sees anything but a whole, valid file either.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { bindingKey } from '../../../../gateway/authz/acls/acl-binding.ts';
import { FileAclStore } from '../../../../gateway/authz/acls/file-store.ts';
import { managedBindingsFromText } from '../../../../gateway/authz/acls/managed-rules.ts';
import { crashBinding } from './file-store-crash-bindings.ts';

const WRITER = fileURLToPath(new URL('./file-store-crash-writer.ts', import.meta.url));

/** Starts the writer at binding `first`, kills it with SIGKILL after it acknowledged `acks` adds; resolves with the last acknowledged index. */
function writeThenKill(path: string, first: number, acks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path, String(first)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let last = first - 1;
    let seen = 0;
    createInterface({ input: child.stdout }).on('line', (line) => {
      last = Number(line);
      if (++seen === acks) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`writer exited (${code}) before it was killed: ${stderr}`));
    });
  });
}

/** Reads the file over and over until `stop()`; counts reads and the ones that were not a whole managed file. */
function pollFile(path: string): { stop: () => Promise<{ reads: number; broken: string[] }> } {
  let running = true;
  let reads = 0;
  const broken: string[] = [];
  const loop = (async () => {
    while (running) {
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text !== undefined) {
        reads++;
        const read = managedBindingsFromText(path, text);
        if (!read.ok) broken.push(`${read.errors[0].message} (${text.length} bytes)`);
      }
      await new Promise((r) => setImmediate(r));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { reads, broken };
    },
  };
}

test('kill -9 during writes: each restart reads a consistent set, nothing acknowledged is lost', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-crash-'));
  try {
    const path = join(dir, 'acls.yaml');
    let expectedAtLeast = 0;
    // Kills after different numbers of writes, so the kill lands at different points of a write.
    for (const acks of [3, 17, 40, 9, 61, 25]) {
      const poller = pollFile(path);
      const lastAcked = await writeThenKill(path, expectedAtLeast, acks);
      const { reads, broken } = await poller.stop();
      assert.deepEqual(broken.slice(0, 3), [], 'a reader never sees a partly written file');
      assert.ok(reads > 0 || acks < 5, 'the reader read the file while it was written');
      const store = new FileAclStore({ path, watch: false });
      await store.start(); // rejects if the file were half written
      const held = store.bindings().map(bindingKey);
      const n = held.length;
      assert.ok(n >= lastAcked + 1, `acknowledged through ${lastAcked}, but only ${n} bindings survived`);
      // Each add writes the whole set: at most the one write in flight when killed can be there unacknowledged.
      assert.ok(n <= lastAcked + 2, `${n} bindings but only ${lastAcked + 1} were acknowledged`);
      assert.deepEqual(
        held,
        Array.from({ length: n }, (_, i) => bindingKey(crashBinding(i))),
        'exactly the first n, in order',
      );
      assert.deepEqual(
        (await readdir(dir)).filter((f) => f.endsWith('.tmp')),
        [],
        'the killed writer’s temp file is cleared',
      );
      await store.close();
      expectedAtLeast = n;
    }
    assert.ok(expectedAtLeast >= 155, `the writers made progress (${expectedAtLeast})`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
