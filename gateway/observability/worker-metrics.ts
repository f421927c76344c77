// Series only the primary process has when the gateway runs workers (`workers: N`): how many are
// running and how often one had to be replaced. Served next to the workers' aggregated metrics.
import { Counter, Gauge, Registry } from 'prom-client';

export function createWorkerMetrics() {
  const registry = new Registry();
  return {
    registry,
    workersRunning: new Gauge({
      name: 'gatehouse_workers',
      help: 'Worker processes running (with workers: N in the configuration; absent with one process).',
      registers: [registry],
    }),
    workerRestartsTotal: new Counter({
      name: 'gatehouse_worker_restarts_total',
      help: 'Workers that exited unexpectedly and were replaced (with workers: N).',
      registers: [registry],
    }),
  };
}
