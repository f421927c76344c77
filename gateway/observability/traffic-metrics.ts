// Per-request metrics on the hot path: requests by API and version, and request latency by API. A
// prom-client child costs a label hash and an object per call (measured ~3 % of the gateway's produce
// CPU for one counter); these are plain typed-array bumps, turned into series only when scraped.
// Observability knows no protocol: the session layer names the API keys (nameApis).
import { Counter, Gauge, type Metric } from 'prom-client';
import { registry } from './metrics.ts';

const MAX_API_KEYS = 256;
const MAX_VERSIONS = 64;

let apiNameOf: (apiKey: number) => string = (apiKey) => String(apiKey);

/** How API keys are labelled (Kafka's names, e.g. Produce); set once by the session layer. */
export function nameApis(nameOf: (apiKey: number) => string): void {
  apiNameOf = nameOf;
}

const requestTally = new Float64Array(MAX_API_KEYS * MAX_VERSIONS);

export const requestsTotal = new Counter({
  name: 'gatehouse_requests_total',
  help: 'Client requests accepted for handling (advertised API and version), by Kafka API and version.',
  labelNames: ['api', 'version'] as const,
  registers: [registry],
  collect() {
    for (let i = 0; i < requestTally.length; i++) {
      const n = requestTally[i];
      if (n === 0) continue;
      requestTally[i] = 0;
      this.inc({ api: apiNameOf(Math.floor(i / MAX_VERSIONS)), version: String(i % MAX_VERSIONS) }, n);
    }
  },
});

/** One request of this API key and version (keys and versions the gateway advertises; others are ignored). */
export function countRequest(apiKey: number, apiVersion: number): void {
  if (apiKey >= 0 && apiKey < MAX_API_KEYS && apiVersion >= 0 && apiVersion < MAX_VERSIONS)
    requestTally[apiKey * MAX_VERSIONS + apiVersion]++;
}

/** Bucket bounds in seconds: from a loopback round trip (~100 µs) to a long-poll Fetch (its max wait, 500 ms default, and beyond). */
export const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type HistogramSample = { metricName: string; labels: Record<string, string | number>; value: number };

/**
 * A histogram by API key kept as counts per bucket (no allocation per observation), exposed in
 * Prometheus's histogram layout (`_bucket{le}`, `_sum`, `_count`) when scraped.
 */
export class ApiLatencyHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly labelNames = ['api'] as const;
  /** Per API key: one count per bucket, then +Inf, then the sum of the observations. */
  private readonly tallies: Array<Float64Array | undefined> = new Array<Float64Array | undefined>(MAX_API_KEYS);

  constructor(
    readonly name: string,
    readonly help: string,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  observe(apiKey: number, seconds: number): void {
    if (apiKey < 0 || apiKey >= MAX_API_KEYS) return;
    const tally = (this.tallies[apiKey] ??= new Float64Array(LATENCY_BUCKETS.length + 2));
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]) i++;
    tally[i]++;
    tally[LATENCY_BUCKETS.length + 1] += seconds;
  }

  /** What the registry formats (prom-client's metric interface). */
  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: HistogramSample[] }> {
    const values: HistogramSample[] = [];
    this.tallies.forEach((tally, apiKey) => {
      if (tally === undefined) return;
      const api = apiNameOf(apiKey);
      let cumulative = 0;
      for (let i = 0; i <= LATENCY_BUCKETS.length; i++) {
        cumulative += tally[i];
        const le = i < LATENCY_BUCKETS.length ? LATENCY_BUCKETS[i] : '+Inf';
        values.push({ metricName: `${this.name}_bucket`, labels: { api, le }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: { api }, value: tally[LATENCY_BUCKETS.length + 1] });
      values.push({ metricName: `${this.name}_count`, labels: { api }, value: cumulative });
    });
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    this.tallies.fill(undefined);
  }
}

export const requestDuration = new ApiLatencyHistogram(
  'gatehouse_request_duration_seconds',
  "Forwarded requests, from the gateway handing the request to the backend connection to writing its answer to the client's socket, by Kafka API (a Fetch waits up to its max wait on the broker).",
);

export const upstreamDuration = new ApiLatencyHistogram(
  'gatehouse_upstream_duration_seconds',
  "The backend's part of gatehouse_request_duration_seconds: from the request handed to the backend connection to its answer read, by Kafka API.",
);

/** What one client connection has moved so far, read when scraped (sockets count their own bytes). */
export type ConnectionTraffic = {
  clientBytesIn: number;
  clientBytesOut: number;
  backendBytesIn: number;
  backendBytesOut: number;
  /** Requests read from the client and not yet answered. */
  inFlight: number;
  /** The backend broker's address while its connection is open, else null. */
  backend: string | null;
};

type TrackedConnection = { listener: string; read: () => ConnectionTraffic };
const liveConnections = new Set<TrackedConnection>();
/** Bytes of connections already closed, by listener and direction. */
const closedBytes = new Map<string, Record<ByteDirection, number>>();
type ByteDirection = 'client_in' | 'client_out' | 'backend_in' | 'backend_out';

function bytesByDirection(t: ConnectionTraffic): Record<ByteDirection, number> {
  return { client_in: t.clientBytesIn, client_out: t.clientBytesOut, backend_in: t.backendBytesIn, backend_out: t.backendBytesOut };
}

/** Counts a connection's bytes, in-flight requests and backend connection until the returned function is called at its close. */
export function trackConnection(listener: string, read: () => ConnectionTraffic): () => void {
  const tracked = { listener, read };
  liveConnections.add(tracked);
  return () => {
    if (!liveConnections.delete(tracked)) return;
    const totals = closedBytes.get(listener) ?? { client_in: 0, client_out: 0, backend_in: 0, backend_out: 0 };
    const final = bytesByDirection(read());
    for (const d of Object.keys(totals) as ByteDirection[]) totals[d] += final[d];
    closedBytes.set(listener, totals);
  };
}

export const bytesTotal = new Counter({
  name: 'gatehouse_bytes_total',
  help: 'Bytes through the gateway by listener and direction: client_in/client_out on client connections (TLS records on TLS listeners), backend_in/backend_out on the connections to brokers.',
  labelNames: ['listener', 'direction'] as const,
  registers: [registry],
  collect() {
    const sums = new Map<string, Record<ByteDirection, number>>();
    for (const [listener, totals] of closedBytes) sums.set(listener, { ...totals });
    for (const c of liveConnections) {
      const sum = sums.get(c.listener) ?? { client_in: 0, client_out: 0, backend_in: 0, backend_out: 0 };
      const now = bytesByDirection(c.read());
      for (const d of Object.keys(sum) as ByteDirection[]) sum[d] += now[d];
      sums.set(c.listener, sum);
    }
    // Totals are recomputed from the sockets each scrape; they only grow, so the series stays a counter.
    this.reset();
    for (const [listener, sum] of sums) for (const d of Object.keys(sum) as ByteDirection[]) this.inc({ listener, direction: d }, sum[d]);
  },
});

export const requestsInFlight = new Gauge({
  name: 'gatehouse_requests_in_flight',
  help: 'Requests read from clients and not yet answered, by listener.',
  labelNames: ['listener'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const c of liveConnections) this.inc({ listener: c.listener }, c.read().inFlight);
  },
});

export const upstreamConnections = new Gauge({
  name: 'gatehouse_upstream_connections',
  help: 'Open connections from the gateway to each backend broker (one per client connection that has sent a request to forward).',
  labelNames: ['broker'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const c of liveConnections) {
      const backend = c.read().backend;
      if (backend !== null) this.inc({ broker: backend });
    }
  },
});
