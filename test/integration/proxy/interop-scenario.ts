// Real clients through the real gateway in front of a real cluster: every message arrives exactly
// once and in order per partition, admin operations work, and no backend address ever reaches a client.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import type { KafkaLine } from '../../harness/kafka-dist.ts';
import { kafkaTool } from '../../harness/kafka-tools.ts';
import { kcat } from '../../harness/kcat.ts';
import { expectSuccess } from '../../harness/run.ts';
import { findBackendLeaks, startTappedGateway, type TappedGateway } from '../../harness/gateway-in-process.ts';
import { backendListenerPorts, findAddressLeaks } from '../../harness/address-leaks.ts';
import { assertExactlyOnceInOrder, consumeWithKafkajs, parseConsoleConsumer } from '../../harness/verify.ts';

const COUNT = 60;
const values = (prefix: string, n = COUNT) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);

/** A per-topic series of the gateway's metrics, by topic. */
async function topicCounts(gw: TappedGateway, series: string): Promise<Record<string, number>> {
  const metric = await gw.gateway.metrics.registry.getSingleMetric(`gatehouse_${series}_total`)?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.topic), v.value]));
}

export function proxySuite(line: KafkaLine, brokers: number, opts: { consumerProtocol?: boolean } = {}): void {
  let cluster: KafkaCluster;
  let gw: TappedGateway;
  let kafka: Kafka;
  const rf = String(Math.min(brokers, 3));
  const topic = `through-gw-${line.replace('.', '')}`;
  const tool = (name: Parameters<typeof kafkaTool>[1], args: string[], input?: string) =>
    kafkaTool(line, name, args, { input, timeoutMs: 120_000 }).then((r) => expectSuccess(`kafka ${name} ${args.slice(0, 3).join(' ')}`, r));

  before(async () => {
    cluster = await startKafka({ version: line, brokers });
    gw = await startTappedGateway({ backendBootstrap: cluster.bootstrap, maxBrokers: brokers });
    kafka = new Kafka({ clientId: 'through-gw', brokers: [gw.bootstrap], logLevel: logLevel.NOTHING });
  });
  after(async () => {
    await gw?.stop();
    await cluster?.stop();
  });

  test(`${line} x${brokers}: kcat -L sees every broker at a gateway port only`, async () => {
    const listing = expectSuccess('kcat -L', await kcat(['-L', '-J', '-b', gw.bootstrap]));
    const meta = JSON.parse(listing.stdout) as { brokers: Array<{ id: number; name: string }> };
    const gatewayPorts = [...gw.gateway.ports().get('tapped')!.brokers.values()];
    assert.equal(meta.brokers.length, brokers);
    for (const b of meta.brokers) {
      const port = Number(b.name.split(':').at(-1));
      assert.ok(gatewayPorts.includes(port), `broker ${b.id} advertised at ${b.name}, not a gateway port`);
    }
  });

  test(`${line} x${brokers}: the Java admin tools create, describe, configure and delete topics`, async () => {
    await tool('topics', [
      '--bootstrap-server',
      gw.bootstrap,
      '--create',
      '--topic',
      topic,
      '--partitions',
      '3',
      '--replication-factor',
      rf,
    ]);
    await tool('topics', [
      '--bootstrap-server',
      gw.bootstrap,
      '--create',
      '--topic',
      `${topic}-doomed`,
      '--partitions',
      '1',
      '--replication-factor',
      rf,
    ]);
    const described = await tool('topics', ['--bootstrap-server', gw.bootstrap, '--describe', '--topic', topic]);
    assert.match(described.stdout, /PartitionCount:\s*3/);
    await tool('configs', [
      '--bootstrap-server',
      gw.bootstrap,
      '--alter',
      '--entity-type',
      'topics',
      '--entity-name',
      topic,
      '--add-config',
      'retention.ms=86400000',
    ]);
    const configs = await tool('configs', [
      '--bootstrap-server',
      gw.bootstrap,
      '--describe',
      '--entity-type',
      'topics',
      '--entity-name',
      topic,
    ]);
    assert.match(configs.stdout, /retention\.ms=86400000/);
    await tool('topics', ['--bootstrap-server', gw.bootstrap, '--delete', '--topic', `${topic}-doomed`]);
    const listed = await tool('topics', ['--bootstrap-server', gw.bootstrap, '--list']);
    assert.ok(listed.stdout.split('\n').includes(topic));
  });

  const kcatSent = values('kcat');
  test(`${line} x${brokers}: kcat produces, a kafkajs consumer group reads exactly once in order`, async () => {
    const input = kcatSent.map((v, i) => `k${i % 7}:${v}`).join('\n') + '\n';
    expectSuccess('kcat -P', await kcat(['-P', '-b', gw.bootstrap, '-t', topic, '-K:', '-X', 'acks=all'], { input }));
    const received = await consumeWithKafkajs(kafka, topic, `${topic}-kafkajs`, COUNT);
    assertExactlyOnceInOrder(kcatSent, received, 'kcat → gateway → kafkajs group');
    // The per-topic series count from batch headers whatever the Produce and Fetch versions (authorization off here).
    assert.equal((await topicCounts(gw, 'produced_records'))[topic], COUNT, 'produced records of the topic');
    assert.ok(((await topicCounts(gw, 'fetched_records'))[topic] ?? 0) >= COUNT, 'fetched records of the topic');
    assert.ok(((await topicCounts(gw, 'fetched_bytes'))[topic] ?? 0) >= ((await topicCounts(gw, 'produced_bytes'))[topic] ?? Infinity));
  });

  const javaSent = values('java-idempotent');
  test(`${line} x${brokers}: the Java idempotent producer writes, a kcat balanced consumer reads`, async () => {
    await tool(
      'console-producer',
      [
        '--bootstrap-server',
        gw.bootstrap,
        '--topic',
        topic,
        '--producer-property',
        'enable.idempotence=true',
        '--producer-property',
        'acks=all',
        '--property',
        'parse.key=true',
        '--property',
        'key.separator=:',
      ],
      javaSent.map((v, i) => `j${i % 5}:${v}`).join('\n') + '\n',
    );
    const out = expectSuccess(
      'kcat -G',
      await kcat(['-b', gw.bootstrap, '-G', `${topic}-kcat`, '-o', 'beginning', '-e', '-f', '%p\t%s\n', topic], { timeoutMs: 90_000 }),
    );
    const received = out.stdout
      .trim()
      .split('\n')
      .map((l) => {
        const [p, v] = l.split('\t');
        return { partition: Number(p), value: v };
      });
    assertExactlyOnceInOrder([...kcatSent, ...javaSent], received, 'java → gateway → kcat -G');
  });

  test(`${line} x${brokers}: the Java transactional producer commits, read_committed reads every record once`, async () => {
    const txTopic = `${topic}-tx`;
    await tool('topics', [
      '--bootstrap-server',
      gw.bootstrap,
      '--create',
      '--topic',
      txTopic,
      '--partitions',
      '2',
      '--replication-factor',
      rf,
    ]);
    const perf = await tool('producer-perf-test', [
      '--topic',
      txTopic,
      '--num-records',
      '500',
      '--record-size',
      '50',
      '--throughput',
      '-1',
      '--transactional-id',
      `${topic}-txid`,
      '--transaction-duration-ms',
      '200',
      '--producer-props',
      `bootstrap.servers=${gw.bootstrap}`,
      'acks=all',
    ]);
    assert.match(perf.stdout, /500 records sent/);
    const consumed = await tool('console-consumer', [
      '--bootstrap-server',
      gw.bootstrap,
      '--topic',
      txTopic,
      '--from-beginning',
      '--isolation-level',
      'read_committed',
      '--max-messages',
      '500',
      '--timeout-ms',
      '30000',
      '--property',
      'print.offset=true',
      '--property',
      'print.partition=true',
    ]);
    const offsets = consumed.stdout
      .split('\n')
      .filter((l) => l.includes('Offset:'))
      .map((l) => `${/Partition:(\d+)/.exec(l)![1]}/${/Offset:(\d+)/.exec(l)![1]}`);
    assert.equal(offsets.length, 500);
    assert.equal(new Set(offsets).size, 500, 'no record delivered twice');
  });

  const kafkajsSent = values('kafkajs');
  test(`${line} x${brokers}: kafkajs produces, the Java console consumer (classic group) reads everything`, async () => {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < kafkajsSent.length; i += 10) {
      await producer.send({
        topic,
        acks: -1,
        messages: kafkajsSent.slice(i, i + 10).map((value, j) => ({ key: `q${(i + j) % 4}`, value })),
      });
    }
    await producer.disconnect();
    const all = [...kcatSent, ...javaSent, ...kafkajsSent];
    const classic = await tool('console-consumer', [
      '--bootstrap-server',
      gw.bootstrap,
      '--topic',
      topic,
      '--from-beginning',
      '--group',
      `${topic}-java-classic`,
      '--max-messages',
      String(all.length),
      '--timeout-ms',
      '60000',
      '--property',
      'print.partition=true',
    ]);
    assertExactlyOnceInOrder(all, parseConsoleConsumer(classic.stdout), 'all producers → gateway → Java classic group');
    if (opts.consumerProtocol) {
      const kip848 = await tool('console-consumer', [
        '--bootstrap-server',
        gw.bootstrap,
        '--topic',
        topic,
        '--from-beginning',
        '--group',
        `${topic}-java-kip848`,
        '--consumer-property',
        'group.protocol=consumer',
        '--max-messages',
        String(all.length),
        '--timeout-ms',
        '60000',
        '--property',
        'print.partition=true',
      ]);
      assertExactlyOnceInOrder(all, parseConsoleConsumer(kip848.stdout), 'all producers → gateway → Java KIP-848 consumer group');
    }
    const groups = await tool('consumer-groups', ['--bootstrap-server', gw.bootstrap, '--describe', '--group', `${topic}-java-classic`]);
    assert.match(groups.stdout, new RegExp(topic));
  });

  test(`${line} x${brokers}: the kafkajs admin lists, creates, describes and deletes`, async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic: `${topic}-admin`, numPartitions: 2, replicationFactor: Number(rf) }],
        waitForLeaders: true,
      });
      assert.ok((await admin.listTopics()).includes(`${topic}-admin`));
      const meta = await admin.fetchTopicMetadata({ topics: [`${topic}-admin`] });
      assert.equal(meta.topics[0].partitions.length, 2);
      const groups = await admin.describeGroups([`${topic}-kafkajs`]);
      assert.equal(groups.groups[0].groupId, `${topic}-kafkajs`);
      await admin.deleteTopics({ topics: [`${topic}-admin`] });
    } finally {
      await admin.disconnect();
    }
  });

  /** Every port the backend nodes listen on, read from their own configs. */
  let backendPortsAll: number[] = [];
  test(`${line} x${brokers}: the quorum and broker configs tools show no backend address through the gateway`, async () => {
    const ports = await backendListenerPorts(
      line,
      cluster.bootstrap,
      cluster.brokers.map((b) => b.nodeId),
    );
    const outputs: string[] = [];
    if (line !== 'legacy') {
      // DescribeQuorum: served by KRaft brokers, whose answer (v2) names controller listeners.
      const status = await tool('metadata-quorum', ['--bootstrap-server', gw.bootstrap, 'describe', '--status']);
      assert.match(status.stdout, /CurrentVoters:/);
      outputs.push(
        status.stdout,
        (await tool('metadata-quorum', ['--bootstrap-server', gw.bootstrap, 'describe', '--replication'])).stdout,
      );
    }
    for (const b of cluster.brokers) {
      const configs = await tool('configs', [
        '--bootstrap-server',
        gw.bootstrap,
        '--describe',
        '--entity-type',
        'brokers',
        '--entity-name',
        String(b.nodeId),
        '--all',
      ]);
      assert.match(configs.stdout, /^\s*listeners=null sensitive=true/m);
      outputs.push(configs.stdout);
    }
    for (const out of outputs)
      assert.deepEqual(
        ports.filter((p) => out.includes(`:${p}`)),
        [],
      );
    backendPortsAll = ports;
  });

  test(`${line} x${brokers}: no response byte that crossed the gateway names a backend broker`, () => {
    const sent = gw.sentToClients();
    assert.ok(sent.length > 5, `expected many client connections to have been recorded, got ${sent.length}`);
    const backendPorts = cluster.brokers.map((b) => b.port);
    assert.deepEqual(findBackendLeaks(sent, backendPorts), []);
    // Every listener port (broker, controller, ZooKeeper), in every shape (int32, uint16, text).
    assert.deepEqual(findAddressLeaks(sent, [...new Set([...backendPorts, ...backendPortsAll])]), []);
    // The scanner itself must see a leak when there is one.
    const planted = Buffer.concat([Buffer.from([0, 9]), Buffer.from('127.0.0.1'), Buffer.alloc(4)]);
    planted.writeInt32BE(backendPorts[0], planted.length - 4);
    assert.equal(findBackendLeaks([planted], backendPorts).length, 1);
  });
}
