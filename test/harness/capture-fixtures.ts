// Records golden protocol fixtures from real traffic: a Kafka broker from the test bed behind the capture
// relay, driven by Kafka's Java tools, kcat (librdkafka), kafkajs and @platformatic/kafka: produce and
// consume (groups), transactions committed and aborted, and admin operations (topics, configs, ACLs, groups).
//   node --import tsx test/harness/capture-fixtures.ts [line=4 | 3.9 | legacy]
// Writes test/fixtures/protocol/kafka-<version>-clients.json (frames without size prefix, hex).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AclOperations,
  AclPermissionTypes,
  Admin as PlatformaticAdmin,
  ConfigResourceTypes,
  Consumer as PlatformaticConsumer,
  MessagesStreamModes,
  Producer as PlatformaticProducer,
  ResourcePatternTypes,
  ResourceTypes,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { startCaptureProxy } from './capture-proxy.ts';
import { startKafka } from './kafka.ts';
import { KAFKA_LINES, type KafkaLine } from './kafka-dist.ts';
import { kafkaTool } from './kafka-tools.ts';
import { kcat } from './kcat.ts';
import { REPO_ROOT } from './paths.ts';
import { expectSuccess } from './run.ts';

const line = (process.argv[2] ?? '4') as KafkaLine;
const version = KAFKA_LINES[line].version;
const out = fileURLToPath(new URL(`../fixtures/protocol/kafka-${version}-clients.json`, import.meta.url));
const kcatInfo = /Version (\S+) .*librdkafka (\S+)/.exec((await kcat(['-V'])).stdout);
const kcatVersion = kcatInfo ? `kcat ${kcatInfo[1]} (librdkafka ${kcatInfo[2]})` : 'kcat';
const versionOf = (pkg: string) =>
  (JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
// @platformatic/kafka supports brokers from 3.5 on. 2.8.2 tops out at Metadata v11, and the client's v11 request
// still carries include_cluster_authorized_operations (dropped in v11): the broker cannot parse it and closes the
// connection, so the client never gets going. The legacy capture has no @platformatic/kafka frames.
const withPlatformatic = line !== 'legacy';
const clients = [
  `Kafka's Java tools ${version}`,
  kcatVersion,
  `kafkajs ${versionOf('kafkajs')}`,
  ...(withPlatformatic ? [`@platformatic/kafka ${versionOf('@platformatic/kafka')}`] : []),
];

let brokerPort = 0;
const relay = await startCaptureProxy({
  target: () => ({ host: '127.0.0.1', port: brokerPort }),
  out,
  description: `Kafka ${version} broker (1 node) answering ${clients.join(', ')}`,
  maxPerApiVersion: 3,
  maxFrameBytes: 64 * 1024,
});
const cluster = await startKafka({
  version: line,
  brokers: 1,
  advertisedPort: (n) => {
    brokerPort = n.port;
    return relay.port;
  },
});
const bootstrap = `127.0.0.1:${relay.port}`;
const topic = 'golden';
const timeoutAfter = (ms: number, what: () => string) =>
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error(what())), ms).unref());
try {
  const topics = (args: string[]) => kafkaTool(line, 'topics', ['--bootstrap-server', bootstrap, ...args]);
  expectSuccess('kafka-topics --create', await topics(['--create', '--topic', topic, '--partitions', '2', '--replication-factor', '1']));
  expectSuccess('kafka-topics --describe', await topics(['--describe', '--topic', topic]));
  expectSuccess(
    'kafka-topics --create (to delete)',
    await topics(['--create', '--topic', 'golden-java-delete', '--partitions', '1', '--replication-factor', '1']),
  );
  expectSuccess('kafka-topics --delete', await topics(['--delete', '--topic', 'golden-java-delete']));

  const input = Array.from({ length: 20 }, (_, i) => `k${i % 3}:kcat-${i}`).join('\n') + '\n';
  expectSuccess(
    'kcat -P',
    await kcat(['-P', '-b', bootstrap, '-X', 'client.id=golden-kcat', '-t', topic, '-K:', '-X', 'acks=all', '-z', 'gzip'], { input }),
  );
  expectSuccess(
    'kcat -C',
    await kcat(['-C', '-b', bootstrap, '-X', 'client.id=golden-kcat', '-t', topic, '-o', 'beginning', '-c', '20', '-e']),
  );
  expectSuccess('kcat -L', await kcat(['-L', '-b', bootstrap, '-X', 'client.id=golden-kcat']));

  const kafka = new Kafka({ clientId: 'golden-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: 'golden-admin', numPartitions: 1 },
      { topic: 'golden-kafkajs-delete', numPartitions: 1 },
    ],
  });
  await admin.fetchTopicMetadata({ topics: [topic] });
  await admin.describeCluster();
  await admin.deleteTopics({ topics: ['golden-kafkajs-delete'] });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: 10 }, (_, i) => ({ key: `j${i}`, value: `kafkajs-${i}`, headers: { h: 'v' } })),
  });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: 'golden-kafkajs', sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let got = 0;
  await Promise.race([
    new Promise<void>(
      (resolve) =>
        void consumer.run({
          eachMessage: async () => {
            if (++got === 30) resolve();
          },
        }),
    ),
    timeoutAfter(60_000, () => `kafkajs consumer got ${got}/30`),
  ]);
  await consumer.disconnect();
  // Transactions: InitProducerId with a transactional id, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit, EndTxn.
  const txProducer = kafka.producer({ transactionalId: 'golden-kafkajs-txn', idempotent: true, maxInFlightRequests: 1 });
  await txProducer.connect();
  for (const outcome of ['commit', 'abort'] as const) {
    const txn = await txProducer.transaction();
    await txn.send({ topic, acks: -1, messages: [{ key: 'txn', value: `kafkajs-${outcome}` }] });
    await txn.sendOffsets({ consumerGroupId: 'golden-kafkajs', topics: [{ topic, partitions: [{ partition: 0, offset: '1' }] }] });
    await txn[outcome]();
  }
  await txProducer.disconnect();
  const kjsAdmin = kafka.admin();
  await kjsAdmin.connect();
  await kjsAdmin.listGroups();
  await kjsAdmin.describeGroups(['golden-kafkajs']);
  await kjsAdmin.disconnect();

  if (withPlatformatic) {
    const options = { clientId: 'golden-platformatic', bootstrapBrokers: [bootstrap] };
    const pAdmin = new PlatformaticAdmin(options);
    await pAdmin.createTopics({ topics: ['golden-platformatic', 'golden-platformatic-delete'], partitions: 2, replicas: 1 });
    await pAdmin.metadata({ topics: [topic] });
    await pAdmin.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: [] }] });
    const any = {
      resourceType: ResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperations.ANY,
      permissionType: AclPermissionTypes.ANY,
    };
    await pAdmin.describeAcls({ filter: { ...any, resourceName: null, principal: null, host: null } }).catch(() => undefined); // no authorizer: an error response
    await pAdmin.deleteTopics({ topics: ['golden-platformatic-delete'] });
    const pProducer = new PlatformaticProducer({ ...options, serializers: stringSerializers, idempotent: true, acks: -1 });
    await pProducer.send({
      messages: Array.from({ length: 10 }, (_, i) => ({
        topic: 'golden-platformatic',
        key: `p${i}`,
        value: `platformatic-${i}`,
        headers: { h: 'v' },
      })),
    });
    await pProducer.close();
    const pConsumer = new PlatformaticConsumer({
      ...options,
      groupId: 'golden-platformatic',
      deserializers: stringDeserializers,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    const stream = await pConsumer.consume({
      topics: ['golden-platformatic'],
      mode: MessagesStreamModes.EARLIEST,
      autocommit: false,
      maxWaitTime: 500,
    });
    const txProducer = new PlatformaticProducer({
      ...options,
      serializers: stringSerializers,
      idempotent: true,
      transactionalId: 'golden-platformatic-txn',
    });
    let consumed = 0;
    await Promise.race([
      (async () => {
        for await (const message of stream) {
          if (++consumed === 1) await message.commit(); // OffsetCommit
          if (consumed < 10) continue;
          for (const outcome of ['commit', 'abort'] as const) {
            const txn = await txProducer.beginTransaction();
            await txn.send({ messages: [{ topic: 'golden-platformatic', key: 'txn', value: `platformatic-${outcome}` }] });
            await txn.addConsumer(pConsumer);
            await txn.addOffset(message);
            await txn[outcome]();
          }
          break;
        }
      })(),
      timeoutAfter(60_000, () => `@platformatic/kafka consumer got ${consumed}/10`),
    ]);
    await txProducer.close();
    await stream.close();
    // eslint-disable-next-line @typescript-eslint/await-thenable -- close(true) returns a promise without a callback; the library's overloads type it void
    await pConsumer.close(true);
    await pAdmin.listGroups();
    await pAdmin.describeGroups({ groups: ['golden-platformatic'] });
    await pAdmin.close();
  }

  const lines = Array.from({ length: 10 }, (_, i) => `java-${i}`).join('\n') + '\n';
  expectSuccess(
    'console producer',
    await kafkaTool(
      line,
      'console-producer',
      ['--bootstrap-server', bootstrap, '--topic', topic, '--producer-property', 'acks=all', '--producer-property', 'compression.type=lz4'],
      { input: lines, timeoutMs: 120_000 },
    ),
  );
  // The Java transactional producer (--transaction-duration-ms turns transactions on in every line's tool).
  expectSuccess(
    'producer-perf-test --transactional-id',
    await kafkaTool(
      line,
      'producer-perf-test',
      [
        '--topic',
        topic,
        '--num-records',
        '20',
        '--record-size',
        '64',
        '--throughput',
        '-1',
        '--transactional-id',
        'golden-java-txn',
        '--transaction-duration-ms',
        '100',
        '--producer-props',
        `bootstrap.servers=${bootstrap}`,
        'acks=all',
      ],
      { timeoutMs: 120_000 },
    ),
  );
  // Describe configs and list ACLs (the latter fails without an authorizer: the error response is captured too).
  await kafkaTool(line, 'configs', ['--bootstrap-server', bootstrap, '--describe', '--entity-type', 'topics', '--entity-name', topic]);
  await kafkaTool(line, 'acls', ['--bootstrap-server', bootstrap, '--list']);
  if (line === '4') {
    // The KIP-848 consumer group protocol (ConsumerGroupHeartbeat).
    expectSuccess(
      'console consumer (group.protocol=consumer)',
      await kafkaTool(
        line,
        'console-consumer',
        [
          '--bootstrap-server',
          bootstrap,
          '--topic',
          topic,
          '--from-beginning',
          '--max-messages',
          '5',
          '--timeout-ms',
          '30000',
          '--group',
          'golden-848',
          '--consumer-property',
          'group.protocol=consumer',
        ],
        { timeoutMs: 120_000 },
      ),
    );
  }
  expectSuccess(
    'console consumer',
    await kafkaTool(
      line,
      'console-consumer',
      [
        '--bootstrap-server',
        bootstrap,
        '--topic',
        topic,
        '--from-beginning',
        '--max-messages',
        '10',
        '--timeout-ms',
        '30000',
        '--group',
        'golden-java',
      ],
      { timeoutMs: 120_000 },
    ),
  );
  expectSuccess(
    'kafka-consumer-groups --describe',
    await kafkaTool(line, 'consumer-groups', ['--bootstrap-server', bootstrap, '--describe', '--group', 'golden-java']),
  );
} finally {
  const file = await relay.stop();
  await cluster.stop();
  const keys = new Set(file.frames.map((f) => `${f.direction[0]}${f.apiKey}v${f.apiVersion}`));
  console.log(`wrote ${file.frames.length} frames (${keys.size} direction/api/version combinations) to test/fixtures/protocol/`);
}
