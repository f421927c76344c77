// Per-request metrics on the hot path: requests by API and version, and request latency by API. A
// prom-client child costs a label hash and an object per call (measured ~3 % of the gateway's produce
// CPU for one counter); these are plain typed-array bumps, turned into series only when scraped.
// Observability knows no protocol: the gateway names the API keys (apiNameOf).
import { Counter, Gauge, type Metric, type Registry } from 'prom-client';

const MAX_API_KEYS = 256;
const MAX_VERSIONS = 64;

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
    registry: Registry,
    private readonly apiNameOf: (apiKey: number) => string,
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
      const api = this.apiNameOf(apiKey);
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
type ByteDirection = 'client_in' | 'client_out' | 'backend_in' | 'backend_out';

function bytesByDirection(t: ConnectionTraffic): Record<ByteDirection, number> {
  return { client_in: t.clientBytesIn, client_out: t.clientBytesOut, backend_in: t.backendBytesIn, backend_out: t.backendBytesOut };
}

const noBytes = (): Record<ByteDirection, number> => ({ client_in: 0, client_out: 0, backend_in: 0, backend_out: 0 });

/** Requests, latency, bytes, in-flight requests and upstream connections of one gateway. */
export class TrafficMetrics {
  private readonly requestTally = new Float64Array(MAX_API_KEYS * MAX_VERSIONS);
  private readonly liveConnections = new Set<TrackedConnection>();
  /** Bytes of connections already closed, by listener and direction. */
  private readonly closedBytes = new Map<string, Record<ByteDirection, number>>();
  readonly requestDuration: ApiLatencyHistogram;
  readonly upstreamDuration: ApiLatencyHistogram;

  constructor(registry: Registry, apiNameOf: (apiKey: number) => string) {
    const requestTally = this.requestTally;
    const live = this.liveConnections;
    const closed = this.closedBytes;
    new Counter({
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
    this.requestDuration = new ApiLatencyHistogram(
      'gatehouse_request_duration_seconds',
      "Forwarded requests, from the gateway handing the request to the backend connection to writing its answer to the client's socket, by Kafka API (a Fetch waits up to its max wait on the broker).",
      registry,
      apiNameOf,
    );
    this.upstreamDuration = new ApiLatencyHistogram(
      'gatehouse_upstream_duration_seconds',
      "The backend's part of gatehouse_request_duration_seconds: from the request handed to the backend connection to its answer read, by Kafka API.",
      registry,
      apiNameOf,
    );
    new Counter({
      name: 'gatehouse_bytes_total',
      help: 'Bytes through the gateway by listener and direction: client_in/client_out on client connections (TLS records on TLS listeners), backend_in/backend_out on the connections to brokers.',
      labelNames: ['listener', 'direction'] as const,
      registers: [registry],
      collect() {
        const sums = new Map<string, Record<ByteDirection, number>>();
        for (const [listener, totals] of closed) sums.set(listener, { ...totals });
        for (const c of live) {
          const sum = sums.get(c.listener) ?? noBytes();
          const now = bytesByDirection(c.read());
          for (const d of Object.keys(sum) as ByteDirection[]) sum[d] += now[d];
          sums.set(c.listener, sum);
        }
        // Totals are recomputed from the sockets each scrape; they only grow, so the series stays a counter.
        this.reset();
        for (const [listener, sum] of sums)
          for (const d of Object.keys(sum) as ByteDirection[]) this.inc({ listener, direction: d }, sum[d]);
      },
    });
    new Gauge({
      name: 'gatehouse_requests_in_flight',
      help: 'Requests read from clients and not yet answered, by listener.',
      labelNames: ['listener'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const c of live) this.inc({ listener: c.listener }, c.read().inFlight);
      },
    });
    new Gauge({
      name: 'gatehouse_upstream_connections',
      help: 'Open connections from the gateway to each backend broker (one per client connection that has sent a request to forward).',
      labelNames: ['broker'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const c of live) {
          const backend = c.read().backend;
          if (backend !== null) this.inc({ broker: backend });
        }
      },
    });
  }

  /** One request of this API key and version (keys and versions the gateway advertises; others are ignored). */
  countRequest(apiKey: number, apiVersion: number): void {
    if (apiKey >= 0 && apiKey < MAX_API_KEYS && apiVersion >= 0 && apiVersion < MAX_VERSIONS)
      this.requestTally[apiKey * MAX_VERSIONS + apiVersion]++;
  }

  /** Counts a connection's bytes, in-flight requests and backend connection until the returned function is called at its close. */
  trackConnection(listener: string, read: () => ConnectionTraffic): () => void {
    const tracked = { listener, read };
    this.liveConnections.add(tracked);
    return () => {
      if (!this.liveConnections.delete(tracked)) return;
      const totals = this.closedBytes.get(listener) ?? noBytes();
      const final = bytesByDirection(read());
      for (const d of Object.keys(totals) as ByteDirection[]) totals[d] += final[d];
      this.closedBytes.set(listener, totals);
    };
  }
}
