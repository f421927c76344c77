// The hot-path tallies become Prometheus series when scraped: requests by API and version, latency
// histograms in Prometheus's layout, and bytes that keep counting across a connection's close.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import {
  ApiLatencyHistogram,
  LATENCY_BUCKETS,
  TrafficMetrics,
  type ConnectionTraffic,
} from '../../../gateway/observability/traffic-metrics.ts';

const API_NAMES: Partial<Record<number, string>> = { 0: 'Produce', 1: 'Fetch', 3: 'Metadata' };
const apiNameOf = (apiKey: number): string => API_NAMES[apiKey] ?? String(apiKey);

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('requests are counted by API name and version, and keep adding up across scrapes', async () => {
  const registry = new Registry();
  const traffic = new TrafficMetrics(registry, apiNameOf);
  for (let i = 0; i < 3; i++) traffic.countRequest(0, 9);
  traffic.countRequest(3, 12);
  traffic.countRequest(300, 0); // not an API key the gateway could advertise: ignored, never a crash
  let text = await registry.metrics();
  assert.equal(sample(text, 'gatehouse_requests_total{api="Produce",version="9"}'), 3);
  assert.equal(sample(text, 'gatehouse_requests_total{api="Metadata",version="12"}'), 1);
  traffic.countRequest(0, 9);
  text = await registry.metrics();
  assert.equal(sample(text, 'gatehouse_requests_total{api="Produce",version="9"}'), 4);
});

test('the latency histogram has cumulative buckets, +Inf equal to the count, and the sum of observations', async () => {
  const registry = new Registry();
  const h = new ApiLatencyHistogram('gatehouse_test_latency_seconds', 'test', registry, apiNameOf);
  h.observe(1, 0.0002); // second bucket (0.00025)
  h.observe(1, 0.003); // 0.005
  h.observe(1, 60); // beyond the last bound: +Inf only
  h.observe(-1, 1); // not an API key: ignored
  const text = await registry.metrics();
  assert.equal(sample(text, 'gatehouse_test_latency_seconds_bucket{api="Fetch",le="0.0001"}'), 0);
  assert.equal(sample(text, 'gatehouse_test_latency_seconds_bucket{api="Fetch",le="0.00025"}'), 1);
  assert.equal(sample(text, 'gatehouse_test_latency_seconds_bucket{api="Fetch",le="0.005"}'), 2);
  assert.equal(sample(text, `gatehouse_test_latency_seconds_bucket{api="Fetch",le="${LATENCY_BUCKETS.at(-1)}"}`), 2);
  assert.equal(sample(text, 'gatehouse_test_latency_seconds_bucket{api="Fetch",le="+Inf"}'), 3);
  assert.equal(sample(text, 'gatehouse_test_latency_seconds_count{api="Fetch"}'), 3);
  assert.ok(Math.abs(sample(text, 'gatehouse_test_latency_seconds_sum{api="Fetch"}')! - 60.0032) < 1e-9);
  assert.match(text, /# TYPE gatehouse_test_latency_seconds histogram/);
});

test('bytes of a connection count while it is open and stay counted after it closes; in-flight and backend connections are live', async () => {
  const traffic: ConnectionTraffic = {
    clientBytesIn: 100,
    clientBytesOut: 2000,
    backendBytesIn: 1900,
    backendBytesOut: 90,
    inFlight: 2,
    backend: '10.0.0.1:9092',
  };
  const registry = new Registry();
  const metrics = new TrafficMetrics(registry, apiNameOf);
  const untrack = metrics.trackConnection('unit', () => ({ ...traffic }));
  let text = await registry.metrics();
  assert.equal(sample(text, 'gatehouse_bytes_total{listener="unit",direction="client_in"}'), 100);
  assert.equal(sample(text, 'gatehouse_bytes_total{listener="unit",direction="backend_in"}'), 1900);
  assert.equal(sample(text, 'gatehouse_requests_in_flight{listener="unit"}'), 2);
  assert.equal(sample(text, 'gatehouse_upstream_connections{broker="10.0.0.1:9092"}'), 1);
  traffic.clientBytesIn = 150;
  traffic.inFlight = 0;
  untrack();
  untrack(); // twice: counted once
  const other = metrics.trackConnection('unit', () => ({ ...traffic, clientBytesIn: 7, backend: null }));
  text = await registry.metrics();
  assert.equal(sample(text, 'gatehouse_bytes_total{listener="unit",direction="client_in"}'), 157);
  assert.equal(sample(text, 'gatehouse_upstream_connections{broker="10.0.0.1:9092"}'), undefined);
  other();
  text = await registry.metrics();
  assert.equal(sample(text, 'gatehouse_bytes_total{listener="unit",direction="client_in"}'), 157);
  assert.equal(sample(text, 'gatehouse_requests_in_flight{listener="unit"}'), undefined);
});
