// Killing a partition leader mid-stream: clients fail over through the gateway (the new leader's
// gateway port) and no acknowledged message is lost.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { startTappedGateway, type TappedGateway } from '../../harness/gateway-in-process.ts';

let cluster: KafkaCluster;
let gw: TappedGateway;
before(async () => {
  cluster = await startKafka({ version: '4', brokers: 3 });
  gw = await startTappedGateway({ backendBootstrap: cluster.bootstrap, maxBrokers: 3 });
});
after(async () => {
  await gw?.stop();
  await cluster?.stop();
});

test('the leader dies mid-stream: every acknowledged message survives, read back through the gateway', async () => {
  const kafka = new Kafka({
    clientId: 'failover',
    brokers: [gw.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 200, maxRetryTime: 2000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: 'failover', numPartitions: 2, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
    waitForLeaders: true,
  });
  const leaderOf0 = (await admin.fetchTopicMetadata({ topics: ['failover'] })).topics[0].partitions.find(
    (p) => p.partitionId === 0,
  )!.leader;

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const acked: string[] = [];
  let failedSends = 0;
  for (let i = 0; i < 300; i++) {
    if (i === 100) await cluster.brokers.find((b) => b.nodeId === leaderOf0)!.kill();
    const value = `m-${i}`;
    try {
      await producer.send({ topic: 'failover', acks: -1, messages: [{ key: `k${i % 10}`, value }] });
      acked.push(value);
    } catch {
      failedSends++; // not acknowledged: allowed to be lost, never allowed to be counted
    }
  }
  await producer.disconnect();
  assert.ok(acked.length >= 250, `most sends should succeed across the failover (acked ${acked.length}, failed ${failedSends})`);
  await admin.disconnect();
  // The admin's connections may have been to the dead broker; ask again with a fresh one until the
  // cluster has settled on a new leader (a closed connection is not the failure this test looks for).
  const newLeader = await leaderAfterFailover(kafka, leaderOf0);
  assert.notEqual(newLeader, leaderOf0, 'partition 0 must have a new leader');

  const consumer = kafka.consumer({ groupId: 'failover-check' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'failover', fromBeginning: true });
  const seen = new Set<string>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${seen.size}, expected every one of ${acked.length} acknowledged`)), 90_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.add(message.value!.toString());
        if (acked.every((v) => seen.has(v))) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  assert.deepEqual(
    acked.filter((v) => !seen.has(v)),
    [],
  );
});

async function leaderAfterFailover(kafka: Kafka, oldLeader: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  let leader = oldLeader;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const metadata = await admin.fetchTopicMetadata({ topics: ['failover'] });
      leader = metadata.topics[0].partitions.find((p) => p.partitionId === 0)!.leader;
      if (leader !== oldLeader) return leader;
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (leader === oldLeader && lastError instanceof Error) throw lastError;
  return leader;
}
