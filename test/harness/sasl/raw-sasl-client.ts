// A raw Kafka SASL client for tests that must see exact frames: it sends the requests a test names
// (ApiVersions, SaslHandshake v0/v1, SaslAuthenticate v0–v2, any request, raw legacy tokens or raw bytes)
// and reads back exactly what the server writes, or sees that it closed. Nothing is retried or hidden.
//
//   const c = await RawSaslClient.connect({ host, port });             // or { tls: { ca } } for SASL_SSL
//   await c.apiVersions();                                              // the decoded ApiVersions answer
//   const hs = await c.handshake('PLAIN');                              // { errorCode, mechanisms }
//   const auth = await c.authenticate(plainToken('alice', 'secret'));  // { errorCode, errorMessage, authBytes, sessionLifetimeMs }
//   const md = await c.request(API_KEY.Metadata, 12, { topics: null, … }); // any request, decoded answer
//   await c.closed();                                                  // resolves when the server closes
import net from 'node:net';
import tls from 'node:tls';
import { API_KEY, type Struct, decodeResponseFrame, encodeRequestFrame } from '../../../gateway/protocol/index.ts';

export type RawSaslClientOptions = {
  host: string;
  port: number;
  /** TLS options (SASL_SSL); absent: plain TCP (SASL_PLAINTEXT). */
  tls?: tls.ConnectionOptions;
  clientId?: string;
};

export type AuthenticateAnswer = {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs: bigint;
};

/** PLAIN's single client message (RFC 4616): [authzid] NUL user NUL password. */
export function plainToken(user: string, password: string, authzid = ''): Buffer {
  return Buffer.from(`${authzid}\0${user}\0${password}`, 'utf8');
}

export class RawSaslClient {
  private buffered = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private ended = false;
  private readonly endedAt: Promise<number>;
  private correlationId = 0;

  private constructor(
    readonly socket: net.Socket,
    private readonly clientId: string,
  ) {
    let markEnded!: (t: number) => void;
    this.endedAt = new Promise((r) => (markEnded = r));
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.wake();
    });
    const end = () => {
      if (this.ended) return;
      this.ended = true;
      markEnded(Date.now());
      this.wake();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  static connect(opts: RawSaslClientOptions): Promise<RawSaslClient> {
    return new Promise((resolve, reject) => {
      const socket = opts.tls
        ? tls.connect({ host: opts.host, port: opts.port, ...opts.tls }, () => done())
        : net.connect({ host: opts.host, port: opts.port }, () => done());
      const done = () => {
        socket.off('error', reject);
        resolve(new RawSaslClient(socket, opts.clientId ?? 'raw-sasl-client'));
      };
      socket.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async waitFor(timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no data from the server within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** The next int32-length frame's bytes (after the length); null when the server closed first. */
  async readFrame(timeoutMs = 10_000): Promise<Buffer | null> {
    for (;;) {
      if (this.buffered.length >= 4) {
        const size = this.buffered.readInt32BE(0);
        if (this.buffered.length >= 4 + size) {
          const frame = this.buffered.subarray(4, 4 + size);
          this.buffered = this.buffered.subarray(4 + size);
          return frame;
        }
      }
      if (this.ended) return null;
      await this.waitFor(timeoutMs);
    }
  }

  /** Writes bytes as they are (a raw frame, or anything that is not Kafka at all). */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends a request; returns its correlation id. */
  send(apiKey: number, apiVersion: number, body: Struct): number {
    const correlationId = ++this.correlationId;
    const frame = encodeRequestFrame(
      { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId, clientId: this.clientId },
      body,
      { sizePrefix: true },
    );
    this.socket.write(frame);
    return correlationId;
  }

  /** Sends a request and decodes its answer; null when the server closed without answering. */
  async request(apiKey: number, apiVersion: number, body: Struct, timeoutMs?: number): Promise<Struct | null> {
    const correlationId = this.send(apiKey, apiVersion, body);
    const frame = await this.readFrame(timeoutMs);
    if (frame === null) return null;
    const decoded = decodeResponseFrame(frame, apiKey, apiVersion);
    if (decoded.header.correlationId !== correlationId)
      throw new Error(`answer for correlation id ${decoded.header.correlationId}, expected ${correlationId}`);
    return decoded.body;
  }

  apiVersions(version = 3): Promise<Struct | null> {
    return this.request(API_KEY.ApiVersions, version, { clientSoftwareName: 'raw-sasl-client', clientSoftwareVersion: '1.0' });
  }

  async handshake(mechanism: string, version = 1): Promise<{ errorCode: number; mechanisms: string[] } | null> {
    const body = await this.request(API_KEY.SaslHandshake, version, { mechanism });
    return body && { errorCode: body.errorCode as number, mechanisms: body.mechanisms as string[] };
  }

  async authenticate(token: Buffer, version = 2, timeoutMs?: number): Promise<AuthenticateAnswer | null> {
    const body = await this.request(API_KEY.SaslAuthenticate, version, { authBytes: token }, timeoutMs);
    return (
      body && {
        errorCode: body.errorCode as number,
        errorMessage: body.errorMessage as string | null,
        authBytes: body.authBytes as Buffer,
        sessionLifetimeMs: body.sessionLifetimeMs as bigint,
      }
    );
  }

  /** The legacy v0 path: sends a raw int32-length token. */
  sendLegacyToken(token: Buffer): void {
    const frame = Buffer.alloc(4 + token.length);
    frame.writeInt32BE(token.length, 0);
    token.copy(frame, 4);
    this.socket.write(frame);
  }

  /** Resolves with the time the server closed the connection (rejects after `timeoutMs`). */
  closed(timeoutMs = 10_000): Promise<number> {
    return Promise.race([
      this.endedAt,
      new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`still open after ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  }

  get isClosed(): boolean {
    return this.ended;
  }

  close(): void {
    this.socket.destroy();
  }
}
