// Transactional and idempotent producers through the gateway with authorization on, in front of a real
// Kafka 4 broker: a kafkajs transactional producer is refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED
// without WRITE on its transactional id and commits with it; an idempotent producer gets a producer id
// from WRITE on one topic alone (no IDEMPOTENT_WRITE on the cluster, KIP-679).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { stringify } from 'yaml';
import { startGatewayProcess, type GatewayProcess } from '../../harness/gateway.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';

const TOPIC = 'txn-orders';
// A plaintext listener without identities: every client is User:ANONYMOUS.
const PRINCIPAL = 'User:ANONYMOUS';

const policy = {
  version: 1,
  rules: [
    { id: 'write-orders', allow: ['WRITE'], principals: [PRINCIPAL], resources: [{ topic: TOPIC }] },
    { id: 'own-tx', allow: ['WRITE'], principals: [PRINCIPAL], resources: [{ transactionalId: 'tx-allowed' }] },
    // DESCRIBE lets the producer find its coordinator, so the refusal comes from InitProducerId itself.
    { id: 'see-other-tx', allow: ['DESCRIBE'], principals: [PRINCIPAL], resources: [{ transactionalId: 'tx-refused' }] },
  ],
};

let cluster: KafkaCluster;
let gw: GatewayProcess;
let dir: string;
let auditFile: string;
const client = (clientId: string) => new Kafka({ clientId, brokers: [gw.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });

/** The error codes' names along an error's cause chain (kafkajs wraps protocol errors). */
function errorTypes(err: unknown): string[] {
  const types: string[] = [];
  for (
    let e = err as { type?: string; cause?: unknown; originalError?: unknown } | undefined;
    e;
    e = (e.cause ?? e.originalError) as typeof e
  ) {
    if (e.type) types.push(e.type);
  }
  return types;
}

async function committedValues(): Promise<string[]> {
  // Read straight from the broker, read_committed: only what a committed transaction wrote.
  const direct = new Kafka({ clientId: 'verify', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING });
  const consumer = direct.consumer({ groupId: `verify-${Date.now()}`, readUncommitted: false });
  const seen: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value?.toString() ?? '');
        if (seen.length >= 3) resolve();
      },
    });
  });
  await Promise.race([done, new Promise((r) => setTimeout(r, 20_000))]);
  await consumer.disconnect();
  return seen;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-txn-'));
  const policyFile = path.join(dir, 'policy.yaml');
  fs.writeFileSync(policyFile, stringify(policy));
  auditFile = path.join(dir, 'audit.log');
  cluster = await startKafka({ version: '4' });
  const admin = new Kafka({ clientId: 'setup', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  gw = await startGatewayProcess({
    backendBootstrap: cluster.bootstrap,
    maxBrokers: 1,
    extraConfig: { authorization: { policies: [policyFile], audit: { destination: auditFile } } },
  });
});

after(async () => {
  await gw?.stop();
  await cluster?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('a transactional producer without WRITE on its transactional id is refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED', async () => {
  const producer = client('tx-refused').producer({ transactionalId: 'tx-refused', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await assert.rejects(
      async () => {
        const txn = await producer.transaction();
        await txn.send({ topic: TOPIC, messages: [{ value: 'never' }] });
        await txn.commit();
      },
      (err) => {
        assert.ok(errorTypes(err).includes('TRANSACTIONAL_ID_AUTHORIZATION_FAILED'), `error chain: ${errorTypes(err).join(' <- ')}`);
        return true;
      },
    );
  } finally {
    await producer.disconnect();
  }
});

test('with WRITE on its transactional id it commits, and the records are there read_committed', async () => {
  const producer = client('tx-allowed').producer({ transactionalId: 'tx-allowed', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const txn = await producer.transaction();
    await txn.send({ topic: TOPIC, messages: [{ value: 'tx-1' }, { value: 'tx-2' }] });
    await txn.commit();
  } finally {
    await producer.disconnect();
  }
  const idempotent = client('idempotent').producer({ idempotent: true, maxInFlightRequests: 1 });
  await idempotent.connect();
  try {
    // InitProducerId without a transactional id: WRITE on one topic is enough, no IDEMPOTENT_WRITE rule exists.
    const [result] = await idempotent.send({ topic: TOPIC, acks: -1, messages: [{ value: 'idem-1' }] });
    assert.equal(result.errorCode, 0);
  } finally {
    await idempotent.disconnect();
  }
  const values = await committedValues();
  assert.deepEqual(values.sort(), ['idem-1', 'tx-1', 'tx-2']);
});

test('the refusal is audited as InitProducerId denied WRITE on the transactional id', () => {
  const events = fs
    .readFileSync(auditFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const refusal = events.find((e) => e.api === 'InitProducerId' && e.resourceName === 'tx-refused');
  assert.ok(refusal, `no InitProducerId audit event for tx-refused among ${events.length} events`);
  assert.equal(refusal.decision, 'denied');
  assert.equal(refusal.operation, 'WRITE');
  assert.equal(refusal.resourceType, 'TRANSACTIONAL_ID');
});
