// The demo: a real Kafka backend with no security, Gatehouse in front of it with TLS and client
// certificates (mTLS) made by `gatehouse certs`, and clients through it: who gets in, as whom, and
// who is refused and why (read from the gateway's own log). Stops everything on Ctrl-C, or at the end with --exit.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Kafka, Partitioners, logLevel, type KafkaConfig } from 'kafkajs';
import { startGatewayProcess } from './harness/gateway.ts';
import { startKafka } from './harness/kafka.ts';
import { REPO_ROOT } from './harness/paths.ts';
import { freePorts } from './harness/ports.ts';

const exitAtEnd = process.argv.includes('--exit');
const say = (line: string) => process.stdout.write(`demo: ${line}\n`);
const section = (title: string) => process.stdout.write(`\n── ${title}\n`);
const RULES = 'RULE:^CN=([^,]+),O=.*$/$1/L,DEFAULT';

// 1. Certificates, with the project's own tool, exactly as an operator would type it.
section('certificates, made with `gatehouse certs`');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-demo-'));
const pkiDir = path.join(work, 'pki');
const strangerDir = path.join(work, 'other-pki');
function certs(dir: string, ...args: string[]): void {
  say(`$ gatehouse certs ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`);
  const out = execFileSync(process.execPath, [path.join(REPO_ROOT, 'gateway/gatehouse.mjs'), 'certs', ...args, '--dir', dir], {
    encoding: 'utf8',
  });
  say(`    ${out.split('\n')[0]}`);
}
certs(pkiDir, 'init-ca', '--cn', 'Acme Kafka CA', '--o', 'Acme', '--key-size', '2048');
certs(pkiDir, 'issue-server', 'gateway', '--dns', 'localhost', '--ip', '127.0.0.1');
certs(pkiDir, 'issue-client', 'orders-app', '--o', 'Acme');
certs(pkiDir, 'issue-client', 'analytics', '--cn', 'Analytics', '--o', 'Acme');
certs(strangerDir, 'init-ca', '--cn', 'Someone Else CA', '--key-size', '2048');
certs(strangerDir, 'issue-client', 'intruder', '--o', 'Acme');
const caFile = path.join(pkiDir, 'ca/ca.crt');
const client = (dir: string, name: string) => ({
  cert: fs.readFileSync(path.join(dir, `issued/${name}.crt`)),
  key: fs.readFileSync(path.join(dir, `issued/${name}.key`)),
});

// 2. The unsecured backend, and Gatehouse in front of it.
section('the backend and the gateway');
say('starting a Kafka 4 broker (KRaft, PLAINTEXT, no security at all: the kind of cluster Gatehouse protects)…');
const cluster = await startKafka({ version: '4', brokers: 1 });
say(`Kafka ${cluster.version} is up at ${cluster.bootstrap}`);
const [mtlsPort, mtlsBroker, tlsPort, tlsBroker] = await freePorts(4);
const serverTls = { certificate: path.join(pkiDir, 'issued/gateway.crt'), key: path.join(pkiDir, 'issued/gateway.key') };
const gw = await startGatewayProcess({
  backendBootstrap: cluster.bootstrap,
  maxBrokers: 1,
  extraConfig: { log: { level: 'info' } },
  listeners: [
    {
      name: 'mtls',
      bind: `127.0.0.1:${mtlsPort}`,
      tls: { ...serverTls, clientAuth: 'required', clientCa: caFile, crl: path.join(pkiDir, 'ca/crl.pem'), principalMappingRules: RULES },
      routing: { brokerPorts: { 1: mtlsBroker } },
    },
    {
      name: 'tls',
      bind: `127.0.0.1:${tlsPort}`,
      tls: { ...serverTls, clientAuth: 'none' },
      routing: { brokerPorts: { 1: tlsBroker } },
    },
  ],
});
const mtls = `127.0.0.1:${mtlsPort}`;
const serverOnly = `127.0.0.1:${tlsPort}`;
say('Gatehouse is up with two listeners, both with the server certificate issued above:');
say(`  ${mtls}  "mtls": client certificate required (from Acme Kafka CA, checked against its CRL); principal from the subject by ${RULES}`);
say(`  ${serverOnly}  "tls":  encryption only, no client certificate: every client is User:ANONYMOUS`);
say(`metrics at http://127.0.0.1:${gw.adminPort}/metrics; config ${gw.configFile}`);

/** Log lines written from now on: `const next = logMark(); …; await next(predicate)`. */
function logMark() {
  const from = gw.logs().length;
  return async (predicate: (line: Record<string, unknown>) => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = gw.logs().slice(from).find(predicate);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error('the gateway logged no such line');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
}
const opened = (principal: string) => (l: Record<string, unknown>) => l.event === 'connection_open' && l.principal === principal;
const refusedFor = (reason: string) => (l: Record<string, unknown>) => l.event === 'connection_refused' && l.reason === reason;
const kafkaAt = (bootstrap: string, clientId: string, ssl: KafkaConfig['ssl'], extra: Partial<KafkaConfig> = {}) =>
  new Kafka({ clientId, brokers: [bootstrap], ssl, logLevel: logLevel.NOTHING, ...extra });
const ca = [fs.readFileSync(caFile)];

// 3. Clients with certificates from the trusted CA: in, each as the principal its certificate names.
section('mTLS: clients with certificates from Acme Kafka CA');
let next = logMark();
const orders = kafkaAt(mtls, 'orders-app', { ca, ...client(pkiDir, 'orders-app') });
const admin = orders.admin();
await admin.connect();
const described = await admin.describeCluster();
say(
  `the cluster as a client sees it through Gatehouse: ${described.brokers.map((b) => `broker ${b.nodeId} at ${b.host}:${b.port}`).join(', ')} (the backend's own address never reaches the client)`,
);
await admin.disconnect();
const producer = orders.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
await producer.send({ topic: 'demo.orders', messages: [{ value: 'order #1' }, { value: 'order #2' }] });
await producer.disconnect();
const producerLine = await next(opened('User:orders-app'));
say('a kafkajs producer with the orders-app certificate wrote 2 messages to demo.orders');
say(
  `  gateway log: connection_open principal=${String(producerLine.principal)} subject="${String(producerLine.subject)}" identity=${String(producerLine.identity)} ${String(producerLine.tls)} ${String(producerLine.cipher)}`,
);

next = logMark();
const consumer = kafkaAt(mtls, 'analytics', { ca, ...client(pkiDir, 'analytics') }).consumer({ groupId: 'demo-readers' });
await consumer.connect();
await consumer.subscribe({ topic: 'demo.orders', fromBeginning: true });
const read: string[] = [];
await new Promise<void>((resolve) => {
  void consumer.run({
    eachMessage: async ({ message }) => {
      read.push(`"${message.value?.toString()}"`);
      if (read.length === 2) resolve();
    },
  });
});
await consumer.disconnect();
const consumerLine = await next(opened('User:analytics'));
say(`a kafkajs consumer group with the analytics certificate read ${read.join(' and ')}`);
say(
  `  gateway log: connection_open principal=${String(consumerLine.principal)} subject="${String(consumerLine.subject)}" (the rule's /L made the CN lower case)`,
);

// 4. Clients the mTLS listener refuses, with the reason the gateway logs.
section('mTLS: clients that are refused');
/** Runs a kafkajs client that must fail; returns its own error message. */
async function mustFail(kafka: Kafka): Promise<string> {
  const a = kafka.admin();
  try {
    await a.connect();
    await a.listTopics();
    return 'NOT refused';
  } catch (err) {
    return (err as Error).message;
  } finally {
    await a.disconnect().catch(() => undefined);
  }
}
const once = { retry: { retries: 0 }, connectionTimeout: 3_000 } satisfies Partial<KafkaConfig>;
async function showRefusal(what: string, reason: string, kafka: Kafka): Promise<void> {
  const mark = logMark();
  const clientSaw = await mustFail(kafka);
  const line = await mark(refusedFor(reason));
  say(`${what}: refused`);
  say(`  client saw:  ${clientSaw}`);
  // OpenSSL's errors carry a code and a source location: keep the words.
  const detail = String(line.detail).trim();
  say(
    `  gateway log: connection_refused reason=${String(line.reason)} detail="${/SSL routines:[^:]*:([^:]+)/.exec(detail)?.[1] ?? detail}"`,
  );
}
await showRefusal('a kafkajs client with TLS but no certificate', 'client-certificate-missing', kafkaAt(mtls, 'no-cert', { ca }, once));
await showRefusal(
  'a kafkajs client with a certificate from another CA (CN=intruder,O=Acme, signed by "Someone Else CA")',
  'client-certificate-invalid',
  kafkaAt(mtls, 'intruder', { ca, ...client(strangerDir, 'intruder') }, once),
);
await showRefusal(
  'a kafkajs client speaking plaintext to the TLS port',
  'tls-handshake-failed',
  kafkaAt(mtls, 'plaintext', undefined, once),
);

// 5. The second listener: encryption without client certificates.
section('TLS without client certificates (listener "tls")');
next = logMark();
const anonymous = kafkaAt(serverOnly, 'dashboard', { ca });
const anonAdmin = anonymous.admin();
await anonAdmin.connect();
const topics = await anonAdmin.listTopics();
await anonAdmin.disconnect();
const anonLine = await next(opened('User:ANONYMOUS'));
say(`a kafkajs client with only the CA certificate listed the topics: ${topics.join(', ')}`);
say(
  `  gateway log: connection_open principal=${String(anonLine.principal)} identity=${String(anonLine.identity)} ${String(anonLine.tls)} (encrypted, but nobody in particular)`,
);

// 6. A client speaking an API the gateway does not know is refused, as a broker would refuse it.
section('protocol checks still apply inside TLS');
next = logMark();
const socketClosed = await new Promise<boolean>((resolve) => {
  const socket = tls.connect({ host: '127.0.0.1', port: mtlsPort, ca, ...client(pkiDir, 'orders-app') }, () => {
    const frame = Buffer.alloc(14);
    frame.writeInt32BE(10, 0);
    frame.writeInt16BE(10_042, 4); // a vendor api key nobody advertised
    socket.write(frame);
  });
  socket.once('data', () => resolve(false));
  socket.once('close', () => resolve(true));
  socket.once('error', () => resolve(true));
});
const closeLine = socketClosed ? await next((l) => l.event === 'connection_close' && l.reason === 'unsupported-api') : null;
say(`a client with a valid certificate sending an unknown API (key 10042) was ${closeLine ? 'refused: connection closed' : 'NOT refused'}`);
if (closeLine)
  say(
    `  gateway log: connection_close principal=${String(closeLine.principal)} reason=${String(closeLine.reason)} detail="${String(closeLine.detail)}"`,
  );

section('what the gateway counted');
const metrics = (await gw.metrics()).split('\n');
for (const name of ['gatehouse_client_identities_total', 'gatehouse_connections_refused_total', 'gatehouse_connection_closes_total']) {
  for (const line of metrics.filter((l) => l.startsWith(`${name}{`))) say(`  ${line}`);
}
say('still to come: SASL/Kerberos, and ACL policies deciding who may do what.');

const shutdown = async () => {
  say('stopping Gatehouse (SIGTERM: drains in-flight requests) and Kafka…');
  await gw.stop();
  await cluster.stop();
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(0);
};
if (exitAtEnd) {
  await shutdown();
} else {
  const issued = path.join(pkiDir, 'issued');
  say('everything stays up; try, with a client certificate:');
  say(
    `  kcat -L -b ${mtls} -X security.protocol=ssl -X ssl.ca.location=${caFile} -X ssl.certificate.location=${issued}/orders-app.crt -X ssl.key.location=${issued}/orders-app.key`,
  );
  say(`or without one (the "tls" listener): kcat -L -b ${serverOnly} -X security.protocol=ssl -X ssl.ca.location=${caFile}`);
  say('press Ctrl-C to stop.');
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}
