// One client connection: frames in, frames out. Requests are forwarded to one upstream broker in
// order; responses are paired by position and correlation id, rewritten only when they carry broker
// addresses or API versions, and delivered in request order together with locally made answers.
import type net from 'node:net';
import type { ClientIdentity } from '../auth/client-identity.ts';
import { FrameReader, FrameTooLargeError, type Frame } from '../net/frame-reader.ts';
import { type Outgoing, writeFrame } from '../net/frame-writer.ts';
import { Upstream } from '../net/upstream.ts';
import type { Logger } from '../observability/logger.ts';
import {
  API_KEY,
  ErrorCode,
  ProtocolError,
  decodeResponseFrame,
  encodeResponseFrame,
  peekProduceAcks,
  peekRequestHeader,
  peekResponseCorrelationId,
  responseHasTaggedField,
  versionRange,
} from '../protocol/index.ts';
import { intersectApiVersions, type AdvertisedVersions, type ApiRange } from '../routing/api-versions.ts';
import type { Address, BrokerMap } from '../routing/broker-map.ts';
import { carriesAddresses, optionalEndpointsTag, rewriteAddresses } from '../routing/rewrite.ts';
import type { TopicIdCache } from '../routing/topic-ids.ts';

export type SessionServices = {
  brokers: BrokerMap;
  topics: TopicIdCache;
  versions: AdvertisedVersions;
  limits: { maxFrameBytes: number; maxInFlightRequests: number; maxResponseFrameBytes: number };
  connectTimeoutMs: number;
  logger: Logger;
  /** Called once per session with the reason it closed (for metrics). */
  onClosed?: (reason: CloseReason) => void;
};

export type CloseReason =
  | 'client-closed'
  | 'upstream-closed'
  | 'malformed-frame'
  | 'frame-too-large'
  | 'unsupported-api'
  | 'in-flight-overflow'
  | 'bad-response'
  | 'shutdown'
  | 'certificate-revoked';

/** A response position, in request order. */
type Slot = { frame: Outgoing | null };
/** A forwarded request awaiting its response from the backend. */
type Pending = { correlationId: number; apiKey: number; apiVersion: number; slot: Slot };

const API_VERSIONS_MAX = versionRange(API_KEY.ApiVersions)!.max;
/** Request headers and Produce's acks lie in the first bytes; more are joined only when a long id needs them. */
const PEEK_BYTES = 1024;

/** Runs a peek on the frame's first bytes so a large frame spanning chunks is not joined for it. */
function peekHead<T>(frame: Frame, peek: (bytes: Buffer) => T): T {
  if (frame.size <= PEEK_BYTES) return peek(frame.payload);
  try {
    return peek(frame.head(PEEK_BYTES));
  } catch (err) {
    // Too few bytes for this header (a client id or transactional id of ~1 KB): read the whole frame.
    if (err instanceof ProtocolError) return peek(frame.payload);
    throw err;
  }
}

export class Session {
  private readonly reader: FrameReader;
  private readonly upstream: Upstream;
  private readonly slots: Slot[] = [];
  private readonly pending: Pending[] = [];
  private closed = false;
  private draining = false;
  private readonly log: Logger;
  private readonly opened = Date.now();
  private requests = 0;
  /** Resolves when the session has closed. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    private readonly client: net.Socket,
    target: Address,
    readonly listener: string,
    /** Who the client is (address behind any PROXY header, principal, TLS details): fixed for the connection. */
    readonly identity: ClientIdentity,
    private readonly services: SessionServices,
  ) {
    this.done = new Promise((r) => (this.resolveDone = r));
    this.log = services.logger.child({ listener, peer: `${identity.address}:${identity.port}`, principal: identity.principal.toString() });
    this.reader = new FrameReader(() => services.limits.maxFrameBytes);
    client.setNoDelay(true);
    this.upstream = new Upstream(
      target,
      { connectTimeoutMs: services.connectTimeoutMs, maxFrameBytes: services.limits.maxResponseFrameBytes },
      {
        onFrame: (frame) => this.onResponse(frame),
        onClose: (reason) => this.close('upstream-closed', reason ?? 'backend closed the connection'),
      },
    );
    client.on('data', (chunk: Buffer) => this.onClientData(chunk));
    client.on('error', (err) => this.close('client-closed', err.message));
    client.on('close', () => this.close('client-closed', 'client closed the connection'));
    const tls = identity.tls;
    this.log.info(
      {
        event: 'connection_open',
        upstream: `${target.host}:${target.port}`,
        identity: identity.method,
        ...(tls && { tls: tls.protocol, cipher: tls.cipher, serverName: tls.serverName ?? undefined, subject: tls.subject ?? undefined, serial: tls.serial ?? undefined }),
      },
      'connection open',
    );
  }

  /** Stops taking requests; closes once every forwarded request has been answered. */
  drain(): void {
    this.draining = true;
    this.client.pause();
    if (this.slots.length === 0) this.close('shutdown', 'gateway shutting down');
  }

  close(reason: CloseReason, detail: string): void {
    if (this.closed) return;
    this.closed = true;
    const level = reason === 'client-closed' || reason === 'shutdown' ? 'info' : 'warn';
    this.log[level](
      { event: 'connection_close', reason, detail, requests: this.requests, durationMs: Date.now() - this.opened },
      'connection closed',
    );
    if (reason === 'shutdown') {
      // Answers may still sit in the socket's buffer: let them go out, then close.
      this.client.end();
      setTimeout(() => this.client.destroy(), 5_000).unref();
    } else {
      this.client.destroy();
    }
    this.upstream.close(null);
    this.services.onClosed?.(reason);
    this.resolveDone();
  }

  private onClientData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      if (err instanceof FrameTooLargeError) return this.close('frame-too-large', err.message);
      throw err;
    }
    for (const frame of frames) {
      if (this.closed) return;
      this.onRequest(frame);
    }
  }

  private onRequest(frame: Frame): void {
    let header;
    try {
      header = peekHead(frame, peekRequestHeader);
    } catch (err) {
      if (err instanceof ProtocolError) return this.close('malformed-frame', err.message);
      throw err;
    }
    this.requests++;
    const { apiKey, apiVersion, correlationId } = header;

    if (apiKey === API_KEY.ApiVersions && apiVersion > API_VERSIONS_MAX) {
      // Spec §3.2: a newer ApiVersions than we speak gets a v0 answer listing what we do speak.
      return this.answerLocally(this.unsupportedApiVersions(correlationId));
    }
    if (apiKey !== API_KEY.ApiVersions && !this.services.versions.allows(apiKey, apiVersion)) {
      // A broker closes the connection for an api key or version it does not advertise.
      return this.close('unsupported-api', `api key ${apiKey} version ${apiVersion} is not advertised`);
    }
    if (apiKey === API_KEY.Produce) {
      let acks: number;
      try {
        acks = peekHead(frame, peekProduceAcks);
      } catch (err) {
        if (err instanceof ProtocolError) return this.close('malformed-frame', err.message);
        throw err;
      }
      if (acks === 0) return this.forward(frame.parts); // no response will come: nothing to wait for
    }
    if (this.slots.length >= this.services.limits.maxInFlightRequests) {
      return this.close('in-flight-overflow', `more than ${this.services.limits.maxInFlightRequests} requests in flight`);
    }
    const slot: Slot = { frame: null };
    this.slots.push(slot);
    this.pending.push({ correlationId, apiKey, apiVersion, slot });
    this.forward(frame.parts);
  }

  private forward(frame: Outgoing): void {
    if (!this.upstream.write(frame) && !this.client.isPaused()) {
      // Backpressure: stop reading the client until the backend has taken what we wrote
      // (one drain listener per pause, however many writes came back false meanwhile).
      this.client.pause();
      this.upstream.socket.once('drain', () => {
        if (!this.draining) this.client.resume();
      });
    }
  }

  private answerLocally(frame: Buffer): void {
    this.slots.push({ frame });
    this.flush();
  }

  private onResponse(frame: Frame): void {
    const entry = this.pending.shift();
    if (!entry) return this.close('bad-response', 'backend sent a response nobody asked for');
    let correlationId: number;
    try {
      correlationId = peekResponseCorrelationId(frame.head(4));
    } catch (err) {
      return this.close('bad-response', (err as Error).message);
    }
    if (correlationId !== entry.correlationId) {
      return this.close('bad-response', `backend answered correlation id ${correlationId}, expected ${entry.correlationId}`);
    }
    try {
      entry.slot.frame = this.processResponse(entry, frame);
    } catch (err) {
      if (err instanceof ProtocolError) return this.close('bad-response', `cannot parse backend response: ${err.message}`);
      throw err;
    }
    this.flush();
  }

  /**
   * The response bytes to send the client: the original (as the chunks it arrived in) unless addresses
   * or versions must change.
   */
  private processResponse(entry: Pending, frame: Frame): Outgoing {
    const { apiKey, apiVersion } = entry;
    if (apiKey === API_KEY.ApiVersions) return this.rewriteApiVersions(entry, frame);
    if (!carriesAddresses(apiKey, apiVersion)) return frame.parts;
    // Produce/Fetch: a skip pass looks for the NodeEndpoints tag; only a response that has it is decoded.
    const tag = optionalEndpointsTag(apiKey, apiVersion);
    if (tag >= 0 && !responseHasTaggedField(frame.parts, apiKey, apiVersion, tag, 4)) return frame.parts;
    const { header, body } = decodeResponseFrame(frame.payload, apiKey, apiVersion);
    if (!rewriteAddresses(apiKey, apiVersion, body, this.services.brokers, this.services.topics)) return frame.parts;
    return encodeResponseFrame(header, body, apiKey, apiVersion, { sizePrefix: true });
  }

  private rewriteApiVersions(entry: Pending, frame: Frame): Buffer {
    // A broker answers a version it does not support with error 35 in the v0 layout.
    const errorCode = frame.payload.length >= 6 ? frame.payload.readInt16BE(4) : 0;
    const version = errorCode === ErrorCode.UNSUPPORTED_VERSION ? 0 : entry.apiVersion;
    const { header, body } = decodeResponseFrame(frame.payload, API_KEY.ApiVersions, version);
    const advertised = intersectApiVersions(body.apiKeys as ApiRange[]);
    if (errorCode === 0) this.services.versions.update(advertised);
    body.apiKeys = advertised;
    return encodeResponseFrame(header, body, API_KEY.ApiVersions, version, { sizePrefix: true });
  }

  private unsupportedApiVersions(correlationId: number): Buffer {
    const range = versionRange(API_KEY.ApiVersions)!;
    return encodeResponseFrame(
      { correlationId },
      { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [{ apiKey: API_KEY.ApiVersions, minVersion: range.min, maxVersion: range.max }] },
      API_KEY.ApiVersions,
      0,
      { sizePrefix: true },
    );
  }

  /** Sends every response whose turn has come; holds later ones behind an unanswered request. */
  private flush(): void {
    while (this.slots.length > 0 && this.slots[0].frame !== null) {
      const frame = this.slots.shift()!.frame!;
      if (!writeFrame(this.client, frame) && !this.upstream.socket.isPaused()) {
        // Backpressure: a slow client stops us reading the backend until it catches up.
        this.upstream.socket.pause();
        this.client.once('drain', () => this.upstream.socket.resume());
      }
    }
    if (this.draining && this.slots.length === 0) this.close('shutdown', 'gateway shutting down');
  }
}
