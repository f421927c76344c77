// How the gateway answers what a well-behaved client never sends: the same way a broker does, and
// without ever falling over. Runs the gateway as its own process to see its logs and metrics.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { API_KEY, decodeResponseFrame, encodeRequestFrame, versionRange } from '../../../gateway/protocol/index.ts';
import { startGatewayProcess, type GatewayProcess } from '../../harness/gateway.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { kcat } from '../../harness/kcat.ts';
import { expectSuccess } from '../../harness/run.ts';
import { connectRaw, requestV1 } from './raw-client.ts';

let cluster: KafkaCluster;
let gw: GatewayProcess;
before(async () => {
  cluster = await startKafka({ version: '4', brokers: 1 });
  gw = await startGatewayProcess({
    backendBootstrap: cluster.bootstrap,
    maxBrokers: 1,
    extraConfig: { limits: { maxFrameBytes: 1024 * 1024 } },
  });
});
after(async () => {
  await gw?.stop();
  await cluster?.stop();
});

const closesFor = async (reason: string) => {
  const m = new RegExp(`gatehouse_connection_closes_total\\{listener="test",reason="${reason}"\\} (\\d+)`).exec(await gw.metrics());
  return m ? Number(m[1]) : 0;
};

test("ApiVersions at a version above the gateway's gets the v0 UNSUPPORTED_VERSION answer (spec §3.2)", async () => {
  const conn = await connectRaw(gw.bootstrap);
  conn.send(requestV1(API_KEY.ApiVersions, 99, 7));
  const payload = await conn.next();
  assert.ok(payload);
  const { header, body } = decodeResponseFrame(payload, API_KEY.ApiVersions, 0);
  assert.equal(header.correlationId, 7);
  assert.equal(body.errorCode, 35);
  assert.deepEqual(body.apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: versionRange(API_KEY.ApiVersions)!.max }]);
  conn.end();
});

test('ApiVersions advertises only what both the backend and the gateway speak', async () => {
  const conn = await connectRaw(gw.bootstrap);
  conn.send(
    encodeRequestFrame(
      { requestApiKey: API_KEY.ApiVersions, requestApiVersion: 3, correlationId: 1, clientId: 'raw' },
      { clientSoftwareName: 'raw', clientSoftwareVersion: '1' },
    ),
  );
  const { body } = decodeResponseFrame((await conn.next())!, API_KEY.ApiVersions, 3);
  assert.equal(body.errorCode, 0);
  for (const api of body.apiKeys as Array<{ apiKey: number; minVersion: number; maxVersion: number }>) {
    const ours = versionRange(api.apiKey);
    assert.ok(ours, `advertised api key ${api.apiKey} the gateway cannot parse`);
    assert.ok(api.minVersion >= ours.min && api.maxVersion <= ours.max, `api ${api.apiKey} range beyond the gateway's`);
  }
  assert.ok((body.apiKeys as unknown[]).length > 20);
  conn.end();
});

test('an unknown api key closes the connection without an answer, logged and counted', async () => {
  const before = await closesFor('unsupported-api');
  const conn = await connectRaw(gw.bootstrap);
  conn.send(requestV1(10_042, 0, 1));
  assert.equal(await conn.next(), null);
  await conn.closed;
  assert.equal(await closesFor('unsupported-api'), before + 1);
  await gw.waitForLog((l) => l.event === 'connection_close' && l.reason === 'unsupported-api');
});

test('a known api at a version outside the advertised range closes the connection', async () => {
  const conn = await connectRaw(gw.bootstrap);
  conn.send(requestV1(API_KEY.Metadata, 999, 1));
  assert.equal(await conn.next(), null);
});

test('a malformed frame closes that one connection; the gateway keeps serving others', async () => {
  const before = await closesFor('malformed-frame');
  const conn = await connectRaw(gw.bootstrap);
  conn.send(Buffer.from([0, 3])); // two bytes: not even a request header
  assert.equal(await conn.next(), null);
  assert.equal(await closesFor('malformed-frame'), before + 1);
  expectSuccess('kcat -L after the bad frame', await kcat(['-L', '-b', gw.bootstrap]));
});

test('a frame larger than the cap is refused from its size prefix alone, before it is buffered', async () => {
  const before = await closesFor('frame-too-large');
  const conn = await connectRaw(gw.bootstrap);
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(2 * 1024 * 1024); // 2 MiB announced against a 1 MiB cap, and nothing after it
  conn.write(prefix);
  await conn.closed;
  assert.equal(await closesFor('frame-too-large'), before + 1);
});

test('acks=0 Produce is forwarded without waiting for a response that never comes', async () => {
  const topic = 'acks-zero';
  expectSuccess('create', await kcat(['-P', '-b', gw.bootstrap, '-t', topic], { input: 'seed\n' }));
  expectSuccess('kcat acks=0', await kcat(['-P', '-b', gw.bootstrap, '-t', topic, '-X', 'acks=0'], { input: 'a\nb\nc\n' }));
  // A later request on a fresh connection still works, and the messages are there.
  const out = expectSuccess('consume', await kcat(['-C', '-b', gw.bootstrap, '-t', topic, '-o', 'beginning', '-e']));
  assert.deepEqual(out.stdout.trim().split('\n'), ['seed', 'a', 'b', 'c']);
});
