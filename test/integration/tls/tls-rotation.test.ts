// Certificate rotation under load, through the gateway process in front of a real Kafka 4 broker:
// a kafkajs producer (mTLS) keeps sending while the server certificate is replaced on disk, then a
// broken key is written, then another certificate is put in place and SIGHUP sent. Zero sends fail,
// new connections present each new certificate as it arrives, the broken file changes nothing, and
// every message sent arrives exactly once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { startGatewayProcess, type GatewayProcess } from '../../harness/gateway.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { createTestPki, installServerCertificate, issueLocalhostServer, presentedSerial, type TestPki } from '../../harness/pki.ts';
import { freePorts } from '../../harness/ports.ts';
import { assertExactlyOnceInOrder, consumeWithKafkajs } from '../../harness/verify.ts';

let cluster: KafkaCluster;
let gw: GatewayProcess;
let pki: TestPki;
let live: string;
let port = 0;

const install = (name: string) => installServerCertificate(pki, name, live);

const issueServer = (name: string) => issueLocalhostServer(pki, name);

const serial = () => presentedSerial(port, pki);

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  pki = createTestPki();
  live = path.join(pki.dir, 'live');
  fs.mkdirSync(live);
  issueServer('server-2');
  issueServer('server-3');
  cluster = await startKafka({ version: '4', brokers: 1 });
  const [bootstrapPort, brokerPort] = await freePorts(2);
  port = bootstrapPort;
  install('gateway');
  gw = await startGatewayProcess({
    backendBootstrap: cluster.bootstrap,
    maxBrokers: 1,
    listeners: [
      {
        name: 'rotating',
        bind: `127.0.0.1:${bootstrapPort}`,
        tls: {
          certificate: path.join(live, 'server.crt'),
          key: path.join(live, 'server.key'),
          clientAuth: 'required',
          clientCa: pki.file('ca/ca.crt'),
        },
        routing: { brokerPorts: { 1: brokerPort } },
      },
    ],
  });
});
after(async () => {
  await gw?.stop();
  await cluster?.stop();
  pki?.cleanup();
});

test('a producer keeps producing while the server certificate is replaced twice and a broken one is refused', async () => {
  const client = pki.client('loader');
  const kafka = new Kafka({
    clientId: 'rotation',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    ssl: { ca: [fs.readFileSync(pki.file('ca/ca.crt'))], cert: fs.readFileSync(client.cert), key: fs.readFileSync(client.key) },
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'rotation', numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const sent: string[] = [];
  const failures: string[] = [];
  let producing = true;
  const load = (async () => {
    for (let i = 0; producing; i++) {
      const value = `m-${String(i).padStart(5, '0')}`;
      try {
        await producer.send({ topic: 'rotation', acks: -1, messages: [{ key: `k${i % 5}`, value }] });
        sent.push(value);
      } catch (err) {
        failures.push(`${value}: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();

  const serial1 = (await serial()).toUpperCase();
  assert.equal(serial1, pki.ca.find('gateway')!.serial.toUpperCase());
  await new Promise((r) => setTimeout(r, 1_000));

  const serial2 = install('server-2');
  await until('new connections to present the second certificate', async () => (await serial()) === serial2);
  await gw.waitForLog((l) => l.event === 'tls_reloaded' && l.trigger === 'file change');

  fs.writeFileSync(path.join(live, 'server.key'), '-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n');
  const failed = await gw.waitForLog((l) => l.event === 'tls_reload_failed');
  assert.match(String(failed.file), /server\.crt|server\.key/);
  assert.equal(await serial(), serial2, 'a broken file leaves the last good certificate in force');

  // A certificate put in place and announced with SIGHUP.
  const serial3 = install('server-3');
  process.kill(gw.process.pid, 'SIGHUP');
  await gw.waitForLog((l) => l.event === 'tls_reloaded' && l.trigger === 'SIGHUP');
  await until('new connections to present the third certificate', async () => (await serial()) === serial3);
  await new Promise((r) => setTimeout(r, 1_000));

  producing = false;
  await load;
  await producer.disconnect();
  assert.deepEqual(failures, [], 'no send may fail during rotation');
  assert.ok(sent.length >= 50, `the producer kept producing (${sent.length} sends)`);
  const received = await consumeWithKafkajs(kafka, 'rotation', 'rotation-check', sent.length);
  assertExactlyOnceInOrder(sent, received, 'producer during certificate rotation');
  const metrics = await gw.metrics();
  assert.match(metrics, /gatehouse_tls_reloads_total\{listener="rotating",result="failure"\} [1-9]/);
  assert.match(metrics, /gatehouse_tls_last_reload_success\{listener="rotating"\} 1/);
  const expiry = Number(/gatehouse_tls_certificate_expiry_timestamp_seconds\{listener="rotating"\} (\d+)/.exec(metrics)?.[1]);
  assert.equal(expiry, Math.floor(Date.parse(pki.ca.find('server-3')!.notAfter) / 1000));
});
