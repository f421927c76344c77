// The response hooks: only the fields that carry addresses are decoded and replaced, the rest of the
// bytes pass through as views; DescribeQuorum and DescribeConfigs lose the backend addresses nothing of
// the gateway stands for; every host/port struct in the generated tables is accounted for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  API_KEY,
  type Struct,
  decodeResponseBody,
  decodeResponseFrame,
  encodeResponseFrame,
  servedToClients,
  versionRange,
  walkResponse,
} from '../../../gateway/protocol/index.ts';
import { API_SCHEMAS } from '../../../gateway/protocol/messages/index.ts';
import type { FieldSchema } from '../../../gateway/protocol/schema.ts';
import { AdvertisedVersions, intersectApiVersions } from '../../../gateway/routing/api-versions.ts';
import { BrokerMap } from '../../../gateway/routing/broker-map.ts';
import { RESPONSE_HOOKS, type ResponseContext, type ResponseFrame, processResponse } from '../../../gateway/routing/response-rewriter.ts';
import { rewriteAddresses } from '../../../gateway/routing/rewrite.ts';
import { TopicIdCache } from '../../../gateway/routing/topic-ids.ts';

const BACKEND = { host: 'kafka-1.internal', port: 9092 };
const map = () => new BrokerMap({ mode: 'port-per-broker', host: 'gw.example.com', basePort: 9100, brokerPorts: new Map([[7, 9777]]) });
const context = (over: Partial<ResponseContext> = {}): ResponseContext => ({
  brokers: map(),
  topics: new TopicIdCache(),
  versions: new AdvertisedVersions(),
  backend: BACKEND,
  ...over,
});

/** A response frame as the network layer delivers it (size prefix in the first chunk), cut into pieces. */
function frameOf(body: Struct, apiKey: number, version: number, correlationId = 9, pieces = 1): ResponseFrame & { raw: Buffer } {
  const raw = encodeResponseFrame({ correlationId }, body, apiKey, version, { sizePrefix: true });
  const parts: Buffer[] = [];
  const step = Math.ceil(raw.length / pieces);
  for (let i = 0; i < raw.length; i += step) parts.push(raw.subarray(i, i + step));
  return { parts, payload: raw.subarray(4), raw };
}

const join = (out: Buffer | readonly Buffer[]): Buffer => (Buffer.isBuffer(out) ? out : Buffer.concat(out));
const payloadOf = (out: Buffer | readonly Buffer[]): Buffer => {
  const all = join(out);
  assert.equal(all.readInt32BE(0), all.length - 4, 'the size prefix matches the spliced frame');
  return all.subarray(4);
};

function metadataBody(topics: number, partitions: number): Struct {
  return {
    throttleTimeMs: 0,
    brokers: [
      { nodeId: 1, host: 'kafka-1.internal', port: 9092, rack: null },
      { nodeId: 7, host: 'kafka-7.internal', port: 9093, rack: 'r1' },
    ],
    clusterId: 'cluster',
    controllerId: 1,
    topics: Array.from({ length: topics }, (_, t) => ({
      errorCode: 0,
      name: `topic-${t}`,
      topicId: Buffer.alloc(16, t + 1).toString('base64url'),
      isInternal: false,
      partitions: Array.from({ length: partitions }, (_, p) => ({
        errorCode: 0,
        partitionIndex: p,
        leaderId: 1,
        leaderEpoch: 3,
        replicaNodes: [1, 7],
        isrNodes: [1, 7],
        offlineReplicas: [],
      })),
      topicAuthorizedOperations: -2147483648,
    })),
    clusterAuthorizedOperations: -2147483648,
  };
}

test('Metadata, every version: the splice gives exactly what a full decode, rewrite and re-encode gives', async () => {
  const { min, max } = versionRange(API_KEY.Metadata)!;
  for (let v = min; v <= max; v++) {
    const body = metadataBody(3, 4);
    const frame = frameOf(body, API_KEY.Metadata, v, 5, 3);
    const ctx = context();
    const out = payloadOf(processResponse(API_KEY.Metadata, v, frame, ctx));
    const expected = decodeResponseFrame(frame.payload, API_KEY.Metadata, v);
    rewriteAddresses(API_KEY.Metadata, v, expected.body, map(), new TopicIdCache());
    assert.deepEqual(out, encodeResponseFrame(expected.header, expected.body, API_KEY.Metadata, v), `v${v}`);
    assert.deepEqual(ctx.brokers.backendAddress(7), { host: 'kafka-7.internal', port: 9093 });
    await new Promise((r) => setImmediate(r)); // ids are learned right after the answer leaves
    if (v >= 10)
      assert.equal(ctx.topics.nameOf((body.topics as Struct[])[2].topicId as string), 'topic-2', `v${v} feeds the topic id cache`);
  }
});

test('Metadata: the topics pass as views of the backend bytes (nothing after the broker list is re-encoded)', () => {
  const frame = frameOf(metadataBody(50, 200), API_KEY.Metadata, 12);
  const out = processResponse(API_KEY.Metadata, 12, frame, context());
  assert.ok(!Buffer.isBuffer(out));
  const tail = out.at(-1)!;
  assert.equal(tail.buffer, frame.payload.buffer, 'the tail is a view of the backend frame, not a copy');
  assert.ok(tail.length > 50 * 200 * 20, `the untouched tail holds the partitions (${tail.length} bytes)`);
  assert.ok(out.slice(0, -1).reduce((n, b) => n + b.length, 0) < 200, 'only the header and broker list are new bytes');
});

test("Metadata walk: each topic's [start,end) and name, so one topic can be left out without decoding the others", () => {
  const body = metadataBody(4, 3);
  const frame = frameOf(body, API_KEY.Metadata, 12);
  const walk = walkResponse(frame.payload, API_KEY.Metadata, 12, { elementsOf: 'topics', pick: ['name', 'topicId'] });
  assert.deepEqual(
    walk.elements.map((e) => e.values.name),
    ['topic-0', 'topic-1', 'topic-2', 'topic-3'],
  );
  // Cut topic-1 out by its byte range and fix the compact array count: the result decodes to the other three.
  const topics = walk.fields.find((f) => f.name === 'topics')!;
  const cut = walk.elements[1];
  const count = frame.payload[topics.start];
  assert.equal(count, 5, 'compact count of 4 topics');
  const without = Buffer.concat([
    frame.payload.subarray(0, topics.start),
    Buffer.from([count - 1]),
    frame.payload.subarray(topics.start + 1, cut.start),
    frame.payload.subarray(cut.end),
  ]);
  const decoded = decodeResponseFrame(without, API_KEY.Metadata, 12).body;
  const left = decoded.topics as Array<{ name: string; partitions: unknown[] }>;
  assert.deepEqual(
    left.map((t) => t.name),
    ['topic-0', 'topic-2', 'topic-3'],
  );
  assert.equal(left[1].partitions.length, 3);
});

test('FindCoordinator v0-3 (one at the top level) and v4+ (a list), rewritten in place; unroutable becomes COORDINATOR_NOT_AVAILABLE', () => {
  const v3 = frameOf(
    { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 7, host: 'kafka-7.internal', port: 9092 },
    API_KEY.FindCoordinator,
    3,
  );
  const got3 = decodeResponseBody(payloadOf(processResponse(API_KEY.FindCoordinator, 3, v3, context())), API_KEY.FindCoordinator, 3, 5);
  assert.deepEqual([got3.host, got3.port, got3.errorCode], ['gw.example.com', 9777, 0]);
  const v4 = frameOf(
    { coordinators: [{ key: 'g', nodeId: 2, host: 'kafka-2.internal', port: 9092, errorCode: 0, errorMessage: null }] },
    API_KEY.FindCoordinator,
    4,
  );
  const got4 = decodeResponseFrame(payloadOf(processResponse(API_KEY.FindCoordinator, 4, v4, context())), API_KEY.FindCoordinator, 4).body;
  assert.deepEqual(
    (got4.coordinators as Array<{ host: string; port: number }>).map((c) => `${c.host}:${c.port}`),
    ['gw.example.com:9102'],
  );
  const none = context({ brokers: new BrokerMap({ mode: 'port-per-broker', host: 'gw', basePort: 0, brokerPorts: new Map() }) });
  const lost = decodeResponseFrame(
    payloadOf(
      processResponse(
        API_KEY.FindCoordinator,
        2,
        frameOf({ errorCode: 0, nodeId: 3, host: 'kafka-3.internal', port: 9092 }, API_KEY.FindCoordinator, 2),
        none,
      ),
    ),
    API_KEY.FindCoordinator,
    2,
  ).body;
  assert.deepEqual([lost.errorCode, lost.nodeId, lost.host, lost.port], [15, -1, '', -1]);
});

test('DescribeCluster and KIP-951 endpoints rewritten; Fetch without endpoints keeps the chunks it arrived in', () => {
  const dc = frameOf(
    { brokers: [{ brokerId: 2, host: 'kafka-2.internal', port: 9092, rack: null }], endpointType: 1, clusterId: 'c' },
    API_KEY.DescribeCluster,
    1,
  );
  const got = decodeResponseFrame(payloadOf(processResponse(API_KEY.DescribeCluster, 1, dc, context())), API_KEY.DescribeCluster, 1).body;
  assert.equal((got.brokers as Struct[])[0].port, 9102);
  const withEndpoints = frameOf(
    { responses: [], nodeEndpoints: [{ nodeId: 1, host: 'kafka-1.internal', port: 9092, rack: null }] },
    API_KEY.Fetch,
    16,
    3,
    4,
  );
  const fetched = decodeResponseFrame(payloadOf(processResponse(API_KEY.Fetch, 16, withEndpoints, context())), API_KEY.Fetch, 16).body;
  assert.equal((fetched.nodeEndpoints as Struct[])[0].host, 'gw.example.com');
  const plain = frameOf({ responses: [], nodeEndpoints: [] }, API_KEY.Fetch, 16, 3, 4);
  assert.equal(processResponse(API_KEY.Fetch, 16, plain, context()), plain.parts);
});

const quorumBody = {
  errorCode: 0,
  errorMessage: null,
  topics: [
    {
      topicName: '__cluster_metadata',
      partitions: [
        {
          partitionIndex: 0,
          errorCode: 0,
          errorMessage: null,
          leaderId: 1,
          leaderEpoch: 2,
          highWatermark: 10n,
          currentVoters: [{ replicaId: 1, replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAQ', logEndOffset: 10n }],
          observers: [],
        },
      ],
    },
  ],
  nodes: [{ nodeId: 1, listeners: [{ name: 'CONTROLLER', host: 'ctrl-1.internal', port: 9093 }] }],
};

test('DescribeQuorum v2: controller listeners are masked (node ids stay); v0-1 carry none and pass untouched', () => {
  const v2 = frameOf(quorumBody, API_KEY.DescribeQuorum, 2);
  const out = payloadOf(processResponse(API_KEY.DescribeQuorum, 2, v2, context()));
  assert.equal(out.includes('ctrl-1.internal'), false);
  const got = decodeResponseFrame(out, API_KEY.DescribeQuorum, 2).body;
  assert.deepEqual(got.nodes, [{ nodeId: 1, listeners: [] }]);
  const topics = got.topics as Array<{ partitions: Array<{ currentVoters: Struct[] }> }>;
  assert.equal(topics[0].partitions[0].currentVoters[0].replicaId, 1);
  const v1Body = structuredClone({ ...quorumBody, nodes: [] });
  v1Body.topics[0].partitions[0].currentVoters[0].replicaDirectoryId = 'AAAAAAAAAAAAAAAAAAAAAA';
  const v1 = frameOf(v1Body, API_KEY.DescribeQuorum, 1);
  assert.equal(processResponse(API_KEY.DescribeQuorum, 1, v1, context()), v1.parts);
});

test("DescribeConfigs, every version: configs that name listeners get Kafka's sensitive shape, synonyms too; others untouched", () => {
  for (let v = 0; v <= 4; v++) {
    const synonyms = (value: string) => (v >= 1 ? [{ name: 'listeners', value, source: 4 }] : []);
    const config = (name: string, value: string | null, syn: Struct[] = []) => ({
      name,
      value,
      readOnly: true,
      isDefault: false,
      configSource: 4,
      isSensitive: false,
      synonyms: syn,
      configType: 0,
      documentation: null,
    });
    const body = {
      throttleTimeMs: 0,
      results: [
        {
          errorCode: 0,
          errorMessage: null,
          resourceType: 4,
          resourceName: '1',
          configs: [
            config(
              'listeners',
              'PLAINTEXT://10.1.2.3:9092,CONTROLLER://10.1.2.3:9093',
              synonyms('PLAINTEXT://10.1.2.3:9092,CONTROLLER://10.1.2.3:9093'),
            ),
            config('advertised.listeners', 'PLAINTEXT://kafka-1.internal:9092'),
            config('controller.quorum.voters', '1@10.1.2.3:9093'),
            config('some.plugin.endpoint', 'https://[fd00::5]:8443/x'),
            config('log.retention.hours', '168'),
            config('listener.security.protocol.map', 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT'),
          ],
        },
      ],
    };
    const frame = frameOf(body, API_KEY.DescribeConfigs, v);
    const out = payloadOf(processResponse(API_KEY.DescribeConfigs, v, frame, context()));
    for (const leak of ['10.1.2.3', 'kafka-1.internal', 'fd00::5']) assert.equal(out.includes(leak), false, `v${v} leaks ${leak}`);
    const configs = (decodeResponseFrame(out, API_KEY.DescribeConfigs, v).body.results as Struct[])[0].configs as Struct[];
    assert.deepEqual(
      configs.map((c): unknown[] => [c.name, c.value, c.isSensitive]),
      [
        ['listeners', null, true],
        ['advertised.listeners', null, true],
        ['controller.quorum.voters', null, true],
        ['some.plugin.endpoint', null, true],
        ['log.retention.hours', '168', false],
        ['listener.security.protocol.map', 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT', false],
      ],
      `v${v}`,
    );
    if (v >= 1) assert.deepEqual(configs[0].synonyms, [{ name: 'listeners', value: null, source: 4 }]);
  }
});

/**
 * Structs in response definitions that hold a `host` and a `port` but are not broker addresses the
 * backend gives out, with why. Anything else holding both must be covered by a hook or be unserved.
 */
const NOT_BROKER_ADDRESSES: Record<string, string> = {
  'StreamsGroupHeartbeat partitionsByUserEndpoint[].userEndpoint': 'Kafka Streams application endpoints, set by the clients themselves',
  'StreamsGroupDescribe groups[].members[].userEndpoint': 'Kafka Streams application endpoints, set by the clients themselves',
};

/** Every struct (or the top level, path '') in every response definition whose fields include both a host and a port. */
function hostPortStructs(): Array<{ apiKey: number; api: string; path: string }> {
  const found: Array<{ apiKey: number; api: string; path: string }> = [];
  const isHost = (f: FieldSchema) => /host$/i.test(f.name) && !/clienthost/i.test(f.name) && f.type === 'string';
  const isPort = (f: FieldSchema) => /port$/i.test(f.name) && /^(u?int(16|32))$/.test(f.type);
  const visit = (apiKey: number, api: string, fields: readonly FieldSchema[], path: string) => {
    if (fields.some(isHost) && fields.some(isPort)) found.push({ apiKey, api, path });
    for (const f of fields)
      if (f.fields) visit(apiKey, api, f.fields, `${path ? `${path}.` : ''}${f.name}${f.type.startsWith('[]') ? '[]' : ''}`);
  };
  for (const s of API_SCHEMAS) visit(s.apiKey, s.name, s.response.fields, '');
  return found;
}

test('every host/port struct of every response, in every API the generated tables know, is rewritten, masked, unserved or documented', () => {
  const structs = hostPortStructs();
  assert.ok(structs.length >= 12, `the scan finds the known ones (${structs.length})`);
  const uncovered: string[] = [];
  for (const { apiKey, api, path } of structs) {
    if (RESPONSE_HOOKS.get(apiKey)?.addresses.includes(path)) continue;
    if (!servedToClients(apiKey)) continue; // never advertised, and closed on as a broker does
    if (NOT_BROKER_ADDRESSES[`${api} ${path}`]) continue;
    uncovered.push(`${api} (${apiKey}) ${path || '(top level)'}`);
  }
  assert.deepEqual(uncovered, []);
  // The ones the hooks name really exist (a hook cannot claim a path the definitions lack).
  for (const [apiKey, hook] of RESPONSE_HOOKS) {
    for (const path of hook.addresses)
      assert.ok(
        structs.some((s) => s.apiKey === apiKey && s.path === path),
        `${apiKey} ${path}`,
      );
  }
  assert.ok(
    structs.some((s) => s.api === 'DescribeQuorum' && s.path === 'nodes[].listeners[]'),
    'DescribeQuorum controller listeners are found by the scan',
  );
});

test('ApiVersions: controller-only and ZooKeeper inter-broker APIs are never advertised', () => {
  const backend = [0, 3, 4, 5, 6, 7, 18, 52, 55, 56, 58, 62, 63, 67].map((apiKey) => ({ apiKey, minVersion: 0, maxVersion: 1 }));
  const keys = intersectApiVersions(backend).map((r) => r.apiKey);
  assert.deepEqual(keys, [0, 3, 18, 55]);
  for (const k of [4, 5, 6, 7, 52, 53, 54, 56, 58, 59, 62, 63, 67, 70, 73, 82]) assert.equal(servedToClients(k), false, `key ${k}`);
});

test("version tables: one per backend broker; the probe's answer stands in until a broker's own is seen", () => {
  const versions = new AdvertisedVersions();
  const a = { host: 'a', port: 1 };
  const b = { host: 'b', port: 1 };
  // Nothing known: the gateway's own ranges for client APIs, never an inter-broker one.
  assert.equal(versions.allows(a, API_KEY.Metadata, 12), true);
  assert.equal(versions.allows(a, API_KEY.UpdateMetadata, 6), false);
  versions.update([{ apiKey: API_KEY.Metadata, minVersion: 0, maxVersion: 9 }]);
  assert.equal(versions.allows(a, API_KEY.Metadata, 12), false);
  versions.learn(a, [{ apiKey: API_KEY.Metadata, minVersion: 0, maxVersion: 12 }]);
  versions.learn(b, [{ apiKey: API_KEY.Metadata, minVersion: 0, maxVersion: 8 }]);
  assert.equal(versions.allows(a, API_KEY.Metadata, 12), true, "b's answer does not overwrite a's");
  assert.equal(versions.allows(b, API_KEY.Metadata, 9), false);
  assert.equal(versions.allows({ host: 'c', port: 1 }, API_KEY.Metadata, 9), true, "an unseen broker uses the probe's answer");
});

test("the ApiVersions hook records the answering broker's table; an error answer records nothing", () => {
  const ctx = context();
  const body = {
    errorCode: 0,
    apiKeys: [
      { apiKey: 3, minVersion: 0, maxVersion: 12 },
      { apiKey: 6, minVersion: 0, maxVersion: 7 },
    ],
    throttleTimeMs: 0,
  };
  const out = decodeResponseFrame(
    payloadOf(processResponse(API_KEY.ApiVersions, 3, frameOf(body, API_KEY.ApiVersions, 3), ctx)),
    API_KEY.ApiVersions,
    3,
  ).body;
  assert.deepEqual(out.apiKeys, [{ apiKey: 3, minVersion: 0, maxVersion: 12 }]);
  assert.deepEqual([...ctx.versions.rangesFor(BACKEND).keys()], [3]);
});
