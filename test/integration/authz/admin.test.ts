// Admin APIs through the gateway with authorization on, in front of a real Kafka 4 broker: kafkajs
// admin createTopics is refused with TOPIC_AUTHORIZATION_FAILED without CREATE and succeeds with it;
// a DescribeConfigs naming an allowed topic, a denied topic and the broker comes back partial
// (authorized result first, then 29 and 31 with their default messages); a CreateTopics v7 for a topic
// the principal may create but not describe the configs of withholds them (TopicConfigErrorCode 29);
// cluster-level APIs are answered locally with their error shape; DescribeCluster's bitfield is the
// gateway's; kafkajs deleteTopics without DELETE is refused.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { stringify } from 'yaml';
import { API_KEY, type ResponseBody, type Struct, decodeResponseFrame, encodeRequestFrame } from '../../../gateway/protocol/index.ts';
import { startGatewayProcess, type GatewayProcess } from '../../harness/gateway.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { connectRaw } from '../proxy/raw-client.ts';

// A plaintext listener without identities: every client is User:ANONYMOUS.
const PRINCIPAL = 'User:ANONYMOUS';
const TOPIC_TYPE = 2;
const BROKER_TYPE = 4;

const policy = {
  version: 1,
  rules: [
    // Metadata: every topic may be described (kafkajs looks the cluster up before any admin call).
    { id: 'see-topics', allow: ['DESCRIBE'], principals: [PRINCIPAL], resources: [{ topic: '*' }] },
    { id: 'create-team', allow: ['CREATE'], principals: [PRINCIPAL], resources: [{ topic: { prefix: 'team.' } }] },
    { id: 'configs-visible', allow: ['DESCRIBE_CONFIGS'], principals: [PRINCIPAL], resources: [{ topic: 'team.visible' }] },
  ],
};

let cluster: KafkaCluster;
let gw: GatewayProcess;
let dir: string;

const admin = (brokers: string) =>
  new Kafka({ clientId: 'admin-test', brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 1 } }).admin();

/** The error codes' names along an error's cause chain (kafkajs wraps protocol errors). */
function errorTypes(err: unknown): string[] {
  const types: string[] = [];
  const visit = (e: unknown): void => {
    if (!e || typeof e !== 'object') return;
    const x = e as { type?: string; cause?: unknown; originalError?: unknown; errors?: unknown[] };
    if (x.type) types.push(x.type);
    for (const inner of x.errors ?? []) visit(inner);
    visit(x.cause ?? x.originalError);
  };
  visit(err);
  return types;
}

/** One request over a fresh socket to the gateway, its response decoded. */
async function roundTrip(apiKey: number, apiVersion: number, body: Struct): Promise<Struct> {
  const conn = await connectRaw(gw.bootstrap);
  try {
    conn.send(encodeRequestFrame({ requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId: 11, clientId: 'raw-admin' }, body));
    const frame = await conn.next(20_000);
    assert.ok(frame, 'the gateway closed the connection instead of answering');
    return decodeResponseFrame(frame, apiKey, apiVersion).body;
  } finally {
    conn.end();
  }
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-admin-'));
  const policyFile = path.join(dir, 'policy.yaml');
  fs.writeFileSync(policyFile, stringify(policy));
  cluster = await startKafka({ version: '4' });
  const direct = admin(cluster.bootstrap);
  await direct.connect();
  await direct.createTopics({
    topics: ['team.visible', 'other.hidden'].map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
    waitForLeaders: true,
  });
  await direct.disconnect();
  gw = await startGatewayProcess({
    backendBootstrap: cluster.bootstrap,
    maxBrokers: 1,
    extraConfig: { authorization: { policies: [policyFile] } },
  });
});

after(async () => {
  await gw?.stop();
  await cluster?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('kafkajs createTopics without CREATE is refused with TOPIC_AUTHORIZATION_FAILED, and nothing is created', async () => {
  const a = admin(gw.bootstrap);
  await a.connect();
  try {
    await assert.rejects(
      () => a.createTopics({ topics: [{ topic: 'other.new', numPartitions: 1, replicationFactor: 1 }] }),
      (err) => {
        assert.ok(errorTypes(err).includes('TOPIC_AUTHORIZATION_FAILED'), `error chain: ${errorTypes(err).join(' <- ')}`);
        return true;
      },
    );
  } finally {
    await a.disconnect();
  }
  const direct = admin(cluster.bootstrap);
  await direct.connect();
  try {
    assert.ok(!(await direct.listTopics()).includes('other.new'), 'the denied topic must not exist on the broker');
  } finally {
    await direct.disconnect();
  }
});

test('kafkajs createTopics with CREATE on the topic succeeds, and the topic exists on the broker', async () => {
  const a = admin(gw.bootstrap);
  await a.connect();
  try {
    assert.equal(await a.createTopics({ topics: [{ topic: 'team.created', numPartitions: 2, replicationFactor: 1 }] }), true);
  } finally {
    await a.disconnect();
  }
  const direct = admin(cluster.bootstrap);
  await direct.connect();
  try {
    assert.ok((await direct.listTopics()).includes('team.created'));
  } finally {
    await direct.disconnect();
  }
});

test('DescribeConfigs v4: authorized result first, then the denied topic (29) and the broker (31) with default messages', async () => {
  const res = (await roundTrip(API_KEY.DescribeConfigs, 4, {
    resources: [
      { resourceType: TOPIC_TYPE, resourceName: 'other.hidden', configurationKeys: null },
      { resourceType: BROKER_TYPE, resourceName: '1', configurationKeys: null },
      { resourceType: TOPIC_TYPE, resourceName: 'team.visible', configurationKeys: ['cleanup.policy'] },
    ],
    includeSynonyms: false,
    includeDocumentation: false,
  })) as ResponseBody<32>;
  assert.deepEqual(
    res.results.map((r) => [r.resourceName, r.errorCode, r.errorMessage]),
    [
      // the backend's own success entry (a 4.x broker writes an empty message)
      ['team.visible', 0, ''],
      ['other.hidden', 29, 'Topic authorization failed.'],
      ['1', 31, 'Cluster authorization failed.'],
    ],
  );
  assert.deepEqual(
    res.results[0].configs.map((c) => c.name),
    ['cleanup.policy'],
  );
  assert.deepEqual(res.results[1].configs, []);
  // kafkajs surfaces the first denied resource as the client's own error
  const a = admin(gw.bootstrap);
  await a.connect();
  try {
    await assert.rejects(
      () => a.describeConfigs({ resources: [{ type: TOPIC_TYPE, name: 'other.hidden' }], includeSynonyms: false }),
      (err) => errorTypes(err).includes('TOPIC_AUTHORIZATION_FAILED'),
    );
  } finally {
    await a.disconnect();
  }
});

test('CreateTopics v7: a created topic whose configs may not be described carries TopicConfigErrorCode 29', async () => {
  const topic = (name: string) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] });
  const res = (await roundTrip(API_KEY.CreateTopics, 7, {
    topics: [topic('team.quiet'), topic('team.visible'), topic('other.denied')],
    timeoutMs: 15_000,
    validateOnly: false,
  })) as ResponseBody<19>;
  const byName = new Map(res.topics.map((t) => [t.name, t]));
  const quiet = byName.get('team.quiet');
  assert.ok(quiet);
  assert.equal(quiet.errorCode, 0);
  assert.equal(quiet.topicConfigErrorCode, 29);
  assert.equal(quiet.numPartitions, -1);
  assert.equal(quiet.replicationFactor, -1);
  assert.deepEqual(quiet.configs, []);
  // already there: the backend's own answer passes through
  assert.equal(byName.get('team.visible')?.errorCode, 36);
  assert.deepEqual([byName.get('other.denied')?.errorCode, byName.get('other.denied')?.errorMessage], [29, 'Authorization failed.']);
});

test('cluster-level admin APIs without the cluster operation are answered by the gateway with their error shape', async () => {
  const reassignments = (await roundTrip(API_KEY.ListPartitionReassignments, 0, {
    timeoutMs: 10_000,
    topics: [{ name: 'team.visible', partitionIndexes: [0] }],
  })) as ResponseBody<46>;
  assert.equal(reassignments.errorCode, 31);
  assert.match(reassignments.errorMessage ?? '', /needs DESCRIBE permission\.$/);
  assert.deepEqual(
    reassignments.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]),
    [['team.visible', [0]]],
  );
  const logDirs = (await roundTrip(API_KEY.DescribeLogDirs, 4, { topics: null })) as ResponseBody<35>;
  assert.equal(logDirs.errorCode, 31);
  assert.deepEqual(logDirs.results, []);
});

test('DescribeCluster answers without authorization; the cluster bitfield is 0 without DESCRIBE on the cluster', async () => {
  const res = (await roundTrip(API_KEY.DescribeCluster, 1, {
    includeClusterAuthorizedOperations: true,
    endpointType: 1,
  })) as ResponseBody<60>;
  assert.equal(res.errorCode, 0);
  assert.ok(res.brokers.length > 0);
  assert.equal(res.clusterAuthorizedOperations, 0);
  const notAsked = (await roundTrip(API_KEY.DescribeCluster, 1, {
    includeClusterAuthorizedOperations: false,
    endpointType: 1,
  })) as ResponseBody<60>;
  assert.equal(notAsked.clusterAuthorizedOperations, -2147483648);
});

test('kafkajs deleteTopics without DELETE is refused with TOPIC_AUTHORIZATION_FAILED and the topic stays', async () => {
  const a = admin(gw.bootstrap);
  await a.connect();
  try {
    await assert.rejects(
      () => a.deleteTopics({ topics: ['team.visible'] }),
      (err) => {
        assert.ok(errorTypes(err).includes('TOPIC_AUTHORIZATION_FAILED'), `error chain: ${errorTypes(err).join(' <- ')}`);
        return true;
      },
    );
  } finally {
    await a.disconnect();
  }
  const direct = admin(cluster.bootstrap);
  await direct.connect();
  try {
    assert.ok((await direct.listTopics()).includes('team.visible'));
  } finally {
    await direct.disconnect();
  }
});
