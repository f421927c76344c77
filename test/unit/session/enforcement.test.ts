// The session side of authorization, with a few tiny enforcers of this test's own (the real ones are
// tested by API) in front of a scripted backend, through the real gateway, real policy store and real
// policy engine: every decision (forward, rewrite + merge, answer, close, resolve-topic-ids) reaches
// the wire as it should, answers leave in request order, topic id look-ups hold later requests back, a
// policy reload decides the next request of an open connection, only enforceable versions are
// advertised, and decisions are counted and audited with bounded labels.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { AnyEnforcer, Enforcer } from '../../../gateway/authz/enforce/enforcer.ts';
import { EnforcerRegistry } from '../../../gateway/authz/enforce/registry.ts';
import { FrameReader } from '../../../gateway/net/frame-reader.ts';
import {
  API_KEY,
  type Struct,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  peekProduceAcks,
  peekRequestHeader,
  versionRange,
} from '../../../gateway/protocol/index.ts';
import { startTappedGateway, type TappedGateway } from '../../harness/gateway-in-process.ts';
import { buildBatch } from '../protocol/support.ts';

const TOPIC_AUTHORIZATION_FAILED = 29;
const UNKNOWN_TOPIC_ID = 100;
const KNOWN_ID = 'AAAAAAAAAAAAAAAAAAAAAQ'; // the backend's Metadata names it 'by-id'
const MISSING_ID = 'AAAAAAAAAAAAAAAAAAAAAg'; // no topic has it
const LIST_OFFSETS_V = 7;

// --- the test's own enforcers ---------------------------------------------------------------------

type ListOffsetsMemo = { denied: string[] };

/**
 * ListOffsets, the shape every multi-topic enforcer has: DESCRIBE per topic; all allowed → forward,
 * none → answer, some → rewrite and merge the denied ones back. A topic named `id:<uuid>` stands for
 * a topic id (so the test can drive resolve-topic-ids without a topic-id API).
 */
const listOffsets: Enforcer<typeof API_KEY.ListOffsets, ListOffsetsMemo> = {
  apiKey: API_KEY.ListOffsets,
  versions: { min: 1, max: 11 },
  onRequest(req, ctx) {
    const body = req.body();
    const byId = body.topics.map((t) => (t.name.startsWith('id:') ? t.name.slice(3) : null)).filter((id) => id !== null);
    const unknown = byId.filter((id) => ctx.topics.nameOf(id) === undefined);
    if (unknown.length > 0 && !req.topicIdsResolved) return { action: 'resolve-topic-ids', topicIds: unknown };
    if (byId.length > 0) {
      // Answer with what the ids resolved to (the name, or UNKNOWN_TOPIC_ID) so the test can see it.
      return {
        action: 'answer',
        body: {
          topics: body.topics.map((t) => {
            const name = ctx.topics.nameOf(t.name.slice(3));
            return { name: name ?? t.name, partitions: [{ partitionIndex: 0, errorCode: name ? 0 : UNKNOWN_TOPIC_ID }] };
          }),
        },
      };
    }
    const denied = body.topics.filter((t) => !ctx.authz.allowed('DESCRIBE', 'TOPIC', t.name)).map((t) => t.name);
    if (denied.length === 0) return { action: 'forward' };
    const deniedAnswer = (name: string) => ({
      name,
      partitions: body.topics.find((t) => t.name === name)!.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 29 })),
    });
    if (denied.length === body.topics.length) return { action: 'answer', body: { topics: denied.map(deniedAnswer) } };
    return { action: 'rewrite', body: { ...body, topics: body.topics.filter((t) => !denied.includes(t.name)) }, memo: { denied } };
  },
  onResponse(body, memo, ctx) {
    void ctx;
    for (const name of memo.denied) body.topics.push({ name, partitions: [{ partitionIndex: 0, errorCode: 29 }] } as never);
  },
};

/** Metadata: forwarded with a memo; the answer loses every topic the principal may not DESCRIBE (a filter). */
const metadata: Enforcer<typeof API_KEY.Metadata, true> = {
  apiKey: API_KEY.Metadata,
  versions: { min: 1, max: 12 },
  onRequest: () => ({ action: 'forward', memo: true }),
  onResponse(body, _memo, ctx) {
    body.topics = body.topics.filter((t) => t.name !== null && ctx.authz.allowed('DESCRIBE', 'TOPIC', t.name, { quiet: true }));
  },
};

/** Produce: WRITE on every topic or close (only acks=0 is sent here). */
const produce: Enforcer<typeof API_KEY.Produce> = {
  apiKey: API_KEY.Produce,
  versions: { min: 3, max: 12 },
  onRequest(req, ctx) {
    const denied = req.body().topicData.some((t) => !ctx.authz.allowed('WRITE', 'TOPIC', t.name));
    return denied ? { action: 'close', reason: 'acks=0 Produce to a topic without WRITE' } : { action: 'forward', noAnswer: true };
  },
};

const apiVersions: Enforcer<typeof API_KEY.ApiVersions> = {
  apiKey: API_KEY.ApiVersions,
  versions: { min: 0, max: versionRange(API_KEY.ApiVersions)!.max },
  onRequest: () => ({ action: 'forward' }),
};

const ENFORCERS: AnyEnforcer[] = [listOffsets, metadata, produce, apiVersions];

// --- the scripted backend ---------------------------------------------------------------------------

let backendPort = 0;
let backend: net.Server;
/** Requests the backend received (decoded), in order. */
const received: Array<{ apiKey: number; correlationId: number; body: Struct; clientId: string | null }> = [];

function answer(apiKey: number, body: Struct): Struct {
  switch (apiKey) {
    case API_KEY.ApiVersions:
      return {
        errorCode: 0,
        // Fetch is offered by the backend but no enforcer covers it: the gateway must not advertise it.
        apiKeys: [API_KEY.Produce, API_KEY.Fetch, API_KEY.ListOffsets, API_KEY.Metadata, API_KEY.ApiVersions].map((k) => ({
          apiKey: k,
          minVersion: 0,
          maxVersion: versionRange(k)!.max,
        })),
      };
    case API_KEY.Metadata:
      return {
        brokers: [{ nodeId: 1, host: '127.0.0.1', port: backendPort, rack: null }],
        clusterId: 'c',
        controllerId: 1,
        topics: ['t', 'secret', 'by-id'].map((name, i) => ({
          errorCode: 0,
          name,
          topicId: name === 'by-id' ? KNOWN_ID : `AAAAAAAAAAAAAAAAAAAA${'BCD'[i]}A`,
          isInternal: false,
          partitions: [],
        })),
      };
    case API_KEY.ListOffsets:
      return {
        topics: (body.topics as Array<{ name: string }>).map((t) => ({
          name: t.name,
          partitions: [{ partitionIndex: 0, errorCode: 0, offset: 42n }],
        })),
      };
    default:
      throw new Error(`unexpected api key ${apiKey}`);
  }
}

let gw: TappedGateway;
let dir: string;
let policyFile: string;
let auditFile: string;

const POLICY_ALLOWS_T = `version: 1
rules:
  - id: read-t
    allow: [DESCRIBE, WRITE]
    principals: [User:ANONYMOUS]
    resources: [{ topic: t }]
`;

before(async () => {
  backend = net.createServer((socket) => {
    const reader = new FrameReader(() => 1 << 20);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        const { apiKey, apiVersion, correlationId, clientId } = peekRequestHeader(frame.payload);
        const { body } = decodeRequestFrame(frame.payload);
        received.push({ apiKey, correlationId, body, clientId });
        if (apiKey === API_KEY.Produce && peekProduceAcks(frame.payload) === 0) continue;
        const bytes = encodeResponseFrame({ correlationId }, answer(apiKey, body), apiKey, apiVersion, { sizePrefix: true });
        // Later than a local answer would be: order must come from the gateway, not from timing.
        setTimeout(() => socket.write(bytes), 30);
      }
    });
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  backendPort = (backend.address() as net.AddressInfo).port;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-enforce-'));
  policyFile = path.join(dir, 'policy.yaml');
  auditFile = path.join(dir, 'audit.log');
  fs.writeFileSync(policyFile, POLICY_ALLOWS_T);
  gw = await startTappedGateway({
    backendBootstrap: `127.0.0.1:${backendPort}`,
    maxBrokers: 1,
    authorization: { policies: [policyFile], audit: { destination: auditFile, allows: 'all' } },
    registry: new EnforcerRegistry(ENFORCERS),
  });
});

after(async () => {
  await gw?.stop();
  backend?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// --- a raw client -------------------------------------------------------------------------------------

type Conn = { send: (frames: Buffer[]) => void; next: (n: number) => Promise<Buffer[]>; closed: Promise<void>; socket: net.Socket };

function connect(): Promise<Conn> {
  const socket = net.connect({ host: '127.0.0.1', port: Number(gw.bootstrap.split(':')[1]) });
  const reader = new FrameReader(() => 1 << 24);
  const got: Buffer[] = [];
  let wake: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    for (const f of reader.push(chunk)) got.push(Buffer.from(f.payload));
    wake?.();
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((r) => socket.on('close', () => r()));
  return new Promise((resolve) =>
    socket.on('connect', () =>
      resolve({
        socket,
        closed,
        send: (frames) => void socket.write(Buffer.concat(frames)),
        next: async (n) => {
          const deadline = Date.now() + 5_000;
          while (got.length < n) {
            if (socket.destroyed) throw new Error(`connection closed after ${got.length} of ${n} answers`);
            if (Date.now() > deadline) throw new Error(`only ${got.length} of ${n} answers within 5 s`);
            await new Promise<void>((r) => {
              wake = r;
              setTimeout(r, 50);
            });
          }
          return got.splice(0, n);
        },
      }),
    ),
  );
}

const head = (apiKey: number, version: number, correlationId: number) => ({
  requestApiKey: apiKey,
  requestApiVersion: version,
  correlationId,
  clientId: `c${correlationId}`,
});

function listOffsetsRequest(correlationId: number, topics: string[]): Buffer {
  return encodeRequestFrame(
    head(API_KEY.ListOffsets, LIST_OFFSETS_V, correlationId),
    { replicaId: -1, topics: topics.map((name) => ({ name, partitions: [{ partitionIndex: 0, timestamp: -1n }] })) },
    { sizePrefix: true },
  );
}

type TopicAnswer = { name: string; partitions: Array<{ errorCode: number; offset: bigint }> };
function listOffsetsAnswer(payload: Buffer): { correlationId: number; topics: Map<string, number> } {
  const { header, body } = decodeResponseFrame(payload, API_KEY.ListOffsets, LIST_OFFSETS_V);
  return {
    correlationId: header.correlationId,
    topics: new Map((body.topics as TopicAnswer[]).map((t) => [t.name, t.partitions[0].errorCode])),
  };
}

// --- tests --------------------------------------------------------------------------------------------

test('allowed, denied and partly denied requests: forwarded, answered locally, rewritten and merged — in request order', async () => {
  const c = await connect();
  c.send([listOffsetsRequest(1, ['t']), listOffsetsRequest(2, ['secret']), listOffsetsRequest(3, ['t', 'secret'])]);
  const answers = (await c.next(3)).map(listOffsetsAnswer);
  c.socket.destroy();
  assert.deepEqual(
    answers.map((a) => a.correlationId),
    [1, 2, 3],
    'the local answer to 2 waits behind the forwarded 1',
  );
  assert.deepEqual([...answers[0].topics], [['t', 0]]);
  assert.deepEqual([...answers[1].topics], [['secret', TOPIC_AUTHORIZATION_FAILED]]);
  assert.deepEqual(
    [...answers[2].topics],
    [
      ['t', 0],
      ['secret', TOPIC_AUTHORIZATION_FAILED],
    ],
  );
  const seen = received.filter((r) => r.apiKey === API_KEY.ListOffsets && r.clientId?.match(/^c[123]$/));
  assert.deepEqual(
    seen.map((r) => [r.correlationId, (r.body.topics as Array<{ name: string }>).map((t) => t.name)]),
    [
      [1, ['t']],
      [3, ['t']],
    ],
    'the denied request never reached the backend; the partial one went without its denied topic, same header',
  );
});

test('a response the enforcer asked to see is filtered, and the routing stage still rewrites its addresses', async () => {
  const c = await connect();
  c.send([encodeRequestFrame(head(API_KEY.Metadata, 12, 10), { topics: null, allowAutoTopicCreation: false }, { sizePrefix: true })]);
  const [payload] = await c.next(1);
  c.socket.destroy();
  const { body } = decodeResponseFrame(payload, API_KEY.Metadata, 12);
  assert.deepEqual(
    (body.topics as Array<{ name: string }>).map((t) => t.name),
    ['t'],
  );
  const brokers = body.brokers as Array<{ port: number }>;
  assert.deepEqual(
    brokers.map((b) => b.port),
    [gw.gateway.ports().get('tapped')!.brokers.get(1)],
    'the backend address is rewritten after the filter',
  );
});

test('unknown topic ids: later requests wait while the backend is asked, then the id resolves (or gets UNKNOWN_TOPIC_ID)', async () => {
  const metadataBefore = received.filter((r) => r.apiKey === API_KEY.Metadata && r.clientId === 'gatehouse-topic-ids').length;
  const c = await connect();
  c.send([listOffsetsRequest(20, [`id:${KNOWN_ID}`]), listOffsetsRequest(21, ['t']), listOffsetsRequest(22, [`id:${MISSING_ID}`])]);
  const answers = (await c.next(3)).map(listOffsetsAnswer);
  c.socket.destroy();
  assert.deepEqual(
    answers.map((a) => a.correlationId),
    [20, 21, 22],
  );
  assert.deepEqual([...answers[0].topics], [['by-id', 0]], 'the id was looked up on the backend');
  assert.deepEqual([...answers[1].topics], [['t', 0]]);
  assert.deepEqual([...answers[2].topics], [[`id:${MISSING_ID}`, UNKNOWN_TOPIC_ID]], 'still unknown after the look-up');
  const lookups = received.filter((r) => r.apiKey === API_KEY.Metadata && r.clientId === 'gatehouse-topic-ids');
  assert.ok(lookups.length > metadataBefore, 'a Metadata request went to the backend');
  assert.equal(lookups.at(-1)!.body.topics, null, 'for every topic');
  // 21 went upstream only after the look-up (it was held back, not reordered).
  const order = received.map((r) => r.clientId);
  assert.ok(order.lastIndexOf('gatehouse-topic-ids') < order.indexOf('c21'), order.join(','));
});

test('a denied acks=0 Produce closes the connection; an allowed one is forwarded without an answer', async () => {
  const produce = (correlationId: number, topic: string) =>
    encodeRequestFrame(
      head(API_KEY.Produce, 9, correlationId),
      {
        transactionalId: null,
        acks: 0,
        timeoutMs: 1000,
        topicData: [{ name: topic, partitionData: [{ index: 0, records: buildBatch({ records: 1 }) }] }],
      },
      { sizePrefix: true },
    );
  const c = await connect();
  c.send([produce(30, 't'), listOffsetsRequest(31, ['t'])]);
  const [after] = (await c.next(1)).map(listOffsetsAnswer);
  assert.equal(after.correlationId, 31, 'no answer to the acks=0 Produce, the next request answered');
  assert.ok(
    received.some((r) => r.clientId === 'c30'),
    'the allowed acks=0 Produce reached the backend',
  );
  c.send([produce(32, 'secret')]);
  await c.closed;
  assert.ok(!received.some((r) => r.clientId === 'c32'));
  await gw.waitForLog((l) => l.event === 'connection_close' && l.reason === 'authorization-close');
});

test('ApiVersions advertises only what an enforcer covers; a request for anything else closes the connection', async () => {
  const c = await connect();
  c.send([
    encodeRequestFrame(head(API_KEY.ApiVersions, 3, 40), { clientSoftwareName: 't', clientSoftwareVersion: '1' }, { sizePrefix: true }),
  ]);
  const [payload] = await c.next(1);
  const { body } = decodeResponseFrame(payload, API_KEY.ApiVersions, 3);
  const keys = (body.apiKeys as Array<{ apiKey: number; maxVersion: number }>).map((k) => [k.apiKey, k.maxVersion]);
  assert.deepEqual(keys, [
    [API_KEY.Produce, 12],
    [API_KEY.ListOffsets, 11],
    [API_KEY.Metadata, 12],
    [API_KEY.ApiVersions, versionRange(API_KEY.ApiVersions)!.max],
  ]);
  c.send([
    encodeRequestFrame(
      head(API_KEY.Fetch, 12, 41),
      { maxWaitMs: 10, minBytes: 1, topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1024 }] }] },
      { sizePrefix: true },
    ),
  ]);
  await c.closed;
  assert.ok(!received.some((r) => r.clientId === 'c41'));
});

test('a policy reload decides the next request of an open connection', async () => {
  const c = await connect();
  c.send([listOffsetsRequest(50, ['t'])]);
  assert.deepEqual([...listOffsetsAnswer((await c.next(1))[0]).topics], [['t', 0]]);
  fs.writeFileSync(policyFile, POLICY_ALLOWS_T.replace('topic: t', 'topic: other'));
  const event = await gw.gateway.policies!.reload('test');
  assert.ok(event.ok && event.changed);
  c.send([listOffsetsRequest(51, ['t'])]);
  assert.deepEqual([...listOffsetsAnswer((await c.next(1))[0]).topics], [['t', TOPIC_AUTHORIZATION_FAILED]], 'same connection, new policy');
  fs.writeFileSync(policyFile, POLICY_ALLOWS_T);
  await gw.gateway.policies!.reload('test');
  c.send([listOffsetsRequest(52, ['t'])]);
  assert.deepEqual([...listOffsetsAnswer((await c.next(1))[0]).topics], [['t', 0]], 'and back');
  c.socket.destroy();
});

test('decisions are counted by api, resource type, operation, decision and rule, and audited with who, what and why', async () => {
  const text = await gw.gateway.metrics.text();
  const count = (labels: string) => Number(new RegExp(`gatehouse_authz_decisions_total\\{${labels}\\} (\\d+)`).exec(text)?.[1] ?? 0);
  // Cached decisions are counted too: every request, not every distinct question.
  assert.equal(count('api="ListOffsets",resource_type="TOPIC",operation="DESCRIBE",decision="allowed",rule="read-t"'), 6);
  // 'secret' (and 't' while the reloaded policy named only 'other') has no ACL at all.
  assert.equal(count('api="ListOffsets",resource_type="TOPIC",operation="DESCRIBE",decision="denied",rule="no-acl"'), 3);
  assert.equal(count('api="Produce",resource_type="TOPIC",operation="WRITE",decision="allowed",rule="read-t"'), 1);
  assert.equal(count('api="Produce",resource_type="TOPIC",operation="WRITE",decision="denied",rule="no-acl"'), 1);
  // Quiet checks (the Metadata filter) are neither counted nor audited.
  assert.doesNotMatch(text, /gatehouse_authz_decisions_total\{api="Metadata"/);
  const lines = () =>
    fs
      .readFileSync(auditFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const deadline = Date.now() + 5_000;
  while (!lines().some((l) => l.api === 'Produce') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const audit = lines();
  const denial = audit.find((l) => l.api === 'Produce' && l.decision === 'denied');
  assert.ok(denial, 'the Produce denial is audited');
  assert.equal(denial.principal, 'User:ANONYMOUS');
  assert.equal(denial.clientAddress, '127.0.0.1');
  assert.equal(denial.listener, 'tapped');
  assert.equal(denial.resourceType, 'TOPIC');
  assert.equal(denial.resourceName, 'secret');
  assert.equal(denial.operation, 'WRITE');
  assert.ok(
    audit.some((l) => l.decision === 'allowed' && l.resourceName === 't' && (l.ruleIds as string[])[0] === 'read-t'),
    'allows are audited with allows: all',
  );
  assert.ok(!audit.some((l) => l.api === 'Metadata'), 'quiet checks are not audited');
});
