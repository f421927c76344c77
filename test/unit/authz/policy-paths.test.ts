// Two policy-loading rules of the enforcement issue: `hosts: []` is an error at its place (it would
// otherwise match every host: fail open), and several policy paths (files and folders) merge into one
// policy, watched and reloaded as one folder is.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { buildPolicy, loadPolicy } from '../../../gateway/authz/policy-loader.ts';
import { PolicyStore, type ReloadEvent } from '../../../gateway/authz/policy-store.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-policy-paths-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const rule = (id: string, extra: string) =>
  `  - id: ${id}\n    allow: [READ]\n    principals: [User:a]\n${extra}    resources: [{ topic: ${id} }]\n`;

test('hosts: [] is refused at its line and column, like principals: []', () => {
  const result = buildPolicy([{ file: 'a.yaml', text: `version: 1\nrules:\n${rule('t', '    hosts: []\n')}` }]);
  assert.equal(result.ok, false);
  const [err] = result.ok ? [] : result.errors;
  assert.deepEqual([err.file, err.line, err.column], ['a.yaml', 6, 12]);
  assert.match(err.message, /hosts must not be empty/);
  const single = buildPolicy([{ file: 'b.yaml', text: `version: 1\nrules:\n${rule('t', '    hosts: "*"\n')}` }]);
  assert.equal(single.ok, true, 'a single host is still fine');
});

test('several paths merge into one policy: rule ids unique across them, a file named twice counts once', async () => {
  fs.mkdirSync(path.join(dir, 'team'));
  fs.writeFileSync(path.join(dir, 'team', 'a.yaml'), `version: 1\nrules:\n${rule('a', '')}`);
  fs.writeFileSync(path.join(dir, 'b.yaml'), `version: 1\nsuperUsers: [User:root]\nrules:\n${rule('b', '')}`);
  const merged = await loadPolicy([path.join(dir, 'team'), path.join(dir, 'b.yaml'), path.join(dir, 'team', 'a.yaml')]);
  assert.ok(merged.ok, JSON.stringify(merged));
  assert.deepEqual(
    merged.policy.rules.map((r) => r.id),
    ['a', 'b'],
  );
  assert.deepEqual(merged.policy.superUsers, ['User:root']);
  fs.writeFileSync(path.join(dir, 'dup.yaml'), `version: 1\nrules:\n${rule('a', '')}`);
  const clash = await loadPolicy([path.join(dir, 'team'), path.join(dir, 'dup.yaml')]);
  assert.equal(clash.ok, false);
  assert.match(clash.ok ? '' : clash.errors[0].message, /duplicate rule id 'a'/);
  const missing = await loadPolicy([path.join(dir, 'team'), path.join(dir, 'nowhere')]);
  assert.equal(missing.ok, false);
  assert.match(missing.ok ? '' : missing.errors[0].file, /nowhere$/);
});

test('a store over several paths reloads when a file in any of them changes', async () => {
  const events: ReloadEvent[] = [];
  const store = new PolicyStore({
    path: [path.join(dir, 'team'), path.join(dir, 'b.yaml')],
    debounceMs: 20,
    onReload: (e) => events.push(e),
  });
  try {
    assert.ok((await store.reload('start')).ok);
    await store.watch({ sighup: false });
    assert.equal(process.listenerCount('SIGHUP'), 0, 'no SIGHUP handler when told so');
    fs.writeFileSync(path.join(dir, 'b.yaml'), `version: 1\nrules:\n${rule('b', '')}${rule('c', '')}`);
    const deadline = Date.now() + 5_000;
    while (!events.some((e) => e.trigger === 'file change' && e.changed) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      store.current()!.policy.rules.map((r) => r.id),
      ['a', 'b', 'c'],
    );
    assert.equal(store.current()!.version, 2);
  } finally {
    store.close();
  }
});
