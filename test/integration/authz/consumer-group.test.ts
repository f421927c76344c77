// A kafkajs consumer through a gateway enforcing a YAML policy in front of an unsecured Kafka 4 broker,
// always allowed on the topic. A group it may only DESCRIBE: FindCoordinator succeeds, JoinGroup (READ)
// fails with GROUP_AUTHORIZATION_FAILED in kafkajs' own error. A group with no rule at all: already
// FindCoordinator is refused (kafkajs reports that as "Failed to find group coordinator", as it does
// against a secured broker: it drops the cause). The group with a READ rule joins, consumes, commits,
// and its offsets read back through the gateway.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { startGatewayProcess, type GatewayProcess } from '../../harness/gateway.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';

const TOPIC = 'cg.orders';

// The plaintext listener authenticates nobody: the principal is User:ANONYMOUS.
const POLICY = `version: 1
rules:
  - id: read-orders
    allow: [READ]
    principals: [User:ANONYMOUS]
    resources:
      - topic: ${TOPIC}
  - id: orders-group
    allow: [READ]
    principals: [User:ANONYMOUS]
    resources:
      - group: cg-allowed
  - id: describe-only-group
    allow: [DESCRIBE]
    principals: [User:ANONYMOUS]
    resources:
      - group: cg-describe-only
`;

describe('a kafkajs consumer group through an enforcing gateway', () => {
  let cluster: KafkaCluster;
  let gw: GatewayProcess;
  let dir = '';
  const consumers: Consumer[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cg-'));
    const policyFile = path.join(dir, 'policy.yaml');
    fs.writeFileSync(policyFile, POLICY);
    cluster = await startKafka({ version: '4', brokers: 1 });
    const backend = new Kafka({ clientId: 'setup', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING });
    const admin = backend.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = backend.producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: [{ value: 'one' }, { value: 'two' }, { value: 'three' }] });
    await producer.disconnect();
    gw = await startGatewayProcess({
      backendBootstrap: cluster.bootstrap,
      maxBrokers: 1,
      extraConfig: { authorization: { policies: [policyFile] } },
    });
  });

  after(async () => {
    for (const c of consumers) await c.disconnect().catch(() => undefined);
    await gw?.stop();
    await cluster?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const client = () => new Kafka({ clientId: 'cg-test', brokers: [gw.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1 } });

  /** Runs a consumer of `groupId` that gives up at its first failure; resolves with that failure. */
  async function firstFailure(groupId: string): Promise<Error & { type?: string }> {
    const consumer = client().consumer({ groupId, retry: { retries: 0, restartOnFailure: () => Promise.resolve(false) } });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    const crashed = new Promise<Error>((resolve) => consumer.on(consumer.events.CRASH, (e) => resolve(e.payload.error)));
    await consumer.run({ eachMessage: () => Promise.resolve() }).catch(() => undefined);
    return crashed;
  }

  test('DESCRIBE but not READ on the group: JoinGroup fails with GROUP_AUTHORIZATION_FAILED in kafkajs’ own error', async () => {
    const error = await firstFailure('cg-describe-only');
    assert.equal(error.type, 'GROUP_AUTHORIZATION_FAILED', `${error.name}: ${error.message}`);
    assert.match(error.message, /Not authorized to access group/);
  });

  test('no rule for the group: FindCoordinator is already refused', async () => {
    const error = await firstFailure('cg-denied');
    assert.equal(error.name, 'KafkaJSGroupCoordinatorNotFound', `${error.name}: ${error.message}`);
  });

  test('the allowed group joins, consumes from the beginning and commits; offsets read back through the gateway', async () => {
    const kafka = client();
    const consumer = kafka.consumer({ groupId: 'cg-allowed' });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    const seen: string[] = [];
    const all = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: ({ message }) => {
          seen.push(message.value?.toString() ?? '');
          if (seen.length === 3) resolve();
          return Promise.resolve();
        },
      });
    });
    await all;
    assert.deepEqual(seen, ['one', 'two', 'three']);
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchOffsets({ groupId: 'cg-allowed', topics: [TOPIC] });
      assert.deepEqual(
        offsets.map((t) => [t.topic, t.partitions.map((p) => p.offset)]),
        [[TOPIC, ['3']]],
      );
    } finally {
      await admin.disconnect();
    }
  });
});
