// One client connection: frames in, frames out. Requests are forwarded to one upstream broker in
// order; responses are paired by position and correlation id, rewritten only when they carry broker
// addresses or API versions, and delivered in request order together with locally made answers.
// What one connection may hold is bounded: every answer (local or forwarded) takes an in-flight slot,
// and while the answers the client has not read exceed a byte budget the client is not read (as a
// broker mutes a connection with a response outstanding). The backend connection opens on the first
// request that needs it. Any error while serving the connection closes this connection, never more.
// With authorization on, every request goes through its API's enforcer first (enforcement.ts) and the
// answers it asked to see through the response pipeline (response-pipeline.ts).
// On a SASL listener every frame goes to the connection's SASL state machine (auth/sasl) until the
// client has authenticated, and again during a re-authentication; nothing reaches the backend before.
import type net from 'node:net';
import type { ClientIdentity } from '../auth/client-identity.ts';
import type { SaslMechanismName, SaslServerMechanism } from '../auth/sasl/mechanism.ts';
import { type SaslAction, SaslAuthenticator } from '../auth/sasl/sasl-authenticator.ts';
import { type LocalApiVersions, saslApiIllegalStateAnswer } from '../auth/sasl/sasl-frames.ts';
import type { AnyEnforcer, RequestDecision } from '../authz/enforce/enforcer.ts';
import { emptyObjectArray } from '../common/object-array.ts';
import { FrameReader, FrameTooLargeError, type Frame } from '../net/frame-reader.ts';
import { type Outgoing, writeFrame } from '../net/frame-writer.ts';
import { Upstream, type UpstreamEnd } from '../net/upstream.ts';
import type { Logger } from '../observability/logger.ts';
import {
  API_KEY,
  ProtocolError,
  type RequestHeaderPeek,
  type Struct,
  allApiKeys,
  peekProduceAcks,
  peekResponseCorrelationId,
  versionRange,
  walkFetchRecords,
} from '../protocol/index.ts';
import type { ConnectionTraffic } from '../observability/traffic-metrics.ts';
import { type ProduceAuthPeek, peekProduceForAuthorization, peekRequestHeaderLazily } from '../protocol/peek.ts';
import type { AdvertisedVersions } from '../routing/api-versions.ts';
import type { Address, BrokerMap } from '../routing/broker-map.ts';
import { unsupportedApiVersionsAnswer } from '../routing/response-rewriter.ts';
import type { TopicIdCache } from '../routing/topic-ids.ts';
import { SessionEnforcement, type EnforcementServices } from './enforcement.ts';
import { ResponsePipeline } from './response-pipeline.ts';

/** The series a session counts into (one gateway's), as narrow as the session needs. */
export type SessionMetrics = {
  /** One request of an advertised API key and version. */
  countRequest(apiKey: number, apiVersion: number): void;
  /** Client-in to client-out of a forwarded request, by API key. */
  readonly requestDuration: { observe(apiKey: number, seconds: number): void };
  /** The backend's part of it. */
  readonly upstreamDuration: { observe(apiKey: number, seconds: number): void };
  /** A client that authenticated with SASL on this listener. */
  saslIdentity(listener: string): void;
  /** Records and bytes a forwarded Produce carries to a topic. */
  readonly produced: (topic: string, records: number, bytes: number) => void;
  /** Records and bytes a Fetch answer passes to the client from a topic. */
  fetched(topic: string, records: number, bytes: number): void;
  /** A backend connection that failed or was ended by the backend (not by the gateway), by broker address. */
  upstreamError(broker: string, reason: UpstreamEnd | 'bad-response'): void;
};

export type SessionServices = {
  metrics: SessionMetrics;
  brokers: BrokerMap;
  topics: TopicIdCache;
  versions: AdvertisedVersions;
  limits: {
    maxFrameBytes: number;
    maxInFlightRequests: number;
    maxResponseFrameBytes: number;
    /** Answers queued for the client (socket buffer + answers held behind an earlier one) above which it is not read. */
    maxQueuedResponseBytes: number;
    /** Kafka's connections.max.idle.ms: no request in flight and no traffic for this long closes the connection. */
    connectionsMaxIdleMs: number;
    /** A connection that has not sent a complete request this long after admission is closed. */
    firstRequestTimeoutMs: number;
  };
  connectTimeoutMs: number;
  logger: Logger;
  /** Authorization (absent or null: `authorization: { mode: off }`, every advertised API forwarded). */
  enforcement?: EnforcementServices | null;
  /** Called once per session with the reason it closed (for metrics). */
  onClosed?: (reason: CloseReason) => void;
  /** SASL on this session's listener (absent or null: the principal is the one admission found). */
  sasl?: SessionSasl | null;
};

/** One authentication's outcome, for the audit log and metrics (never a secret). */
export type AuthenticationEvent = {
  readonly outcome: 'success' | 'failure';
  readonly reauthentication: boolean;
  readonly listener: string;
  readonly clientAddress: string;
  /** Null when the client failed before authenticating as anyone. */
  readonly principal: string | null;
  /** Null before the client chose an enabled mechanism. */
  readonly mechanism: SaslMechanismName | null;
  readonly sessionLifetimeMs: number | null;
  readonly reason: string | null;
};

export type SessionSasl = {
  /** The mechanisms the listener enables, in its configured order. */
  readonly mechanisms: ReadonlyMap<SaslMechanismName, SaslServerMechanism>;
  /** The listener's connections.max.reauth.ms (0: none). */
  readonly sessionLifetimeMs: number;
  readonly failedAuthenticationDelayMs: number;
  /** Frames before and during the first authentication are capped at this (then limits.maxFrameBytes). */
  readonly maxUnauthenticatedFrameBytes: number;
  readonly onAuthentication: (event: AuthenticationEvent) => void;
  /** A request arrived after the session expired: the connection is closed (counted). */
  readonly onExpiredClose?: () => void;
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
  | 'certificate-revoked'
  | 'internal-error'
  | 'idle-timeout'
  | 'first-request-timeout'
  /** An enforcer closed the connection, as a broker does (a denied acks=0 Produce). */
  | 'authorization-close'
  /** SASL authentication or re-authentication failed, or the client broke the SASL protocol. */
  | 'authentication-failed'
  /** A request arrived after the SASL session expired (no re-authentication in time). */
  | 'session-expired';

/** A response position, in request order. */
/** An answer's place in line; a forwarded request's slot also carries what its latency is measured by. */
type Slot = { frame: Outgoing | null; apiKey: number; startedAt: number };

/** A slot for an answer made by the gateway itself (not timed: the latency metrics are about forwarded requests). */
function localSlot(frame: Outgoing | null): Slot {
  return { frame, apiKey: -1, startedAt: 0 };
}

/** Ends that are part of normal life (or of port scans, too common to warn about): logged at info. */
const QUIET_CLOSES: ReadonlySet<CloseReason> = new Set(['client-closed', 'shutdown', 'idle-timeout', 'first-request-timeout']);

/** What a queued socket write costs beyond its bytes (measured ~250 B on Node 20): tiny answers count at least this. */
const ANSWER_OVERHEAD_BYTES = 256;

function outgoingBytes(frame: Outgoing): number {
  if (Buffer.isBuffer(frame)) return frame.length;
  let n = 0;
  for (const part of frame) n += part.length;
  return n;
}
/** A forwarded request awaiting its response from the backend. */
type Pending = {
  correlationId: number;
  apiKey: number;
  apiVersion: number;
  slot: Slot;
  /** Set when the enforcer asked to see the answer (see ResponsePipeline). */
  enforcer?: AnyEnforcer;
  memo?: unknown;
};

const API_VERSIONS_MAX = versionRange(API_KEY.ApiVersions)!.max;
const SASL_HANDSHAKE = API_KEY.SaslHandshake;
const SASL_AUTHENTICATE = API_KEY.SaslAuthenticate;
/** Request headers and Produce's acks lie in the first bytes; more are joined only when a long id needs them. */
const PEEK_BYTES = 1024;

/**
 * Runs a peek on the frame's first bytes so a large frame spanning chunks is not joined for it.
 * ProtocolError: the frame is malformed.
 */
function peekHead<T>(frame: Frame, peek: (bytes: Buffer) => T): T {
  if (frame.size <= PEEK_BYTES) return peek(frame.payload);
  // A request that begins near the end of a read starts with a short chunk, which usually still holds
  // the few dozen bytes a peek reads: joining the first 1 KB for it cost more than the rest of the peek.
  const first = frame.parts[0];
  if (first.length < 4 + PEEK_BYTES) {
    try {
      return peek(first.subarray(4));
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
    }
  }
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
  /** Opened by the first request that goes to the backend. */
  private upstream: Upstream | null = null;
  private readonly slots = emptyObjectArray<Slot>();
  private readonly pending = emptyObjectArray<Pending>();
  /** Requests already cut from the stream but not handled yet because reading is paused. */
  private backlog = emptyObjectArray<Frame>();
  private closed = false;
  private draining = false;
  /** Reading the client stops while the backend's socket buffer is full… */
  private waitingForBackend = false;
  /** …or while the client's unread answers exceed the byte budget. */
  private overResponseBudget = false;
  /** Bytes of answers that are ready but wait behind an earlier unanswered request. */
  private heldBytes = 0;
  /**
   * Answers handed to the client socket behind bytes still queued there, not yet gone out (each costs
   * memory beyond its bytes). An answer written to an empty socket buffer is not counted (at most one such
   * answer is queued at a time: every later one finds the buffer non-empty and is counted), which spares
   * a completion callback on every write of a client that keeps up.
   */
  private unsentAnswers = 0;
  private readonly answerSent = () => {
    this.unsentAnswers--;
    if (this.overResponseBudget) this.checkResponseBudget();
  };
  private log: Logger;
  /** Null with authorization off. Rebuilt for the principal SASL authenticates. */
  private enforcement: SessionEnforcement | null;
  private pipeline: ResponsePipeline;
  /** The SASL state machine (null: not a SASL listener). */
  private readonly sasl: SaslAuthenticator | null;
  /** A SASL step is being evaluated: later frames wait (they may depend on its outcome). */
  private saslBusy = false;
  /** Authentication failed: nothing more is read, the connection closes after the failure delay. */
  private failing = false;
  /** The size cap of the next request: the unauthenticated one until a SASL client has authenticated. */
  private frameLimit: number;
  /** The advertised-versions check for this session's backend (its table resolved once, again when it changes). */
  private readonly advertises: (apiKey: number, apiVersion: number) => boolean;
  /** Reading stops while topic ids a request names are looked up on the backend (requests keep their order). */
  private resolvingTopicIds = false;
  private readonly opened = Date.now();
  /** Last time bytes came from the client or an answer was written to it (for connections.max.idle.ms). */
  private lastActivity = this.opened;
  private timer: NodeJS.Timeout | null = null;
  private requests = 0;
  /** Resolves when the session has closed. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    private readonly client: net.Socket,
    private readonly target: Address,
    readonly listener: string,
    /** Who the client is (address behind any PROXY header, principal, TLS details); SASL may set the principal once. */
    private who: ClientIdentity,
    private readonly services: SessionServices,
  ) {
    this.done = new Promise((r) => (this.resolveDone = r));
    const identity = who;
    this.log = this.logFor(identity);
    const sasl = services.sasl ?? null;
    this.frameLimit = sasl ? sasl.maxUnauthenticatedFrameBytes : services.limits.maxFrameBytes;
    this.reader = new FrameReader(() => this.frameLimit);
    // Built for the admitted identity even on a SASL listener (ANONYMOUS until authenticated), so no
    // path can ever forward a request unauthorized; rebuilt for the authenticated principal.
    this.enforcement = this.enforcementFor(identity);
    this.advertises = services.versions.forBackend(target);
    this.pipeline = this.pipelineFor(this.enforcement);
    this.sasl = sasl
      ? new SaslAuthenticator({
          listener,
          clientAddress: identity.address,
          mechanisms: sasl.mechanisms,
          sessionLifetimeMs: sasl.sessionLifetimeMs,
          failedAuthenticationDelayMs: sasl.failedAuthenticationDelayMs,
          apiVersions: () => this.localApiVersions(),
        })
      : null;
    client.setNoDelay(true);
    client.on(
      'data',
      this.guard((chunk: Buffer) => this.onClientData(chunk)),
    );
    client.on(
      'drain',
      this.guard(() => this.onClientDrain()),
    );
    client.on('error', (err) => this.close('client-closed', err.message));
    client.on('close', () => this.close('client-closed', 'client closed the connection'));
    this.armTimer(services.limits.firstRequestTimeoutMs);
    const tls = identity.tls;
    this.log.info(
      {
        event: 'connection_open',
        upstream: `${this.target.host}:${this.target.port}`,
        identity: identity.method,
        ...(tls && {
          tls: tls.protocol,
          cipher: tls.cipher,
          serverName: tls.serverName ?? undefined,
          subject: tls.subject ?? undefined,
          serial: tls.serial ?? undefined,
        }),
      },
      'connection open',
    );
  }

  /** Who the client is: the admitted identity, or the SASL principal once authenticated. */
  /** Bytes moved, requests in flight and the backend connection, for the traffic metrics (read when scraped). */
  traffic(): ConnectionTraffic {
    const upstream = this.upstream?.socket;
    return {
      clientBytesIn: this.client.bytesRead,
      clientBytesOut: this.client.bytesWritten,
      backendBytesIn: upstream?.bytesRead ?? 0,
      backendBytesOut: upstream?.bytesWritten ?? 0,
      inFlight: this.slots.length,
      backend: upstream && !upstream.destroyed ? this.backendLabel() : null,
    };
  }

  /** The backend broker's address as the metrics name it. */
  private backendLabel(): string {
    return `${this.target.host}:${this.target.port}`;
  }

  get identity(): ClientIdentity {
    return this.who;
  }

  private logFor(identity: ClientIdentity): Logger {
    return this.services.logger.child({
      listener: this.listener,
      peer: `${identity.address}:${identity.port}`,
      principal: identity.principal.toString(),
    });
  }

  private enforcementFor(identity: ClientIdentity): SessionEnforcement | null {
    const e = this.services.enforcement;
    return e ? new SessionEnforcement(e, identity, this.listener, this.services.topics, this.services.metrics.produced) : null;
  }

  private pipelineFor(enforcement: SessionEnforcement | null): ResponsePipeline {
    return new ResponsePipeline(enforcement, {
      brokers: this.services.brokers,
      topics: this.services.topics,
      versions: this.services.versions,
      backend: this.target,
    });
  }

  /** Stops taking requests; closes once every forwarded request has been answered. */
  drain(): void {
    this.draining = true;
    this.updateReading();
    if (this.slots.length === 0) this.close('shutdown', 'gateway shutting down');
  }

  close(reason: CloseReason, detail: string, err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.backlog = [];
    if (reason === 'bad-response') this.services.metrics.upstreamError(this.backendLabel(), 'bad-response');
    const level = reason === 'internal-error' ? 'error' : QUIET_CLOSES.has(reason) ? 'info' : 'warn';
    this.log[level](
      { event: 'connection_close', reason, detail, requests: this.requests, durationMs: Date.now() - this.opened, ...(err && { err }) },
      'connection closed',
    );
    this.sasl?.dispose();
    if (reason === 'shutdown' || reason === 'authentication-failed') {
      // Answers may still sit in the socket's buffer (the 58 of a failed authentication): let them go out, then close.
      this.client.end();
      setTimeout(() => this.client.destroy(), 5_000).unref();
    } else {
      this.client.destroy();
    }
    this.upstream?.close(null);
    this.services.onClosed?.(reason);
    this.resolveDone();
  }

  /** Wraps an event handler: an unexpected error closes this session (logged with its stack), never the process. */
  private guard<A extends unknown[]>(handler: (...args: A) => void): (...args: A) => void {
    return (...args) => {
      try {
        handler(...args);
      } catch (err) {
        this.fail(err);
      }
    };
  }

  private fail(err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    try {
      this.close('internal-error', error.message, error);
    } catch {
      // Closing itself failed: make sure the sockets go anyway.
      this.client.destroy();
      this.upstream?.socket.destroy();
    }
  }

  private onClientData(chunk: Buffer): void {
    this.lastActivity = Date.now();
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      if (err instanceof FrameTooLargeError) return this.close('frame-too-large', err.message);
      throw err;
    }
    if (this.backlog.length > 0) {
      for (const frame of frames) this.backlog.push(frame);
      return;
    }
    if (frames.length === 1) {
      if (this.mayRead()) this.onRequest(frames[0]);
      else this.backlog = frames;
      return;
    }
    // Requests one read completed go upstream in one write (see onResponses).
    const upstream = this.upstream;
    upstream?.socket.cork();
    for (let i = 0; i < frames.length; i++) {
      if (this.closed) break;
      if (!this.mayRead()) {
        // A paused socket emits nothing more, but this chunk's remaining requests wait too.
        this.backlog = frames.slice(i);
        break;
      }
      this.onRequest(frames[i]);
    }
    upstream?.socket.uncork();
  }

  private mayRead(): boolean {
    return (
      !this.draining && !this.waitingForBackend && !this.overResponseBudget && !this.resolvingTopicIds && !this.saslBusy && !this.failing
    );
  }

  /** Pauses or resumes reading the client after any of its reasons changed; handles waiting requests first. */
  private updateReading(): void {
    while (this.backlog.length > 0 && this.mayRead() && !this.closed) this.onRequest(this.backlog.shift()!);
    if (this.closed) return;
    if (this.mayRead()) this.client.resume();
    else this.client.pause();
  }

  /** Over budget: stop reading the client until it has read enough of its answers. */
  private checkResponseBudget(): void {
    // Never below the socket's own high-water mark: less would pause and resume around every answer.
    const budget = Math.max(this.services.limits.maxQueuedResponseBytes, this.client.writableHighWaterMark);
    const over = this.client.writableLength + this.heldBytes + this.unsentAnswers * ANSWER_OVERHEAD_BYTES > budget;
    if (over === this.overResponseBudget) return;
    this.overResponseBudget = over;
    this.updateReading();
  }

  private onClientDrain(): void {
    this.lastActivity = Date.now();
    this.upstream?.socket.resume();
    this.checkResponseBudget();
  }

  private onBackendDrain(): void {
    if (!this.waitingForBackend) return;
    this.waitingForBackend = false;
    this.updateReading();
  }

  /** The first-request deadline, then connections.max.idle.ms: one timer, re-armed from the last activity. */
  private armTimer(ms: number): void {
    this.timer = setTimeout(
      this.guard(() => this.onTimer()),
      Math.max(1, ms),
    );
    this.timer.unref();
  }

  private onTimer(): void {
    if (this.closed) return;
    const now = Date.now();
    const { firstRequestTimeoutMs, connectionsMaxIdleMs } = this.services.limits;
    if (this.requests === 0 && this.backlog.length === 0) {
      if (now - this.opened >= firstRequestTimeoutMs) {
        return this.close('first-request-timeout', `no request within ${firstRequestTimeoutMs} ms of the connection being admitted`);
      }
      return this.armTimer(this.opened + firstRequestTimeoutMs - now);
    }
    // A request in flight is not idleness (a broker counts idle time from the last activity).
    const busy = this.slots.length > 0 || this.backlog.length > 0 || this.resolvingTopicIds;
    const idleFor = now - this.lastActivity;
    if (!busy && idleFor >= connectionsMaxIdleMs) {
      return this.close('idle-timeout', `idle for ${idleFor} ms (connectionsMaxIdleMs ${connectionsMaxIdleMs})`);
    }
    this.armTimer(busy ? connectionsMaxIdleMs : connectionsMaxIdleMs - idleFor);
  }

  // The hot path (every request): kept small and free of try/catch so V8 optimises it; every rare
  // outcome (malformed, refused, answered locally) is a call to a method of its own.
  private onRequest(frame: Frame): void {
    const sasl = this.sasl;
    if (sasl !== null && sasl.authenticating) return this.onSaslFrame(sasl, frame);
    const header = this.peekHeader(frame);
    if (header === null) return;
    this.requests++;
    const apiKey = header.apiKey;
    const apiVersion = header.apiVersion;
    if (apiKey === API_KEY.ApiVersions) {
      if (apiVersion > API_VERSIONS_MAX) return this.answerNewerApiVersions(header.correlationId);
    } else if (!this.advertises(apiKey, apiVersion)) {
      return this.refuseUnadvertised(apiKey, apiVersion);
    }
    this.services.metrics.countRequest(apiKey, apiVersion);
    if (apiKey === SASL_HANDSHAKE || apiKey === SASL_AUTHENTICATE) return this.onSaslRequest(frame, header);
    if (sasl !== null && sasl.expiresAtMs !== null && sasl.expired()) return this.closeExpired();
    if (this.enforcement !== null) return this.enforce(frame, header, false);
    if (apiKey === API_KEY.Produce) {
      const acks = this.unauthorizedProduce(frame);
      if (acks === null) return;
      if (acks === 0) return this.forward(frame.parts); // no response will come: nothing to wait for
    }
    if (this.slotsFull()) return;
    this.expectAnswer(header, undefined, undefined);
    this.forward(frame.parts);
  }

  /** The request header, or null after closing the connection for a malformed one. */
  private peekHeader(frame: Frame): RequestHeaderPeek | null {
    try {
      return peekHead(frame, peekRequestHeaderLazily);
    } catch (err) {
      if (err instanceof ProtocolError) {
        this.close('malformed-frame', err.message);
        return null;
      }
      throw err;
    }
  }

  /** A frame while the SASL state machine takes every frame: nothing more is read until it has decided. */
  private onSaslFrame(sasl: SaslAuthenticator, frame: Frame): void {
    this.requests++;
    this.saslBusy = true;
    this.client.pause();
    void sasl.onFrame(frame.payload).then(
      this.guard((action: SaslAction) => {
        this.saslBusy = false;
        if (this.closed) return;
        this.actOnSasl(action);
        this.updateReading();
      }),
      this.guard((err: unknown) => this.fail(err)),
    );
  }

  /**
   * SaslHandshake/SaslAuthenticate outside the SASL exchange: on a listener without SASL, 34 (as a broker
   * answers them there); on a SASL listener, a re-authentication start or 34 (§3.3 point 5, §4.8).
   */
  private onSaslRequest(frame: Frame, header: RequestHeaderPeek): void {
    const sasl = this.sasl;
    if (sasl === null) {
      if (this.slotsFull()) return;
      return this.answerLocally(saslApiIllegalStateAnswer(header.apiKey, header.apiVersion, header.correlationId));
    }
    if (sasl.expired() && !(header.apiKey === SASL_HANDSHAKE && sasl.mayStartReauthentication())) return this.closeExpired();
    this.actOnSasl(sasl.onAuthenticatedSaslRequest(frame.payload, header));
  }

  private closeExpired(): void {
    this.services.sasl?.onExpiredClose?.();
    this.close('session-expired', 'a request arrived after the SASL session expired without re-authentication');
  }

  private actOnSasl(action: SaslAction): void {
    switch (action.kind) {
      case 'answer':
        if (this.slotsFull()) return;
        return this.answerLocally(action.frame);
      case 'authenticated':
        if (action.frame !== null) {
          if (this.slotsFull()) return;
          this.answerLocally(action.frame);
        }
        return this.onAuthenticated(action);
      case 'fail':
        return this.onAuthenticationFailed(action);
    }
  }

  private onAuthenticated(action: Extract<SaslAction, { kind: 'authenticated' }>): void {
    const principal = action.principal.toString();
    if (!action.reauthentication) {
      // The principal is known now: authorization, the log and the identity the gateway sees follow it.
      this.who = { ...this.who, principal: action.principal, method: 'sasl', sasl: { mechanism: action.mechanism } };
      this.log = this.logFor(this.who);
      this.enforcement = this.enforcementFor(this.who);
      this.pipeline = this.pipelineFor(this.enforcement);
      this.frameLimit = this.services.limits.maxFrameBytes;
      this.services.metrics.saslIdentity(this.listener);
    }
    this.log.info(
      {
        event: action.reauthentication ? 'reauthenticated' : 'authenticated',
        mechanism: action.mechanism,
        sessionLifetimeMs: action.sessionLifetimeMs,
      },
      action.reauthentication ? 'client re-authenticated' : 'client authenticated',
    );
    this.services.sasl!.onAuthentication({
      outcome: 'success',
      reauthentication: action.reauthentication,
      listener: this.listener,
      clientAddress: this.who.address,
      principal,
      mechanism: action.mechanism,
      sessionLifetimeMs: action.sessionLifetimeMs,
      reason: null,
    });
  }

  /** Stops reading; after the failure delay writes the answer (if any) and closes. */
  private onAuthenticationFailed(action: Extract<SaslAction, { kind: 'fail' }>): void {
    this.failing = true;
    this.client.pause();
    this.services.sasl!.onAuthentication({
      outcome: 'failure',
      reauthentication: action.reauthentication,
      listener: this.listener,
      clientAddress: this.who.address,
      principal: action.reauthentication ? this.who.principal.toString() : null,
      mechanism: action.mechanism,
      sessionLifetimeMs: null,
      reason: action.reason,
    });
    const finish = () => {
      if (this.closed) return;
      if (action.frame !== null) this.answerLocally(action.frame);
      this.close('authentication-failed', action.reason);
    };
    if (action.delayMs <= 0) return finish();
    const timer = setTimeout(this.guard(finish), action.delayMs);
    timer.unref();
  }

  /**
   * What ApiVersions lists before authentication (answered by the gateway, no backend connection yet):
   * what this session's backend advertises to clients with its features, or, before any backend has
   * answered, every version the gateway would accept.
   */
  private localApiVersions(): LocalApiVersions {
    const known = this.services.versions.clientAnswer(this.target);
    if (known !== null) return known;
    const apiKeys: Array<{ apiKey: number; minVersion: number; maxVersion: number }> = [];
    for (const apiKey of allApiKeys()) {
      const codec = versionRange(apiKey);
      if (!codec) continue;
      let min = -1;
      let max = -1;
      for (let v = codec.min; v <= codec.max; v++) {
        if (!this.advertises(apiKey, v)) continue;
        if (min < 0) min = v;
        max = v;
      }
      if (min >= 0) apiKeys.push({ apiKey, minVersion: min, maxVersion: max });
    }
    return { apiKeys, features: null };
  }

  /** A Produce's acks, or null after closing the connection for a malformed request. */
  private produceAcks(frame: Frame): number | null {
    try {
      return peekHead(frame, peekProduceAcks);
    } catch (err) {
      if (err instanceof ProtocolError) {
        this.close('malformed-frame', err.message);
        return null;
      }
      throw err;
    }
  }

  /**
   * A Produce forwarded with authorization off: its acks (null after closing the connection for a
   * malformed one), its topics counted as the Produce enforcer counts them with authorization on.
   */
  private unauthorizedProduce(frame: Frame): number | null {
    let peek: ProduceAuthPeek;
    try {
      peek = peekProduceForAuthorization(frame.parts);
    } catch (err) {
      if (err instanceof ProtocolError) {
        this.close('malformed-frame', err.message);
        return null;
      }
      throw err;
    }
    const metrics = this.services.metrics;
    for (const t of peek.topics) {
      const name = t.name ?? this.services.topics.nameOf(t.topicId!);
      if (name !== undefined) metrics.produced(name, t.records, t.bytes);
    }
    return peek.acks;
  }

  /** Spec §3.2: a newer ApiVersions than we speak gets a v0 answer listing what we do speak. */
  private answerNewerApiVersions(correlationId: number): void {
    if (this.slotsFull()) return;
    this.answerLocally(this.unsupportedApiVersions(correlationId));
  }

  /** A broker closes the connection for an api key or version it does not advertise. */
  private refuseUnadvertised(apiKey: number, apiVersion: number): void {
    this.close('unsupported-api', `api key ${apiKey} version ${apiVersion} is not advertised`);
  }

  /**
   * The request through its API's enforcer, then what the decision says. `topicIdsResolved`: the second
   * pass after the topic ids the enforcer asked for were looked up.
   */
  private enforce(frame: Frame, header: RequestHeaderPeek, topicIdsResolved: boolean): void {
    const enforcement = this.enforcement!;
    const enforcer = enforcement.enforcerFor(header.apiKey, header.apiVersion);
    // Registry and advertised versions agree; this is the fail-closed net under them.
    if (enforcer === undefined) return this.refuseUnenforced(header);
    const decision = this.decide(enforcer, frame, header, topicIdsResolved);
    if (decision === null) return;
    if (decision.action === 'forward') {
      // acks=0 Produce gets no answer: it takes no slot (the Produce enforcer read acks in its own walk).
      if (decision.noAnswer === true) return this.forward(frame.parts);
      if (this.slotsFull()) return;
      this.expectAnswer(header, decision.memo === undefined ? undefined : enforcer, decision.memo);
      return this.forward(frame.parts);
    }
    this.actOn(decision, enforcer, frame, header, topicIdsResolved);
  }

  private refuseUnenforced(header: RequestHeaderPeek): void {
    this.close('unsupported-api', `api key ${header.apiKey} version ${header.apiVersion} has no enforcer`);
  }

  /** The enforcer's decision, or null after closing the connection for a request that does not parse. */
  private decide(enforcer: AnyEnforcer, frame: Frame, header: RequestHeaderPeek, topicIdsResolved: boolean): RequestDecision | null {
    try {
      return this.enforcement!.decide(enforcer, frame, header, topicIdsResolved);
    } catch (err) {
      if (err instanceof ProtocolError) {
        this.close('malformed-frame', err.message);
        return null;
      }
      throw err;
    }
  }

  /** Every decision but a forward (the rare ones: a denial, a rewrite, a lookup). */
  private actOn(
    decision: RequestDecision,
    enforcer: AnyEnforcer,
    frame: Frame,
    header: RequestHeaderPeek,
    topicIdsResolved: boolean,
  ): void {
    const enforcement = this.enforcement!;
    if (decision.action === 'close') return this.close('authorization-close', decision.reason);
    if (decision.action === 'resolve-topic-ids') {
      if (topicIdsResolved) return this.close('internal-error', `enforcer of api key ${header.apiKey} asked for topic ids twice`);
      return this.resolveTopicIds(frame, header);
    }
    // Whatever its enforcer did, an acks=0 Produce is never answered: a broker closes instead (checked here too).
    let acksZero = false;
    if (header.apiKey === API_KEY.Produce) {
      const acks = this.produceAcks(frame);
      if (acks === null) return;
      acksZero = acks === 0;
    }
    if (!acksZero && this.slotsFull()) return;
    switch (decision.action) {
      case 'rewrite':
        // Kafka closes the connection when any partition of an acks=0 Produce fails: never a partial one.
        if (acksZero) return this.close('authorization-close', 'enforcer rewrote an acks=0 Produce; closing instead');
        this.expectAnswer(header, decision.memo === undefined ? undefined : enforcer, decision.memo);
        return this.forward(enforcement.rewrite(frame, decision.body));
      case 'answer':
        if (acksZero) return this.close('authorization-close', 'an acks=0 Produce cannot be answered; closing instead');
        return this.answerLocally(enforcement.answer(header, decision.body));
      case 'answer-later':
        if (acksZero) return this.close('authorization-close', 'an acks=0 Produce cannot be answered; closing instead');
        return this.answerLater(header, decision.body);
    }
  }

  /** Holds every later request until the backend has told us its topic ids, then decides this one again. */
  private resolveTopicIds(frame: Frame, header: RequestHeaderPeek): void {
    this.resolvingTopicIds = true;
    this.client.pause();
    void this.enforcement!.resolveTopicIds(this.target).then(
      this.guard(() => {
        if (this.closed) return;
        this.resolvingTopicIds = false;
        this.enforce(frame, header, true);
        this.updateReading();
      }),
    );
  }

  private expectAnswer(header: RequestHeaderPeek, enforcer: AnyEnforcer | undefined, memo: unknown): void {
    const { correlationId, apiKey, apiVersion } = header;
    const slot: Slot = { frame: null, apiKey, startedAt: performance.now() };
    this.slots.push(slot);
    this.pending.push(enforcer ? { correlationId, apiKey, apiVersion, slot, enforcer, memo } : { correlationId, apiKey, apiVersion, slot });
  }

  /** Every answer, local or forwarded, takes a slot: at the bound the connection is closed, as before any answer is made. */
  private slotsFull(): boolean {
    if (this.slots.length < this.services.limits.maxInFlightRequests) return false;
    this.close('in-flight-overflow', `more than ${this.services.limits.maxInFlightRequests} requests in flight`);
    return true;
  }

  private forward(frame: Outgoing): void {
    const upstream = (this.upstream ??= this.openUpstream());
    if (!upstream.write(frame) && !this.waitingForBackend) {
      // Backpressure: stop reading the client until the backend has taken what we wrote.
      this.waitingForBackend = true;
      this.client.pause();
    }
  }

  private openUpstream(): Upstream {
    const upstream = new Upstream(
      this.target,
      { connectTimeoutMs: this.services.connectTimeoutMs, maxFrameBytes: this.services.limits.maxResponseFrameBytes },
      {
        onFrame: this.guard((frame: Frame) => this.onResponse(frame)),
        onFrames: this.guard((frames: readonly Frame[]) => this.onResponses(frames)),
        onClose: this.guard((reason: string | null, kind: UpstreamEnd) => {
          if (!this.closed && kind !== 'local') this.services.metrics.upstreamError(this.backendLabel(), kind);
          this.close('upstream-closed', reason ?? 'backend closed the connection');
        }),
      },
    );
    upstream.socket.on(
      'drain',
      this.guard(() => this.onBackendDrain()),
    );
    return upstream;
  }

  private answerLocally(frame: Buffer): void {
    const slot = localSlot(frame);
    this.slots.push(slot);
    if (this.slots.length > 1) this.heldBytes += frame.length;
    this.flush();
  }

  /** A slot now, its answer when the enforcer's promise settles (a rejection closes the connection). */
  private answerLater(header: RequestHeaderPeek, body: Promise<Struct>): void {
    const slot = localSlot(null);
    this.slots.push(slot);
    body.then(
      this.guard((answer: Struct) => {
        if (this.closed) return;
        const frame = this.enforcement!.answer(header, answer);
        slot.frame = frame;
        if (this.slots[0] !== slot) this.heldBytes += frame.length;
        this.flush();
      }),
      this.guard((err: unknown) => this.fail(err)),
    );
  }

  /**
   * The answers one read from the backend completed. Several are corked into one write to the client
   * (each write to a loopback or LAN socket costs a system call and a wake-up of the reader, which a
   * byte pipe pays once per read).
   */
  private onResponses(frames: readonly Frame[]): void {
    if (frames.length === 1) return this.onResponse(frames[0]);
    this.client.cork();
    for (let i = 0; i < frames.length && !this.closed; i++) this.onResponse(frames[i]);
    this.client.uncork();
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
    this.services.metrics.upstreamDuration.observe(entry.apiKey, (performance.now() - entry.slot.startedAt) / 1000);
    try {
      entry.slot.frame = this.processResponse(entry, frame);
    } catch (err) {
      if (err instanceof ProtocolError) return this.close('bad-response', `cannot parse backend response: ${err.message}`);
      throw err;
    }
    if (this.slots[0] !== entry.slot) this.heldBytes += outgoingBytes(entry.slot.frame);
    this.flush();
  }

  /**
   * The response bytes to send the client: the original (as the chunks it arrived in) unless a stage of
   * the response pipeline (authorization merge/filter, addresses, versions) must change them.
   */
  private processResponse(entry: Pending, frame: Frame): Outgoing {
    if (entry.apiKey === API_KEY.Fetch) this.countFetched(entry.apiVersion, frame);
    return this.pipeline.run(entry, frame);
  }

  /** What a Fetch answer carries, by topic (as the backend sent it; counting never fails the answer). */
  private countFetched(apiVersion: number, frame: Frame): void {
    const metrics = this.services.metrics;
    const topics = this.services.topics;
    try {
      walkFetchRecords(
        frame.parts,
        apiVersion,
        (name, topicId, records, bytes) => {
          const topic = name ?? (topicId === null ? undefined : topics.nameOf(topicId));
          if (topic !== undefined) metrics.fetched(topic, records, bytes);
        },
        4,
      );
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      // A malformed answer: the pipeline's own checks decide what happens to it.
    }
  }

  private unsupportedApiVersions(correlationId: number): Buffer {
    return unsupportedApiVersionsAnswer(correlationId);
  }

  /** Sends every response whose turn has come; holds later ones behind an unanswered request. */
  private flush(): void {
    let wrote = false;
    let now = 0;
    while (this.slots.length > 0 && this.slots[0].frame !== null) {
      const slot = this.slots.shift()!;
      const frame = slot.frame!;
      if (slot.apiKey >= 0)
        this.services.metrics.requestDuration.observe(slot.apiKey, ((now ||= performance.now()) - slot.startedAt) / 1000);
      // The head slot's answer was never counted as held, the ones that waited behind it were.
      if (wrote) this.heldBytes -= outgoingBytes(frame);
      wrote = true;
      // Counted (and called back when gone) only behind bytes already queued: see unsentAnswers.
      const behindQueued = this.client.writableLength > 0;
      if (behindQueued) this.unsentAnswers++;
      if (!writeFrame(this.client, frame, behindQueued ? this.answerSent : undefined)) {
        // Backpressure: a slow client stops us reading the backend until it catches up (resumed on 'drain').
        this.upstream?.socket.pause();
      }
    }
    if (wrote) this.lastActivity = Date.now();
    if (this.draining && this.slots.length === 0) return this.close('shutdown', 'gateway shutting down');
    this.checkResponseBudget();
  }
}
