// A policy mounted from a Kubernetes ConfigMap is reloaded when the kubelet swaps the volume's `..data`
// link, whether the store is pointed at the file or at the mounted folder; a swap that leaves the
// policy's bytes as they were loads nothing new.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { PolicyStore, type ReloadEvent } from '../../../gateway/authz/policy-store.ts';
import { ConfigMapVolume } from '../../harness/configmap-volume.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-policy-configmap-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const allowRead = (principal: string) => `version: 1
rules:
  - id: read
    allow: [READ]
    principals: [${principal}]
    resources: [{ topic: t }]
`;

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const pointedAt of ['the file', 'the folder'] as const) {
  test(`a ConfigMap swap reloads the policy when the store is pointed at ${pointedAt}`, async () => {
    const volume = new ConfigMapVolume(fs.mkdtempSync(path.join(root, 'volume-')));
    volume.write({ 'policy.yaml': allowRead('User:alice'), 'notes.txt': 'one' });
    const events: ReloadEvent[] = [];
    const store = new PolicyStore({
      path: pointedAt === 'the file' ? volume.path('policy.yaml') : volume.dir,
      debounceMs: 20,
      onReload: (e) => events.push(e),
    });
    try {
      assert.ok((await store.reload('start')).ok);
      await store.watch({ sighup: false });
      const allowed = (who: string) => store.current()!.authorize(who, '10.0.0.5', 'READ', 'TOPIC', 't').allowed;
      assert.equal(allowed('User:alice'), true);

      volume.write({ 'policy.yaml': allowRead('User:bob'), 'notes.txt': 'one' });
      await until('the swapped policy to be in force', () => store.current()!.version === 2);
      assert.equal(events.at(-1)!.trigger, 'file change');
      assert.deepEqual([allowed('User:alice'), allowed('User:bob')], [false, true]);

      // Another key of the ConfigMap changes: the volume is swapped, the policy's bytes are not.
      volume.write({ 'policy.yaml': allowRead('User:bob'), 'notes.txt': 'two' });
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(store.current()!.version, 2, 'no new policy version for the same bytes');

      volume.write({ 'policy.yaml': allowRead('User:carol'), 'notes.txt': 'two' });
      await until('the third policy to be in force', () => store.current()!.version === 3);
      assert.equal(allowed('User:carol'), true);
    } finally {
      store.close();
    }
  });
}
