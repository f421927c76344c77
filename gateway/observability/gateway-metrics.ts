// One gateway's metrics: its own prom-client Registry (prom-client's global default registry stays
// empty) with the data path's, the traffic's and authorization's series. Each gateway instance, test
// and worker has its own; consumers get narrow views of it, never a module-level global.
import { collectDefaultMetrics, Registry } from 'prom-client';
import { AuthzMetrics } from './authz-metrics.ts';
import { PROM_CLIENT_SAMPLER_OFF_MS, registerEventLoopDelay } from './event-loop-delay.ts';
import { createProxyMetrics, type ProxyMetrics } from './proxy-metrics.ts';
import { TopicMetrics } from './topic-metrics.ts';
import { TrafficMetrics } from './traffic-metrics.ts';

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export type GatewayMetricsOptions = {
  /**
   * The process's own series (CPU seconds, resident memory, open fds, heap, event-loop lag, GC),
   * unprefixed as every Node exporter names them. One per process: the gateway a process serves.
   */
  processMetrics?: boolean;
};

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly proxy: ProxyMetrics;
  readonly traffic: TrafficMetrics;
  readonly topics: TopicMetrics;
  readonly authz: AuthzMetrics;
  /** How API keys are labelled (Kafka's names); set by the gateway, which knows the protocol. */
  private apiNameOf: (apiKey: number) => string = (apiKey) => String(apiKey);

  constructor(options: GatewayMetricsOptions = {}) {
    if (options.processMetrics) {
      // prom-client's event-loop delay sampler stays off; ours samples every 100 ms (event-loop-delay.ts).
      collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: PROM_CLIENT_SAMPLER_OFF_MS });
      registerEventLoopDelay(this.registry);
    }
    this.proxy = createProxyMetrics(this.registry);
    this.traffic = new TrafficMetrics(this.registry, (apiKey) => this.apiNameOf(apiKey));
    this.topics = new TopicMetrics(this.registry);
    this.authz = new AuthzMetrics(this.registry);
  }

  nameApis(nameOf: (apiKey: number) => string): void {
    this.apiNameOf = nameOf;
  }

  /** The Prometheus text exposition of every series. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
