// The admin endpoint: /metrics for Prometheus, /healthz (the process is up), /readyz (the gateway
// can serve: listeners bound, policy loaded, backend reachable), /status (what an operator asks
// first, as JSON). Bound to loopback by default in the example config.
import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { METRICS_CONTENT_TYPE } from './gateway-metrics.ts';

export type AdminServer = { port: number; close: () => Promise<void> };

export type AdminProbes = {
  /** What keeps the gateway from serving, one line each; empty when it is ready. */
  unmetReadiness: () => string[] | Promise<string[]>;
  /** A JSON-serialisable snapshot of the gateway (version, listeners, policy, brokers). */
  status: () => object | Promise<object>;
  /** The Prometheus text (the gateway's registry; with workers, theirs aggregated). */
  metrics: () => Promise<string>;
};

/** HTTPS and basic authentication for the admin endpoint, read from their files. */
export type AdminSecurity = {
  tls: { cert: Buffer; key: Buffer } | null;
  basicAuth: { username: string; password: string } | null;
};

/** Reads the admin endpoint's certificate, key and password files (the configuration's `admin` section). */
export function readAdminSecurity(admin: {
  tls: { certificateFile: string; keyFile: string } | null;
  basicAuth: { username: string; passwordFile: string } | null;
}): AdminSecurity {
  return {
    tls: admin.tls && { cert: fs.readFileSync(admin.tls.certificateFile), key: fs.readFileSync(admin.tls.keyFile) },
    // A trailing newline (echo secret > file) is not part of the password.
    basicAuth: admin.basicAuth && {
      username: admin.basicAuth.username,
      password: fs.readFileSync(admin.basicAuth.passwordFile, 'utf8').replace(/\r?\n$/, ''),
    },
  };
}

/** Paths a kubelet or load balancer probes: open even with basic authentication. */
const PROBES = new Set(['/healthz', '/readyz']);

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Whether the request carries the configured credentials (compared in constant time). */
function authorized(req: http.IncomingMessage, expected: { username: string; password: string }): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  const given = Buffer.from(header.slice(6), 'base64').toString('utf8');
  return timingSafeEqual(digest(given), digest(`${expected.username}:${expected.password}`));
}

export async function startAdminServer(
  bind: { host: string; port: number },
  probes: AdminProbes,
  security: AdminSecurity = { tls: null, basicAuth: null },
): Promise<AdminServer> {
  const answer = async (path: string, res: http.ServerResponse): Promise<void> => {
    if (path === '/metrics') {
      const text = await probes.metrics();
      res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(text);
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const unmet = await probes.unmetReadiness();
      res
        .writeHead(unmet.length === 0 ? 200 : 503, { 'content-type': 'text/plain' })
        .end(unmet.length === 0 ? 'ready\n' : `not ready:\n${unmet.map((u) => `- ${u}\n`).join('')}`);
    } else if (path === '/status') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(await probes.status(), null, 2)}\n`);
    } else {
      res.writeHead(404).end();
    }
  };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method !== 'GET') return void res.writeHead(405).end();
    const path = (req.url ?? '/').split('?')[0];
    if (security.basicAuth && !PROBES.has(path) && !authorized(req, security.basicAuth))
      return void res.writeHead(401, { 'www-authenticate': 'Basic realm="gatehouse"' }).end();
    answer(path, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${err instanceof Error ? err.message : String(err)}\n`);
    });
  };
  const server = security.tls
    ? https.createServer({ cert: security.tls.cert, key: security.tls.key }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bind.port, bind.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
