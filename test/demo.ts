// The demo: a real Kafka backend with no security, Gatehouse in front of it with TLS and client
// certificates (mTLS) made by `gatehouse certs` and a YAML ACL policy, and clients through it: who gets
// in, as whom, what each may do, who is refused and why (read from the gateway's own log and audit
// trail), a policy edit (reviewed with `gatehouse policy diff`) taking effect on an open connection, a
// SASL listener (SCRAM-SHA-512 users made with `gatehouse users`) with a client that logs in and one that
// gives a wrong password, and the least-privilege policy `gatehouse policy suggest` makes from what the
// clients were observed doing. Stops everything on Ctrl-C, or at the end with --exit.
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
/** `gatehouse <args>` as an operator types it, its output printed (exit code 1 is an answer too: a failing check). */
function gatehouse(args: string[], shown: string[] = args): string {
  say(`$ gatehouse ${shown.join(' ')}`);
  try {
    return execFileSync(process.execPath, [path.join(REPO_ROOT, 'gateway/gatehouse.mjs'), ...args], { encoding: 'utf8' });
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? '');
  }
}
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
// The backend is open to anyone who reaches it: the topics are made there, before the gateway stands in front.
const setup = new Kafka({ clientId: 'demo-setup', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).admin();
await setup.connect();
await setup.createTopics({ topics: [{ topic: 'demo.orders' }, { topic: 'demo.payments' }], waitForLeaders: true });
await setup.disconnect();
say('topics demo.orders and demo.payments exist on the backend');

// The policy: who may do what, in Kafka's ACL terms (policies/README.md).
const policyFile = path.join(work, 'policy.yaml');
const auditFile = path.join(work, 'audit.log');
const observationsFile = path.join(work, 'observations.json');
const POLICY = `version: 1
rules:
  - id: orders-app-writes-orders
    allow: [WRITE]
    principals: [User:orders-app]
    resources:
      - topic: demo.orders
  - id: analytics-reads-orders
    allow: [READ]
    principals: [User:analytics]
    resources:
      - topic: demo.orders
      - group: demo-readers
  - id: payments-team
    allow: [ALL]
    principals: [User:payments-app]
    resources:
      - topic: demo.payments
  - id: dashboards-see-demo-topics
    allow: [DESCRIBE]
    principals: [User:ANONYMOUS]
    resources:
      - topic: { prefix: "demo." }
`;
fs.writeFileSync(policyFile, POLICY);
say(`the ACL policy (${policyFile}):`);
for (const line of POLICY.trimEnd().split('\n')) say(`    ${line}`);
const [mtlsPort, mtlsBroker, tlsPort, tlsBroker, saslPort, saslBroker] = await freePorts(6);
// SASL users, with the project's own tool: the password goes on stdin, the file keeps only salted keys.
const usersFile = path.join(work, 'users.yaml');
say(`$ echo -n '…' | gatehouse users add payments-app --file ${usersFile}`);
say(
  `    ${
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'gateway/gatehouse.mjs'), 'users', 'add', 'payments-app', '--file', usersFile], {
      input: 'pay-me-2026',
      encoding: 'utf8',
    }).split('\n')[0]
  }`,
);
const serverTls = { certificate: path.join(pkiDir, 'issued/gateway.crt'), key: path.join(pkiDir, 'issued/gateway.key') };
const gw = await startGatewayProcess({
  backendBootstrap: cluster.bootstrap,
  maxBrokers: 1,
  extraConfig: {
    log: { level: 'info' },
    // observe: who asked for what is also recorded (aggregates, no payloads), for `gatehouse policy suggest`.
    authorization: {
      policies: [policyFile],
      audit: { destination: auditFile },
      observe: { file: observationsFile, flushIntervalSeconds: 1 },
    },
    authentication: { credentials: { file: usersFile } },
  },
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
    {
      name: 'sasl',
      bind: `127.0.0.1:${saslPort}`,
      tls: serverTls,
      sasl: { mechanisms: ['SCRAM-SHA-512'] },
      routing: { brokerPorts: { 1: saslBroker } },
    },
  ],
});
const mtls = `127.0.0.1:${mtlsPort}`;
const serverOnly = `127.0.0.1:${tlsPort}`;
const saslTls = `127.0.0.1:${saslPort}`;
say('Gatehouse is up with three listeners, all with the server certificate issued above:');
say(`  ${mtls}  "mtls": client certificate required (from Acme Kafka CA, checked against its CRL); principal from the subject by ${RULES}`);
say(`  ${serverOnly}  "tls":  encryption only, no client certificate: every client is User:ANONYMOUS`);
say(`  ${saslTls}  "sasl": SASL_SSL with SCRAM-SHA-512 against ${usersFile}: the principal is the user name`);
say(`every request is authorized against the policy; denials go to the audit trail ${auditFile}`);
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

// 3b. The policy decides what each principal may do, and answers with Kafka's own errors.
section('ACL policy: allowed and refused, on the same connection');
/** Audit lines written so far (the gateway writes them asynchronously: wait for the one we expect). */
async function auditLine(predicate: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lines = fs.existsSync(auditFile) ? fs.readFileSync(auditFile, 'utf8').split('\n').filter(Boolean) : [];
    const hit = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find(predicate);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error('no such audit line');
    await new Promise((r) => setTimeout(r, 50));
  }
}
const ordersConnections = () => gw.logs().filter(opened('User:orders-app')).length;
const writer = kafkaAt(mtls, 'orders-app', { ca, ...client(pkiDir, 'orders-app') }, { retry: { retries: 0 } }).producer({
  createPartitioner: Partitioners.DefaultPartitioner,
});
await writer.connect();
await writer.send({ topic: 'demo.orders', messages: [{ value: 'order #3' }] });
say('orders-app wrote to demo.orders (rule orders-app-writes-orders)');
const connectionsBefore = ordersConnections();
const sendPayment = async (): Promise<string> => {
  try {
    await writer.send({ topic: 'demo.payments', messages: [{ value: 'refund everything' }] });
    return 'written';
  } catch (err) {
    const e = err as Error & { type?: string };
    return `${e.type ?? e.name}: ${e.message}`;
  }
};
say(`orders-app writes to demo.payments: ${await sendPayment()}`);
const denial = await auditLine((l) => l.decision === 'denied' && l.resourceName === 'demo.payments');
say(
  `  audit: ${String(denial.api)} ${String(denial.operation)} ${String(denial.resourceType)}:${String(denial.resourceName)} principal=${String(denial.principal)} from ${String(denial.clientAddress)} → ${String(denial.decision)} (${String(denial.reason)}, policy version ${String(denial.policyVersion)})`,
);

// The security team grants it in the policy file; the gateway reloads it and the open connection obeys.
say('editing the policy file: orders-app may now also write demo.payments…');
const editedPolicy = path.join(work, 'policy-edited.yaml');
fs.writeFileSync(
  editedPolicy,
  POLICY.replace(
    '      - topic: demo.orders\n  - id: analytics',
    '      - topic: demo.orders\n      - topic: demo.payments\n  - id: analytics',
  ),
);
// What the edit changes, computed from both rule sets (what a reviewer of the policy change sees).
for (const line of gatehouse(['policy', 'diff', policyFile, editedPolicy], ['policy', 'diff', 'policy.yaml', 'policy-edited.yaml'])
  .trimEnd()
  .split('\n'))
  say(`    ${line}`);
const reloaded = logMark();
fs.copyFileSync(editedPolicy, policyFile);
const reloadLine = await reloaded((l) => typeof l.msg === 'string' && /^policy version \d+ in force$/.test(l.msg));
say(`  gateway log: ${String(reloadLine.msg)} (trigger: ${String(reloadLine.trigger)})`);
say(`orders-app writes to demo.payments again: ${await sendPayment()}`);
say(
  `  on the same connection: orders-app opened ${ordersConnections() - connectionsBefore} new connections since the refusal; the next request saw the new policy`,
);
await writer.disconnect();

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

// 5b. SASL: a user from the credential store logs in; a wrong password is refused as a broker refuses it.
section('SASL_SSL with SCRAM-SHA-512 (listener "sasl")');
next = logMark();
const scram = (password: string) =>
  kafkaAt(saslTls, 'payments-app', { ca }, { sasl: { mechanism: 'scram-sha-512', username: 'payments-app', password }, ...once });
const payments = scram('pay-me-2026').producer({ createPartitioner: Partitioners.DefaultPartitioner });
await payments.connect();
await payments.send({ topic: 'demo.payments', messages: [{ value: 'payment #1' }] });
await payments.disconnect();
const loggedIn = await auditLine((l) => l.decision === 'authenticated' && l.principal === 'User:payments-app');
say('a kafkajs producer logged in as payments-app (SCRAM-SHA-512) and wrote to demo.payments (rule payments-team)');
say(
  `  audit: ${String(loggedIn.decision)} principal=${String(loggedIn.principal)} mechanism=${String(loggedIn.mechanism)} listener=${String(loggedIn.listener)}`,
);
const wrongPassword = await mustFail(scram('guess'));
const failed = await auditLine((l) => l.decision === 'authentication_failed');
say('a kafkajs client with a wrong password: refused');
say(`  client saw:  ${wrongPassword}`);
say(
  `  audit: ${String(failed.decision)} mechanism=${String(failed.mechanism)} reason="${String(failed.reason)}" (the password is never logged)`,
);
await next((l) => l.event === 'connection_close' && l.reason === 'authentication-failed');

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

// 7. From what the clients really did to least privilege: the policy observe mode would suggest.
section('least privilege: the policy the observed traffic suggests');
await new Promise((resolve) => setTimeout(resolve, 1500)); // the observations file is written every second
const suggested = gatehouse(['policy', 'suggest', '--from', observationsFile], ['policy', 'suggest', '--from', 'observations.json']);
for (const line of suggested
  .trimEnd()
  .split('\n')
  .filter((l) => !l.startsWith('#') || l.startsWith('  #')))
  say(`    ${line}`);
say('  (each rule allows what one principal was seen doing, nothing more; `gatehouse policy diff` shows what enforcing it would change)');

section('what the gateway counted');
const metrics = (await gw.metrics()).split('\n');
for (const name of [
  'gatehouse_client_identities_total',
  'gatehouse_connections_refused_total',
  'gatehouse_connection_closes_total',
  'gatehouse_authz_decisions_total',
  'gatehouse_authentications_total',
]) {
  for (const line of metrics.filter((l) => l.startsWith(`${name}{`))) say(`  ${line}`);
}

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
  say(
    `or as a SASL user (the "sasl" listener; any client with SCRAM-SHA-512, e.g. the Java client): bootstrap ${saslTls}, user payments-app, password pay-me-2026`,
  );
  say('press Ctrl-C to stop.');
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}
