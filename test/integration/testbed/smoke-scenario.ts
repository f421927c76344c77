import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import type { KafkaLine } from '../../harness/kafka-dist.ts';
import { kafkaTool } from '../../harness/kafka-tools.ts';
import { kcat } from '../../harness/kcat.ts';
import { expectSuccess } from '../../harness/run.ts';
import { assertExactlyOnceInOrder, consumeWithKafkajs, parseConsoleConsumer } from '../../harness/verify.ts';

const PARTITIONS = 3;
const COUNT = 60;

/** Registers the smoke tests for one backend in the calling test file. */
export function smokeSuite(line: KafkaLine, brokers: number): void {
  let cluster: KafkaCluster;
  let kafka: Kafka;
  const topic = `smoke-${line.replace('.', '')}-${brokers}`;
  const kcatSent = Array.from({ length: COUNT }, (_, i) => `kcat-${String(i).padStart(4, '0')}`);
  const kafkajsSent = Array.from({ length: COUNT }, (_, i) => `kafkajs-${String(i).padStart(4, '0')}`);

  before(async () => {
    cluster = await startKafka({ version: line, brokers });
    kafka = new Kafka({ clientId: 'smoke', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
  });
  after(async () => {
    await cluster?.stop();
  });

  test(`${line} x${brokers}: brokers answer Metadata with every node`, async () => {
    const admin = kafka.admin();
    await admin.connect();
    const described = await admin.describeCluster();
    await admin.disconnect();
    assert.deepEqual(described.brokers.map((b) => b.nodeId).sort(), cluster.brokers.map((b) => b.nodeId).sort());
  });

  test(`${line} x${brokers}: the Java tool creates a topic`, async () => {
    const rf = String(Math.min(brokers, 3));
    expectSuccess(
      'kafka-topics --create',
      await kafkaTool(line, 'topics', [
        '--bootstrap-server',
        cluster.bootstrap,
        '--create',
        '--topic',
        topic,
        '--partitions',
        String(PARTITIONS),
        '--replication-factor',
        rf,
      ]),
    );
    const described = expectSuccess(
      'kafka-topics --describe',
      await kafkaTool(line, 'topics', ['--bootstrap-server', cluster.bootstrap, '--describe', '--topic', topic]),
    );
    assert.match(described.stdout, new RegExp(`PartitionCount:\\s*${PARTITIONS}`));
  });

  test(`${line} x${brokers}: kcat produces, kafkajs consumes in a group`, async () => {
    // Keys spread the messages over the partitions; values carry the send order.
    const input = kcatSent.map((v, i) => `k${i % 7}:${v}`).join('\n') + '\n';
    expectSuccess('kcat -P', await kcat(['-P', '-b', cluster.bootstrap, '-t', topic, '-K:', '-X', 'acks=all'], { input }));
    const received = await consumeWithKafkajs(kafka, topic, `smoke-kafkajs-${topic}`, COUNT);
    assert.ok(new Set(received.map((r) => r.partition)).size > 1, 'messages should span partitions');
    assertExactlyOnceInOrder(kcatSent, received, 'kcat → kafkajs');
  });

  test(`${line} x${brokers}: kafkajs produces, the Java console consumer reads everything`, async () => {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: false });
    await producer.connect();
    for (let i = 0; i < kafkajsSent.length; i += 10) {
      await producer.send({
        topic,
        acks: -1,
        messages: kafkajsSent.slice(i, i + 10).map((value, j) => ({ key: `j${(i + j) % 5}`, value })),
      });
    }
    await producer.disconnect();
    const result = expectSuccess(
      'console consumer',
      await kafkaTool(
        line,
        'console-consumer',
        [
          '--bootstrap-server',
          cluster.bootstrap,
          '--topic',
          topic,
          '--from-beginning',
          '--max-messages',
          String(COUNT * 2),
          '--timeout-ms',
          '60000',
          '--property',
          'print.partition=true',
          '--group',
          `smoke-java-${topic}`,
        ],
        { timeoutMs: 120_000 },
      ),
    );
    const received = parseConsoleConsumer(result.stdout);
    assertExactlyOnceInOrder([...kcatSent, ...kafkajsSent], received, 'kcat+kafkajs → console consumer');
    const groups = expectSuccess(
      'kafka-consumer-groups --describe',
      await kafkaTool(line, 'consumer-groups', ['--bootstrap-server', cluster.bootstrap, '--describe', '--group', `smoke-java-${topic}`]),
    );
    assert.match(groups.stdout, new RegExp(topic), 'the Java consumer group committed offsets for the topic');
  });

  test(`${line} x${brokers}: Kafka's own perf-test tools run against the bed`, async () => {
    const records = 2000;
    const perfTopic = `${topic}-perf`;
    const produced = expectSuccess(
      'kafka-producer-perf-test',
      await kafkaTool(line, 'producer-perf-test', [
        '--topic',
        perfTopic,
        '--num-records',
        String(records),
        '--record-size',
        '100',
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${cluster.bootstrap}`,
        'acks=all',
      ]),
    );
    assert.match(produced.stdout, new RegExp(`${records} records sent`));
    const consumed = expectSuccess(
      'kafka-consumer-perf-test',
      await kafkaTool(line, 'consumer-perf-test', [
        '--bootstrap-server',
        cluster.bootstrap,
        '--topic',
        perfTopic,
        '--messages',
        String(records),
        '--timeout',
        '60000',
      ]),
    );
    // Last line is CSV: start, end, MB, MB/s, nMsg, nMsg/s, ...
    const fields = consumed.stdout
      .trim()
      .split('\n')
      .at(-1)!
      .split(',')
      .map((f) => f.trim());
    assert.ok(Number(fields[4]) >= records, `consumer perf test read ${fields[4]} of ${records} messages`);
  });
}
