// The kafka managed-ACL store (session/acl-topic-store.ts) on real brokers: two instances on one backend
// see each other's changes within the stated bound (measured and asserted), a write is in force on the
// writing instance when it resolves, the topic is created once (compacted, one partition), a fresh
// instance reads the same set (tombstones honored), 20 concurrent adds across both instances all land,
// records the gateway did not write are ignored, the store rides out a broker restart, and an unreachable
// backend makes start() reject instead of hanging or crashing. The 3.9 and 2.8 (ZooKeeper) lines run the
// basic round trip too.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import type { AclActor, AclBinding } from '../../../gateway/authz/acls/acl-binding.ts';
import { bindingKey } from '../../../gateway/authz/acls/acl-binding.ts';
import { createLogger } from '../../../gateway/observability/logger.ts';
import { KafkaAclStore, type KafkaAclStoreOptions } from '../../../gateway/session/acl-topic-store.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import type { KafkaLine } from '../../harness/kafka-dist.ts';

/** Stated in acl-topic-store.ts: fetchMaxWaitMs (200) + a round trip once the topic is known, pollIntervalMs (1 s) + a round trip before. */
const BOUND_KNOWN_TOPIC_MS = 1000;
const BOUND_NEW_TOPIC_MS = 2000;

const ACTOR: AclActor = { principal: 'User:admin', clientAddress: '127.0.0.1', listener: 'main' };

const topicRead = (name: string, principal = 'User:alice'): AclBinding => ({
  resource: { type: 'TOPIC', patternType: 'LITERAL', name },
  principal,
  host: '*',
  operation: 'READ',
  permission: 'ALLOW',
});

let cluster: KafkaCluster;
const open: KafkaAclStore[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown): void => {
  unhandled.push(err);
};

before(async () => {
  process.on('unhandledRejection', onUnhandled);
  cluster = await startKafka({ version: '4' });
});

after(async () => {
  await Promise.all(open.map((s) => s.close()));
  await cluster?.stop();
  process.off('unhandledRejection', onUnhandled);
});

function bootstrapOf(c: KafkaCluster): Array<{ host: string; port: number }> {
  return c.bootstrap.split(',').map((hp) => {
    const i = hp.lastIndexOf(':');
    return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
  });
}

/** A store with its log lines collected (JSON lines, as pino writes them). */
function store(topic: string, c: KafkaCluster = cluster, extra: Partial<KafkaAclStoreOptions> = {}): { s: KafkaAclStore; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
  const s = new KafkaAclStore({ bootstrap: bootstrapOf(c), topic, logger, ...extra });
  open.push(s);
  return { s, lines };
}

const keys = (s: KafkaAclStore): string[] => s.bindings().map(bindingKey);
const has = (s: KafkaAclStore, b: AclBinding): boolean => keys(s).includes(bindingKey(b));

/** Milliseconds from now until `ready()` holds (polled every 2 ms), failing after `limitMs`. */
async function msUntil(ready: () => boolean, limitMs: number, what: string): Promise<number> {
  const t0 = performance.now();
  while (!ready()) {
    if (performance.now() - t0 > limitMs) assert.fail(`${what}: not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return performance.now() - t0;
}

const admin = (c: KafkaCluster) =>
  new Kafka({ clientId: 'acl-store-test', brokers: c.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();

test('an add through A is in force on A at once and on B within the bound; a remove through B reaches A', async (t) => {
  const topic = 'acls-sync';
  const a = store(topic).s;
  const b = store(topic).s;
  await Promise.all([a.start(), b.start()]);
  assert.deepEqual(a.bindings(), [], 'no topic yet: nothing managed');
  assert.deepEqual(b.bindings(), []);
  let bChanges = 0;
  b.onChange(() => bChanges++);

  // First write: A creates the topic; B is still polling for it.
  const first = topicRead('orders');
  await a.add([first], ACTOR);
  assert.ok(has(a, first), 'read-your-writes: in force on A when add() resolves');
  const firstMs = await msUntil(() => has(b, first), BOUND_NEW_TOPIC_MS * 2, 'B sees the first add');
  t.diagnostic(`B saw the add that created the topic after ${firstMs.toFixed(0)} ms`);
  assert.ok(firstMs < BOUND_NEW_TOPIC_MS, `${firstMs} ms is within ${BOUND_NEW_TOPIC_MS} ms`);
  assert.equal(bChanges, 1, 'B told its listeners once');

  // Steady state: the topic is known to both. Measured from the add() call (the write's round trip
  // included) and from its resolution (when CreateAcls would be answered on A).
  const fromCall: number[] = [];
  const fromAnswer: number[] = [];
  for (let i = 0; i < 5; i++) {
    const binding = topicRead(`orders-${i}`);
    const seenByB = msUntil(() => has(b, binding), BOUND_KNOWN_TOPIC_MS * 3, `B sees add ${i}`);
    const t0 = performance.now();
    await a.add([binding], ACTOR);
    const answered = performance.now();
    assert.ok(has(a, binding));
    const lag = await seenByB; // counted from t0
    fromCall.push(lag);
    fromAnswer.push(Math.max(0, t0 + lag - answered));
  }
  t.diagnostic(`B saw A's adds ${fromCall.map((l) => l.toFixed(0)).join(', ')} ms after add() was called`);
  t.diagnostic(`and ${fromAnswer.map((l) => l.toFixed(0)).join(', ')} ms after it resolved`);
  assert.ok(Math.max(...fromCall) < BOUND_KNOWN_TOPIC_MS, `every lag under ${BOUND_KNOWN_TOPIC_MS} ms`);

  await b.remove([first], ACTOR);
  assert.ok(!has(b, first), 'gone on B when remove() resolves');
  const removeMs = await msUntil(() => !has(a, first), BOUND_KNOWN_TOPIC_MS * 3, 'A sees the remove');
  t.diagnostic(`A saw B's remove after ${removeMs.toFixed(0)} ms`);
  assert.ok(removeMs < BOUND_KNOWN_TOPIC_MS);
  assert.deepEqual(
    a.bindings().map((x) => x.resource.name),
    ['orders-0', 'orders-1', 'orders-2', 'orders-3', 'orders-4'],
    'in the order added',
  );
  assert.deepEqual(keys(b), keys(a));
});

test('the topic was created compacted, uncompressed, with one partition', async () => {
  const adm = admin(cluster);
  await adm.connect();
  try {
    const md = await adm.fetchTopicMetadata({ topics: ['acls-sync'] });
    assert.equal(md.topics[0].partitions.length, 1);
    assert.equal(md.topics[0].partitions[0].replicas.length, 1, 'min(3, brokers) with one broker');
    const configs = await adm.describeConfigs({
      resources: [{ type: 2, name: 'acls-sync', configNames: ['cleanup.policy', 'compression.type'] }],
      includeSynonyms: false,
    });
    const entries = Object.fromEntries(configs.resources[0].configEntries.map((e) => [e.configName, e.configValue]));
    assert.deepEqual(entries, { 'cleanup.policy': 'compact', 'compression.type': 'uncompressed' });
  } finally {
    await adm.disconnect();
  }
});

test('closed and started again: new instances read the same set, removals included', async () => {
  const before = keys(open[0]);
  assert.equal(before.length, 5);
  await Promise.all(open.splice(0).map((s) => s.close()));
  const c = store('acls-sync').s;
  const d = store('acls-sync').s;
  await Promise.all([c.start(), d.start()]);
  assert.deepEqual(keys(c), before, 'start() resolves caught up, in the same order');
  assert.deepEqual(keys(d), before);
  assert.ok(!has(c, topicRead('orders')), 'the tombstone is honored');
});

test('20 concurrent adds across two instances on a topic neither has yet: none lost, the topic created once', async () => {
  const topic = 'acls-concurrent';
  const a = store(topic);
  const b = store(topic);
  await Promise.all([a.s.start(), b.s.start()]);
  const all = Array.from({ length: 20 }, (_, i) => topicRead(`t${i}`, `User:u${i}`));
  await Promise.all(all.map((binding, i) => (i % 2 === 0 ? a.s : b.s).add([binding], ACTOR)));
  for (const [i, binding] of all.entries()) assert.ok(has(i % 2 === 0 ? a.s : b.s, binding), `the writer of ${i} has it`);
  await msUntil(() => a.s.bindings().length === 20 && b.s.bindings().length === 20, BOUND_KNOWN_TOPIC_MS * 3, 'both have all 20');
  assert.deepEqual(new Set(keys(a.s)), new Set(all.map(bindingKey)));
  assert.deepEqual(keys(b.s), keys(a.s), 'both in the same (log) order');
  const created = [...a.lines, ...b.lines].filter((l) => l.includes('"created the managed ACL topic"')).length;
  const raced = [...a.lines, ...b.lines].filter((l) => l.includes('created by another instance')).length;
  assert.equal(created, 1, 'exactly one instance created the topic');
  assert.equal(raced, 1, 'the other found it created (TOPIC_ALREADY_EXISTS or metadata)');
  const fresh = store(topic).s;
  await fresh.start();
  assert.deepEqual(keys(fresh), keys(a.s));
});

test('records the gateway did not write are ignored (not trusted into the rule set)', async () => {
  const topic = 'acls-sync';
  const a = store(topic);
  await a.s.start();
  const before = keys(a.s);
  const deny = { ...topicRead('secret'), permission: 'DENY' as const };
  const producer = new Kafka({ clientId: 'stranger', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      messages: [
        { key: 'not-a-binding', value: 'not json' },
        { key: 'wrong-key', value: JSON.stringify({ binding: deny, actor: ACTOR, at: new Date().toISOString() }) },
        { key: bindingKey(deny), value: JSON.stringify({ binding: { ...deny, operation: 'EAT' }, actor: ACTOR, at: '' }) },
      ],
    });
  } finally {
    await producer.disconnect();
  }
  // A later genuine add shows the consumer has read past the strangers' records.
  const marker = topicRead('after-strangers');
  const b = store(topic);
  await b.s.start();
  await a.s.add([marker], ACTOR);
  await msUntil(() => has(b.s, marker), BOUND_KNOWN_TOPIC_MS * 3, 'B reads past the strangers');
  assert.deepEqual(keys(a.s), [...before, bindingKey(marker)]);
  assert.deepEqual(keys(b.s), keys(a.s));
  const ignored = a.lines.filter((l) => l.includes('ignoring a managed ACL record')).length;
  assert.equal(ignored, 3, 'each stranger record logged');
});

test('a broker restart: reads pause with the set kept, a write waits for the broker, both instances recover', async (t) => {
  const topic = 'acls-sync';
  const a = store(topic, cluster, { writeTimeoutMs: 90_000 });
  const b = store(topic);
  await Promise.all([a.s.start(), b.s.start()]);
  const held = keys(b.s);
  assert.ok(held.length > 0);
  const broker = cluster.brokers[0];
  await broker.stop();
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(keys(b.s), held, 'the last known set stays in force while the backend is away');
  const binding = topicRead('during-restart');
  const t0 = performance.now();
  const writing = a.s.add([binding], ACTOR);
  let settled = false;
  void writing.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(settled, false, 'the write waits while no broker answers');
  await broker.restart();
  await writing;
  t.diagnostic(`the write resolved ${(performance.now() - t0).toFixed(0)} ms after it was made (broker down, then restarted)`);
  assert.ok(has(a.s, binding));
  const lag = await msUntil(() => has(b.s, binding), 20_000, 'B sees the write after the restart');
  t.diagnostic(`B saw it ${lag.toFixed(0)} ms later`);
  assert.ok(
    b.lines.some((l) => l.includes('reading the managed ACL topic failed')),
    'B logged the outage',
  );
  assert.ok(
    b.lines.some((l) => l.includes('works again')),
    'and the recovery',
  );
  // And it keeps working normally afterwards.
  const next = topicRead('after-restart');
  await b.s.remove([binding], ACTOR);
  await b.s.add([next], ACTOR);
  await msUntil(() => has(a.s, next) && !has(a.s, binding), BOUND_KNOWN_TOPIC_MS * 3, 'A follows B after the restart');
});

test('the topic deleted under running instances: the last set stays in force; once it is created again, every instance reads the new one from its start', async (t) => {
  const topic = 'acls-reset';
  const a = store(topic);
  const b = store(topic);
  await Promise.all([a.s.start(), b.s.start()]);
  const old = [topicRead('p'), topicRead('q')];
  await a.s.add(old, ACTOR);
  await msUntil(() => old.every((x) => has(b.s, x)), BOUND_NEW_TOPIC_MS * 2, 'B has the first set');
  const adm = admin(cluster);
  await adm.connect();
  try {
    await adm.deleteTopics({ topics: [topic] });
  } finally {
    await adm.disconnect();
  }
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(keys(b.s), old.map(bindingKey), 'a vanished topic does not wipe the set in force');
  // A write recreates the topic (offsets start at 0 again): both instances end with exactly the new set.
  const fresh = topicRead('z');
  const t0 = performance.now();
  await a.s.add([fresh], ACTOR);
  const settled = await msUntil(
    () => [a.s, b.s].every((s) => keys(s).length === 1 && has(s, fresh)),
    15_000,
    'both instances read the recreated topic from its start',
  );
  t.diagnostic(
    `the write took ${(performance.now() - t0 - settled).toFixed(0)} ms; both held only the new set ${settled.toFixed(0)} ms later`,
  );
  assert.ok(
    b.lines.some((l) => l.includes('disappeared') || l.includes('deleted and created again')),
    'B noticed and said so',
  );
  const c = store(topic).s;
  await c.start();
  assert.deepEqual(keys(c), [bindingKey(fresh)]);
});

test('an unreachable backend: start() rejects after its timeout, writes reject, nothing crashes', async () => {
  const spare = net.createServer();
  await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
  const port = (spare.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => spare.close(() => resolve()));
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
  const s = new KafkaAclStore({
    bootstrap: [{ host: '127.0.0.1', port }],
    topic: 'x',
    logger,
    startTimeoutMs: 1500,
    connectTimeoutMs: 300,
  });
  const t0 = Date.now();
  await assert.rejects(s.start(), /could not read the managed ACL topic x within 1500 ms/);
  assert.ok(Date.now() - t0 < 5000);
  await assert.rejects(s.add([topicRead('x')], ACTOR), /closed/);
  await s.close();
  assert.ok(lines.some((l) => l.includes('reading the managed ACL topic failed')));
});

for (const line of ['3.9', 'legacy'] as KafkaLine[]) {
  test(`${line} line: an add through A reaches B, a remove through B reaches A, a new instance reads the same`, async () => {
    const other = await startKafka({ version: line });
    try {
      const a = store('acls-line', other).s;
      const b = store('acls-line', other).s;
      await Promise.all([a.start(), b.start()]);
      const x = topicRead('x');
      const y = topicRead('y');
      await a.add([x, y], ACTOR);
      assert.ok(has(a, x) && has(a, y));
      await msUntil(() => has(b, x) && has(b, y), BOUND_NEW_TOPIC_MS * 2, 'B sees the add');
      await b.remove([x], ACTOR);
      await msUntil(() => !has(a, x), BOUND_KNOWN_TOPIC_MS * 3, 'A sees the remove');
      const c = store('acls-line', other).s;
      await c.start();
      assert.deepEqual(keys(c), [bindingKey(y)]);
      await Promise.all([a.close(), b.close(), c.close()]);
    } finally {
      await other.stop();
    }
  });
}

test('no unhandled rejections along the way', () => {
  assert.deepEqual(unhandled, []);
});
