// Observe mode's file: what one run records is read back by the next (counts add up), written
// atomically (no temporary file left behind), and a worker keeps its own file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { parseObservations } from '../../../gateway/authz/observe/observation.ts';
import { ObservationStore, observationFileOf, WORKER_SLOT_ENV } from '../../../gateway/session/observation-store.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-observation-store-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const logger = pino({ level: 'silent' });

test('observations survive a restart: the next run reads the file back and adds to it', async () => {
  const file = path.join(dir, 'observations.json');
  const first = await ObservationStore.open({ file, maxEntries: 100, flushIntervalMs: 60_000, logger });
  first.recorder.slot('User:alice', '10.0.0.1', 'WRITE', 'TOPIC', 'orders').hit('allowed');
  await first.close();
  assert.deepEqual(fs.readdirSync(dir), ['observations.json'], 'written by rename: no temporary file left');

  const second = await ObservationStore.open({ file, maxEntries: 100, flushIntervalMs: 60_000, logger });
  second.recorder.slot('User:alice', '10.0.0.2', 'WRITE', 'TOPIC', 'orders').hit('dry_run_denied');
  await second.close();
  const [entry] = parseObservations(file, fs.readFileSync(file, 'utf8')).entries;
  assert.equal(entry.allowed, 2);
  assert.equal(entry.wouldDeny, 1);
  assert.deepEqual(entry.hosts, ['10.0.0.1', '10.0.0.2']);
});

test('a worker writes its own file beside the configured one', () => {
  assert.equal(observationFileOf('/var/lib/g/obs.json', {}), '/var/lib/g/obs.json');
  assert.equal(observationFileOf('/var/lib/g/obs.json', { [WORKER_SLOT_ENV]: '1' }), '/var/lib/g/obs.worker-1.json');
  assert.equal(observationFileOf('/var/lib/g/obs', { [WORKER_SLOT_ENV]: '0' }), '/var/lib/g/obs.worker-0.json');
});

test('a file written in slices reads back whole: none, and more entries than one slice holds', async () => {
  for (const count of [0, 2_500]) {
    const file = path.join(dir, `sliced-${count}.json`);
    const store = await ObservationStore.open({ file, maxEntries: 10_000, flushIntervalMs: 60_000, logger });
    for (let i = 0; i < count; i++) store.recorder.slot('User:bulk', '10.0.0.1', 'READ', 'TOPIC', `t-${i}`).hit('allowed');
    await store.close();
    const read = parseObservations(file, fs.readFileSync(file, 'utf8'));
    assert.equal(read.entries.length, count);
    assert.deepEqual(new Set(read.entries.map((e) => e.name)).size, count);
  }
});
