import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import path from 'node:path';
import type net from 'node:net';
import { stringify } from 'yaml';
import type { EnforcerRegistry } from '../../gateway/authz/enforce/registry.ts';
import { parseConfig } from '../../gateway/config/schema.ts';
import { createLogger } from '../../gateway/observability/logger.ts';
import { startGateway, type RunningGateway } from '../../gateway/session/gateway.ts';
import { gatewayTestConfig } from './gateway.ts';
import { freePorts } from './ports.ts';
import { tempDirRemovedAtExit } from './temp-dir.ts';

export type TappedGateway = {
  bootstrap: string;
  gateway: RunningGateway;
  logFile: string;
  /** The gateway port for each node id it may serve (opened once the broker is known). */
  brokerPorts: Map<number, number>;
  /** Log lines so far, parsed (pino writes asynchronously: poll with waitForLog). */
  logs: () => Array<Record<string, unknown>>;
  waitForLog: (predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number) => Promise<Record<string, unknown>>;
  /** Every byte the gateway wrote to its clients so far, per connection. */
  sentToClients: () => Buffer[];
  stop: () => Promise<void>;
};

// Server-side sockets are announced on this channel; wrapping their write() records exactly what
// the gateway sends its clients, whichever client program is on the other end.
const taps = new Set<(socket: net.Socket) => void>();
diagnostics.subscribe('net.server.socket', (message) => {
  for (const tap of taps) tap((message as { socket: net.Socket }).socket);
});

/** Runs the real gateway in this process, with every byte it sends clients recorded for scanning. */
export async function startTappedGateway(opts: {
  backendBootstrap: string;
  maxBrokers?: number;
  /** Gateway-wide limits to set (the rest keep their defaults). */
  limits?: Record<string, number>;
  /** The authorization section (default `{ mode: off }`); policy paths absolute. */
  authorization?: Record<string, unknown>;
  /** Enforcers to use instead of the gateway's own (session mechanics tests). */
  registry?: EnforcerRegistry;
}): Promise<TappedGateway> {
  const maxBrokers = opts.maxBrokers ?? 3;
  const dir = tempDirRemovedAtExit('gatehouse-gw-');
  const [bootstrapPort, ...brokerList] = await freePorts(1 + maxBrokers);
  const gatewayPorts = new Set([bootstrapPort, ...brokerList]);
  const brokerPorts = new Map(brokerList.map((p, i) => [i + 1, p]));
  const yaml = stringify({
    ...gatewayTestConfig({ listener: 'tapped', backendBootstrap: opts.backendBootstrap, bootstrapPort, brokerPorts }),
    ...(opts.limits && { limits: opts.limits }),
    ...(opts.authorization && { authorization: opts.authorization }),
  });
  const logFile = path.join(dir, 'gatehouse.log');
  const logger = createLogger({ level: 'debug', destination: logFile });
  const recorded: Buffer[][] = [];
  const tap = (socket: net.Socket) => {
    if (!gatewayPorts.has(socket.localPort ?? -1)) return;
    const chunks: Buffer[] = [];
    recorded.push(chunks);
    const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
    socket.write = (chunk: unknown, ...rest: unknown[]) => {
      if (Buffer.isBuffer(chunk)) chunks.push(Buffer.from(chunk));
      return write(chunk, ...rest);
    };
  };
  taps.add(tap);
  const gateway = await startGateway(parseConfig(yaml, 'in-process.yaml'), logger, { registry: opts.registry });
  const deadline = Date.now() + 30_000;
  while (!gateway.ready()) {
    if (Date.now() > deadline) throw new Error(`gateway not ready\n${fs.readFileSync(logFile, 'utf8').slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const logs = () => {
    logger.flush();
    return fs
      .readFileSync(logFile, 'utf8')
      .split('\n')
      .slice(0, -1) // a line still being written does not count yet
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  };
  return {
    bootstrap: `127.0.0.1:${bootstrapPort}`,
    gateway,
    logFile,
    brokerPorts,
    logs,
    waitForLog: async (predicate, timeoutMs = 5_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = logs().find(predicate);
        if (hit) return hit;
        if (Date.now() > deadline)
          throw new Error(`no matching log line within ${timeoutMs} ms\n${fs.readFileSync(logFile, 'utf8').slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    sentToClients: () => recorded.map((c) => Buffer.concat(c)),
    stop: async () => {
      await gateway.shutdown(5_000);
      taps.delete(tap);
      logger.flush();
    },
  };
}

/**
 * Finds backend addresses in bytes the gateway sent: a backend port as a big-endian int32 right
 * after a host string (how Metadata, FindCoordinator, DescribeCluster and NodeEndpoints carry them),
 * or written as text "host:port".
 */
export function findBackendLeaks(sent: Buffer[], backendPorts: number[], host = '127.0.0.1'): string[] {
  const leaks: string[] = [];
  const hostBytes = Buffer.from(host);
  for (const [i, bytes] of sent.entries()) {
    for (const port of backendPorts) {
      if (bytes.includes(`${host}:${port}`)) leaks.push(`connection ${i}: text ${host}:${port}`);
      const portBytes = Buffer.alloc(4);
      portBytes.writeInt32BE(port);
      for (let at = bytes.indexOf(hostBytes); at >= 0; at = bytes.indexOf(hostBytes, at + 1)) {
        const after = at + hostBytes.length;
        if (bytes.subarray(after, after + 4).equals(portBytes))
          leaks.push(`connection ${i}: ${host} + int32 port ${port} at byte ${after}`);
      }
    }
  }
  return leaks;
}
