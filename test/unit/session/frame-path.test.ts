// The frame path of a session against a scripted backend that sends every answer in several TCP
// pieces: Produce/Fetch answers without KIP-951 NodeEndpoints reach the client byte for byte as the
// backend sent them, answers with endpoints are rewritten to gateway addresses, pipelined answers
// (forwarded and local) leave in request order, and large requests sent in pieces (peeked on their
// first bytes, never joined) reach the backend byte for byte.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { FrameReader } from '../../../gateway/net/frame-reader.ts';
import {
  API_KEY,
  type Struct,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  peekProduceAcks,
  peekRequestHeader,
  versionRange,
} from '../../../gateway/protocol/index.ts';
import { findBackendLeaks, startTappedGateway, type TappedGateway } from '../../harness/gateway-in-process.ts';
import { buildBatch } from '../protocol/support.ts';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
let backendPort = 0;
let withEndpoints = false;

/** What the backend answers: a body per api key (ApiVersions and Metadata for the gateway's probe). */
function answer(apiKey: number, _version: number): Struct {
  const nodeEndpoints = withEndpoints ? [{ nodeId: 1, host: '127.0.0.1', port: backendPort, rack: null }] : [];
  switch (apiKey) {
    case API_KEY.ApiVersions:
      return {
        errorCode: 0,
        apiKeys: [API_KEY.Produce, API_KEY.Fetch, API_KEY.Metadata, API_KEY.ApiVersions].map((k) => ({
          apiKey: k,
          minVersion: 0,
          maxVersion: versionRange(k)!.max,
        })),
      };
    case API_KEY.Metadata:
      return { brokers: [{ nodeId: 1, host: '127.0.0.1', port: backendPort, rack: null }], clusterId: 'c', controllerId: 1, topics: [] };
    case API_KEY.Fetch:
      return {
        responses: [
          {
            topic: 't',
            topicId: TOPIC_ID,
            partitions: [0, 1].map((p) => ({
              partitionIndex: p,
              highWatermark: 10n,
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: buildBatch({ records: 10, payload: 3000 }),
            })),
          },
        ],
        nodeEndpoints,
      };
    case API_KEY.Produce:
      return { responses: [{ name: 't', topicId: TOPIC_ID, partitionResponses: [{ index: 0, baseOffset: 5n }] }], nodeEndpoints };
    default:
      throw new Error(`unexpected api key ${apiKey}`);
  }
}

/** The backend's bytes for each answer, by correlation id (what the client must get when nothing changes). */
const sentByBackend = new Map<number, Buffer>();
/** The request bytes the backend received, by correlation id. */
const receivedByBackend = new Map<number, Buffer>();
let backend: net.Server;
let gw: TappedGateway;

before(async () => {
  backend = net.createServer((socket) => {
    const reader = new FrameReader(() => 1 << 20);
    let queue = Promise.resolve();
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        const { apiKey, apiVersion, correlationId } = peekRequestHeader(frame.payload);
        receivedByBackend.set(correlationId, Buffer.from(frame.payload));
        if (apiKey === API_KEY.Produce && peekProduceAcks(frame.payload) === 0) continue;
        const bytes = encodeResponseFrame({ correlationId }, answer(apiKey, apiVersion), apiKey, apiVersion, { sizePrefix: true });
        sentByBackend.set(correlationId, bytes.subarray(4));
        // In pieces, with pauses, so the gateway sees each answer as several chunks.
        queue = queue.then(async () => {
          for (let at = 0; at < bytes.length; at += 1500) {
            socket.write(bytes.subarray(at, at + 1500));
            await new Promise((r) => setTimeout(r, 2));
          }
        });
      }
    });
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  backendPort = (backend.address() as net.AddressInfo).port;
  gw = await startTappedGateway({ backendBootstrap: `127.0.0.1:${backendPort}`, maxBrokers: 1 });
});

after(async () => {
  await gw?.stop();
  backend?.close();
});

/**
 * Sends `requests` in one write (or in writes of `pieces` bytes, with pauses) and collects `responses`
 * response payloads (one per request unless told).
 */
async function exchange(requests: Buffer[], opts: { pieces?: number; responses?: number } = {}): Promise<Buffer[]> {
  const expected = opts.responses ?? requests.length;
  const socket = net.connect({ host: '127.0.0.1', port: Number(gw.bootstrap.split(':')[1]) });
  const reader = new FrameReader(() => 1 << 24);
  const got: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) got.push(Buffer.from(f.payload));
      if (got.length === expected) resolve();
    });
    socket.on('close', () => reject(new Error(`closed after ${got.length} of ${expected} responses`)));
    void writeAll(socket, Buffer.concat(requests), opts.pieces);
  });
  socket.destroy();
  return got;
}

async function writeAll(socket: net.Socket, bytes: Buffer, pieces?: number): Promise<void> {
  if (!pieces) return void socket.write(bytes);
  for (let at = 0; at < bytes.length && !socket.destroyed; at += pieces) {
    socket.write(bytes.subarray(at, at + pieces));
    await new Promise((r) => setTimeout(r, 1));
  }
}

const header = (apiKey: number, version: number, correlationId: number, clientId = 'test') => ({
  requestApiKey: apiKey,
  requestApiVersion: version,
  correlationId,
  clientId,
});
const fetchRequest = (version: number, correlationId: number) =>
  encodeRequestFrame(
    header(API_KEY.Fetch, version, correlationId),
    {
      maxWaitMs: 10,
      minBytes: 1,
      topics: [{ topic: 't', topicId: TOPIC_ID, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
    },
    { sizePrefix: true },
  );
type ProduceOptions = { acks?: number; clientId?: string; transactionalId?: string | null; records?: number };
const produceRequest = (version: number, correlationId: number, opts: ProduceOptions = {}) =>
  encodeRequestFrame(
    header(API_KEY.Produce, version, correlationId, opts.clientId),
    {
      transactionalId: opts.transactionalId ?? null,
      acks: opts.acks ?? 1,
      timeoutMs: 1000,
      topicData: [
        { name: 't', topicId: TOPIC_ID, partitionData: [{ index: 0, records: buildBatch({ records: opts.records ?? 1, payload: 3000 }) }] },
      ],
    },
    { sizePrefix: true },
  );

test('Produce v10+ and Fetch v16+ answers without NodeEndpoints reach the client exactly as the backend sent them', async () => {
  withEndpoints = false;
  const requests = [
    fetchRequest(16, 101),
    fetchRequest(17, 102),
    fetchRequest(18, 103),
    produceRequest(10, 104),
    produceRequest(12, 105),
    fetchRequest(12, 106),
  ];
  const got = await exchange(requests);
  got.forEach((payload, i) => assert.deepEqual(payload, sentByBackend.get(101 + i), `response ${i + 1}: the original bytes`));
});

test('answers with NodeEndpoints are rewritten to the gateway address, in order with a local answer between them', async () => {
  withEndpoints = true;
  const gatewayPort = gw.gateway.ports().get('tapped')!.brokers.get(1)!;
  // An ApiVersions newer than the gateway speaks is answered by the gateway itself.
  const newest = versionRange(API_KEY.ApiVersions)!.max;
  const tooNew = encodeRequestFrame(header(API_KEY.ApiVersions, newest, 203), {}, { sizePrefix: true });
  tooNew.writeInt16BE(newest + 1, 6);
  const got = await exchange([fetchRequest(17, 201), produceRequest(11, 202), tooNew, fetchRequest(18, 204)]);
  assert.deepEqual(
    got.map((p) => p.readInt32BE(0)),
    [201, 202, 203, 204],
    'request order, the local answer in its place',
  );
  for (const [i, apiKey, version] of [
    [0, API_KEY.Fetch, 17],
    [1, API_KEY.Produce, 11],
    [3, API_KEY.Fetch, 18],
  ]) {
    const { body } = decodeResponseFrame(got[i], apiKey, version);
    assert.deepEqual(body.nodeEndpoints, [{ nodeId: 1, host: '127.0.0.1', port: gatewayPort, rack: null }], `response ${i + 1}`);
  }
  assert.deepEqual(findBackendLeaks(gw.sentToClients(), [backendPort]), []);
});

test('large requests sent in pieces reach the backend byte for byte, acks=0 and ids longer than the peeked head included', async () => {
  withEndpoints = false;
  const longId = 'c'.repeat(3000);
  const requests = [
    produceRequest(11, 301, { records: 20 }),
    produceRequest(9, 302, { acks: 0, clientId: longId, records: 20 }),
    produceRequest(12, 303, { clientId: longId, transactionalId: 't'.repeat(2000), records: 5 }),
    produceRequest(3, 304, { acks: 0, transactionalId: 't'.repeat(1500) }),
    fetchRequest(17, 305),
  ];
  // 700-byte pieces: most requests begin in a chunk too short for the 1 KB head (peeked in place or
  // joined); 61-byte pieces: headers split at every kind of place, size prefix included.
  for (const pieces of [700, 61]) {
    receivedByBackend.clear();
    const got = await exchange(requests, { pieces, responses: 3 });
    assert.deepEqual(
      got.map((p) => p.readInt32BE(0)),
      [301, 303, 305],
      `pieces of ${pieces}: acks=0 requests get no answer; the rest in order`,
    );
    requests.forEach((request, i) =>
      assert.deepEqual(receivedByBackend.get(301 + i), request.subarray(4), `pieces of ${pieces}, request ${i + 1}: the client's bytes`),
    );
  }
});

test('a large request whose header runs past the frame closes that connection and reaches no backend', async () => {
  const frame = Buffer.alloc(4 + 3000, 0x61);
  frame.writeInt32BE(3000, 0);
  frame.writeInt16BE(API_KEY.Produce, 4);
  frame.writeInt16BE(9, 6);
  frame.writeInt32BE(401, 8);
  frame.writeInt16BE(30_000, 12); // a client id longer than the whole frame
  await assert.rejects(exchange([frame], { pieces: 700 }), /closed after 0 of 1/);
  assert.equal(receivedByBackend.has(401), false);
});
