import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './run.ts';
import { startServerProcess, tail, type ServerProcess } from './processes.ts';
import { waitForPort } from './ports.ts';

/** One TCP frontend of the balancer and the server it forwards to (both host:port). */
export type HaproxyRoute = { bind: string; server: string };

export type Haproxy = {
  configFile: string;
  logFile: string;
  process: ServerProcess;
  stop: () => Promise<void>;
};

export type StartHaproxyOptions = {
  routes: HaproxyRoute[];
  /** The PROXY protocol version sent to the servers: `send-proxy` (v1) or `send-proxy-v2`. */
  proxyProtocol: 'v1' | 'v2';
  /** The address haproxy connects to the servers from (what the server sees as the balancer). */
  source?: string;
  /**
   * Health checks of the first route's server every `intervalMs`, carrying a PROXY header (haproxy's
   * `check-send-proxy`), from a backend of their own that no frontend uses: each check waits for an
   * answer that never comes, so the server reads the header before haproxy drops the connection (a plain
   * connect check resets it at once, often before a loaded server has read a byte), and the server
   * refusing it marks down only that backend.
   */
  healthCheck?: { intervalMs: number };
};

const split = (hostPort: string) => {
  const at = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)) };
};

/** The configuration: TCP mode, one frontend and one backend per route. */
export function haproxyConfig(opts: StartHaproxyOptions): string {
  const send = opts.proxyProtocol === 'v1' ? 'send-proxy' : 'send-proxy-v2';
  const source = opts.source ? ` source ${opts.source}` : '';
  const lines = [
    'global',
    '  maxconn 1024',
    'defaults',
    '  mode tcp',
    '  timeout connect 5s',
    '  timeout client 120s',
    '  timeout server 120s',
  ];
  opts.routes.forEach((route, i) => {
    lines.push(`frontend f${i}`, `  bind ${route.bind}`, `  default_backend b${i}`);
    lines.push(`backend b${i}`, `  server s${i} ${route.server} ${send}${source}`);
  });
  if (opts.healthCheck) {
    lines.push(
      'backend health',
      '  option tcp-check',
      '  tcp-check expect string never-sent',
      `  timeout check ${opts.healthCheck.intervalMs * 3}`,
      `  server chk ${opts.routes[0].server} ${send}${source} check inter ${opts.healthCheck.intervalMs} check-send-proxy`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Runs Debian's haproxy in the foreground on the given loopback frontends; resolves once they accept. */
export async function startHaproxy(opts: StartHaproxyOptions): Promise<Haproxy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-haproxy-'));
  const configFile = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(configFile, haproxyConfig(opts));
  const checked = await run('haproxy', ['-c', '-f', configFile], { timeoutMs: 10_000 });
  if (checked.code !== 0) throw new Error(`haproxy refuses its configuration:\n${checked.stdout}${checked.stderr}`);
  const logFile = path.join(dir, 'haproxy.log');
  const proc = startServerProcess({ name: 'haproxy', command: 'haproxy', args: ['-db', '-f', configFile], logFile });
  try {
    // The frontends accept once bound (a probe connection is forwarded too, as any client's would be).
    for (const route of opts.routes) await waitForPort(split(route.bind).port, split(route.bind).host, 10_000);
  } catch (err) {
    await proc.kill();
    throw new Error(`haproxy did not start: ${(err as Error).message}\n${tail(logFile)}`, { cause: err });
  }
  return {
    configFile,
    logFile,
    process: proc,
    stop: async () => {
      await proc.stop(5_000);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
