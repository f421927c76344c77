// Topic id look-ups on the backend: concurrent ones coalesce into one Metadata request for every topic,
// a just-finished one is not repeated, and a failed one resolves anyway (logged, counted) so the
// waiting request goes on with its ids unknown.
import assert from 'node:assert/strict';
import net from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { FrameReader } from '../../../gateway/net/frame-reader.ts';
import { GatewayMetrics } from '../../../gateway/observability/gateway-metrics.ts';
import { API_KEY, decodeRequestFrame, encodeResponseFrame, versionRange } from '../../../gateway/protocol/index.ts';
import { AdvertisedVersions } from '../../../gateway/routing/api-versions.ts';
import { TopicIdCache } from '../../../gateway/routing/topic-ids.ts';
import { TopicIdResolver } from '../../../gateway/session/topic-id-resolver.ts';
import { freePorts } from '../../harness/ports.ts';

const ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
let backend: net.Server;
let port = 0;
const requests: Array<{ version: number; topics: unknown }> = [];

before(async () => {
  backend = net.createServer((socket) => {
    const reader = new FrameReader(() => 1 << 20);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        const { header, body } = decodeRequestFrame(frame.payload);
        requests.push({ version: header.requestApiVersion, topics: body.topics });
        const answer = {
          brokers: [],
          clusterId: 'c',
          controllerId: 1,
          topics: [{ errorCode: 0, name: 'named', topicId: ID, partitions: [] }],
        };
        const bytes = encodeResponseFrame({ correlationId: header.correlationId }, answer, API_KEY.Metadata, header.requestApiVersion, {
          sizePrefix: true,
        });
        setTimeout(() => socket.write(bytes), 50);
      }
    });
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  port = (backend.address() as net.AddressInfo).port;
});
after(() => backend.close());

function resolver(versions: AdvertisedVersions) {
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({}, new Writable({ write: (c, _e, done) => (logs.push(JSON.parse(String(c)) as Record<string, unknown>), done()) }));
  const topics = new TopicIdCache();
  const metrics = new GatewayMetrics();
  const onLookup = (result: 'success' | 'failure') => metrics.proxy.topicIdLookupsTotal.inc({ result });
  return {
    topics,
    logs,
    metrics,
    r: new TopicIdResolver({ topics, versions, logger, onLookup, timeoutMs: 2_000, maxResponseBytes: 1 << 20, minIntervalMs: 100 }),
  };
}

const offering = (maxVersion: number) => {
  const v = new AdvertisedVersions();
  v.update([{ apiKey: API_KEY.Metadata, minVersion: 0, maxVersion }]);
  return v;
};

test('concurrent look-ups share one Metadata request for every topic; the ids land in the cache', async () => {
  const { r, topics, metrics } = resolver(offering(versionRange(API_KEY.Metadata)!.max));
  const backendAddress = { host: '127.0.0.1', port };
  await Promise.all([r.resolve(backendAddress), r.resolve(backendAddress), r.resolve(backendAddress)]);
  assert.equal(requests.length, 1);
  assert.equal(requests[0].topics, null, 'every topic');
  assert.ok(requests[0].version >= 10, `v${requests[0].version} carries topic ids`);
  assert.equal(topics.nameOf(ID), 'named');
  await r.resolve(backendAddress);
  assert.equal(requests.length, 1, 'a look-up that just finished is not repeated');
  await new Promise((res) => setTimeout(res, 120));
  await r.resolve(backendAddress);
  assert.equal(requests.length, 2, 'later, it is');
  assert.match(await metrics.text(), /gatehouse_topic_id_lookups_total\{result="success"\} 2/);
});

test('a failed look-up resolves anyway, logged and counted; a backend without Metadata v10 is not asked', async () => {
  const [closed] = await freePorts(1);
  const down = resolver(offering(12));
  await down.r.resolve({ host: '127.0.0.1', port: closed });
  assert.equal(down.logs.find((l) => l.event === 'topic_id_lookup_failed')?.backend, `127.0.0.1:${closed}`);
  const old = resolver(offering(9));
  const before = requests.length;
  await old.r.resolve({ host: '127.0.0.1', port });
  assert.equal(requests.length, before);
  assert.match(String(old.logs.find((l) => l.event === 'topic_id_lookup_failed')?.err), /v9; topic ids need v10/);
  for (const { metrics } of [down, old]) assert.match(await metrics.text(), /gatehouse_topic_id_lookups_total\{result="failure"\} 1/);
});
