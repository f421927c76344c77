// Puts the world's resources on one side, as the super user: topics with a few records in every
// partition, committed offsets for the two groups, both transactional ids initialised; and reads the
// side's topic ids back. Both sides run exactly this; only the way in differs (see clusters.ts).
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { API_KEY, ZERO_UUID, type Struct } from '../../../gateway/protocol/index.ts';
import type { RawDriver } from './raw-driver.ts';
import { GROUPS, OFFSET_TOPICS, RECORDS_PER_PARTITION, TOPICS, TRANSACTIONAL_IDS } from './world.ts';

/** Errors a just-started broker answers while its coordinators load (retried, not failed). */
const RETRIABLE = new Set([3, 5, 6, 7, 14, 15, 16, 51]);

async function untilNoRetriableError(what: string, attempt: () => Promise<number>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const code = await attempt();
    if (code === 0) return;
    if (!RETRIABLE.has(code) || Date.now() > deadline) throw new Error(`${what}: error ${code}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function call(driver: RawDriver, apiKey: number, version: number, body: Struct): Promise<Struct> {
  const out = await driver.request(apiKey, version, body);
  if (out.kind !== 'response') throw new Error(`setup: api ${apiKey} v${version} got ${out.kind}`);
  return out.body;
}

/** Topics and records through kafkajs (it builds record batches); `client` reaches the side as the super user. */
async function topicsAndRecords(client: KafkaConfig): Promise<void> {
  const kafka = new Kafka({ ...client, clientId: 'differential-setup', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: Object.entries(TOPICS).map(([topic, numPartitions]) => ({ topic, numPartitions, replicationFactor: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.sendBatch({
      acks: -1,
      topicMessages: Object.entries(TOPICS).map(([topic, partitions]) => ({
        topic,
        messages: Array.from({ length: partitions * RECORDS_PER_PARTITION }, (_, i) => ({
          partition: i % partitions,
          key: `k${i}`,
          value: `setup-${topic}-${i}`,
        })),
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** FindCoordinator makes the broker create its internal topic (offsets or transactions) on first use. */
async function findCoordinator(driver: RawDriver, key: string, keyType: 0 | 1): Promise<number> {
  const body = await call(driver, API_KEY.FindCoordinator, 3, { key, keyType });
  return body.errorCode as number;
}

async function commitOffsets(driver: RawDriver): Promise<void> {
  for (const groupId of GROUPS) {
    await untilNoRetriableError(`FindCoordinator ${groupId}`, () => findCoordinator(driver, groupId, 0));
    await untilNoRetriableError(`OffsetCommit ${groupId}`, async () => {
      const body = await call(driver, API_KEY.OffsetCommit, 8, {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        topics: OFFSET_TOPICS.map((name) => ({
          name,
          partitions: Array.from({ length: TOPICS[name] }, (_, partitionIndex) => ({
            partitionIndex,
            committedOffset: 1n,
            committedLeaderEpoch: -1,
            committedMetadata: 'setup',
          })),
        })),
      });
      const codes = (body.topics as Struct[]).flatMap((t) => (t.partitions as Struct[]).map((p) => p.errorCode as number));
      return codes.find((c) => c !== 0) ?? 0;
    });
  }
}

async function initTransactionalIds(driver: RawDriver): Promise<void> {
  for (const transactionalId of TRANSACTIONAL_IDS) {
    await untilNoRetriableError(`FindCoordinator ${transactionalId}`, () => findCoordinator(driver, transactionalId, 1));
    await untilNoRetriableError(`InitProducerId ${transactionalId}`, async () => {
      const body = await call(driver, API_KEY.InitProducerId, 3, {
        transactionalId,
        transactionTimeoutMs: 60_000,
        producerId: -1n,
        producerEpoch: -1,
      });
      return body.errorCode as number;
    });
  }
}

/** Every topic's name → id on this side, as the super user sees them. */
export async function readTopicIds(driver: RawDriver): Promise<Map<string, string>> {
  const body = await call(driver, API_KEY.Metadata, 12, { topics: null, allowAutoTopicCreation: false });
  return new Map(
    (body.topics as Struct[])
      .filter((t) => t.errorCode === 0 && t.topicId !== ZERO_UUID)
      .map((t) => [t.name as string, t.topicId as string]),
  );
}

/** The ACLs the broker itself reports (DescribeAcls as the super user), as `principal op type:pattern:name` lines. */
export async function describeAcls(driver: RawDriver): Promise<string[]> {
  const body = await call(driver, API_KEY.DescribeAcls, 1, {
    resourceTypeFilter: 1,
    resourceNameFilter: null,
    patternTypeFilter: 1,
    principalFilter: null,
    hostFilter: null,
    operation: 1,
    permissionType: 1,
  });
  if (body.errorCode !== 0) throw new Error(`DescribeAcls: error ${body.errorCode} ${body.errorMessage}`);
  return (body.resources as Struct[]).flatMap((r) =>
    (r.acls as Struct[]).map(
      (a) => `${a.principal} ${a.permissionType}/${a.operation} ${r.resourceType}:${r.patternType}:${r.resourceName}@${a.host}`,
    ),
  );
}

export async function setUpSide(opts: { kafkajs: KafkaConfig; admin: RawDriver }): Promise<Map<string, string>> {
  await topicsAndRecords(opts.kafkajs);
  await commitOffsets(opts.admin);
  await initTransactionalIds(opts.admin);
  return readTopicIds(opts.admin);
}
