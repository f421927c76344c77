// How the suites decide that messages made it: what a consumer received, checked against what was sent.
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';

export type Received = { partition: number; value: string };

/**
 * Checks that every sent value arrived exactly once and that, within each partition, values
 * arrived in the order they were sent (the sequence number in the value never goes back).
 */
export function assertExactlyOnceInOrder(sent: string[], received: Received[], what: string): void {
  const counts = new Map<string, number>();
  for (const r of received) counts.set(r.value, (counts.get(r.value) ?? 0) + 1);
  const missing = sent.filter((v) => !counts.has(v));
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([v]) => v);
  const unexpected = [...counts.keys()].filter((v) => !sent.includes(v));
  assert.deepEqual({ missing, duplicated, unexpected }, { missing: [], duplicated: [], unexpected: [] }, what);
  const order = new Map(sent.map((v, i) => [v, i]));
  const lastByPartition = new Map<number, number>();
  for (const r of received) {
    const index = order.get(r.value)!;
    const last = lastByPartition.get(r.partition) ?? -1;
    assert.ok(index > last, `${what}: partition ${r.partition} delivered ${r.value} after a later message`);
    lastByPartition.set(r.partition, index);
  }
}

/** Parses the Java console consumer's `Partition:N<TAB>…<TAB>value` lines (print.partition=true). */
export function parseConsoleConsumer(stdout: string): Received[] {
  return stdout
    .split('\n')
    .filter((l) => l.includes('Partition:'))
    .map((l) => ({ partition: Number(/Partition:(\d+)/.exec(l)![1]), value: l.split('\t').at(-1)!.trim() }));
}

/** Consumes `expected` messages from the beginning in a kafkajs consumer group, then lingers briefly so a duplicate would show. */
export async function consumeWithKafkajs(kafka: Kafka, topic: string, groupId: string, expected: number): Promise<Received[]> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const received: Received[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kafkajs consumer got ${received.length}/${expected} messages`)), 60_000);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          received.push({ partition, value: message.value!.toString() });
          if (received.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await consumer.disconnect();
  }
  return received;
}
