// The event-loop delay series (`nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds`), sampled
// every 100 ms instead of prom-client's 10 ms. Every sample is a timer that wakes the process: at 10 ms
// that was 100 wake-ups a second, about 6 ms of CPU a second on a virtual machine (a C program sleeping
// 10 ms at a time costs the same there), most of an idle gateway's CPU and about a tenth of its CPU
// under paced produce traffic (authz-bench). A sample records how late its timer fired beyond the
// 100 ms schedule, so a healthy loop reads close to 0 (prom-client's series include the sampling interval
// itself: 10 ms when idle). A stall is seen when it overlaps a sample: always from 100 ms, with
// probability length ÷ 100 ms below that. `nodejs_eventloop_lag_seconds` stays prom-client's own
// (measured at each scrape, no timer).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

export const EVENT_LOOP_SAMPLE_MS = 100;

/** prom-client's sampling interval when ours replaces its series: far enough that its timer never fires. */
export const PROM_CLIENT_SAMPLER_OFF_MS = 2 ** 31 - 1;

type Histogram = ReturnType<typeof monitorEventLoopDelay>;
type Series = {
  readonly suffix: string;
  readonly help: string;
  readonly aggregator: 'min' | 'max' | 'average';
  /** The value in seconds, from the histogram's nanoseconds. */
  readonly read: (h: Histogram) => number;
};

const SCHEDULE_NS = EVENT_LOOP_SAMPLE_MS * 1e6;
const beyondSchedule = (ns: number) => Math.max(0, ns - SCHEDULE_NS) / 1e9;

const SERIES: readonly Series[] = [
  {
    suffix: 'min',
    help: 'The smallest event-loop delay sampled since the last scrape',
    aggregator: 'min',
    read: (h) => beyondSchedule(h.min),
  },
  {
    suffix: 'max',
    help: 'The largest event-loop delay sampled since the last scrape',
    aggregator: 'max',
    read: (h) => beyondSchedule(h.max),
  },
  {
    suffix: 'mean',
    help: 'The mean event-loop delay sampled since the last scrape',
    aggregator: 'average',
    read: (h) => beyondSchedule(h.mean),
  },
  {
    suffix: 'stddev',
    help: 'The standard deviation of the event-loop delays sampled since the last scrape',
    aggregator: 'average',
    read: (h) => h.stddev / 1e9,
  },
  {
    suffix: 'p50',
    help: 'The median event-loop delay sampled since the last scrape',
    aggregator: 'average',
    read: (h) => beyondSchedule(h.percentile(50)),
  },
  {
    suffix: 'p90',
    help: 'The 90th percentile of the event-loop delays sampled since the last scrape',
    aggregator: 'average',
    read: (h) => beyondSchedule(h.percentile(90)),
  },
  {
    suffix: 'p99',
    help: 'The 99th percentile of the event-loop delays sampled since the last scrape',
    aggregator: 'average',
    read: (h) => beyondSchedule(h.percentile(99)),
  },
];

export const EVENT_LOOP_DELAY_SERIES: readonly string[] = SERIES.map((s) => `nodejs_eventloop_lag_${s.suffix}_seconds`);

/**
 * Registers the delay series in `registry`, replacing prom-client's (call after collectDefaultMetrics with
 * PROM_CLIENT_SAMPLER_OFF_MS). Values are seconds beyond the schedule; a scrape with no sample since the
 * last one (two scrapes within 100 ms) leaves the values as they were.
 */
export function registerEventLoopDelay(registry: Registry): void {
  const histogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_SAMPLE_MS });
  histogram.enable();
  const gauges: Gauge[] = [];
  const collect = () => {
    if (histogram.count === 0) return;
    SERIES.forEach((s, i) => gauges[i].set(s.read(histogram)));
    histogram.reset();
  };
  SERIES.forEach((s, i) => {
    const name = `nodejs_eventloop_lag_${s.suffix}_seconds`;
    registry.removeSingleMetric(name);
    const help = `${s.help}, in seconds beyond its ${EVENT_LOOP_SAMPLE_MS} ms sampling schedule.`;
    // The first series' collect sets them all (the registry collects in registration order).
    gauges.push(new Gauge({ name, help, registers: [registry], aggregator: s.aggregator, ...(i === 0 && { collect }) }));
  });
}
