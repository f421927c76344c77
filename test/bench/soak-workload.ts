// The soak benchmark's real traffic and its bookkeeping: kafkajs idempotent producers (acks=all) that
// record every acknowledged value, a kafkajs consumer group that records every value it receives, the
// Java perf producer, and tallies of what went wrong by kind.
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import { kafkaTool } from '../harness/kafka-tools.ts';

/** Counts by kind (error names, probe outcomes…), printed largest first. */
export class Tally {
  private readonly counts = new Map<string, number>();
  add(kind: string, n = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }
  get total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }
  entries(): Array<[string, number]> {
    return [...this.counts].sort((a, b) => b[1] - a[1]);
  }
}

/** What the producers had acknowledged and what the consumers received, value by value. */
export class DeliveryLedger {
  readonly acked = new Set<string>();
  /** value → times received (more than once: a redelivery). */
  readonly received = new Map<string, number>();

  receive(value: string): void {
    this.received.set(value, (this.received.get(value) ?? 0) + 1);
  }
  lost(): string[] {
    return [...this.acked].filter((v) => !this.received.has(v));
  }
  duplicates(): number {
    let n = 0;
    for (const count of this.received.values()) n += count - 1;
    return n;
  }
  /** Received but never acknowledged (a send that failed on the client after the broker had written it). */
  unacknowledgedReceived(): number {
    let n = 0;
    for (const v of this.received.keys()) if (!this.acked.has(v)) n++;
    return n;
  }
}

/** One line per error: its name, the KafkaJS error type, and the cause's name for retries-exceeded errors. */
export function errorKind(err: unknown): string {
  const e = err as Error & { type?: string; cause?: Error & { type?: string } };
  const own = e.type ? `${e.name}:${e.type}` : e.name;
  const cause = e.cause ? ` <- ${e.cause.type ? `${e.cause.name}:${e.cause.type}` : e.cause.name}` : '';
  return `${own}${cause}`;
}

/** `bootstrap`: host:port, or several separated by commas. */
export function kafkaClient(opts: { clientId: string; bootstrap: string; ssl?: ConnectionOptions }): Kafka {
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.bootstrap.split(','),
    ssl: opts.ssl,
    logLevel: logLevel.NOTHING,
    // Enough patience for a leader election after a broker is killed.
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
}

const TICK_MS = 100;
/** A producer that fails this many sends in a row is replaced (a new producer id): kafkajs can stay stuck on a sequence error. */
const FAILURES_BEFORE_RECREATE = 5;

/**
 * Sends `perSecond` messages a second (a batch every 100 ms, values `<name>-<seq>`) with an idempotent
 * kafkajs producer and acks=all, until `stopped()`; each acknowledged value goes into the ledger.
 *
 * Each batch goes to one partition, taking the partitions in turn. kafkajs 2.2 keeps the responses of a
 * send's earlier attempts per broker and, on a retry, sends nothing to a broker that already answered,
 * even for partitions that have just moved to it (a leader change): send() resolves and those messages
 * were never written (tulios/kafkajs PR #1798). Seen here with and without the gateway; a send that
 * touches one partition, hence one broker, cannot hit it.
 */
export async function runProducer(opts: {
  kafka: Kafka;
  name: string;
  topic: string;
  partitions: number;
  perSecond: number;
  ledger: DeliveryLedger;
  errors: Tally;
  stopped: () => boolean;
}): Promise<{ sent: number }> {
  const create = async (): Promise<Producer> => {
    const p = opts.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await p.connect();
    return p;
  };
  let producer = await create();
  const batch = Math.max(1, Math.round((opts.perSecond * TICK_MS) / 1000));
  const started = Date.now();
  let seq = 0;
  let tick = 0;
  let failuresInARow = 0;
  while (!opts.stopped()) {
    const values = Array.from({ length: batch }, () => `${opts.name}-${seq++}`);
    try {
      const partition = tick % opts.partitions;
      await producer.send({ topic: opts.topic, acks: -1, messages: values.map((value) => ({ partition, value })) });
      for (const v of values) opts.ledger.acked.add(v);
      failuresInARow = 0;
    } catch (err) {
      opts.errors.add(`${opts.name}: ${errorKind(err)}`);
      if (++failuresInARow >= FAILURES_BEFORE_RECREATE) {
        opts.errors.add(`${opts.name}: producer replaced after ${FAILURES_BEFORE_RECREATE} failed sends in a row`);
        await producer.disconnect().catch(() => undefined);
        producer = await create().catch((e) => {
          opts.errors.add(`${opts.name}: reconnect ${errorKind(e)}`);
          return producer;
        });
        failuresInARow = 0;
      }
    }
    tick++;
    const wait = started + tick * TICK_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await producer.disconnect().catch(() => undefined);
  return { sent: seq };
}

/** A member of the consumer group: every value it receives goes to `onValue(topic, value)`; crashes and rebalances are tallied. */
export async function startConsumer(opts: {
  kafka: Kafka;
  name: string;
  groupId: string;
  topics: string[];
  onValue: (topic: string, value: string) => void;
  errors: Tally;
  events: Tally;
}): Promise<Consumer> {
  const consumer = opts.kafka.consumer({
    groupId: opts.groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
  consumer.on(consumer.events.CRASH, (e) =>
    opts.errors.add(`${opts.name}: crash ${errorKind(e.payload.error)}${e.payload.restart ? ' (restarted)' : ' (not restarted)'}`),
  );
  consumer.on(consumer.events.REQUEST_TIMEOUT, () => opts.errors.add(`${opts.name}: request timeout`));
  consumer.on(consumer.events.GROUP_JOIN, () => opts.events.add('consumer group joins'));
  consumer.on(consumer.events.REBALANCING, () => opts.events.add('consumer group rebalances'));
  await consumer.connect();
  await consumer.subscribe({ topics: opts.topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => opts.onValue(topic, message.value?.toString() ?? ''),
  });
  return consumer;
}

/**
 * Every value in `topic`, read from the beginning to the end offsets of now by a fresh consumer group:
 * tells a message missing from the log apart from one a consumer group skipped. Null if it could not
 * reach the end within `timeoutMs`.
 */
export async function readWholeTopic(kafka: Kafka, topic: string, timeoutMs = 120_000): Promise<Set<string> | null> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  await admin.disconnect();
  const values = new Set<string>();
  const pending = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  const consumer = kafka.consumer({ groupId: `soak-readback-${Date.now()}`, retry: { retries: 10 } });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      if (pending.size === 0) resolve(true);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          values.add(message.value?.toString() ?? '');
          if (BigInt(message.offset) + 1n >= ends.get(partition)!) pending.delete(partition);
          if (pending.size === 0) {
            clearTimeout(timer);
            resolve(true);
          }
        },
      });
    });
    return (await done) ? values : null;
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Kafka's own perf producer (the Java client; idempotent, acks=all) at `perSecond` records a second for
 * about `seconds`, each record's value its sequence number (--payload-monotonic). It counts a record as
 * sent only when acknowledged, and prints a stack trace for each failed one: both are returned.
 */
export async function runJavaPerfProducer(opts: {
  bootstrap: string;
  configFile: string;
  topic: string;
  perSecond: number;
  seconds: number;
}): Promise<{ acked: number | null; errors: Tally; exitCode: number | null }> {
  const records = Math.max(1, Math.round(opts.perSecond * opts.seconds));
  const result = await kafkaTool(
    '4',
    'producer-perf-test',
    [
      '--topic',
      opts.topic,
      '--num-records',
      String(records),
      '--payload-monotonic',
      '--throughput',
      String(opts.perSecond),
      '--producer.config',
      opts.configFile,
      '--producer-props',
      `bootstrap.servers=${opts.bootstrap}`,
      'acks=all',
      'enable.idempotence=true',
      'linger.ms=5',
    ],
    { timeoutMs: (opts.seconds + 240) * 1000 },
  );
  const errors = new Tally();
  for (const line of result.stderr.split('\n')) {
    const m = /^([\w.$]+(?:Exception|Error))\b/.exec(line);
    if (m) errors.add(`java producer: ${m[1].split('.').at(-1)}`);
  }
  const summary = result.stdout
    .trim()
    .split('\n')
    .filter((l) => l.includes('records sent'))
    .at(-1);
  // Before the final summary the tool prints per-window counts: only a clean exit's last line is the total.
  const acked = result.code === 0 && summary ? Number(/^(\d+) records sent/.exec(summary)?.[1] ?? NaN) : NaN;
  if (result.code !== 0) errors.add(`java producer: exited ${result.code}`);
  return { acked: Number.isFinite(acked) ? acked : null, errors, exitCode: result.code };
}
