// Series only the primary process has when the gateway runs workers (`workers: N`): how many are
// running and how often one had to be replaced. Served next to the workers' aggregated metrics.
import { Counter, Gauge, Registry } from 'prom-client';

export const primaryRegistry = new Registry();

export const workersRunning = new Gauge({
  name: 'gatehouse_workers',
  help: 'Worker processes running (with workers: N in the configuration; absent with one process).',
  registers: [primaryRegistry],
});

export const workerRestartsTotal = new Counter({
  name: 'gatehouse_worker_restarts_total',
  help: 'Workers that exited unexpectedly and were replaced (with workers: N).',
  registers: [primaryRegistry],
});
