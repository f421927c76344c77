// Hot reload: a broken file keeps the last good policy and shows why; a valid change swaps
// atomically; a decision holds on to the policy it started with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyStore, type ReloadEvent } from '../../../gateway/authz/policy-store.ts';

const allowRead = (principal: string) => `version: 1
rules:
  - id: read
    allow: [READ]
    principals: [${principal}]
    resources: [{ topic: t }]
`;

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-policy-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('initial load, broken file keeps the last good policy, valid change swaps', () =>
  withDir(async (dir) => {
    const events: ReloadEvent[] = [];
    const logged: string[] = [];
    const logger = { info: (_: object, m: string) => logged.push(`info ${m}`), error: (_: object, m: string) => logged.push(`error ${m}`) };
    const store = new PolicyStore({ path: dir, logger, onReload: (e) => events.push(e) });
    assert.equal(store.current(), undefined, 'not ready before the first load');

    await writeFile(join(dir, 'main.yaml'), allowRead('User:alice'));
    assert.equal((await store.reload('start')).ok, true);
    const first = store.current()!;
    assert.equal(first.version, 1);
    assert.equal(first.authorize('User:alice', '10.0.0.5', 'READ', 'TOPIC', 't').allowed, true);
    assert.equal(store.status().version, 1);
    assert.equal(store.status().lastError, undefined);

    await writeFile(join(dir, 'main.yaml'), `${allowRead('User:bob')}    mode: sometimes\n`);
    const broken = await store.reload('test');
    assert.equal(broken.ok, false);
    assert.equal(store.current(), first, 'last good policy stays in force');
    const status = store.status();
    assert.equal(status.version, 1);
    assert.deepEqual(
      { ...status.lastError, message: undefined },
      { file: join(dir, 'main.yaml'), line: 7, column: 11, message: undefined },
    );
    assert.match(status.lastError!.message, /mode must be one of enforce, dry-run/);
    assert.match(logged.at(-1)!, /^error policy reload failed, keeping version 1: .*main\.yaml:7:11/);

    await writeFile(join(dir, 'main.yaml'), allowRead('User:bob'));
    const fixed = await store.reload('test');
    assert.deepEqual([fixed.ok, fixed.changed], [true, true]);
    const second = store.current()!;
    assert.notEqual(second, first);
    assert.equal(second.version, 2);
    assert.equal(store.status().lastError, undefined);
    assert.equal(second.authorize('User:alice', '10.0.0.5', 'READ', 'TOPIC', 't').allowed, false);
    // A decision that started with the first policy object still decides by it.
    assert.equal(first.authorize('User:alice', '10.0.0.5', 'READ', 'TOPIC', 't').allowed, true);

    const same = await store.reload('test');
    assert.deepEqual([same.ok, same.changed, store.current()], [true, false, second], 'unchanged files do not bump the version');
    assert.deepEqual(
      events.map((e) => [e.ok, e.status.version]),
      [
        [true, 1],
        [false, 1],
        [true, 2],
        [true, 2],
      ],
    );
  }));

test('a reload requested during a load runs once more after it', () =>
  withDir(async (dir) => {
    await writeFile(join(dir, 'a.yaml'), allowRead('User:alice'));
    const store = new PolicyStore({ path: dir });
    const first = store.reload();
    await writeFile(join(dir, 'a.yaml'), allowRead('User:carol'));
    const second = store.reload();
    const third = store.reload();
    assert.equal(second, third, 'queued reloads coalesce');
    await Promise.all([first, second]);
    assert.equal(store.current()!.authorize('User:carol', '::1', 'READ', 'TOPIC', 't').allowed, true);
  }));

test('an empty directory is an error, not an empty policy', () =>
  withDir(async (dir) => {
    const store = new PolicyStore({ path: dir });
    assert.equal((await store.reload()).ok, false);
    assert.match(store.status().lastError!.message, /no policy files/);
    assert.equal(store.current(), undefined);
  }));

function nextReload(store: PolicyStore, events: ReloadEvent[]): Promise<ReloadEvent> {
  const start = events.length;
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error('no reload within 5 s')), 5000);
    const poll = setInterval(() => {
      if (events.length > start) {
        clearInterval(poll);
        clearTimeout(deadline);
        resolve(events[start]);
      }
    }, 10);
  });
}

test('file changes reload after the debounce; SIGHUP reloads', () =>
  withDir(async (dir) => {
    const events: ReloadEvent[] = [];
    await writeFile(join(dir, 'a.yaml'), allowRead('User:alice'));
    const store = new PolicyStore({ path: dir, debounceMs: 30, onReload: (e) => events.push(e) });
    await store.reload();
    await store.watch();
    try {
      const changed = nextReload(store, events);
      await writeFile(join(dir, 'a.yaml'), allowRead('User:dave'));
      assert.equal((await changed).trigger, 'file change');
      assert.equal(store.current()!.authorize('User:dave', '10.0.0.5', 'READ', 'TOPIC', 't').allowed, true);

      const hup = nextReload(store, events);
      process.kill(process.pid, 'SIGHUP');
      assert.equal((await hup).trigger, 'SIGHUP');
    } finally {
      store.close();
    }
    assert.equal(process.listenerCount('SIGHUP'), 0, 'close removes the SIGHUP handler');
  }));
