// The response path of a session against a scripted backend that sends every answer in several TCP
// pieces: Produce/Fetch answers without KIP-951 NodeEndpoints reach the client byte for byte as the
// backend sent them, answers with endpoints are rewritten to gateway addresses, and pipelined answers
// (forwarded and local) leave in request order.
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
  peekRequestHeader,
  versionRange,
} from '../../../gateway/protocol/index.ts';
import { findBackendLeaks, startTappedGateway, type TappedGateway } from '../../harness/gateway-in-process.ts';
import { buildBatch } from '../protocol/support.ts';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
let backendPort = 0;
let withEndpoints = false;

/** What the backend answers: a body per api key (ApiVersions and Metadata for the gateway's probe). */
function answer(apiKey: number, version: number): Struct {
  const nodeEndpoints = withEndpoints ? [{ nodeId: 1, host: '127.0.0.1', port: backendPort, rack: null }] : [];
  switch (apiKey) {
    case API_KEY.ApiVersions:
      return {
        errorCode: 0,
        apiKeys: [API_KEY.Produce, API_KEY.Fetch, API_KEY.Metadata, API_KEY.ApiVersions].map((k) => ({ apiKey: k, minVersion: 0, maxVersion: versionRange(k)!.max })),
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

/** Sends `requests` in one write and collects that many response payloads. */
async function exchange(requests: Buffer[]): Promise<Buffer[]> {
  const socket = net.connect({ host: '127.0.0.1', port: Number(gw.bootstrap.split(':')[1]) });
  const reader = new FrameReader(() => 1 << 24);
  const got: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) got.push(Buffer.from(f.payload));
      if (got.length === requests.length) resolve();
    });
    socket.on('close', () => reject(new Error(`closed after ${got.length} of ${requests.length} responses`)));
    socket.write(Buffer.concat(requests));
  });
  socket.destroy();
  return got;
}

const header = (apiKey: number, version: number, correlationId: number) => ({ requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: 'test' });
const fetchRequest = (version: number, correlationId: number) =>
  encodeRequestFrame(
    header(API_KEY.Fetch, version, correlationId),
    { maxWaitMs: 10, minBytes: 1, topics: [{ topic: 't', topicId: TOPIC_ID, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }] },
    { sizePrefix: true },
  );
const produceRequest = (version: number, correlationId: number) =>
  encodeRequestFrame(
    header(API_KEY.Produce, version, correlationId),
    { acks: 1, timeoutMs: 1000, topicData: [{ name: 't', topicId: TOPIC_ID, partitionData: [{ index: 0, records: buildBatch() }] }] },
    { sizePrefix: true },
  );

test('Produce v10+ and Fetch v16+ answers without NodeEndpoints reach the client exactly as the backend sent them', async () => {
  withEndpoints = false;
  const requests = [fetchRequest(16, 101), fetchRequest(17, 102), fetchRequest(18, 103), produceRequest(10, 104), produceRequest(12, 105), fetchRequest(12, 106)];
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
  assert.deepEqual(got.map((p) => p.readInt32BE(0)), [201, 202, 203, 204], 'request order, the local answer in its place');
  for (const [i, apiKey, version] of [[0, API_KEY.Fetch, 17], [1, API_KEY.Produce, 11], [3, API_KEY.Fetch, 18]]) {
    const { body } = decodeResponseFrame(got[i], apiKey, version);
    assert.deepEqual(body.nodeEndpoints, [{ nodeId: 1, host: '127.0.0.1', port: gatewayPort, rack: null }], `response ${i + 1}`);
  }
  assert.deepEqual(findBackendLeaks(gw.sentToClients(), [backendPort]), []);
});
