// The session side of enforcement end to end: kafkajs through the gateway process (plaintext listener,
// every client User:ANONYMOUS) in front of a real, unsecured Kafka 4 broker, with a YAML policy. The
// client produces and consumes its topic, is refused on another with TOPIC_AUTHORIZATION_FAILED in
// kafkajs' own error, and — on the SAME open connection — is refused its own topic once the policy file
// is edited (the reload decides its next request). Denials reach the audit log and the metric.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { startGatewayProcess, type GatewayProcess } from '../../harness/gateway.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';

const POLICY = `version: 1
rules:
  - id: app-topic
    allow: [WRITE, READ]
    principals: [User:ANONYMOUS]
    resources:
      - topic: app.events
  - id: app-group
    allow: [READ]
    principals: [User:ANONYMOUS]
    resources:
      - group: app-readers
`;

/** The error kafkajs reports, with the Kafka error type it names (its own words). */
async function kafkaErrorOf(promise: Promise<unknown>): Promise<{ type?: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { type?: string; message: string; cause?: { type?: string } };
    return { type: e.type ?? e.cause?.type, message: e.message };
  }
  assert.fail('expected kafkajs to fail');
}

describe('kafkajs through an enforcing gateway (Kafka 4)', () => {
  let cluster: KafkaCluster;
  let gw: GatewayProcess;
  let dir: string;
  let policyFile: string;
  let auditFile: string;
  let producer: Producer;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-authz-session-'));
    policyFile = path.join(dir, 'policy.yaml');
    auditFile = path.join(dir, 'audit.log');
    fs.writeFileSync(policyFile, POLICY);
    cluster = await startKafka({ version: '4', brokers: 1 });
    const admin = new Kafka({ clientId: 'setup', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'app.events', numPartitions: 1 },
        { topic: 'other.events', numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();
    gw = await startGatewayProcess({
      backendBootstrap: cluster.bootstrap,
      maxBrokers: 1,
      extraConfig: { authorization: { policies: [policyFile], audit: { destination: auditFile, allows: 'none' } } },
    });
    const kafka = new Kafka({ clientId: 'app', brokers: [gw.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await producer.connect();
  });

  after(async () => {
    await producer?.disconnect().catch(() => undefined);
    await gw?.stop();
    await cluster?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the allowed topic is produced to and consumed by its group', async () => {
    await producer.send({ topic: 'app.events', messages: [{ key: 'k', value: 'hello' }] });
    const kafka = new Kafka({ clientId: 'reader', brokers: [gw.bootstrap], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: 'app-readers' });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: 'app.events', fromBeginning: true });
      const got = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('nothing consumed within 30 s')), 30_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            clearTimeout(timer);
            resolve(String(message.value));
          },
        });
      });
      assert.equal(got, 'hello');
    } finally {
      await consumer.disconnect();
    }
  });

  test('another topic is refused with TOPIC_AUTHORIZATION_FAILED', async () => {
    const err = await kafkaErrorOf(producer.send({ topic: 'other.events', messages: [{ value: 'x' }] }));
    assert.equal(err.type, 'TOPIC_AUTHORIZATION_FAILED', err.message);
  });

  test('an edited policy refuses the next request of the open connection', async () => {
    const connectionsBefore = gw.logs().filter((l) => l.event === 'connection_open').length;
    fs.writeFileSync(policyFile, POLICY.replace('topic: app.events', 'topic: app.archive'));
    await gw.waitForLog((l) => typeof l.msg === 'string' && l.msg.includes('policy version 2 in force'), 10_000);
    const err = await kafkaErrorOf(producer.send({ topic: 'app.events', messages: [{ value: 'after reload' }] }));
    assert.equal(err.type, 'TOPIC_AUTHORIZATION_FAILED', err.message);
    assert.equal(
      gw.logs().filter((l) => l.event === 'connection_open').length,
      connectionsBefore,
      'no new connection: the open one was refused',
    );
    const metrics = await gw.metrics();
    assert.match(
      metrics,
      /gatehouse_authz_decisions_total\{api="Produce",resource_type="TOPIC",operation="WRITE",decision="denied",rule="[^"]*"\} [1-9]/,
    );
    assert.match(metrics, /gatehouse_policy_version 2/);
    const deadline = Date.now() + 5_000;
    const audited = () =>
      fs.existsSync(auditFile)
        ? fs
            .readFileSync(auditFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Record<string, unknown>)
        : [];
    while (!audited().some((l) => l.resourceName === 'app.events' && l.policyVersion === 2) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const denial = audited().find((l) => l.resourceName === 'app.events' && l.policyVersion === 2);
    assert.ok(denial, 'the denial under the new policy is audited');
    assert.equal(denial.principal, 'User:ANONYMOUS');
    assert.equal(denial.decision, 'denied');
    assert.ok(!audited().some((l) => l.decision === 'allowed'), 'allows: none keeps no allowed decision');
  });
});
