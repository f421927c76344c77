// Observe mode's aggregate: one entry per (principal, operation, resource), unidentified clients apart
// by address, hosts per entry capped, new tuples past maxEntries counted as dropped, and the file
// format read back exactly (errors name the file and the entry).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ObservationRecorder } from '../../../../gateway/authz/observe/observation-recorder.ts';
import {
  MAX_HOSTS_PER_ENTRY,
  ObservationFormatError,
  parseObservations,
  serializeObservations,
} from '../../../../gateway/authz/observe/observation.ts';

test('a slot counts allowed, would-deny and denied asks with first and last seen', () => {
  let now = 1_000;
  const recorder = new ObservationRecorder({ maxEntries: 10, now: () => now });
  const slot = recorder.slot('User:alice', '10.0.0.1', 'WRITE', 'TOPIC', 'orders');
  slot.hit('allowed');
  now = 2_000;
  slot.hit('dry_run_denied');
  slot.hit('denied');
  const [entry] = recorder.snapshot().entries;
  assert.deepEqual(
    { ...entry },
    {
      principal: 'User:alice',
      hosts: ['10.0.0.1'],
      moreHosts: false,
      operation: 'WRITE',
      resourceType: 'TOPIC',
      name: 'orders',
      allowed: 2,
      wouldDeny: 1,
      denied: 1,
      firstSeen: 1_000,
      lastSeen: 2_000,
    },
  );
});

test('identified principals share one entry across addresses (capped); anonymous clients are apart by address', () => {
  const recorder = new ObservationRecorder({ maxEntries: 100 });
  for (let i = 0; i < MAX_HOSTS_PER_ENTRY + 3; i++) recorder.slot('User:alice', `10.0.0.${i}`, 'READ', 'TOPIC', 't').hit('allowed');
  recorder.slot('User:ANONYMOUS', '10.1.0.1', 'READ', 'TOPIC', 't').hit('allowed');
  recorder.slot('User:ANONYMOUS', '10.1.0.2', 'READ', 'TOPIC', 't').hit('allowed');
  const entries = recorder.snapshot().entries;
  assert.equal(entries.length, 3);
  const alice = entries.find((e) => e.principal === 'User:alice')!;
  assert.equal(alice.hosts.length, MAX_HOSTS_PER_ENTRY);
  assert.equal(alice.moreHosts, true);
  assert.equal(alice.allowed, MAX_HOSTS_PER_ENTRY + 3);
  assert.deepEqual(
    entries.filter((e) => e.principal === 'User:ANONYMOUS').map((e) => e.hosts),
    [['10.1.0.1'], ['10.1.0.2']],
  );
});

test('past maxEntries new tuples are dropped and counted; known ones still count', () => {
  const recorder = new ObservationRecorder({ maxEntries: 2 });
  recorder.slot('User:a', 'h', 'READ', 'TOPIC', 'one').hit('allowed');
  recorder.slot('User:a', 'h', 'READ', 'TOPIC', 'two').hit('allowed');
  recorder.slot('User:a', 'h', 'READ', 'TOPIC', 'three').hit('allowed');
  recorder.slot('User:a', 'h', 'READ', 'TOPIC', 'one').hit('allowed');
  assert.equal(recorder.size, 2);
  assert.equal(recorder.dropped, 1);
  assert.equal(recorder.snapshot().entries.find((e) => e.name === 'one')!.allowed, 2);
});

test('the file reads back what was written, and merging adds counts and widens the seen span', () => {
  let now = Date.parse('2026-11-01T00:00:00Z');
  const recorder = new ObservationRecorder({ maxEntries: 10, now: () => now });
  recorder.slot('User:alice', '10.0.0.1', 'READ', 'GROUP', 'g').hit('allowed');
  recorder.slot('User:alice', '10.0.0.1', 'WRITE', 'TOPIC', null).hit('dry_run_denied');
  const text = serializeObservations(recorder.snapshot(), now);
  const read = parseObservations('obs.json', text);
  assert.deepEqual(read, recorder.snapshot());
  now = Date.parse('2026-11-03T00:00:00Z');
  const later = new ObservationRecorder({ maxEntries: 10, now: () => now });
  later.slot('User:alice', '10.0.0.2', 'READ', 'GROUP', 'g').hit('allowed');
  later.merge(read);
  const g = later.snapshot().entries.find((e) => e.resourceType === 'GROUP')!;
  assert.equal(g.allowed, 2);
  assert.deepEqual(g.hosts, ['10.0.0.2', '10.0.0.1']);
  assert.equal(new Date(g.firstSeen).toISOString(), '2026-11-01T00:00:00.000Z');
  assert.equal(new Date(g.lastSeen).toISOString(), '2026-11-03T00:00:00.000Z');
});

test('a file that is not an observations file is refused with the file and the reason', () => {
  assert.throws(
    () => parseObservations('o.json', '{'),
    (e: unknown) => e instanceof ObservationFormatError && /^o\.json: not JSON/.test(e.message),
  );
  assert.throws(() => parseObservations('o.json', '{"rules": []}'), /o\.json: not an observations file/);
  const bad = JSON.stringify({
    format: 'gatehouse-observations/1',
    entries: [{ principal: 'User:a', hosts: [], operation: 'FLY', resourceType: 'TOPIC', name: 't' }],
  });
  assert.throws(() => parseObservations('o.json', bad), /o\.json: entry 1: unknown operation FLY/);
});

test('10,000 tuples fit the stated budget on disk (about 2 MB: under 250 bytes each)', () => {
  const recorder = new ObservationRecorder({ maxEntries: 20_000 });
  for (let p = 0; p < 100; p++)
    for (let t = 0; t < 100; t++)
      recorder.slot(`User:service-${p}`, '10.20.30.40', 'READ', 'TOPIC', `team-${p}.events-${t}`).hit('allowed');
  assert.equal(recorder.size, 10_000);
  const bytes = Buffer.byteLength(serializeObservations(recorder.snapshot(), Date.now()));
  assert.ok(bytes < 10_000 * 250, `${bytes} bytes on disk for 10,000 tuples`);
});
