// watchFiles reports a file exactly when its bytes change, however they were replaced: written in place,
// renamed over by an editor, or swapped by the kubelet's `..data` rename in a ConfigMap/Secret volume
// (which never touches the file's own path). Bytes that come back identical are no change; close() stops it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { watchFiles, type FileWatch } from '../../../gateway/common/file-watch.ts';
import { ConfigMapVolume } from '../../harness/configmap-volume.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-file-watch-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const DEBOUNCE_MS = 20;
/** Long enough for any event of a write to have been delivered, debounced and checked. */
const QUIET_MS = 400;

let dirs = 0;
const freshDir = () => fs.mkdtempSync(path.join(root, `case-${++dirs}-`));

/** A watch whose reports are collected; `next()` waits for the next one. */
async function recorder(files: string[]): Promise<{ calls: string[][]; next: () => Promise<string[]>; watch: FileWatch }> {
  const calls: string[][] = [];
  const watch = await watchFiles(files, { debounceMs: DEBOUNCE_MS, onChange: (changed) => calls.push([...changed].sort()) });
  let seen = 0;
  const next = async () => {
    const deadline = Date.now() + 5_000;
    while (calls.length <= seen) {
      if (Date.now() > deadline) throw new Error(`no change reported within 5 s (reports so far: ${JSON.stringify(calls)})`);
      await sleep(10);
    }
    return calls[seen++];
  };
  return { calls, next, watch };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a write in place and an editor-style rename over the file are each reported once', async () => {
  const dir = freshDir();
  const file = path.join(dir, 'policy.yaml');
  fs.writeFileSync(file, 'version: 1\n');
  fs.writeFileSync(path.join(dir, 'other.yaml'), 'x');
  const { calls, next, watch } = await recorder([file]);
  try {
    fs.writeFileSync(file, 'version: 2\n');
    assert.deepEqual(await next(), [file]);

    // What editors and `mv` do: write a new file beside it, rename it over the old one (a new inode).
    const tmp = path.join(dir, '.policy.yaml.swp');
    fs.writeFileSync(tmp, 'version: 3\n');
    fs.renameSync(tmp, file);
    assert.deepEqual(await next(), [file]);

    fs.writeFileSync(path.join(dir, 'other.yaml'), 'y');
    await sleep(QUIET_MS);
    assert.equal(calls.length, 2, 'a change to another file in the directory is not reported');
  } finally {
    watch.close();
  }
});

test("the kubelet's ..data swap is reported, for every file of the volume at once, and followed to each new version", async () => {
  const volume = new ConfigMapVolume(path.join(freshDir(), 'tls'));
  volume.write({ 'tls.crt': 'cert 1', 'tls.key': 'key 1' });
  const first = volume.current()!;
  const crt = volume.path('tls.crt');
  const key = volume.path('tls.key');

  // The reason a watch on the file misses it: no event in the volume names the file.
  const names: string[] = [];
  const probe = fs.watch(volume.dir, (_event, name) => names.push(String(name)));
  const { calls, next, watch } = await recorder([crt, key]);
  try {
    volume.write({ 'tls.crt': 'cert 2', 'tls.key': 'key 2' });
    assert.deepEqual(await next(), [crt, key], 'one report for both files of one swap');
    assert.equal(fs.readFileSync(crt, 'utf8'), 'cert 2');
    assert.ok(!fs.existsSync(first), 'the old version directory is gone, as the kubelet leaves it');
    assert.ok(names.includes('..data'), `the swap renames ..data (events: ${names.join(', ')})`);
    assert.ok(!names.includes('tls.crt') && !names.includes('tls.key'), `no event names the files (events: ${names.join(', ')})`);

    // A second and third update: the watch has moved on to the new timestamped directories.
    volume.write({ 'tls.crt': 'cert 3', 'tls.key': 'key 2' });
    assert.deepEqual(await next(), [crt], 'only the file whose bytes changed');
    volume.write({ 'tls.crt': 'cert 3', 'tls.key': 'key 4' });
    assert.deepEqual(await next(), [key]);
    await sleep(QUIET_MS);
    assert.equal(calls.length, 3);
  } finally {
    probe.close();
    watch.close();
  }
});

test('no report when the bytes are unchanged: the same content swapped in, or written again', async () => {
  const volume = new ConfigMapVolume(path.join(freshDir(), 'policies'));
  volume.write({ 'policy.yaml': 'version: 1\n', 'other.yaml': 'a' });
  const file = volume.path('policy.yaml');
  const { calls, next, watch } = await recorder([file]);
  try {
    // Another key of the ConfigMap changes: the kubelet swaps the whole volume, policy.yaml's bytes stay.
    const before = volume.current();
    volume.write({ 'policy.yaml': 'version: 1\n', 'other.yaml': 'b' });
    assert.notEqual(volume.current(), before, 'the swap happened (a new inode behind the same path)');
    fs.writeFileSync(path.join(volume.current()!, 'policy.yaml'), 'version: 1\n');
    await sleep(QUIET_MS);
    assert.deepEqual(calls, []);

    volume.write({ 'policy.yaml': 'version: 2\n', 'other.yaml': 'b' });
    assert.deepEqual(await next(), [file], 'and a real change after them is still seen');
  } finally {
    watch.close();
  }
});

test('a file that disappears and comes back is reported each time', async () => {
  const dir = freshDir();
  const file = path.join(dir, 'users.yaml');
  fs.writeFileSync(file, 'users: []\n');
  const { next, watch } = await recorder([file]);
  try {
    fs.rmSync(file);
    assert.deepEqual(await next(), [file]);
    fs.writeFileSync(file, 'users: []\n');
    assert.deepEqual(await next(), [file]);
  } finally {
    watch.close();
  }
});

test('a file behind a chain of ordinary symlinks: replacing a link anywhere on the chain is seen', async () => {
  // The shape certbot leaves: config -> live/cert.pem -> ../archive/cert1.pem; a renewal repoints live/.
  const dir = freshDir();
  fs.mkdirSync(path.join(dir, 'archive'));
  fs.mkdirSync(path.join(dir, 'live'));
  fs.mkdirSync(path.join(dir, 'config'));
  fs.writeFileSync(path.join(dir, 'archive', 'cert1.pem'), 'one');
  fs.symlinkSync('../archive/cert1.pem', path.join(dir, 'live', 'cert.pem'));
  const file = path.join(dir, 'config', 'cert.pem');
  fs.symlinkSync(path.join(dir, 'live', 'cert.pem'), file);
  const { next, watch } = await recorder([file]);
  try {
    fs.writeFileSync(path.join(dir, 'archive', 'cert2.pem'), 'two');
    fs.symlinkSync('../archive/cert2.pem', path.join(dir, 'live', 'cert.pem.new'));
    fs.renameSync(path.join(dir, 'live', 'cert.pem.new'), path.join(dir, 'live', 'cert.pem'));
    assert.deepEqual(await next(), [file]);
    fs.writeFileSync(path.join(dir, 'archive', 'cert2.pem'), 'two, rewritten');
    assert.deepEqual(await next(), [file], 'the final file is watched too');
  } finally {
    watch.close();
  }
});

test('close() stops it: no report for a change after, nor for one whose check was pending', async () => {
  const volume = new ConfigMapVolume(path.join(freshDir(), 'secret'));
  volume.write({ 'users.yaml': 'a' });
  const file = volume.path('users.yaml');
  const { calls, next, watch } = await recorder([file]);
  volume.write({ 'users.yaml': 'b' });
  assert.deepEqual(await next(), [file], 'it was watching');
  volume.write({ 'users.yaml': 'c' });
  watch.close(); // the debounce for that swap is running
  volume.write({ 'users.yaml': 'd' });
  fs.writeFileSync(path.join(volume.current()!, 'users.yaml'), 'e');
  await sleep(QUIET_MS);
  assert.equal(calls.length, 1);
});
