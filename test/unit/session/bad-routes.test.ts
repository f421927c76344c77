// A backend that advertises brokers at impossible addresses (port 70000, port -1, an empty host) must
// not bring the gateway down or send clients anywhere odd: each bad route is refused with a warning and
// a metric, no gateway port opens for a broker that never had a good route, a broker's previous good
// route stays in force, and every other client keeps being served.
// Real sockets: the gateway in this process in front of a scripted backend.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { API_KEY, decodeResponseFrame } from '../../../gateway/protocol/index.ts';
import { startTappedGateway, type TappedGateway } from '../../harness/gateway-in-process.ts';
import { startScriptedBackend, type ScriptedBackend } from '../../harness/scripted-backend.ts';
import { connectRaw, requestV1 } from '../../integration/proxy/raw-client.ts';

let backend: ScriptedBackend;
let gw: TappedGateway;

before(async () => {
  backend = await startScriptedBackend();
  backend.brokers = [
    { nodeId: 1, host: '127.0.0.1', port: backend.port },
    { nodeId: 2, host: '127.0.0.1', port: 70_000 },
    { nodeId: 3, host: '127.0.0.1', port: -1 },
  ];
  gw = await startTappedGateway({ backendBootstrap: backend.bootstrap, maxBrokers: 3 });
});

after(async () => {
  await gw?.stop();
  await backend?.close();
});

const metadataV1 = (correlationId: number) => requestV1(API_KEY.Metadata, 1, correlationId, Buffer.from([0xff, 0xff, 0xff, 0xff]));
const refusedFor = (nodeId: number) => gw.logs().filter((l) => l.event === 'route_refused' && l.nodeId === nodeId);

async function metadataThrough(hostPort: string, correlationId: number) {
  const conn = await connectRaw(hostPort);
  conn.send(metadataV1(correlationId));
  const answer = await conn.next();
  conn.end();
  assert.ok(answer, 'answered');
  return decodeResponseFrame(answer, API_KEY.Metadata, 1).body.brokers as Array<{ nodeId: number; host: string; port: number }>;
}

test('brokers advertised at port 70000 and -1 are refused with a warning; no port opens for them', async () => {
  const two = await gw.waitForLog((l) => l.event === 'route_refused' && l.nodeId === 2);
  assert.equal(two.level, 'warn');
  assert.equal(two.port, 70_000);
  assert.match(String(two.reason), /port 70000 is outside 1–65535/);
  const three = await gw.waitForLog((l) => l.event === 'route_refused' && l.nodeId === 3);
  assert.match(String(three.reason), /port -1 is outside/);
  assert.deepEqual([...gw.gateway.ports().get('tapped')!.brokers.keys()], [1], 'only the routable broker has a gateway port');
  // The gateway port reserved for broker 2 has nothing behind it: the client is refused there.
  await assert.rejects(connectRaw(`127.0.0.1:${gw.brokerPorts.get(2)}`), /ECONNREFUSED/);
  const metric = await gw.gateway.metrics.registry.getSingleMetricAsString('gatehouse_routes_refused_total');
  assert.match(metric, /gatehouse_routes_refused_total\{listener="tapped"\} [2-9]/);
});

test('clients keep being served, and are told only the routable broker, at its gateway address', async () => {
  const brokers = await metadataThrough(gw.bootstrap, 1);
  assert.deepEqual(
    brokers.map((b) => [b.nodeId, b.host, b.port]),
    [[1, '127.0.0.1', gw.brokerPorts.get(1)]],
  );
});

test('a bad route learned later for a known broker is refused and its previous route stays in force', async () => {
  backend.brokers = [{ nodeId: 1, host: '', port: 70_000 }, ...backend.brokers.slice(1)];
  const brokers = await metadataThrough(gw.bootstrap, 2);
  assert.deepEqual(
    brokers.map((b) => [b.nodeId, b.port]),
    [[1, gw.brokerPorts.get(1)]],
    'still advertised at its gateway port',
  );
  const refusal = await gw.waitForLog((l) => l.event === 'route_refused' && l.nodeId === 1);
  assert.match(String(refusal.reason), /empty host/);
  // Broker 1's gateway port still reaches the backend at the address learned first.
  const viaBroker = await metadataThrough(`127.0.0.1:${gw.brokerPorts.get(1)}`, 3);
  assert.equal(viaBroker.length, 1);
  assert.equal(refusedFor(1).length, 1, 'the same bad route is reported once');
});
