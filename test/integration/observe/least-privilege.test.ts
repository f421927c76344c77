// From an open cluster to least privilege, end to end on a real Kafka 4 broker: clients with several
// identities (two mTLS certificates, one IP identity) produce with an idempotent producer, consume in a
// group and make admin calls through a gateway in observe mode (policy in dry-run, nothing refused);
// `policy suggest` writes a policy from the observations; the gateway reloads it enforcing; the same
// work runs again with zero denials, and a client doing something new (another topic) is refused with
// Kafka's own error.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { runPolicy } from '../../../gateway/commands/policy.ts';
import { parseObservations } from '../../../gateway/authz/observe/observation.ts';
import { startGatewayProcess, type GatewayProcess } from '../../harness/gateway.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { createTestPki, mtlsListenerTls, type TestPki } from '../../harness/pki.ts';
import { freePorts } from '../../harness/ports.ts';

const RULES = 'RULE:^CN=([^,]+),O=Acme$/$1/L,DEFAULT';
const ORDER_TOPICS = ['orders.eu.created', 'orders.eu.paid', 'orders.eu.shipped'];
const OBSERVE_POLICY = 'version: 1\nmode: dry-run\nrules: []\n';

let cluster: KafkaCluster;
let gw: GatewayProcess;
let pki: TestPki;
let policyFile = '';
let observationsFile = '';
let tlsBootstrap = '';
let plainBootstrap = '';
const clientCerts = new Map<string, { cert: string; key: string }>();

before(async () => {
  pki = createTestPki();
  for (const name of ['orders-app', 'analytics']) {
    const issued = pki.client(name);
    clientCerts.set(name, { cert: issued.cert, key: issued.key });
  }
  policyFile = path.join(pki.dir, 'policy.yaml');
  observationsFile = path.join(pki.dir, 'observations.json');
  fs.writeFileSync(policyFile, OBSERVE_POLICY);
  cluster = await startKafka({ version: '4', brokers: 1 });
  const admin = new Kafka({ clientId: 'setup', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [...ORDER_TOPICS, 'audit', 'payments'].map((topic) => ({ topic })), waitForLeaders: true });
  await admin.disconnect();
  const [tlsPort, tlsBroker, plainPort, plainBroker] = await freePorts(4);
  tlsBootstrap = `127.0.0.1:${tlsPort}`;
  plainBootstrap = `127.0.0.1:${plainPort}`;
  gw = await startGatewayProcess({
    backendBootstrap: cluster.bootstrap,
    maxBrokers: 1,
    extraConfig: {
      authorization: { policies: [policyFile], observe: { file: observationsFile, flushIntervalSeconds: 1 } },
    },
    listeners: [
      {
        name: 'mtls',
        bind: tlsBootstrap,
        tls: mtlsListenerTls(pki, RULES),
        routing: { brokerPorts: { 1: tlsBroker } },
      },
      {
        name: 'plain',
        bind: plainBootstrap,
        plaintext: true,
        network: { identities: { '127.0.0.1/32': 'User:ops' } },
        routing: { brokerPorts: { 1: plainBroker } },
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await cluster?.stop();
  pki?.cleanup();
});

function mtlsClient(name: string, extra: Partial<KafkaConfig> = {}): Kafka {
  const { cert, key } = clientCerts.get(name)!;
  return new Kafka({
    clientId: name,
    brokers: [tlsBootstrap],
    logLevel: logLevel.NOTHING,
    ssl: { ca: [fs.readFileSync(pki.file('ca/ca.crt'))], cert: fs.readFileSync(cert), key: fs.readFileSync(key) },
    ...extra,
  });
}

/** The work the cluster's clients do every day: the same calls in both runs. */
async function workload(round: string): Promise<void> {
  const producer = mtlsClient('orders-app').producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (const topic of ORDER_TOPICS) await producer.send({ topic, acks: -1, messages: [{ value: `${topic}-${round}` }] });
  await producer.send({ topic: 'audit', acks: -1, messages: [{ value: `audit-${round}` }] });
  await producer.disconnect();

  const consumer = mtlsClient('analytics').consumer({ groupId: 'analytics-orders' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'orders.eu.created', fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`analytics did not read orders.eu.created-${round}`)), 60_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value?.toString() !== `orders.eu.created-${round}`) return;
        clearTimeout(timer);
        resolve();
      },
    });
  });
  await consumer.disconnect();

  const ops = new Kafka({ clientId: 'ops', brokers: [plainBootstrap], logLevel: logLevel.NOTHING }).admin();
  await ops.connect();
  await ops.fetchTopicMetadata({ topics: ['audit'] });
  await ops.describeConfigs({ resources: [{ type: 2, name: 'audit' }], includeSynonyms: false });
  assert.equal(await ops.createTopics({ topics: [{ topic: 'ops.scratch' }], waitForLeaders: true }), true);
  await ops.deleteTopics({ topics: ['ops.scratch'] });
  await ops.disconnect();
}

function sumOf(metrics: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('observe, suggest, enforce: the same work runs with zero denials, something new is refused', async () => {
  await workload('observed');
  const dryRun = await gw.metrics();
  assert.equal(sumOf(dryRun, 'gatehouse_authz_decisions_total', { decision: 'denied' }), 0, 'observe mode refuses nothing');
  assert.ok(sumOf(dryRun, 'gatehouse_authz_dry_run_denials_total', { principal: 'User:orders-app' }) > 0, 'would-be denials by principal');
  assert.ok(sumOf(dryRun, 'gatehouse_authz_dry_run_denials_total', { principal: 'User:ops' }) > 0);
  assert.ok(Number(/^gatehouse_observations (\d+)/m.exec(dryRun)?.[1]) > 0, 'observed tuples are counted');

  // The file is written every second: wait until it holds the last call of the work (the topic deletion).
  const observations = await until('the observations file', () => {
    if (!fs.existsSync(observationsFile)) return undefined;
    const set = parseObservations(observationsFile, fs.readFileSync(observationsFile, 'utf8'));
    return set.entries.some((e) => e.principal === 'User:ops' && e.operation === 'DELETE' && e.name === 'ops.scratch') ? set : undefined;
  });
  const principals = new Set(observations.entries.map((e) => e.principal));
  assert.deepEqual([...principals].sort(), ['User:analytics', 'User:ops', 'User:orders-app']);
  assert.ok(
    observations.entries.some((e) => e.principal === 'User:analytics' && e.resourceType === 'GROUP' && e.name === 'analytics-orders'),
    'the consumer group is observed',
  );
  assert.ok(
    observations.entries.some(
      (e) => e.principal === 'User:ops' && e.operation === 'CREATE' && e.resourceType === 'TOPIC' && e.name === 'ops.scratch',
    ),
    'topic creation is observed per topic, not as a cluster-wide CREATE',
  );

  const suggested = path.join(pki.dir, 'suggested.yaml');
  const io = { out: '', err: '' };
  const sink = { out: (t: string) => void (io.out += t), err: (t: string) => void (io.err += t) };
  assert.equal(await runPolicy(['suggest', '--from', observationsFile, '--out', suggested], sink), 0, io.err);
  const yaml = fs.readFileSync(suggested, 'utf8');
  assert.match(yaml, /topic: \{ prefix: orders\.eu\. \}/, 'three order topics become one prefix');
  assert.match(yaml, /group: analytics-orders/);
  assert.doesNotMatch(yaml, /cluster: kafka-cluster/, 'nothing observed needs a cluster-wide permission');
  assert.equal(await runPolicy(['check', suggested], sink), 0, io.out + io.err);

  const versionBefore = policyVersion(await gw.metrics());
  fs.writeFileSync(policyFile, yaml);
  await until('the suggested policy in force', async () => {
    const v = policyVersion(await gw.metrics());
    return v > versionBefore ? v : undefined;
  });

  const deniedBefore = sumOf(await gw.metrics(), 'gatehouse_authz_decisions_total', { decision: 'denied' });
  await workload('enforced');
  const enforced = await gw.metrics();
  assert.equal(
    sumOf(enforced, 'gatehouse_authz_decisions_total', { decision: 'denied' }) - deniedBefore,
    0,
    'the observed work is not refused',
  );
  assert.ok(sumOf(enforced, 'gatehouse_authz_decisions_total', { decision: 'allowed' }) > 0);

  const producer = mtlsClient('orders-app', { retry: { retries: 0 } }).producer();
  await producer.connect();
  const refused = await producer.send({ topic: 'payments', acks: -1, messages: [{ value: 'new' }] }).then(
    () => undefined,
    (error: unknown) => error,
  );
  await producer.disconnect();
  assert.ok(refused !== undefined, 'a topic never observed is refused');
  assert.match(errorChain(refused), /TOPIC_AUTHORIZATION_FAILED|Not authorized to access topics/);
  assert.ok(sumOf(await gw.metrics(), 'gatehouse_authz_decisions_total', { decision: 'denied', resource_type: 'TOPIC' }) > deniedBefore);
});

function errorChain(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as { type?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    parts.push(`${e.type ?? ''} ${e.message ?? ''}`);
  }
  return parts.join(' / ');
}

function policyVersion(metrics: string): number {
  return Number(/^gatehouse_policy_version (\d+)/m.exec(metrics)?.[1] ?? NaN);
}
