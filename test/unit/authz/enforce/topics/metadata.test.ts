// Metadata enforcer: all-topics filtering, explicit names (29 entries), topic ids (100 / 29 with Name null),
// auto-creation only with CREATE, and the authorized-operations bitfields the gateway computes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EnforceContext } from '../../../../../gateway/authz/enforce/enforcer.ts';
import { metadataEnforcer } from '../../../../../gateway/authz/enforce/topics/metadata.ts';
import { type RequestBody, type ResponseBody, ZERO_UUID, type Struct } from '../../../../../gateway/protocol/index.ts';
import { requestView, testContext } from '../context.ts';
import { decoded, merged, sent } from './typed.ts';

const METADATA = 3;
const INT_MIN = -2147483648;
const ID_A = 'AAAAAAAAAAAAAAAAAAAAAQ';
const ID_B = 'AAAAAAAAAAAAAAAAAAAAAg';
const ID_UNKNOWN = 'AAAAAAAAAAAAAAAAAAAAAw';
const IDS = { [ID_A]: 'a', [ID_B]: 'b' };

const names = (v: number, list: string[] | null, extra: Struct = {}): Struct => ({
  topics: list === null ? (v === 0 ? [] : null) : list.map((name) => ({ topicId: ZERO_UUID, name })),
  allowAutoTopicCreation: true,
  includeClusterAuthorizedOperations: false,
  includeTopicAuthorizedOperations: false,
  ...extra,
});

const topicEntry = (name: string, id: string, extra: Struct = {}): Struct => ({
  errorCode: 0,
  name,
  topicId: id,
  isInternal: false,
  partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1] }],
  ...extra,
});

const backend = (topics: Struct[]): Struct => ({
  throttleTimeMs: 0,
  brokers: [{ nodeId: 1, host: 'b', port: 9092 }],
  clusterId: 'c',
  controllerId: 1,
  topics,
});

type Response = ResponseBody<typeof METADATA>;
type Request = RequestBody<typeof METADATA>;

const summary = (res: Response): [string | null, string, number, number][] =>
  res.topics.map((t) => [t.name, t.topicId, t.errorCode, t.partitions.length]);

/** The decision, what went upstream and what the client decodes (the backend answering `backendTopics`). */
function run(ctx: EnforceContext, v: number, body: Struct, backendTopics: Struct[]): { action: string; res?: Response; sent?: Request } {
  const d = metadataEnforcer.onRequest(requestView(METADATA, v, body), ctx);
  if (d.action === 'answer') return { action: d.action, res: decoded(METADATA, v, d.body) };
  if (d.action !== 'forward' && d.action !== 'rewrite') return { action: d.action };
  const sent = requestView(METADATA, v, d.action === 'rewrite' ? d.body : body).body();
  const res =
    d.memo === undefined ? decoded(METADATA, v, backend(backendTopics)) : merged(metadataEnforcer, v, backend(backendTopics), d, ctx);
  return { action: d.action, res, sent };
}

test('all topics (v0 empty, v1+ null): filtered quietly to describable topics', () => {
  for (const v of [0, 1, 9, 13]) {
    const ctx = testContext(['User:alice ALLOW READ TOPIC a'], { topicIds: IDS });
    const r = run(ctx, v, names(v, null), [
      topicEntry('a', ID_A),
      topicEntry('b', ID_B),
      topicEntry('__consumer_offsets', ID_UNKNOWN, { isInternal: true }),
    ]);
    assert.equal(r.action, 'forward', `v${v}`);
    assert.deepEqual(
      r.res!.topics.map((t) => t.name),
      ['a'],
    );
    assert.ok(
      ctx.asked.every((q) => q.quiet),
      'filtering is not audited as denials',
    );
  }
});

test('explicit names, all allowed and nothing to compute: forward without memo', () => {
  for (const v of [0, 4, 13]) {
    const ctx = testContext(['User:alice ALLOW DESCRIBE TOPIC a', 'User:alice ALLOW CREATE CLUSTER kafka-cluster'], { topicIds: IDS });
    assert.deepEqual(metadataEnforcer.onRequest(requestView(METADATA, v, names(v, ['a'])), ctx), { action: 'forward' });
  }
});

test('explicit names, partial and all denied: 29 entry with name, zero id, no partitions, ops INT_MIN', () => {
  for (const v of [0, 4, 9, 13]) {
    const ctx = testContext(['User:alice ALLOW DESCRIBE TOPIC a', 'User:alice ALLOW CREATE CLUSTER kafka-cluster'], { topicIds: IDS });
    const r = run(ctx, v, names(v, ['a', 'nope']), [topicEntry('a', ID_A)]);
    assert.equal(r.action, 'rewrite', `v${v}`);
    assert.deepEqual(
      r.sent!.topics!.map((t) => t.name),
      ['a'],
    );
    assert.deepEqual(summary(r.res!), [
      ['a', v >= 10 ? ID_A : ZERO_UUID, 0, 1],
      ['nope', ZERO_UUID, 29, 0],
    ]);
    if (v >= 8) assert.equal(r.res!.topics[1].topicAuthorizedOperations, INT_MIN);
    // Every name denied: still upstream (the client needs the brokers), with no topics asked.
    const all = run(ctx, v, names(v, ['nope']), v === 0 ? [topicEntry('a', ID_A)] : []);
    assert.equal(all.action, 'rewrite');
    assert.deepEqual(summary(all.res!), [['nope', ZERO_UUID, 29, 0]]);
    assert.equal(all.res!.brokers.length, 1);
    if (v >= 1) assert.deepEqual(all.sent!.topics, []);
  }
});

test('by topic id (v12+): unknown id → 100 with Name null first, denied → 29 with Name null and the id', () => {
  for (const v of [12, 13]) {
    const ctx = testContext(['User:alice ALLOW DESCRIBE TOPIC a'], { topicIds: IDS });
    const body = { ...names(v, []), topics: [ID_A, ID_B, ID_UNKNOWN].map((topicId) => ({ topicId, name: null })) };
    assert.deepEqual(metadataEnforcer.onRequest(requestView(METADATA, v, body), ctx), {
      action: 'resolve-topic-ids',
      topicIds: [ID_UNKNOWN],
    });
    const d = metadataEnforcer.onRequest(requestView(METADATA, v, body, { topicIdsResolved: true }), ctx);
    assert.equal(d.action, 'rewrite');
    assert.deepEqual(
      sent(METADATA, v, d).topics!.map((t) => t.topicId),
      [ID_A],
    );
    const res = merged(metadataEnforcer, v, backend([topicEntry('a', ID_A)]), d, ctx);
    assert.deepEqual(summary(res), [
      [null, ID_UNKNOWN, 100, 0],
      ['a', ID_A, 0, 1],
      [null, ID_B, 29, 0],
    ]);
  }
});

test('v10–11 with a topic id: the whole request is invalid (42)', () => {
  const ctx = testContext(['User:alice ALLOW ALL TOPIC a']);
  const r = run(ctx, 10, { ...names(10, []), topics: [{ topicId: ID_A, name: 'a' }] }, []);
  assert.equal(r.action, 'answer');
  assert.deepEqual(
    r.res!.topics.map((t) => t.errorCode),
    [42],
  );
});

test('auto-creation v4+: a topic without CREATE is asked with AllowAutoTopicCreation=false and its 3 becomes 29', () => {
  for (const v of [4, 9, 13]) {
    const ctx = testContext(['User:alice ALLOW DESCRIBE TOPIC new', 'User:alice ALLOW DESCRIBE TOPIC a']);
    const r = run(ctx, v, names(v, ['a', 'new']), [topicEntry('a', ID_A), topicEntry('new', ZERO_UUID, { errorCode: 3, partitions: [] })]);
    assert.equal(r.action, 'rewrite', `v${v}`);
    assert.equal(r.sent!.allowAutoTopicCreation, false);
    assert.deepEqual(summary(r.res!), [
      ['a', v >= 10 ? ID_A : ZERO_UUID, 0, 1],
      ['new', ZERO_UUID, 29, 0],
    ]);
    const creates = ctx.asked.filter((q) => q.operation === 'CREATE');
    assert.deepEqual(
      creates.map((q) => `${q.type} ${q.name} ${q.quiet}`),
      ['CLUSTER kafka-cluster true', 'TOPIC a true', 'TOPIC new true', 'TOPIC new false'],
      'the audited CREATE denial only for the topic that was missing',
    );
    // CREATE on the topic (or on the cluster): auto-creation left on, nothing rewritten.
    for (const acl of ['User:alice ALLOW CREATE TOPIC new', 'User:alice ALLOW CREATE CLUSTER kafka-cluster']) {
      const ok = testContext(['User:alice ALLOW DESCRIBE TOPIC new', acl]);
      assert.deepEqual(metadataEnforcer.onRequest(requestView(METADATA, v, names(v, ['new'])), ok), { action: 'forward' });
    }
    // AllowAutoTopicCreation=false from the client: no CREATE question at all.
    const off = testContext(['User:alice ALLOW DESCRIBE TOPIC new']);
    assert.deepEqual(metadataEnforcer.onRequest(requestView(METADATA, v, names(v, ['new'], { allowAutoTopicCreation: false })), off), {
      action: 'forward',
    });
    assert.equal(off.asked.filter((q) => q.operation === 'CREATE').length, 0);
  }
});

test('auto-creation v0–3: a name without CREATE the gateway has not seen exist is looked up on the backend first', () => {
  for (const v of [0, 3]) {
    const ctx = testContext(['User:alice ALLOW DESCRIBE TOPIC new', 'User:alice ALLOW DESCRIBE TOPIC a']);
    const known: EnforceContext = {
      ...ctx,
      topics: { nameOf: (id) => (id === ID_A ? 'a' : undefined), idOf: (n) => (n === 'a' ? ID_A : undefined) },
    };
    assert.equal(metadataEnforcer.onRequest(requestView(METADATA, v, names(v, ['a', 'new'])), known).action, 'resolve-topic-ids', `v${v}`);
  }
});

test('auto-creation v0–3: after the lookup, a name without CREATE still unknown (missing) is stripped and answered 29', () => {
  for (const v of [0, 3]) {
    const ctx = testContext(['User:alice ALLOW DESCRIBE TOPIC new', 'User:alice ALLOW DESCRIBE TOPIC a']);
    const known: EnforceContext = {
      ...ctx,
      topics: { nameOf: (id) => (id === ID_A ? 'a' : undefined), idOf: (n) => (n === 'a' ? ID_A : undefined) },
    };
    const d = metadataEnforcer.onRequest(requestView(METADATA, v, names(v, ['a', 'new']), { topicIdsResolved: true }), known);
    assert.equal(d.action, 'rewrite', `v${v}`);
    if (d.action !== 'rewrite') continue;
    const r = {
      action: d.action,
      sent: requestView(METADATA, v, d.body).body(),
      res: merged(metadataEnforcer, v, backend([topicEntry('a', ID_A)]), d, known),
    };
    assert.equal(r.action, 'rewrite', `v${v}`);
    assert.deepEqual(
      r.sent.topics!.map((t) => t.name),
      ['a'],
    );
    assert.deepEqual(summary(r.res), [
      ['a', ZERO_UUID, 0, 1],
      ['new', ZERO_UUID, 29, 0],
    ]);
  }
});

test('authorized-operations: topic bitfields computed here, cluster bitfield only with DESCRIBE on the cluster (v8–10)', () => {
  for (const v of [8, 10, 13]) {
    const ctx = testContext(['User:alice ALLOW READ TOPIC a', 'User:alice ALLOW CREATE CLUSTER kafka-cluster']);
    const body = names(v, ['a', 'nope'], { includeTopicAuthorizedOperations: true, includeClusterAuthorizedOperations: v <= 10 });
    const r = run(ctx, v, body, [topicEntry('a', ID_A, { topicAuthorizedOperations: 0x7ff8 })]);
    assert.equal(r.res!.topics[0].topicAuthorizedOperations, 0x108, 'READ + DESCRIBE (§1.8)');
    assert.equal(r.res!.topics[1].topicAuthorizedOperations, INT_MIN);
    if (v <= 10) assert.equal(r.res!.clusterAuthorizedOperations, 0, 'no DESCRIBE on the cluster → 0');
    const admin = testContext(['User:alice ALLOW DESCRIBE CLUSTER kafka-cluster', 'User:alice ALLOW READ TOPIC a']);
    const r2 = run(admin, v, names(v, ['a'], { includeTopicAuthorizedOperations: false, includeClusterAuthorizedOperations: v <= 10 }), [
      topicEntry('a', ID_A),
    ]);
    if (v <= 10) assert.equal(r2.res!.clusterAuthorizedOperations, 1 << 8, 'DESCRIBE on the cluster');
    else assert.deepEqual(summary(r2.res!), [['a', ID_A, 0, 1]]);
  }
});
