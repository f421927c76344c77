// A real Prometheus server (Debian's `prometheus`) on loopback, scraping the targets a test names,
// queried through its HTTP API as an SRE's dashboard or alert would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { httpGet } from './gateway.ts';
import { freePort } from './ports.ts';
import { startServerProcess, tail } from './processes.ts';

export type PrometheusServer = {
  port: number;
  /** An instant query's samples: labels and value. */
  query: (promql: string) => Promise<Array<{ metric: Record<string, string>; value: number }>>;
  /** Polls `query` until `accept` holds for its samples or `timeoutMs` passes (then throws with the last answer). */
  waitFor: (
    promql: string,
    accept: (samples: Array<{ metric: Record<string, string>; value: number }>) => boolean,
    timeoutMs?: number,
  ) => Promise<Array<{ metric: Record<string, string>; value: number }>>;
  /** The scrape targets' health as Prometheus sees it. */
  targets: () => Promise<Array<{ scrapeUrl: string; health: string; lastError: string }>>;
  stop: () => Promise<void>;
};

type QueryAnswer = { status: string; error?: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };

export async function startPrometheus(opts: { targets: string[]; scrapeIntervalSeconds?: number }): Promise<PrometheusServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-prometheus-'));
  const interval = `${opts.scrapeIntervalSeconds ?? 1}s`;
  const configFile = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(
    configFile,
    stringify({
      global: { scrape_interval: interval, evaluation_interval: interval },
      scrape_configs: [{ job_name: 'gatehouse', static_configs: [{ targets: opts.targets }] }],
    }),
  );
  const port = await freePort();
  const logFile = path.join(dir, 'prometheus.log');
  const proc = startServerProcess({
    name: 'prometheus',
    command: 'prometheus',
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    logFile,
  });
  const deadline = Date.now() + 30_000;
  while ((await httpGet(port, '/-/ready').catch(() => ({ status: 0 }))).status !== 200) {
    if (Date.now() > deadline) {
      await proc.kill();
      throw new Error(`prometheus not ready after 30 s\n${tail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const query: PrometheusServer['query'] = async (promql) => {
    const r = await httpGet(port, `/api/v1/query?query=${encodeURIComponent(promql)}`);
    const answer = JSON.parse(r.body) as QueryAnswer;
    if (answer.status !== 'success') throw new Error(`prometheus refused ${promql}: ${answer.error ?? r.body}`);
    return answer.data.result.map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
  };
  return {
    port,
    query,
    waitFor: async (promql, accept, timeoutMs = 20_000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const samples = await query(promql);
        if (accept(samples)) return samples;
        if (Date.now() > until)
          throw new Error(`${promql}: not as expected within ${timeoutMs} ms; last answer ${JSON.stringify(samples)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    targets: async () => {
      const r = await httpGet(port, '/api/v1/targets');
      const body = JSON.parse(r.body) as { data: { activeTargets: Array<{ scrapeUrl: string; health: string; lastError: string }> } };
      return body.data.activeTargets.map(({ scrapeUrl, health, lastError }) => ({ scrapeUrl, health, lastError }));
    },
    stop: async () => {
      await proc.stop(10_000);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
