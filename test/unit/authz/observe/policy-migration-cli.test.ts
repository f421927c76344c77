// `gatehouse policy suggest | diff` as a user runs them: files in, text or JSON out, exit codes (1 when
// --fail-on-break finds an observed client the change would refuse; 2 for usage mistakes).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ObservationRecorder } from '../../../../gateway/authz/observe/observation-recorder.ts';
import { serializeObservations } from '../../../../gateway/authz/observe/observation.ts';
import { parseSince } from '../../../../gateway/commands/policy-migration.ts';
import { runPolicy } from '../../../../gateway/commands/policy.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-migration-cli-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

async function run(...args: string[]) {
  const io = { out: '', err: '' };
  const code = await runPolicy(args, { out: (t) => void (io.out += t), err: (t) => void (io.err += t) });
  return { code, ...io };
}

const recorder = new ObservationRecorder({ maxEntries: 10 });
recorder.slot('User:bob', '10.0.0.7', 'READ', 'GROUP', 'billing').hit('allowed');
recorder.slot('User:bob', '10.0.0.7', 'READ', 'TOPIC', 'invoices').hit('allowed');
const observations = file('observations.json', serializeObservations(recorder.snapshot(), Date.now()));
const before = file(
  'before.yaml',
  'version: 1\nrules:\n  - { id: bob, allow: [READ], principals: [User:bob], resources: [ { topic: invoices }, { group: billing } ] }\n',
);
const after_ = file(
  'after.yaml',
  'version: 1\nrules:\n  - { id: bob, allow: [READ], principals: [User:bob], resources: [ { topic: invoices } ] }\n',
);

test('diff prints what is lost and which observed client breaks; --fail-on-break exits 1', async () => {
  const text = await run('diff', before, after_, '--observations', observations);
  assert.equal(text.code, 0, text.err);
  assert.match(
    text.out,
    /gained: none\nlost \(1\):\n {2}User:bob: READ, DESCRIBE on GROUP 'billing'\nobserved clients it would refuse \(1\):\n {2}User:bob from 10\.0\.0\.7: READ on GROUP 'billing'/,
  );
  assert.equal((await run('diff', before, after_, '--observations', observations, '--fail-on-break')).code, 1);
  assert.equal((await run('diff', before, before, '--observations', observations, '--fail-on-break')).code, 0);
  const json = JSON.parse((await run('diff', before, after_, '--json')).out) as {
    gained: unknown[];
    lost: Array<{ principal: string; operations: string[] }>;
  };
  assert.deepEqual(json.gained, []);
  assert.deepEqual(
    json.lost.map((c) => [c.principal, c.operations]),
    [['User:bob', ['READ', 'DESCRIBE']]],
  );
});

test('suggest writes a policy that check accepts; a bad observations file or argument is refused', async () => {
  const out = path.join(dir, 'suggested.yaml');
  const suggested = await run('suggest', '--from', observations, '--out', out);
  assert.equal(suggested.code, 0, suggested.err);
  assert.match(suggested.err, /suggested 1 rule\(s\) from 2 observation\(s\)/);
  assert.equal((await run('check', out)).code, 0);
  const broken = await run('suggest', '--from', file('bad.json', '[]'));
  assert.equal(broken.code, 1);
  assert.match(broken.err, /bad\.json: not an observations file/);
  assert.equal((await run('suggest')).code, 2);
  assert.equal((await run('suggest', '--from', observations, '--since', 'yesterday-ish')).code, 2);
  assert.equal((await run('diff', before)).code, 2);
});

test('--since takes a date, a time or a duration back from now', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  assert.equal(parseSince('7d', now), Date.parse('2026-11-24T12:00:00Z'));
  assert.equal(parseSince('12h', now), Date.parse('2026-12-01T00:00:00Z'));
  assert.equal(parseSince('2026-11-01', now), Date.parse('2026-11-01T00:00:00Z'));
});
