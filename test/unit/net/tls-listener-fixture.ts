// One TLS listener's admission on an ephemeral loopback port, for tests with real TLS clients: the
// config comes from YAML as an operator writes it, log lines are kept, admitted connections echo what
// they receive and stay open until the test closes the listener. The listener counts into metrics of
// its own (returned), so tests read what this listener counted and nothing else.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import tls from 'node:tls';
import { pino } from 'pino';
import type { ClientIdentity } from '../../../gateway/auth/client-identity.ts';
import { parseConfig } from '../../../gateway/config/schema.ts';
import { GatewayMetrics } from '../../../gateway/observability/gateway-metrics.ts';
import { ListenerAdmission } from '../../../gateway/session/admission.ts';
import type { TestPki } from '../../harness/pki.ts';

export type Outcome = { admitted: ClientIdentity } | { refused: string; detail: string };
export type LogLine = Record<string, unknown>;

export async function serveTlsListener(pki: TestPki, name: string, tlsYaml: string) {
  const yaml = `backend: { bootstrapServers: ["127.0.0.1:9092"] }\nlisteners:\n  - name: ${name}\n    bind: 127.0.0.1:9093\n    routing: { basePort: 9100 }\n    tls:\n${tlsYaml.replace(/^/gm, '      ')}\nauthorization: { mode: off }\n`;
  const configFile = path.join(pki.dir, `${name}.yaml`);
  fs.writeFileSync(configFile, yaml);
  const config = parseConfig(yaml, configFile).listeners[0];
  const outcomes: Outcome[] = [];
  const logs: LogLine[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      const line = JSON.parse(String(chunk)) as LogLine;
      logs.push(line);
      if (line.event === 'connection_refused') outcomes.push({ refused: String(line.reason), detail: String(line.detail) });
      done();
    },
  });
  const metrics = new GatewayMetrics();
  // Every refusal is an outcome here: no rate limit on the refusal log.
  const admission = new ListenerAdmission(config, pino({ level: 'debug' }, stream), {
    metrics: metrics.proxy,
    refusalLog: { linesPerSecond: 10_000 },
  });
  const open = new Set<net.Socket>();
  const server = net.createServer((raw) =>
    admission.admit(raw, (socket, identity) => {
      outcomes.push({ admitted: identity });
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.on('data', (d: Buffer) => socket.write(d));
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  /** The outcome of the next connection. */
  const next = async (): Promise<Outcome> => {
    const deadline = Date.now() + 15_000;
    while (outcomes.length === 0) {
      if (Date.now() > deadline) throw new Error('no admission outcome within 15 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    return outcomes.shift()!;
  };
  /** The first log line that satisfies `match`, waiting for it up to `timeoutMs`. */
  const waitForLog = async (match: (l: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = logs.find(match);
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no matching log line within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const close = () => {
    admission.close();
    for (const s of open) s.destroy();
    server.close();
  };
  return { admission, metrics, port, next, logs, waitForLog, close };
}

/** A TLS client to the listener that resolves once its handshake is done (or rejects with the error). */
export function connectTls(
  port: number,
  pki: TestPki,
  options: tls.ConnectionOptions & { certFile?: string; keyFile?: string } = {},
): Promise<tls.TLSSocket> {
  const { certFile, keyFile, ...rest } = options;
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      {
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca: fs.readFileSync(pki.file('ca/ca.crt')),
        cert: certFile ? fs.readFileSync(certFile) : undefined,
        key: keyFile ? fs.readFileSync(keyFile) : undefined,
        ...rest,
      },
      () => resolve(socket),
    );
    socket.once('error', reject);
  });
}

/** Sends `text` and resolves with what comes back (the listener echoes); rejects when the connection fails first. */
export function echo(socket: tls.TLSSocket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.length >= text.length) {
        socket.off('data', onData);
        resolve(got);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed')));
    socket.write(text);
  });
}
