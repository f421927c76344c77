// `workers: N`: the primary process forks N workers that each run the gateway on the same ports (Node's
// cluster module accepts in the primary and hands each connection to a worker, round robin). The primary
// serves the admin endpoint: the workers' metrics aggregated into one scrape, readiness only when every
// running worker is ready, their status side by side. It passes SIGHUP on, stops them on SIGTERM, and
// replaces a worker that dies.
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { GatewayConfig } from '../config/schema.ts';
import { readAdminSecurity, startAdminServer, type AdminServer } from '../observability/admin-http.ts';
import type { Logger } from '../observability/logger.ts';
import { createWorkerMetrics } from '../observability/worker-metrics.ts';
import type { GatewayStatus, RunningGateway } from '../session/gateway.ts';
import { WORKER_SLOT_ENV } from '../session/observation-store.ts';

type WorkerMessage =
  | { type: 'gatehouse:started' }
  | { type: 'gatehouse:status'; id: number; status: GatewayStatus }
  | { type: 'gatehouse:metrics'; id: number; metrics: object[] };
type PrimaryMessage = { type: 'gatehouse:status-request' | 'gatehouse:metrics-request'; id: number };

/** How long the primary waits for a worker's answer before reporting it as not answering. */
const WORKER_ANSWER_TIMEOUT_MS = 3_000;
/** Pause before replacing a worker that died, so a worker that cannot run does not spin the machine. */
const RESTART_DELAY_MS = 1_000;

function isMessage<T extends { type: string }>(m: unknown, type: T['type']): m is T {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;
}

/** In a worker, once its gateway runs: tells the primary, and answers its status and metrics requests. */
export function serveWorker(gateway: RunningGateway): void {
  process.on('message', (m: unknown) => {
    if (isMessage<PrimaryMessage>(m, 'gatehouse:status-request')) {
      process.send?.({ type: 'gatehouse:status', id: m.id, status: gateway.status() } satisfies WorkerMessage);
    } else if (isMessage<PrimaryMessage>(m, 'gatehouse:metrics-request')) {
      void gateway.metrics.registry
        .getMetricsAsJSON()
        .then((metrics) => process.send?.({ type: 'gatehouse:metrics', id: m.id, metrics } satisfies WorkerMessage));
    }
  });
  process.send?.({ type: 'gatehouse:started' } satisfies WorkerMessage);
}

/** In the primary: runs the workers until SIGTERM/SIGINT; the exit code (a worker that cannot start stops everything). */
export async function runPrimary(config: GatewayConfig, logger: Logger, version: string): Promise<number> {
  const { registry: primaryRegistry, workersRunning, workerRestartsTotal } = createWorkerMetrics();
  const started = new Set<Worker>();
  const answers = new Map<number, (m: WorkerMessage) => void>();
  let nextId = 0;
  let stopping = false;
  let admin: AdminServer | null = null;
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));

  cluster.on('message', (_worker, m: unknown) => {
    if (
      isMessage<Extract<WorkerMessage, { id: number }>>(m, 'gatehouse:status') ||
      isMessage<Extract<WorkerMessage, { id: number }>>(m, 'gatehouse:metrics')
    )
      answers.get(m.id)?.(m);
  });

  const ask = <T extends WorkerMessage>(worker: Worker, type: PrimaryMessage['type']): Promise<T | null> =>
    new Promise((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        answers.delete(id);
        resolve(null);
      }, WORKER_ANSWER_TIMEOUT_MS);
      answers.set(id, (m) => {
        clearTimeout(timer);
        answers.delete(id);
        resolve(m as T);
      });
      worker.send({ type, id } satisfies PrimaryMessage);
    });

  const running = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  const updateRunning = () => workersRunning.set(running().length);

  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const workers = running();
    const exited = Promise.all(workers.map((w) => new Promise((r) => (w.isDead() ? r(null) : w.once('exit', r)))));
    for (const w of workers) w.process.kill('SIGTERM');
    const killer = setTimeout(() => {
      for (const w of running()) w.process.kill('SIGKILL');
    }, config.limits.shutdownDrainMs + 10_000);
    await exited;
    clearTimeout(killer);
    await admin?.close();
    logger.info({ event: 'stopped', workers: workers.length }, 'every worker stopped');
    finish(code);
  };

  // A replacement takes the slot of the worker it replaces: per-worker files (observations) keep their names.
  const fork = (slot: number) => {
    const worker = cluster.fork({ [WORKER_SLOT_ENV]: String(slot) });
    updateRunning();
    worker.on('message', (m: unknown) => {
      if (!isMessage<WorkerMessage>(m, 'gatehouse:started')) return;
      started.add(worker);
      logger.info({ event: 'worker_started', pid: worker.process.pid }, 'worker serving');
    });
    worker.on('exit', (code, signal) => {
      const wasStarted = started.delete(worker);
      updateRunning();
      if (stopping) return;
      if (!wasStarted) {
        // It could not start (a certificate that will not load…): the others cannot either; say so and stop.
        logger.fatal({ event: 'worker_start_failed', pid: worker.process.pid, code, signal }, 'a worker could not start; stopping');
        void stopAll(code ?? 1);
        return;
      }
      workerRestartsTotal.inc();
      logger.error({ event: 'worker_exited', pid: worker.process.pid, code, signal }, 'a worker exited; starting another');
      setTimeout(() => {
        if (!stopping) fork(slot);
      }, RESTART_DELAY_MS);
    });
  };

  for (let i = 0; i < config.workers; i++) fork(i);

  const statuses = async () =>
    Promise.all(
      running().map(async (w) => ({
        pid: w.process.pid,
        status: (await ask<Extract<WorkerMessage, { type: 'gatehouse:status' }>>(w, 'gatehouse:status-request'))?.status ?? null,
      })),
    );
  /** What keeps the gateway from serving, from the workers' answers (one round of questions per request). */
  const unmetOf = (all: Awaited<ReturnType<typeof statuses>>): string[] => {
    if (all.length === 0) return ['workers: none running'];
    return all.flatMap(({ pid, status }) =>
      status === null ? [`worker ${pid}: not serving yet or not answering`] : status.unmetReadiness.map((u) => `worker ${pid}: ${u}`),
    );
  };
  const unmetReadiness = async (): Promise<string[]> => unmetOf(await statuses());
  const metrics = async (): Promise<string> => {
    const answered = await Promise.all(
      [...started].map((w) => ask<Extract<WorkerMessage, { type: 'gatehouse:metrics' }>>(w, 'gatehouse:metrics-request')),
    );
    const perWorker = answered.filter((a) => a !== null).map((a) => a.metrics);
    // Counters and histograms add up; gauges say how each aggregates (see their definitions).
    const aggregated = await AggregatorRegistry.aggregate(perWorker).metrics();
    return `${aggregated}\n${await primaryRegistry.metrics()}`;
  };

  if (config.admin.bind) {
    admin = await startAdminServer(
      config.admin.bind,
      {
        unmetReadiness,
        status: async () => {
          const workers = await statuses();
          const unmet = unmetOf(workers);
          return {
            version,
            primaryPid: process.pid,
            workersConfigured: config.workers,
            ready: unmet.length === 0,
            unmetReadiness: unmet,
            workers,
          };
        },
        metrics,
      },
      readAdminSecurity(config.admin),
    );
    logger.info({ event: 'listener_bound', listener: 'admin', address: `${config.admin.bind.host}:${admin.port}` }, 'admin endpoint bound');
  }

  process.once('SIGTERM', () => void stopAll(0));
  process.once('SIGINT', () => void stopAll(0));
  process.on('SIGHUP', () => {
    logger.info({ event: 'signal', signal: 'SIGHUP', workers: running().length }, 'signal received: passed on to every worker');
    for (const w of running()) w.process.kill('SIGHUP');
  });
  logger.info({ event: 'started', config: config.source, workers: config.workers }, 'gatehouse primary started');
  return finished;
}
