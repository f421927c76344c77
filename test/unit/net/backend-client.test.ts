// The gateway's own small backend client against scripted brokers (a test double of the broker side
// only: real sockets, the real codec). It picks versions from ApiVersions, sends Produce to the partition
// leader and follows a NOT_LEADER_OR_FOLLOWER to the new leader, sends CreateTopics to the controller
// (retrying after NOT_CONTROLLER, reporting TOPIC_ALREADY_EXISTS as "not created"), reads fetched batches
// from the asked offset, times out a silent broker, and fails a refused connection as a retriable error.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { BackendClient, BackendError } from '../../../gateway/net/backend-client.ts';
import { FrameReader } from '../../../gateway/net/frame-reader.ts';
import {
  API_KEY,
  ErrorCode,
  type RequestBody,
  type Struct,
  decodeRequestFrame,
  encodeResponseFrame,
} from '../../../gateway/protocol/index.ts';
import { encodeRecordBatch, readRecordBatches } from '../../../gateway/protocol/record-batch.ts';

type Handler = (apiKey: number, version: number, body: Struct) => Struct | null;

interface FakeBroker {
  readonly nodeId: number;
  readonly port: number;
  /** Every request seen: api key and version. */
  readonly seen: Array<{ apiKey: number; version: number; body: Struct }>;
  handler: Handler;
  close(): Promise<void>;
}

const OFFERED = [
  { apiKey: API_KEY.Produce, minVersion: 3, maxVersion: 13 },
  { apiKey: API_KEY.Fetch, minVersion: 4, maxVersion: 18 },
  { apiKey: API_KEY.ListOffsets, minVersion: 1, maxVersion: 11 },
  { apiKey: API_KEY.Metadata, minVersion: 0, maxVersion: 13 },
  { apiKey: API_KEY.ApiVersions, minVersion: 0, maxVersion: 4 },
  { apiKey: API_KEY.CreateTopics, minVersion: 2, maxVersion: 7 },
];

const brokers: FakeBroker[] = [];
after(async () => {
  await Promise.all(brokers.map((b) => b.close()));
});

/** A broker answering ApiVersions itself and everything else through `handler` (null: never answer). */
async function fakeBroker(nodeId: number, handler: Handler): Promise<FakeBroker> {
  const sockets = new Set<net.Socket>();
  const broker: FakeBroker = {
    nodeId,
    port: 0,
    seen: [],
    handler,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const reader = new FrameReader(() => 1 << 20);
    socket.on('data', (chunk) => {
      for (const frame of reader.push(chunk)) {
        const { header, body } = decodeRequestFrame(frame.payload);
        const { requestApiKey: apiKey, requestApiVersion: version, correlationId } = header;
        broker.seen.push({ apiKey, version, body });
        const answer = apiKey === API_KEY.ApiVersions ? { errorCode: 0, apiKeys: OFFERED } : broker.handler(apiKey, version, body);
        if (answer !== null) socket.write(encodeResponseFrame({ correlationId }, answer, apiKey, version, { sizePrefix: true }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (broker as { port: number }).port = (server.address() as net.AddressInfo).port;
  brokers.push(broker);
  return broker;
}

function metadata(all: FakeBroker[], controllerId: number, topics: Array<{ name: string; leaderId: number; errorCode?: number }>): Struct {
  return {
    brokers: all.map((b) => ({ nodeId: b.nodeId, host: '127.0.0.1', port: b.port, rack: null })),
    clusterId: 'fake',
    controllerId,
    topics: topics.map((t) => ({
      errorCode: t.errorCode ?? 0,
      name: t.name,
      isInternal: false,
      partitions: t.errorCode
        ? []
        : [
            {
              errorCode: 0,
              partitionIndex: 0,
              leaderId: t.leaderId,
              leaderEpoch: 0,
              replicaNodes: [t.leaderId],
              isrNodes: [t.leaderId],
              offlineReplicas: [],
            },
          ],
    })),
  };
}

const produceAnswer = (topic: string, errorCode: number, baseOffset: bigint): Struct => ({
  responses: [
    {
      name: topic,
      partitionResponses: [
        { index: 0, errorCode, baseOffset, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null },
      ],
    },
  ],
});

test('versions: the newest each side speaks, capped where topics are still named (Produce/Fetch v12, Metadata v12)', async () => {
  const b1 = await fakeBroker(1, () => null);
  b1.handler = (apiKey) => (apiKey === API_KEY.Metadata ? metadata([b1], 1, [{ name: 't', leaderId: 1 }]) : null);
  const client = new BackendClient({ bootstrap: [{ host: '127.0.0.1', port: b1.port }] });
  try {
    const md = await client.metadata(['t']);
    assert.deepEqual(md.brokers, [{ nodeId: 1, host: '127.0.0.1', port: b1.port }]);
    assert.equal(md.topics[0].partitions[0].leaderId, 1);
    const asked = b1.seen.map((s) => [s.apiKey, s.version]);
    assert.deepEqual(asked, [
      [API_KEY.ApiVersions, 0],
      [API_KEY.Metadata, 12],
    ]);
    assert.equal(b1.seen[1].body.allowAutoTopicCreation, false, 'looking a topic up must never create it');
  } finally {
    client.close();
  }
});

test('produce goes to the leader, and to the new leader after NOT_LEADER_OR_FOLLOWER', async () => {
  let leader = 1;
  const all: FakeBroker[] = [];
  const handle =
    (self: number): Handler =>
    (apiKey, _v, body) => {
      if (apiKey === API_KEY.Metadata) return metadata(all, 1, [{ name: 'acl', leaderId: leader }]);
      if (apiKey === API_KEY.Produce) {
        const produce = body as RequestBody<typeof API_KEY.Produce>;
        const records = produce.topicData[0].partitionData[0].records!;
        assert.equal(produce.acks, -1, 'acks=all');
        assert.equal(readRecordBatches(records, 0n).records.length, 2);
        if (self !== leader) {
          leader = 2; // it moved; metadata now says so
          return produceAnswer('acl', ErrorCode.NOT_LEADER_OR_FOLLOWER, -1n);
        }
        return produceAnswer('acl', 0, 41n);
      }
      return null;
    };
  all.push(await fakeBroker(1, handle(1)), await fakeBroker(2, handle(2)));
  leader = 1;
  const client = new BackendClient({ bootstrap: [{ host: '127.0.0.1', port: all[0].port }] });
  try {
    // Broker 1 leads for the first metadata; then the test flips leadership so broker 1 refuses.
    await client.metadata(['acl']);
    leader = 2;
    all[0].handler = (apiKey, v, body) => {
      if (apiKey === API_KEY.Produce) return produceAnswer('acl', ErrorCode.NOT_LEADER_OR_FOLLOWER, -1n);
      return handle(1)(apiKey, v, body);
    };
    const base = await client.produce('acl', 0, [
      { key: Buffer.from('k1'), value: Buffer.from('v1') },
      { key: Buffer.from('k2'), value: null },
    ]);
    assert.equal(base, 41n);
    assert.equal(all[0].seen.filter((s) => s.apiKey === API_KEY.Produce).length, 1, 'tried the old leader once');
    assert.equal(all[1].seen.filter((s) => s.apiKey === API_KEY.Produce).length, 1, 'then the new leader');
    assert.equal(all[1].seen.find((s) => s.apiKey === API_KEY.Produce)!.version, 12);
  } finally {
    client.close();
  }
});

test('createTopic goes to the controller, retries after NOT_CONTROLLER, and says false for TOPIC_ALREADY_EXISTS', async () => {
  let controller = 1;
  let creates = 0;
  const all: FakeBroker[] = [];
  const handle =
    (self: number): Handler =>
    (apiKey, _v, body) => {
      if (apiKey === API_KEY.Metadata) return metadata(all, controller, []);
      if (apiKey === API_KEY.CreateTopics) {
        creates++;
        const t = (body as RequestBody<typeof API_KEY.CreateTopics>).topics[0];
        assert.equal(t.numPartitions, 1);
        assert.deepEqual(
          t.configs.map((c) => [c.name, c.value]),
          [['cleanup.policy', 'compact']],
        );
        let errorCode = 0;
        if (self !== controller) errorCode = ErrorCode.NOT_CONTROLLER;
        else if (creates > 2) errorCode = ErrorCode.TOPIC_ALREADY_EXISTS;
        return { topics: [{ name: t.name, errorCode, errorMessage: null, numPartitions: 1, replicationFactor: 1, configs: [] }] };
      }
      return null;
    };
  all.push(await fakeBroker(1, handle(1)), await fakeBroker(2, handle(2)));
  const client = new BackendClient({ bootstrap: [{ host: '127.0.0.1', port: all[0].port }] });
  try {
    await client.metadata([]);
    controller = 2; // moved after the client learned it
    assert.equal(
      await client.createTopic({ name: 'acl', partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } }),
      true,
    );
    assert.equal(all[0].seen.filter((s) => s.apiKey === API_KEY.CreateTopics).length, 1, 'the old controller refused');
    assert.equal(all[1].seen.filter((s) => s.apiKey === API_KEY.CreateTopics).length, 1, 'the new one created it');
    assert.equal(
      await client.createTopic({ name: 'acl', partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } }),
      false,
    );
  } finally {
    client.close();
  }
});

test('fetch returns the records from the asked offset on, and where to go next', async () => {
  // Offsets 10..12 in one batch; a fetch at 11 gets the broker's whole batch and keeps 11 and 12.
  const batch = encodeRecordBatch([
    { key: Buffer.from('a'), value: Buffer.from('1') },
    { key: Buffer.from('b'), value: null },
    { key: Buffer.from('c'), value: Buffer.from('3') },
  ]);
  batch.writeBigInt64BE(10n, 0); // the broker's base offset (not covered by the CRC)
  const b1 = await fakeBroker(1, () => null);
  b1.handler = (apiKey, _v, body) => {
    if (apiKey === API_KEY.Metadata) return metadata([b1], 1, [{ name: 'acl', leaderId: 1 }]);
    if (apiKey === API_KEY.Fetch) {
      const fetch = body as RequestBody<typeof API_KEY.Fetch>;
      assert.equal(fetch.topics[0].partitions[0].fetchOffset, 11n);
      assert.equal(fetch.maxWaitMs, 50);
      return {
        errorCode: 0,
        sessionId: 0,
        responses: [
          {
            topic: 'acl',
            partitions: [
              {
                partitionIndex: 0,
                errorCode: 0,
                highWatermark: 13n,
                lastStableOffset: 13n,
                logStartOffset: 0n,
                abortedTransactions: null,
                preferredReadReplica: -1,
                records: batch,
              },
            ],
          },
        ],
      };
    }
    return null;
  };
  const client = new BackendClient({ bootstrap: [{ host: '127.0.0.1', port: b1.port }] });
  try {
    const got = await client.fetch('acl', 0, 11n, { maxWaitMs: 50 });
    assert.deepEqual(
      got.records.map((r) => [r.offset, r.key?.toString(), r.value?.toString() ?? null]),
      [
        [11n, 'b', null],
        [12n, 'c', '3'],
      ],
    );
    assert.equal(got.nextOffset, 13n);
    assert.equal(got.highWatermark, 13n);
  } finally {
    client.close();
  }
});

test('a broker that never answers: the call fails within the request timeout, retriable, and the connection is dropped', async () => {
  const b1 = await fakeBroker(1, () => null);
  const client = new BackendClient({ bootstrap: [{ host: '127.0.0.1', port: b1.port }], requestTimeoutMs: 200, attempts: 1 });
  try {
    const t0 = Date.now();
    await assert.rejects(client.metadata(['acl']), (err: unknown) => {
      assert.ok(err instanceof BackendError);
      assert.equal(err.retriable, true);
      assert.equal(err.code, null);
      assert.match(err.message, /did not answer within 200 ms/);
      return true;
    });
    assert.ok(Date.now() - t0 < 2000);
    // The next call opens a fresh connection (and times out the same way, not hanging on the dead one).
    b1.handler = (apiKey) => (apiKey === API_KEY.Metadata ? metadata([b1], 1, []) : null);
    const md = await client.metadata([]);
    assert.equal(md.brokers.length, 1);
  } finally {
    client.close();
  }
});

test('a refused connection is a retriable BackendError with no Kafka code; calls after close() reject at once', async () => {
  const spare = net.createServer();
  await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
  const port = (spare.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => spare.close(() => resolve()));
  const client = new BackendClient({ bootstrap: [{ host: '127.0.0.1', port }], attempts: 2 });
  await assert.rejects(client.metadata([]), (err: unknown) => err instanceof BackendError && err.retriable && err.code === null);
  client.close();
  await assert.rejects(client.metadata([]), /closed/);
});

test('an unknown topic is reported with its Kafka code', async () => {
  const b1 = await fakeBroker(1, () => null);
  b1.handler = (apiKey) =>
    apiKey === API_KEY.Metadata
      ? metadata([b1], 1, [{ name: 'gone', leaderId: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }])
      : null;
  const client = new BackendClient({ bootstrap: [{ host: '127.0.0.1', port: b1.port }], attempts: 2 });
  try {
    await assert.rejects(
      client.listOffset('gone', 0, 'latest'),
      (err: unknown) => err instanceof BackendError && err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
  } finally {
    client.close();
  }
});
