// The gateway as an operator sees it: SIGTERM lets in-flight requests finish, refuses new
// connections, and exits cleanly; a bad config file is refused with file, line and reason.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { API_KEY, decodeResponseFrame } from '../../../gateway/protocol/index.ts';
import { startGatewayProcess } from '../../harness/gateway.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { kcat } from '../../harness/kcat.ts';
import { REPO_ROOT } from '../../harness/paths.ts';
import { freePorts } from '../../harness/ports.ts';
import { expectSuccess, run } from '../../harness/run.ts';
import { tempDirRemovedAtExit } from '../../harness/temp-dir.ts';
import { connectRaw } from './raw-client.ts';
import { fetchV11 } from './fetch-request.ts';

let cluster: KafkaCluster;
before(async () => {
  cluster = await startKafka({ version: '4', brokers: 1 });
});
after(async () => {
  await cluster?.stop();
});

test('SIGTERM: an in-flight request still gets its answer, new connections are refused, exit 0', async () => {
  const gw = await startGatewayProcess({ backendBootstrap: cluster.bootstrap, maxBrokers: 1 });
  expectSuccess('create topic', await kcat(['-P', '-b', gw.bootstrap, '-t', 'drain'], { input: 'x\n' }));
  const brokerPort = gw.brokerPorts.get(1)!;
  const conn = await connectRaw(`127.0.0.1:${brokerPort}`);
  // A long poll: the broker holds it for 2 s because there is nothing past offset 1 yet.
  conn.send(fetchV11({ correlationId: 42, topic: 'drain', offset: 1n, maxBytes: 1024, maxWaitMs: 2000, minBytes: 1024 }));
  await new Promise((r) => setTimeout(r, 300));
  const sentAt = Date.now();
  process.kill(gw.process.pid, 'SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  const refused = await new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: brokerPort });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
  assert.ok(refused, 'a new connection after SIGTERM must be refused');
  const payload = await conn.next(10_000);
  assert.ok(payload, 'the in-flight Fetch must be answered before the connection closes');
  const { header, body } = decodeResponseFrame(payload, API_KEY.Fetch, 11);
  assert.equal(header.correlationId, 42);
  assert.equal(body.errorCode, 0);
  assert.ok(Date.now() - sentAt >= 1000, 'the answer came from the broker after its long poll');
  await conn.closed;
  assert.equal(await gw.process.exited, 0);
  await gw.waitForLog((l) => l.event === 'shutdown');
  await gw.waitForLog((l) => l.event === 'stopped');
});

test('a config with a mistake is refused with file, line, column and reason', async () => {
  const dir = tempDirRemovedAtExit('gatehouse-cfg-');
  const file = path.join(dir, 'bad.yaml');
  fs.writeFileSync(
    file,
    [
      'backend:',
      '  bootstrapServers: ["127.0.0.1:9092"]',
      'listeners:',
      '  - name: a',
      '    bind: 127.0.0.1:9999',
      '    plaintext: true',
      '    routing: { basePort: 9100 }',
      '    colour: blue',
      'authorization: { mode: off }',
      '',
    ].join('\n'),
  );
  const result = await run(process.execPath, [path.join(REPO_ROOT, 'gateway/gatehouse.mjs'), 'start', '-c', file]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:8:5: unknown key 'colour'`));
});

test('a listener without TLS is refused unless it says plaintext: true', async () => {
  const dir = tempDirRemovedAtExit('gatehouse-cfg-');
  const file = path.join(dir, 'open.yaml');
  fs.writeFileSync(
    file,
    'backend:\n  bootstrapServers: ["127.0.0.1:9092"]\nlisteners:\n  - name: open\n    bind: 127.0.0.1:9999\n    routing: { basePort: 9100 }\nauthorization: { mode: off }\n',
  );
  const result = await run(process.execPath, [path.join(REPO_ROOT, 'gateway/gatehouse.mjs'), 'start', '-c', file]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /:4:5: listener 'open' has no tls section; set 'plaintext: true'/);
});

test('a TLS certificate that does not load stops the start with the listener, file and reason; nothing is bound', async () => {
  const dir = tempDirRemovedAtExit('gatehouse-cfg-');
  fs.writeFileSync(path.join(dir, 'server.crt'), '-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n');
  fs.writeFileSync(path.join(dir, 'server.key'), 'not a key');
  const file = path.join(dir, 'tls.yaml');
  const [port] = await freePorts(1);
  fs.writeFileSync(
    file,
    `backend:\n  bootstrapServers: ["127.0.0.1:9092"]\nlisteners:\n  - name: secure\n    bind: 127.0.0.1:${port}\n    routing: { basePort: 9100 }\n    tls:\n      certificate: server.crt\n      key: server.key\nauthorization: { mode: off }\n`,
  );
  const result = await run(process.execPath, [path.join(REPO_ROOT, 'gateway/gatehouse.mjs'), 'start', '-c', file], { timeoutMs: 30_000 });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /tls\.yaml:7:5: listener 'secure': .*server\.crt: /);
});
