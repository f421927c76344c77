// A loopback TCP relay that records Kafka traffic as golden fixtures for the protocol codec.
//
// Clients connect to the relay, the relay forwards every byte unchanged to the target broker and back,
// and on the side cuts the streams into frames: requests are recorded with their api key and version,
// responses are paired with their request by correlation id. Real clients learn broker addresses from
// Metadata, so to keep them on the relay start the broker with its advertised port set to the relay's:
//
//   let brokerPort = 0;
//   const relay = await startCaptureProxy({ target: () => ({ host: '127.0.0.1', port: brokerPort }), out });
//   const kafka = await startKafka({ version: '4', advertisedPort: (n) => { brokerPort = n.port; return relay.port; } });
//   … run clients against 127.0.0.1:relay.port …
//   await relay.stop(); // writes `out`
//
// Plaintext only (SASL tokens after a v0 handshake are not Kafka frames and would confuse the cutter).

import { writeFileSync } from 'node:fs';
import net from 'node:net';

export interface CapturedFrame {
  direction: 'request' | 'response';
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** The frame without its 4-byte size prefix. */
  hex: string;
}

export interface CaptureFile {
  description: string;
  frames: CapturedFrame[];
}

export interface CaptureProxyOptions {
  /** Where to forward; a function is asked on every new connection (so it can be set after start). */
  target: { host: string; port: number } | (() => { host: string; port: number });
  /** Fixture file written by stop(); omit to keep frames in memory only. */
  out?: string;
  description?: string;
  host?: string;
  port?: number;
  /**
   * Keep at most this many distinct frames per (direction, api key, version); default 4. Beyond that,
   * one frame per client id is still kept, so every client shows in the fixture with each api/version it uses.
   */
  maxPerApiVersion?: number;
  /** Frames larger than this are forwarded but not recorded; default 256 KiB. */
  maxFrameBytes?: number;
}

export interface CaptureProxy {
  host: string;
  port: number;
  frames: CapturedFrame[];
  /** Closes the relay and its connections; writes the fixture file when `out` was given. */
  stop: () => Promise<CaptureFile>;
}

/** Cuts a byte stream into size-prefixed frames. */
class FrameCutter {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly onFrame: (frame: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < 4) return;
      const head = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      this.chunks = [head];
      const size = head.readInt32BE(0);
      if (size < 0) {
        this.chunks = [];
        this.buffered = 0;
        return;
      }
      if (head.length < 4 + size) return;
      this.onFrame(head.subarray(4, 4 + size));
      const rest = head.subarray(4 + size);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
    }
  }
}

export async function startCaptureProxy(opts: CaptureProxyOptions): Promise<CaptureProxy> {
  const host = opts.host ?? '127.0.0.1';
  const maxPer = opts.maxPerApiVersion ?? 4;
  const maxBytes = opts.maxFrameBytes ?? 256 * 1024;
  const frames: CapturedFrame[] = [];
  const seen = new Set<string>();
  const perKey = new Map<string, number>();
  const perClient = new Set<string>();
  const sockets = new Set<net.Socket>();

  const record = (f: Omit<CapturedFrame, 'hex'>, clientId: string | null, frame: Buffer): void => {
    if (frame.length > maxBytes) return;
    const hex = frame.toString('hex');
    const key = `${f.direction} ${f.apiKey} ${f.apiVersion}`;
    const dedupe = `${key} ${f.direction === 'request' ? hex.slice(16) : hex.slice(8)}`; // ignore correlation ids
    const client = `${key} ${clientId}`;
    if (seen.has(dedupe) || ((perKey.get(key) ?? 0) >= maxPer && perClient.has(client))) return;
    seen.add(dedupe);
    perClient.add(client);
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
    frames.push({ ...f, hex });
  };

  const server = net.createServer((client) => {
    const target = typeof opts.target === 'function' ? opts.target() : opts.target;
    const upstream = net.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const inFlight = new Map<number, { apiKey: number; apiVersion: number; clientId: string | null }>();
    const requests = new FrameCutter((frame) => {
      if (frame.length < 8) return;
      const apiKey = frame.readInt16BE(0);
      const apiVersion = frame.readInt16BE(2);
      const correlationId = frame.readInt32BE(4);
      // Request header v1+ carries a nullable int16-length client id (ControlledShutdown v0 has none; rare here).
      const idLength = frame.length >= 10 ? frame.readInt16BE(8) : -1;
      const clientId = idLength >= 0 && frame.length >= 10 + idLength ? frame.toString('utf8', 10, 10 + idLength) : null;
      inFlight.set(correlationId, { apiKey, apiVersion, clientId });
      record({ direction: 'request', apiKey, apiVersion, correlationId }, clientId, frame);
    });
    const responses = new FrameCutter((frame) => {
      if (frame.length < 4) return;
      const correlationId = frame.readInt32BE(0);
      const req = inFlight.get(correlationId);
      if (!req) return;
      inFlight.delete(correlationId);
      record({ direction: 'response', apiKey: req.apiKey, apiVersion: req.apiVersion, correlationId }, req.clientId, frame);
    });
    client.on('data', (chunk: Buffer) => {
      requests.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      responses.push(chunk);
      client.write(chunk);
    });
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    host,
    port,
    frames,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const file: CaptureFile = { description: opts.description ?? 'captured Kafka traffic', frames };
      if (opts.out) writeFileSync(opts.out, JSON.stringify(file, null, 1) + '\n');
      return file;
    },
  };
}
