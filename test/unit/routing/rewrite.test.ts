import assert from 'node:assert/strict';
import { test } from 'node:test';
import { API_KEY, decodeResponseFrame, encodeResponseFrame } from '../../../gateway/protocol/index.ts';
import { intersectApiVersions } from '../../../gateway/routing/api-versions.ts';
import { BrokerMap } from '../../../gateway/routing/broker-map.ts';
import { carriesAddresses, rewriteAddresses } from '../../../gateway/routing/rewrite.ts';
import { TopicIdCache } from '../../../gateway/routing/topic-ids.ts';

const map = () => new BrokerMap({ mode: 'port-per-broker', host: 'gw.example.com', basePort: 9100, brokerPorts: new Map([[7, 9777]]) });

test('Metadata: every broker gets the gateway address; backend addresses are learned; topic ids cached', () => {
  const brokers = map();
  const topics = new TopicIdCache();
  const seen: number[] = [];
  brokers.onNewBroker((id) => seen.push(id));
  const body = {
    brokers: [
      { nodeId: 1, host: 'kafka-1.internal', port: 9092, rack: null },
      { nodeId: 7, host: 'kafka-7.internal', port: 9092, rack: 'r1' },
    ],
    topics: [{ errorCode: 0, name: 'orders', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', isInternal: false, partitions: [] }],
  };
  const frame = encodeResponseFrame({ correlationId: 5 }, body, API_KEY.Metadata, 12);
  const decoded = decodeResponseFrame(frame, API_KEY.Metadata, 12);
  assert.equal(rewriteAddresses(API_KEY.Metadata, 12, decoded.body, brokers, topics), true);
  const out = decodeResponseFrame(encodeResponseFrame(decoded.header, decoded.body, API_KEY.Metadata, 12), API_KEY.Metadata, 12).body;
  assert.deepEqual(
    (out.brokers as Array<{ host: string; port: number }>).map((b) => `${b.host}:${b.port}`),
    ['gw.example.com:9101', 'gw.example.com:9777'],
  );
  assert.deepEqual(brokers.backendAddress(7), { host: 'kafka-7.internal', port: 9092 });
  assert.deepEqual(seen, [1, 7]);
  assert.equal(topics.nameOf('AAAAAAAAAAAAAAAAAAAAAQ'), 'orders');
});

test('a broker with no gateway port is left out rather than leaked', () => {
  const brokers = new BrokerMap({ mode: 'port-per-broker', host: 'gw', basePort: 0, brokerPorts: new Map([[1, 9001]]) });
  const body = {
    brokers: [
      { nodeId: 1, host: 'a', port: 1 },
      { nodeId: 2, host: 'secret-backend', port: 9092 },
    ],
    topics: [],
  };
  rewriteAddresses(API_KEY.Metadata, 12, body, brokers, new TopicIdCache());
  assert.deepEqual(
    body.brokers.map((b) => b.nodeId),
    [1],
  );
});

test('FindCoordinator v3 (single) and v4+ (list) are rewritten; unroutable becomes COORDINATOR_NOT_AVAILABLE', () => {
  const v3 = { errorCode: 0, nodeId: 3, host: 'kafka-3.internal', port: 9092 };
  rewriteAddresses(API_KEY.FindCoordinator, 3, v3, map(), new TopicIdCache());
  assert.deepEqual([v3.host, v3.port], ['gw.example.com', 9103]);
  const v4 = {
    coordinators: [
      { key: 'g', nodeId: 2, host: 'kafka-2.internal', port: 9092, errorCode: 0 },
      { key: 'h', nodeId: -1, host: '', port: -1, errorCode: 15 },
    ],
  };
  rewriteAddresses(API_KEY.FindCoordinator, 4, v4, map(), new TopicIdCache());
  assert.deepEqual(
    v4.coordinators.map((c) => `${c.host}:${c.port}`),
    ['gw.example.com:9102', ':-1'],
  );
  const none = new BrokerMap({ mode: 'port-per-broker', host: 'gw', basePort: 0, brokerPorts: new Map() });
  const lost = { errorCode: 0, nodeId: 3, host: 'kafka-3.internal', port: 9092 };
  rewriteAddresses(API_KEY.FindCoordinator, 2, lost, none, new TopicIdCache());
  assert.deepEqual(lost, { errorCode: 15, nodeId: -1, host: '', port: -1 });
});

test('DescribeCluster and KIP-951 NodeEndpoints are rewritten; Fetch without endpoints is left alone', () => {
  const dc = { brokers: [{ brokerId: 2, host: 'kafka-2.internal', port: 9092, rack: null }], endpointType: 1 };
  rewriteAddresses(API_KEY.DescribeCluster, 1, dc, map(), new TopicIdCache());
  assert.equal(dc.brokers[0].port, 9102);
  const fetch = { responses: [], nodeEndpoints: [{ nodeId: 1, host: 'kafka-1.internal', port: 9092, rack: null }] };
  assert.equal(rewriteAddresses(API_KEY.Fetch, 16, fetch, map(), new TopicIdCache()), true);
  assert.equal(fetch.nodeEndpoints[0].host, 'gw.example.com');
  assert.equal(rewriteAddresses(API_KEY.Fetch, 16, { responses: [], nodeEndpoints: [] }, map(), new TopicIdCache()), false);
  assert.equal(carriesAddresses(API_KEY.Fetch, 15), false);
  assert.equal(carriesAddresses(API_KEY.Produce, 10), true);
  assert.equal(carriesAddresses(API_KEY.OffsetCommit, 9), false);
});

test('ApiVersions: overlap of backend and gateway ranges; unknown (vendor) keys dropped', () => {
  const gateway = (key: number) => (key === 0 ? { min: 3, max: 11 } : key === 3 ? { min: 0, max: 12 } : undefined);
  const out = intersectApiVersions(
    [
      { apiKey: 0, minVersion: 0, maxVersion: 13 },
      { apiKey: 3, minVersion: 13, maxVersion: 13 },
      { apiKey: 10_001, minVersion: 0, maxVersion: 3 },
    ],
    gateway,
  );
  assert.deepEqual(out, [{ apiKey: 0, minVersion: 3, maxVersion: 11 }]);
});

test("the topic id cache forgets a name's old id when the topic is re-created", () => {
  const cache = new TopicIdCache();
  cache.remember('id-1', 't');
  cache.remember('id-2', 't');
  assert.equal(cache.nameOf('id-1'), undefined);
  assert.equal(cache.idOf('t'), 'id-2');
});

test('SNI routing: brokers are advertised as broker-{id} names on the one port; names map back to node ids', () => {
  const sni = new BrokerMap({ mode: 'sni', brokerNamePattern: 'broker-{id}.kafka.example.com', port: 9093 });
  const body = { brokers: [{ nodeId: 3, host: 'kafka-3.internal', port: 9092, rack: null }], topics: [] };
  rewriteAddresses(API_KEY.Metadata, 12, body, sni, new TopicIdCache());
  assert.deepEqual([body.brokers[0].host, body.brokers[0].port], ['broker-3.kafka.example.com', 9093]);
  assert.equal(sni.gatewayPort(3), null);
  assert.equal(sni.nodeIdForServerName('broker-3.kafka.example.com'), 3);
  assert.equal(sni.nodeIdForServerName('BROKER-12.Kafka.Example.com'), 12);
  for (const other of [
    'broker-3.kafka.example.com.evil',
    'broker-.kafka.example.com',
    'broker-03.kafka.example.com',
    'brokerX3.kafka.example.com',
    'bootstrap.kafka.example.com',
  ]) {
    assert.equal(sni.nodeIdForServerName(other), null, other);
  }
});
