// Produced and fetched records and bytes by topic: counted as plain numbers, exposed when scraped, with
// the topic label capped (client-chosen names must not grow Prometheus without bound).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { TopicMetrics } from '../../../gateway/observability/topic-metrics.ts';

async function series(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric(name)?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.topic), v.value]));
}

test('records and bytes add up per topic and direction, across scrapes', async () => {
  const registry = new Registry();
  const topics = new TopicMetrics(registry);
  topics.produced('orders', 3, 300);
  topics.produced('orders', 2, 200);
  topics.fetched('orders', 5, 480);
  topics.produced('payments', 1, 90);
  assert.deepEqual(await series(registry, 'gatehouse_produced_records_total'), { orders: 5, payments: 1 });
  assert.deepEqual(await series(registry, 'gatehouse_produced_bytes_total'), { orders: 500, payments: 90 });
  assert.deepEqual(await series(registry, 'gatehouse_fetched_records_total'), { orders: 5 });
  assert.deepEqual(await series(registry, 'gatehouse_fetched_bytes_total'), { orders: 480 });
  topics.produced('orders', 1, 10);
  assert.deepEqual(await series(registry, 'gatehouse_produced_records_total'), { orders: 6, payments: 1 }, 'a counter keeps growing');
  assert.deepEqual(await series(registry, 'gatehouse_produced_bytes_total'), { orders: 510, payments: 90 });
});

test('past the cap, new topics count as other; topics already named keep their series', async () => {
  const registry = new Registry();
  const topics = new TopicMetrics(registry);
  topics.setMaxTopicLabels(2);
  topics.produced('a', 1, 1);
  topics.fetched('b', 1, 1);
  for (let i = 0; i < 50; i++) topics.produced(`client-made-${i}`, 1, 10);
  topics.produced('a', 1, 1);
  topics.produced('b', 2, 2);
  assert.deepEqual(await series(registry, 'gatehouse_produced_records_total'), { a: 2, b: 2, other: 50 });
  assert.deepEqual(await series(registry, 'gatehouse_produced_bytes_total'), { a: 2, b: 2, other: 500 });
  assert.deepEqual(await series(registry, 'gatehouse_fetched_records_total'), { b: 1 });
});
