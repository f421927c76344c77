// A mixed-version cluster through the real gateway: two scripted backend brokers advertise different
// Metadata ranges; each client connection is checked against the ranges of the broker it is connected
// to, so one broker's ApiVersions answer never closes a client of the other.
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
import { startTappedGateway, type TappedGateway } from '../../harness/gateway-in-process.ts';

/** Node id → the newest Metadata version that broker speaks. */
const METADATA_MAX: Record<number, number> = { 1: 12, 2: 8 };
const ports: Record<number, number> = {};
const backends: net.Server[] = [];
let gw: TappedGateway;

function answer(nodeId: number, apiKey: number): Struct {
  if (apiKey === API_KEY.ApiVersions) {
    return {
      errorCode: 0,
      apiKeys: [
        { apiKey: API_KEY.Metadata, minVersion: 0, maxVersion: METADATA_MAX[nodeId] },
        { apiKey: API_KEY.ApiVersions, minVersion: 0, maxVersion: versionRange(API_KEY.ApiVersions)!.max },
      ],
    };
  }
  if (apiKey === API_KEY.Metadata) {
    return {
      brokers: [1, 2].map((id) => ({ nodeId: id, host: '127.0.0.1', port: ports[id], rack: null })),
      clusterId: 'c',
      controllerId: 1,
      topics: [],
    };
  }
  throw new Error(`unexpected api key ${apiKey}`);
}

function scriptedBroker(nodeId: number): Promise<void> {
  const server = net.createServer((socket) => {
    const reader = new FrameReader(() => 1 << 20);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        const { apiKey, apiVersion, correlationId } = peekRequestHeader(frame.payload);
        socket.write(encodeResponseFrame({ correlationId }, answer(nodeId, apiKey), apiKey, apiVersion, { sizePrefix: true }));
      }
    });
  });
  backends.push(server);
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () => {
      ports[nodeId] = (server.address() as net.AddressInfo).port;
      r();
    }),
  );
}

before(async () => {
  await scriptedBroker(1);
  await scriptedBroker(2);
  gw = await startTappedGateway({ backendBootstrap: `127.0.0.1:${ports[1]}`, maxBrokers: 2 });
});

after(async () => {
  await gw?.stop();
  for (const b of backends) b.close();
});

/** A client connection to a gateway port: request → the response payload, or null when the gateway closed. */
async function connect(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise((r, j) => socket.once('connect', r).once('error', j));
  const reader = new FrameReader(() => 1 << 24);
  const waiting: Array<(b: Buffer | null) => void> = [];
  socket.on('data', (chunk: Buffer) => {
    for (const f of reader.push(chunk)) waiting.shift()?.(Buffer.from(f.payload));
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    for (const w of waiting.splice(0)) w(null);
  });
  let correlationId = 0;
  return {
    request(apiKey: number, version: number, body: Struct): Promise<Buffer | null> {
      const frame = encodeRequestFrame(
        { requestApiKey: apiKey, requestApiVersion: version, correlationId: ++correlationId, clientId: 'mixed' },
        body,
        { sizePrefix: true },
      );
      return new Promise((resolve) => {
        if (socket.destroyed) return resolve(null);
        waiting.push(resolve);
        socket.write(frame);
      });
    },
    end: () => socket.destroy(),
  };
}

const apiVersions = async (conn: Awaited<ReturnType<typeof connect>>) => {
  const payload = await conn.request(API_KEY.ApiVersions, 3, { clientSoftwareName: 'mixed', clientSoftwareVersion: '1' });
  assert.ok(payload);
  return decodeResponseFrame(payload, API_KEY.ApiVersions, 3).body.apiKeys as Array<{ apiKey: number; maxVersion: number }>;
};

test('each connection is held to the ranges of its own broker, whatever another broker answered since', async () => {
  const brokerPorts = gw.gateway.ports().get('tapped')!.brokers;
  const toNew = await connect(brokerPorts.get(1)!);
  const toOld = await connect(brokerPorts.get(2)!);
  try {
    assert.equal((await apiVersions(toNew)).find((a) => a.apiKey === API_KEY.Metadata)?.maxVersion, 12);
    // The old broker answers next: with one global table this overwrote the new broker's ranges.
    assert.equal((await apiVersions(toOld)).find((a) => a.apiKey === API_KEY.Metadata)?.maxVersion, 8);
    const v12 = await toNew.request(API_KEY.Metadata, 12, { topics: [] });
    assert.ok(v12, "the new broker's client may use Metadata v12, which its broker advertised");
    assert.equal((decodeResponseFrame(v12, API_KEY.Metadata, 12).body.brokers as Struct[]).length, 2);
    // The old broker's client is still held to what the old broker advertised, as that broker would.
    assert.equal(await toOld.request(API_KEY.Metadata, 12, { topics: [] }), null, "v12 on the old broker's connection closes it");
  } finally {
    toNew.end();
    toOld.end();
  }
});
