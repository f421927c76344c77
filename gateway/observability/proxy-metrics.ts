// Metrics of the data path: connections and why they closed, requests by API, bytes moved.
// Labels are bounded: listener names come from the config, APIs from Kafka's fixed key set.
import { Counter, Gauge } from 'prom-client';
import { registry } from './metrics.ts';

export const connectionsActive = new Gauge({
  name: 'gatehouse_connections_active',
  help: 'Client connections currently open, by listener.',
  labelNames: ['listener'] as const,
  registers: [registry],
});

export const connectionsTotal = new Counter({
  name: 'gatehouse_connections_total',
  help: 'Client connections accepted, by listener.',
  labelNames: ['listener'] as const,
  registers: [registry],
});

export const connectionClosesTotal = new Counter({
  name: 'gatehouse_connection_closes_total',
  help: 'Client connections closed, by listener and reason (malformed-frame, frame-too-large, unsupported-api… are refusals).',
  labelNames: ['listener', 'reason'] as const,
  registers: [registry],
});

export const backendReady = new Gauge({
  name: 'gatehouse_backend_ready',
  help: '1 once the backend answered the gateway\'s ApiVersions and Metadata probe.',
  registers: [registry],
});

export const brokersKnown = new Gauge({
  name: 'gatehouse_backend_brokers',
  help: 'Backend brokers the gateway routes to (learned from Metadata).',
  registers: [registry],
});
