// authorization.managedAcls: kafka by default (topic __gatehouse_acls), file with a path relative to the
// config file, none; every mistake refused with the file, line and a reason that says what to write.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { ConfigError, parseConfig } from '../../../gateway/config/schema.ts';
import { startGateway } from '../../../gateway/session/gateway.ts';
import { freePorts } from '../../harness/ports.ts';
import { refusalOf } from './refusal.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-managed-cfg-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.mkdirSync(path.join(dir, 'policies'));
fs.mkdirSync(path.join(dir, 'state'));
fs.writeFileSync(path.join(dir, 'policies', 'a.yaml'), 'version: 1\n');
const file = path.join(dir, 'gatehouse.yaml');

// Line 9 is `authorization:`, line 10 `policies`, line 11 `managedAcls`.
const config = (managed: string) => `backend:
  bootstrapServers: ["127.0.0.1:9092"]
listeners:
  - name: a
    bind: 127.0.0.1:9092
    plaintext: true
    routing: { basePort: 9100 }
authorization:
  policies: [policies]
${managed}`;

const errorOf = (text: string): ConfigError => refusalOf(text, file);

function managedOf(text: string) {
  const c = parseConfig(text, file);
  assert.ok(c.authorization.mode === 'enforce');
  return c.authorization.managedAcls;
}

test('absent: the kafka store on __gatehouse_acls, its topic closed to super users too', () => {
  assert.deepEqual(managedOf(config('')), { store: 'kafka', topic: '__gatehouse_acls', superUsersMayReadTopic: false });
});

test('kafka with a topic and super-user read; file relative to the config file; none', () => {
  assert.deepEqual(managedOf(config('  managedAcls: { store: kafka, topic: team.acls, superUsersMayReadTopic: true }\n')), {
    store: 'kafka',
    topic: 'team.acls',
    superUsersMayReadTopic: true,
  });
  assert.deepEqual(managedOf(config('  managedAcls: { store: kafka }\n')), {
    store: 'kafka',
    topic: '__gatehouse_acls',
    superUsersMayReadTopic: false,
  });
  assert.deepEqual(managedOf(config('  managedAcls:\n    store: file\n    path: state/acls.yaml\n')), {
    store: 'file',
    path: path.join(dir, 'state', 'acls.yaml'),
  });
  assert.deepEqual(managedOf(config('  managedAcls: { store: none }\n')), { store: 'none' });
});

test('mistakes are refused where they are written, saying what fits', () => {
  const cases: [string, number, RegExp][] = [
    ['  managedAcls: { store: zookeeper }\n', 10, /managedAcls\.store must be one of kafka, file, none \(got 'zookeeper'\)/],
    ['  managedAcls: {}\n', 10, /managedAcls\.store is required: one of kafka, file, none/],
    ['  managedAcls: kafka\n', 10, /managedAcls must be a mapping/],
    ['  managedAcls: { store: file }\n', 10, /managedAcls\.path is required with store: file/],
    ['  managedAcls:\n    store: file\n    path: nowhere/acls.yaml\n', 12, /folder .*nowhere does not exist/],
    ['  managedAcls:\n    store: file\n    path: state\n', 12, /state is a folder; name a file/],
    [
      '  managedAcls:\n    store: file\n    path: policies/acls.yaml\n',
      12,
      /inside one of authorization\.policies; keep the managed ACL file apart/,
    ],
    ['  managedAcls:\n    store: file\n    path: policies/a.yaml\n', 12, /inside one of authorization\.policies/],
    [
      '  managedAcls:\n    store: file\n    path: state/a.yaml\n    topic: x\n',
      13,
      /managedAcls\.topic does not apply to store: file \(allowed: store, path\)/,
    ],
    ['  managedAcls:\n    store: none\n    path: x.yaml\n', 12, /managedAcls\.path does not apply to store: none/],
    ['  managedAcls:\n    store: kafka\n    topic: "bad topic"\n', 12, /managedAcls\.topic 'bad topic' is not a valid Kafka topic name/],
    ['  managedAcls:\n    store: kafka\n    topic: ".."\n', 12, /is not a valid Kafka topic name/],
    ['  managedAcls:\n    store: kafka\n    superUsersMayReadTopic: yes please\n', 12, /superUsersMayReadTopic must be true or false/],
    ['  managedAcls:\n    store: kafka\n    colour: red\n', 12, /unknown key 'colour' in authorization\.managedAcls/],
  ];
  for (const [text, line, reason] of cases) {
    const err = errorOf(config(text));
    assert.equal(err.file, file);
    assert.equal(err.line, line, `${text.trim()}: line`);
    assert.match(err.reason, reason, text.trim());
  }
});

test('a file in a folder listed only as a single policy file is fine; the same file is not', () => {
  const single = config('').replace('policies: [policies]', 'policies: [policies/a.yaml]');
  assert.deepEqual(managedOf(`${single}  managedAcls: { store: file, path: policies/managed.yaml }\n`), {
    store: 'file',
    path: path.join(dir, 'policies', 'managed.yaml'),
  });
  const same = errorOf(`${single}  managedAcls: { store: file, path: policies/a.yaml }\n`);
  assert.match(same.reason, /is one of authorization\.policies/);
});

test('managedAcls with mode: off is refused (nothing would enforce them)', () => {
  const err = errorOf(config('').replace('  policies: [policies]\n', '  mode: off\n  managedAcls: { store: none }\n'));
  assert.equal(err.line, 10);
  assert.match(err.reason, /managedAcls needs authorization on/);
});

test('a managed ACL file that does not load refuses the start: the config key and the file, line and column', async () => {
  fs.writeFileSync(
    path.join(dir, 'state', 'broken.yaml'),
    'version: 1\nrules:\n  - id: x\n    allow: [RAED]\n    principals: [User:a]\n    resources: [{ topic: t }]\n',
  );
  const [port] = await freePorts(1);
  const text = config('  managedAcls:\n    store: file\n    path: state/broken.yaml\n').replace(
    '127.0.0.1:9092\n    plaintext',
    `127.0.0.1:${port}\n    plaintext`,
  );
  const logger = pino({}, new Writable({ write: (_chunk, _e, done) => done() }));
  await assert.rejects(startGateway(parseConfig(text, file), logger), (err: Error) => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.deepEqual([err.file, err.line], [file, 12], 'at managedAcls.path');
    assert.match(err.reason, /the managed ACL file does not load: .*state\/broken\.yaml:4:13: unknown operation 'RAED'/);
    return true;
  });
  // Nothing was bound: the port is still free.
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer().once('error', reject);
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
});
