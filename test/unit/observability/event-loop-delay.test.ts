// The event-loop delay series: prom-client's names, sampled every 100 ms by the gateway's own sampler,
// values beyond the schedule (a real histogram and a real stall of the loop, no stand-ins).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_LOOP_DELAY_SERIES, EVENT_LOOP_SAMPLE_MS } from '../../../gateway/observability/event-loop-delay.ts';
import { GatewayMetrics } from '../../../gateway/observability/gateway-metrics.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const value = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

test('each delay series is registered once, under prom-client’s name, with the schedule in its help', async () => {
  const metrics = new GatewayMetrics({ processMetrics: true });
  const text = await metrics.text();
  for (const name of [...EVENT_LOOP_DELAY_SERIES, 'nodejs_eventloop_lag_seconds']) {
    assert.equal(text.match(new RegExp(`^# TYPE ${name} gauge$`, 'gm'))?.length, 1, name);
  }
  assert.match(text, new RegExp(`^# HELP nodejs_eventloop_lag_p99_seconds .*beyond its ${EVENT_LOOP_SAMPLE_MS} ms sampling schedule`, 'm'));
});

test('a stall of the loop shows as its length beyond the schedule; samples of an idle loop read close to 0', async () => {
  const metrics = new GatewayMetrics({ processMetrics: true });
  await metrics.text(); // starts the window
  await sleep(5 * EVENT_LOOP_SAMPLE_MS);
  const stallMs = 3 * EVENT_LOOP_SAMPLE_MS;
  const start = Date.now();
  while (Date.now() - start < stallMs); // blocks the loop: the sample due meanwhile fires this late
  await sleep(2 * EVENT_LOOP_SAMPLE_MS);
  const text = await metrics.text();
  const max = value(text, 'nodejs_eventloop_lag_max_seconds');
  // The sample due during the stall waited for the rest of it: at least 2 of the 3 intervals.
  assert.ok(max >= (2 * EVENT_LOOP_SAMPLE_MS) / 1000 && max <= 1, `max ${max}`);
  // Without the subtraction every sample would read at least the 0.1 s interval itself.
  assert.ok(value(text, 'nodejs_eventloop_lag_min_seconds') < EVENT_LOOP_SAMPLE_MS / 1000 / 2, text);
});
