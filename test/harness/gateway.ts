import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT } from './paths.ts';
import { freePorts } from './ports.ts';
import { tempDirRemovedAtExit } from './temp-dir.ts';
import { startServerProcess, tail, type ServerProcess } from './processes.ts';

export type GatewayProcess = {
  /** host:port of the gateway's bootstrap listener. */
  bootstrap: string;
  brokerPorts: Map<number, number>;
  adminPort: number;
  configFile: string;
  logFile: string;
  process: ServerProcess;
  /** Log lines parsed as JSON (the gateway logs with pino). */
  logs: () => Array<Record<string, unknown>>;
  /** Waits for a log line matching `predicate` (pino writes asynchronously). */
  waitForLog: (predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number) => Promise<Record<string, unknown>>;
  metrics: () => Promise<string>;
  stop: () => Promise<void>;
};

export function httpGet(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      })
      .on('error', reject);
  });
}

/** The node flags on the launcher's `#!/usr/bin/env -S node …` line: the gateway runs with them in tests too. */
export function launcherNodeFlags(): string[] {
  const first = fs.readFileSync(path.join(REPO_ROOT, 'gateway/gatehouse.mjs'), 'utf8').split('\n', 1)[0];
  const m = /^#!\/usr\/bin\/env -S node(.*)$/.exec(first);
  if (!m) throw new Error(`gateway/gatehouse.mjs: unexpected first line ${JSON.stringify(first)}`);
  return m[1].split(' ').filter(Boolean);
}

/** A plaintext loopback listener in front of `backendBootstrap`, with explicit ports per node id. */
export function gatewayTestConfig(opts: {
  listener: string;
  backendBootstrap: string;
  bootstrapPort: number;
  brokerPorts: Map<number, number>;
}) {
  return {
    backend: { bootstrapServers: opts.backendBootstrap.split(',') },
    // The proxy core's tests run without authorization (a test that wants it overrides this key).
    authorization: { mode: 'off' } as Record<string, unknown>,
    listeners: [
      {
        name: opts.listener,
        bind: `127.0.0.1:${opts.bootstrapPort}`,
        plaintext: true,
        routing: { brokerPorts: Object.fromEntries(opts.brokerPorts) },
      },
    ],
  };
}

/**
 * Runs `gatehouse start` as its own process in front of `backendBootstrap`, with a plaintext
 * listener, explicit ports for node ids 1..maxBrokers, and the admin endpoint; resolves when /readyz says ready.
 */
export async function startGatewayProcess(opts: {
  backendBootstrap: string;
  maxBrokers?: number;
  extraConfig?: Record<string, unknown>;
  /** Extra node flags for the gateway process (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /** Leave out the launcher's own node flags (to measure what they do); default false. */
  withoutLauncherFlags?: boolean;
  /** Listeners to use instead of the plaintext one; `bootstrap` is then the first one's bind address. */
  listeners?: Array<Record<string, unknown> & { bind: string }>;
}): Promise<GatewayProcess> {
  const maxBrokers = opts.maxBrokers ?? 3;
  const dir = tempDirRemovedAtExit('gatehouse-gw-');
  const [bootstrapPort, adminPort, ...brokerList] = await freePorts(2 + maxBrokers);
  const brokerPorts = new Map(brokerList.map((p, i) => [i + 1, p]));
  const config = {
    ...gatewayTestConfig({ listener: 'test', backendBootstrap: opts.backendBootstrap, bootstrapPort, brokerPorts }),
    admin: { bind: `127.0.0.1:${adminPort}` },
    log: { level: 'debug' },
    ...opts.extraConfig,
    ...(opts.listeners && { listeners: opts.listeners }),
  };
  const configFile = path.join(dir, 'gatehouse.yaml');
  fs.writeFileSync(configFile, stringify(config));
  const logFile = path.join(dir, 'gatehouse.log');
  const proc = startServerProcess({
    name: 'gatehouse',
    command: process.execPath,
    args: [
      ...(opts.withoutLauncherFlags ? [] : launcherNodeFlags()),
      ...(opts.nodeArgs ?? []),
      path.join(REPO_ROOT, 'gateway/gatehouse.mjs'),
      'start',
      '-c',
      configFile,
    ],
    logFile,
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await httpGet(adminPort, '/readyz').then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await proc.kill();
      throw new Error(`gateway not ready after 30 s\n${tail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // The gateway may be half-way through writing its last line: only lines that end in a newline count.
  const logs = () =>
    fs
      .readFileSync(logFile, 'utf8')
      .split('\n')
      .slice(0, -1)
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    bootstrap: opts.listeners ? opts.listeners[0].bind : `127.0.0.1:${bootstrapPort}`,
    brokerPorts,
    adminPort,
    configFile,
    logFile,
    process: proc,
    logs,
    waitForLog: async (predicate, timeoutMs = 5_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = logs().find(predicate);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no matching log line within ${timeoutMs} ms\n${tail(logFile)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    metrics: async () => (await httpGet(adminPort, '/metrics')).body,
    stop: async () => {
      await proc.stop(15_000);
    },
  };
}
