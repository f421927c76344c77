// Records golden protocol fixtures from real traffic: a Kafka broker from the test bed behind the capture
// relay, driven by Kafka's Java tools, kcat (librdkafka) and kafkajs.
//   node --import tsx test/harness/capture-fixtures.ts [line=4 | 3.9 | legacy]
// Writes test/fixtures/protocol/kafka-<version>-clients.json (frames without size prefix, hex).

import { fileURLToPath } from 'node:url';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { startCaptureProxy } from './capture-proxy.ts';
import { startKafka } from './kafka.ts';
import { KAFKA_LINES, type KafkaLine } from './kafka-dist.ts';
import { kafkaTool } from './kafka-tools.ts';
import { kcat } from './kcat.ts';
import { expectSuccess } from './run.ts';

const line = (process.argv[2] ?? '4') as KafkaLine;
const version = KAFKA_LINES[line].version;
const out = fileURLToPath(new URL(`../fixtures/protocol/kafka-${version}-clients.json`, import.meta.url));
const kcatInfo = /Version (\S+) .*librdkafka (\S+)/.exec((await kcat(['-V'])).stdout);
const kcatVersion = kcatInfo ? `kcat ${kcatInfo[1]} (librdkafka ${kcatInfo[2]})` : 'kcat';

let brokerPort = 0;
const relay = await startCaptureProxy({
  target: () => ({ host: '127.0.0.1', port: brokerPort }),
  out,
  description: `Kafka ${version} broker (1 node) answering Kafka's Java tools ${version}, ${kcatVersion}, kafkajs 2.2.4`,
  maxPerApiVersion: 3,
  maxFrameBytes: 64 * 1024,
});
const cluster = await startKafka({ version: line, brokers: 1, advertisedPort: (n) => { brokerPort = n.port; return relay.port; } });
const bootstrap = `127.0.0.1:${relay.port}`;
const topic = 'golden';
try {
  const hasTopicsTool = await kafkaTool(line, 'topics', ['--bootstrap-server', bootstrap, '--create', '--topic', topic, '--partitions', '2', '--replication-factor', '1']);
  expectSuccess('kafka-topics --create', hasTopicsTool);
  expectSuccess('kafka-topics --describe', await kafkaTool(line, 'topics', ['--bootstrap-server', bootstrap, '--describe', '--topic', topic]));

  const input = Array.from({ length: 20 }, (_, i) => `k${i % 3}:kcat-${i}`).join('\n') + '\n';
  expectSuccess('kcat -P', await kcat(['-P', '-b', bootstrap, '-t', topic, '-K:', '-X', 'acks=all', '-z', 'gzip'], { input }));
  expectSuccess('kcat -C', await kcat(['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-c', '20', '-e']));
  expectSuccess('kcat -L', await kcat(['-L', '-b', bootstrap]));

  const kafka = new Kafka({ clientId: 'golden-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'golden-admin', numPartitions: 1 }] });
  await admin.fetchTopicMetadata({ topics: [topic] });
  await admin.describeCluster();
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ key: `j${i}`, value: `kafkajs-${i}`, headers: { h: 'v' } })) });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: 'golden-kafkajs', sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let got = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kafkajs consumer got ${got}/30`)), 60_000);
    void consumer.run({ eachMessage: async () => { if (++got >= 30) { clearTimeout(timer); resolve(); } } });
  });
  await consumer.disconnect();

  const lines = Array.from({ length: 10 }, (_, i) => `java-${i}`).join('\n') + '\n';
  expectSuccess('console producer', await kafkaTool(line, 'console-producer', [
    '--bootstrap-server', bootstrap, '--topic', topic, '--producer-property', 'acks=all', '--producer-property', 'compression.type=lz4',
  ], { input: lines, timeoutMs: 120_000 }));
  // Describe configs and list ACLs (the latter fails without an authorizer: the error response is captured too).
  await kafkaTool(line, 'configs', ['--bootstrap-server', bootstrap, '--describe', '--entity-type', 'topics', '--entity-name', topic]);
  await kafkaTool(line, 'acls', ['--bootstrap-server', bootstrap, '--list']);
  if (line === '4') {
    // The KIP-848 consumer group protocol (ConsumerGroupHeartbeat).
    expectSuccess('console consumer (group.protocol=consumer)', await kafkaTool(line, 'console-consumer', [
      '--bootstrap-server', bootstrap, '--topic', topic, '--from-beginning', '--max-messages', '5', '--timeout-ms', '30000',
      '--group', 'golden-848', '--consumer-property', 'group.protocol=consumer',
    ], { timeoutMs: 120_000 }));
  }
  expectSuccess('console consumer', await kafkaTool(line, 'console-consumer', [
    '--bootstrap-server', bootstrap, '--topic', topic, '--from-beginning', '--max-messages', '10', '--timeout-ms', '30000', '--group', 'golden-java',
  ], { timeoutMs: 120_000 }));
  expectSuccess('kafka-consumer-groups --describe', await kafkaTool(line, 'consumer-groups', ['--bootstrap-server', bootstrap, '--describe', '--group', 'golden-java']));
} finally {
  const file = await relay.stop();
  await cluster.stop();
  const keys = new Set(file.frames.map((f) => `${f.direction[0]}${f.apiKey}v${f.apiVersion}`));
  console.log(`wrote ${file.frames.length} frames (${keys.size} direction/api/version combinations) to test/fixtures/protocol/`);
}
