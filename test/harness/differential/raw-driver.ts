// A raw Kafka client over TLS (or plain TCP) built on the project's codec: it sends exactly the body a
// differential case names, at the version it names, and reports what came back — a decoded response,
// no response at all (acks=0 Produce), or the connection closed without an answer.
import net from 'node:net';
import tls from 'node:tls';
import { FrameReader } from '../../../gateway/net/frame-reader.ts';
import { API_KEY, decodeResponseFrame, encodeRequestFrame, type Struct } from '../../../gateway/protocol/index.ts';

export type TlsIdentity = { ca: Buffer; cert: Buffer; key: Buffer };

export type Outcome =
  | { kind: 'response'; body: Struct }
  /** The request was answered by nothing, and the connection stayed open (acks=0 Produce accepted). */
  | { kind: 'no-response' }
  /** The connection was closed without an answer (e.g. denied acks=0 Produce, unknown API). */
  | { kind: 'closed' }
  /** The answer arrived but the codec could not decode it at the request's version. */
  | { kind: 'undecodable'; error: string }
  | { kind: 'timeout' };

type Pending = { resolve: (frame: Buffer | null) => void };

/** One connection; a closed one is replaced on the next request (one live connection per principal per side). */
class Connection {
  private readonly reader = new FrameReader(() => 1 << 30);
  private readonly waiting = new Map<number, Pending>();
  closed = false;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const f of this.reader.push(chunk)) {
        const payload = f.payload;
        const correlationId = payload.readInt32BE(0);
        const w = this.waiting.get(correlationId);
        this.waiting.delete(correlationId);
        w?.resolve(payload);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.values()) w.resolve(null);
      this.waiting.clear();
    });
  }

  /** Sends a frame; resolves with the answer's payload, or null when the connection closed first. */
  exchange(correlationId: number, frame: Buffer, timeoutMs: number): Promise<Buffer | null | 'timeout'> {
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(correlationId);
        resolve('timeout');
      }, timeoutMs);
      this.waiting.set(correlationId, {
        resolve: (b) => {
          clearTimeout(timer);
          resolve(b);
        },
      });
      this.socket.write(frame);
    });
  }

  /** Sends a frame nobody answers (acks=0 Produce). */
  send(frame: Buffer): void {
    if (!this.closed) this.socket.write(frame);
  }

  /** Resolves true when the connection closes within `ms`. */
  closesWithin(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  end(): void {
    this.socket.destroy();
  }
}

function connect(hostPort: string, identity: TlsIdentity | null): Promise<net.Socket> {
  const i = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, i);
  const port = Number(hostPort.slice(i + 1));
  return new Promise((resolve, reject) => {
    const socket = identity
      ? tls.connect({ host, port, ca: identity.ca, cert: identity.cert, key: identity.key, servername: 'localhost' })
      : net.connect({ host, port });
    socket.once(identity ? 'secureConnect' : 'connect', () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

export type RawDriverOptions = {
  /** host:port of the listener. */
  address: string;
  /** The client certificate to present; null for plain TCP. */
  identity: TlsIdentity | null;
  clientId?: string;
  /** Send ApiVersions first on every new connection, as clients do (default true). */
  apiVersionsFirst?: boolean;
  timeoutMs?: number;
};

/** How long a connection is watched for a close after a request that expects no answer. */
const NO_ANSWER_WATCH_MS = 300;

export class RawDriver {
  private conn: Connection | null = null;
  private correlationId = 1;
  /** What the listener advertised on the last connection (api key → range). */
  apiVersions = new Map<number, { min: number; max: number }>();

  constructor(private readonly opts: RawDriverOptions) {}

  private async connection(): Promise<Connection> {
    if (this.conn && !this.conn.closed) return this.conn;
    this.conn = new Connection(await connect(this.opts.address, this.opts.identity));
    if (this.opts.apiVersionsFirst !== false) {
      const out = await this.exchangeOn(this.conn, API_KEY.ApiVersions, 3, {
        clientSoftwareName: 'gatehouse-differential',
        clientSoftwareVersion: '1',
      });
      if (out.kind !== 'response') throw new Error(`ApiVersions on a new connection to ${this.opts.address}: ${out.kind}`);
      this.apiVersions = new Map(
        (out.body.apiKeys as Struct[]).map((k) => [k.apiKey as number, { min: k.minVersion as number, max: k.maxVersion as number }]),
      );
    }
    return this.conn;
  }

  private frame(apiKey: number, version: number, body: Struct): { id: number; frame: Buffer } {
    const id = this.correlationId++;
    const header = {
      requestApiKey: apiKey,
      requestApiVersion: version,
      correlationId: id,
      clientId: this.opts.clientId ?? 'gatehouse-differential',
    };
    return { id, frame: encodeRequestFrame(header, body, { sizePrefix: true }) };
  }

  private async exchangeOn(conn: Connection, apiKey: number, version: number, body: Struct): Promise<Outcome> {
    const { id, frame } = this.frame(apiKey, version, body);
    const answer = await conn.exchange(id, frame, this.opts.timeoutMs ?? 15_000);
    if (answer === 'timeout') return { kind: 'timeout' };
    if (answer === null) return { kind: 'closed' };
    try {
      return { kind: 'response', body: decodeResponseFrame(answer, apiKey, version).body };
    } catch (err) {
      return { kind: 'undecodable', error: (err as Error).message };
    }
  }

  /**
   * Sends one request and reports the outcome. A Produce with acks=0 expects no answer: the driver
   * watches the connection briefly, then proves it still serves (an ApiVersions round trip) — so
   * "accepted silently" and "closed" are told apart without waiting for a timeout.
   */
  async request(apiKey: number, version: number, body: Struct): Promise<Outcome> {
    const conn = await this.connection();
    if (apiKey === API_KEY.Produce && Number(body.acks) === 0) {
      conn.send(this.frame(apiKey, version, body).frame);
      if (await conn.closesWithin(NO_ANSWER_WATCH_MS)) return { kind: 'closed' };
      const probe = await this.exchangeOn(conn, API_KEY.ApiVersions, 0, {});
      return probe.kind === 'response' ? { kind: 'no-response' } : probe;
    }
    return this.exchangeOn(conn, apiKey, version, body);
  }

  /** What the listener advertises in ApiVersions (api key → versions), asked on a fresh connection. */
  async advertisedVersions(): Promise<Map<number, { min: number; max: number }>> {
    if (this.opts.apiVersionsFirst === false) throw new Error('advertisedVersions needs apiVersionsFirst');
    this.close();
    await this.connection();
    return this.apiVersions;
  }

  close(): void {
    this.conn?.end();
    this.conn = null;
  }
}
