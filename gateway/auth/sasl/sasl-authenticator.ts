// The SASL state machine of one connection on a SASL_PLAINTEXT or SASL_SSL listener (spec §3.3, §3.4,
// §4.1, §4.2, §4.8), without sockets: request frames in, actions out. The session feeds it every frame
// while `authenticating` is true (before the first authentication, and during a re-authentication),
// and the SaslHandshake/SaslAuthenticate requests of an authenticated connection; it writes the answers,
// closes when told, and takes the principal from `authenticated`.
//   initial ──ApiVersions (once)──▶ handshake ──SaslHandshake v1──▶ exchange (SaslAuthenticate frames)
//      └────────SaslHandshake────────────┘  └──SaslHandshake v0──▶ legacy (raw int32-length tokens)
//   exchange/legacy ──mechanism success──▶ authenticated ──SaslHandshake (expiry set, ≥1 s)──▶ exchange
import type { KafkaPrincipal } from '../../common/principal.ts';
import { API_KEY, ErrorCode, ProtocolError, decodeRequestFrame, peekRequestHeader, versionRange } from '../../protocol/index.ts';
import type { RequestHeaderPeek } from '../../protocol/index.ts';
import type { SaslMechanismName, SaslServerExchange, SaslServerMechanism, SaslStep } from './mechanism.ts';
import {
  type LocalApiVersions,
  apiVersionsAnswer,
  authenticateAnswer,
  handshakeAnswer,
  illegalStateErrorResponse,
  rawTokenFrame,
  saslApiIllegalStateAnswer,
  unsupportedApiVersionsAnswer,
} from './sasl-frames.ts';
import { sessionLifetime } from './session-lifetime.ts';

export type SaslAuthenticatorOptions = {
  readonly listener: string;
  readonly clientAddress: string;
  /** The mechanisms this listener enables, in the order SaslHandshake lists them. */
  readonly mechanisms: ReadonlyMap<SaslMechanismName, SaslServerMechanism>;
  /** connections.max.reauth.ms for this listener (0: none). */
  readonly sessionLifetimeMs: number;
  /** connection.failed.authentication.delay.ms. */
  readonly failedAuthenticationDelayMs: number;
  /** What ApiVersions lists before authentication: the versions the gateway advertises, the backend's features. */
  readonly apiVersions: () => LocalApiVersions;
  readonly now?: () => number;
};

/** What the session does next. */
export type SaslAction =
  /** Write this answer and keep reading. */
  | { readonly kind: 'answer'; readonly frame: Buffer }
  /** Write the answer (if any): the connection is authenticated as `principal` from now on. */
  | {
      readonly kind: 'authenticated';
      readonly frame: Buffer | null;
      readonly principal: KafkaPrincipal;
      readonly mechanism: SaslMechanismName;
      readonly sessionLifetimeMs: number;
      readonly reauthentication: boolean;
    }
  /**
   * Authentication failed or the client broke the protocol: after `delayMs` write `frame` (if any),
   * then close. `mechanism`: the one tried (null before one was chosen). `reason`: for the log and
   * the audit line only (never a secret, never sent).
   */
  | {
      readonly kind: 'fail';
      readonly frame: Buffer | null;
      readonly delayMs: number;
      readonly reason: string;
      readonly mechanism: SaslMechanismName | null;
      readonly reauthentication: boolean;
    };

/** A token exchange in progress: v1 (SaslAuthenticate frames) or legacy v0 (raw tokens). */
type Exchanging = { name: 'exchange' | 'legacy'; mechanism: SaslMechanismName; exchange: SaslServerExchange | null };

type State = { name: 'initial' } | { name: 'handshake' } | Exchanging | { name: 'authenticated' } | { name: 'failed' };

/** Kafka refuses to start a re-authentication within a second of the previous one's start. */
const MIN_REAUTHENTICATION_INTERVAL_MS = 1000;

const SASL_HANDSHAKE_MAX = versionRange(API_KEY.SaslHandshake)!.max;
const SASL_AUTHENTICATE_MAX = versionRange(API_KEY.SaslAuthenticate)!.max;
const API_VERSIONS_MAX = versionRange(API_KEY.ApiVersions)!.max;

/** Spec §3.4: the text sent when the mechanism has none of its own (user existence is not revealed). */
export function genericFailureMessage(mechanism: string, reauthentication: boolean): string {
  return `Authentication failed during ${reauthentication ? 're-authentication' : 'authentication'} due to invalid credentials with SASL mechanism ${mechanism}`;
}

export class SaslAuthenticator {
  private state: State = { name: 'initial' };
  private readonly now: () => number;
  /** The first authentication's mechanism and principal: re-authentication may change neither. */
  private authenticatedAs: { mechanism: SaslMechanismName; principal: KafkaPrincipal } | null = null;
  private reauthenticating = false;
  private lastReauthenticationStart = -Infinity;
  /** When the session expires (null: never). */
  expiresAtMs: number | null = null;

  constructor(private readonly options: SaslAuthenticatorOptions) {
    this.now = options.now ?? Date.now;
  }

  /** True while every frame must come here: before the first authentication and during a re-authentication. */
  get authenticating(): boolean {
    return this.state.name !== 'authenticated';
  }

  get principal(): KafkaPrincipal | null {
    return this.authenticatedAs?.principal ?? null;
  }

  get mechanism(): SaslMechanismName | null {
    return this.authenticatedAs?.mechanism ?? null;
  }

  /** Whether the session has expired: any request but a re-authentication start must close the connection. */
  expired(): boolean {
    return this.expiresAtMs !== null && this.now() >= this.expiresAtMs;
  }

  /** Whether a SaslHandshake now would start a re-authentication (§4.8). */
  mayStartReauthentication(): boolean {
    return this.expiresAtMs !== null && this.now() - this.lastReauthenticationStart >= MIN_REAUTHENTICATION_INTERVAL_MS;
  }

  /** A frame (its bytes after the size prefix) while `authenticating`. Never rejects. */
  async onFrame(payload: Buffer): Promise<SaslAction> {
    try {
      switch (this.state.name) {
        case 'initial':
        case 'handshake':
          return this.onHandshakePhase(payload);
        case 'exchange':
          return await this.onAuthenticate(payload, this.state);
        case 'legacy':
          return await this.onLegacyToken(payload, this.state);
        default:
          return this.fail(null, `frame in state ${this.state.name}`, null);
      }
    } catch (err) {
      if (err instanceof ProtocolError) return this.fail(null, `malformed request: ${err.message}`, null);
      throw err;
    }
  }

  /** A SaslHandshake or SaslAuthenticate on an authenticated connection (§3.3 point 5, §4.8). */
  onAuthenticatedSaslRequest(payload: Buffer, header: RequestHeaderPeek): SaslAction {
    if (header.apiKey === API_KEY.SaslHandshake && this.mayStartReauthentication()) {
      this.lastReauthenticationStart = this.now();
      this.reauthenticating = true;
      try {
        return this.onHandshake(payload, header);
      } catch (err) {
        if (err instanceof ProtocolError) return this.fail(null, `malformed SaslHandshake: ${err.message}`, null);
        throw err;
      }
    }
    return { kind: 'answer', frame: saslApiIllegalStateAnswer(header.apiKey, header.apiVersion, header.correlationId) };
  }

  /** Frees the exchange in progress (the connection closed mid-authentication). */
  dispose(): void {
    if (this.state.name === 'exchange' || this.state.name === 'legacy') this.state.exchange?.dispose();
    this.state = { name: 'failed' };
  }

  private onHandshakePhase(payload: Buffer): SaslAction {
    let header: RequestHeaderPeek;
    try {
      header = peekRequestHeader(payload);
    } catch {
      // Not a Kafka request (a raw GSSAPI token, an HTTP request…): close without an answer (§3.3 point 1).
      return this.fail(null, 'the first frame is not a Kafka request', null);
    }
    if (header.apiKey === API_KEY.ApiVersions && this.state.name === 'initial') {
      if (header.apiVersion > API_VERSIONS_MAX) return { kind: 'answer', frame: unsupportedApiVersionsAnswer(header.correlationId) };
      const { frame, valid } = apiVersionsAnswer(payload, header.apiVersion, header.correlationId, this.options.apiVersions());
      if (valid) this.state = { name: 'handshake' };
      return { kind: 'answer', frame };
    }
    if (header.apiKey !== API_KEY.SaslHandshake) {
      return this.fail(null, `unexpected request (api key ${header.apiKey}) before the SASL handshake`, null);
    }
    return this.onHandshake(payload, header);
  }

  private onHandshake(payload: Buffer, header: RequestHeaderPeek): SaslAction {
    if (header.apiVersion > SASL_HANDSHAKE_MAX) return this.fail(null, `unsupported SaslHandshake version ${header.apiVersion}`, null);
    const requested = decodeRequestFrame(payload).body.mechanism as string;
    const enabled = [...this.options.mechanisms.keys()];
    const mechanism = enabled.find((m) => m === requested);
    if (mechanism === undefined) {
      const frame = handshakeAnswer(header.apiVersion, header.correlationId, ErrorCode.UNSUPPORTED_SASL_MECHANISM, enabled);
      // The requested name is client text: only its length goes to the log.
      return this.fail(frame, `unsupported SASL mechanism requested (${requested.length} characters)`, null);
    }
    this.state = { name: header.apiVersion === 0 ? 'legacy' : 'exchange', mechanism, exchange: null };
    return { kind: 'answer', frame: handshakeAnswer(header.apiVersion, header.correlationId, 0, enabled) };
  }

  private async onAuthenticate(payload: Buffer, state: Exchanging): Promise<SaslAction> {
    let header: RequestHeaderPeek;
    try {
      header = peekRequestHeader(payload);
    } catch {
      return this.fail(null, 'a frame that is not a Kafka request during the SASL exchange', state.mechanism);
    }
    if (header.apiKey !== API_KEY.SaslAuthenticate) {
      // That API's own error response with 34, then close (§3.3 point 4).
      let frame: Buffer | null = null;
      try {
        frame = illegalStateErrorResponse(payload);
      } catch {
        // A request we cannot decode gets no answer.
      }
      return this.fail(frame, `unexpected request (api key ${header.apiKey}) during the SASL exchange`, state.mechanism);
    }
    if (header.apiVersion > SASL_AUTHENTICATE_MAX)
      return this.fail(null, `unsupported SaslAuthenticate version ${header.apiVersion}`, state.mechanism);
    if (this.reauthenticating && state.mechanism !== this.authenticatedAs!.mechanism) {
      // Kafka closes without an answer (spec §4.8).
      return this.fail(
        null,
        `SASL mechanism '${state.mechanism}' requested by client is not supported for re-authentication of mechanism '${this.authenticatedAs!.mechanism}'`,
        state.mechanism,
        0,
      );
    }
    const token = decodeRequestFrame(payload).body.authBytes as Buffer;
    const step = await this.evaluate(state, token);
    const reply = (fields: Parameters<typeof authenticateAnswer>[2]) => authenticateAnswer(header.apiVersion, header.correlationId, fields);
    switch (step.kind) {
      case 'challenge':
        return { kind: 'answer', frame: reply({ errorCode: 0, errorMessage: null, authBytes: step.token, sessionLifetimeMs: 0 }) };
      case 'success': {
        const refused = this.principalRefusal(step.principal);
        if (refused !== null) {
          const frame = reply({
            errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
            errorMessage: refused.message,
            authBytes: null,
            sessionLifetimeMs: 0,
          });
          return this.fail(frame, refused.reason, state.mechanism);
        }
        const lifetime = this.complete(state.mechanism, step);
        const frame = reply({ errorCode: 0, errorMessage: null, authBytes: step.token, sessionLifetimeMs: lifetime });
        return this.authenticated(frame, step.principal, state.mechanism, lifetime);
      }
      case 'failure': {
        if (step.transient === true) return this.fail(null, step.reason, state.mechanism, 0);
        const errorMessage = step.message ?? genericFailureMessage(state.mechanism, this.reauthenticating);
        const frame = reply({ errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage, authBytes: null, sessionLifetimeMs: 0 });
        return this.fail(frame, step.reason, state.mechanism);
      }
    }
  }

  /** §4.2: raw tokens in, raw tokens out, and no error channel (a failure closes). */
  private async onLegacyToken(token: Buffer, state: Exchanging): Promise<SaslAction> {
    if (this.reauthenticating && state.mechanism !== this.authenticatedAs!.mechanism) {
      return this.fail(null, `SASL mechanism '${state.mechanism}' is not the one being re-authenticated`, state.mechanism, 0);
    }
    const step = await this.evaluate(state, token);
    switch (step.kind) {
      case 'challenge':
        return { kind: 'answer', frame: rawTokenFrame(step.token) };
      case 'success': {
        const refused = this.principalRefusal(step.principal);
        if (refused !== null) return this.fail(null, refused.reason, state.mechanism);
        const lifetime = this.complete(state.mechanism, step);
        return this.authenticated(step.token === null ? null : rawTokenFrame(step.token), step.principal, state.mechanism, lifetime);
      }
      case 'failure':
        return this.fail(null, step.reason, state.mechanism, step.transient === true ? 0 : undefined);
    }
  }

  /** The mechanism's answer to a token; a mechanism that throws (a bug) counts as a failure, never as success. */
  private async evaluate(state: Exchanging, token: Buffer): Promise<SaslStep> {
    const exchange = (state.exchange ??= this.options.mechanisms.get(state.mechanism)!.start({
      listener: this.options.listener,
      clientAddress: this.options.clientAddress,
      reauthentication: this.reauthenticating,
    }));
    let step: SaslStep;
    try {
      step = await exchange.evaluate(token);
    } catch (err) {
      step = { kind: 'failure', message: null, reason: `mechanism error: ${(err as Error).message}` };
    }
    if (step.kind !== 'challenge') {
      exchange.dispose();
      state.exchange = null;
    }
    return step;
  }

  /** Why a principal is refused (null: accepted): the ACL wildcard, or a change of principal on re-authentication. */
  private principalRefusal(principal: KafkaPrincipal): { message: string | null; reason: string } | null {
    if (principal.name === '*') return { message: null, reason: `principal ${principal.toString()} is the ACL wildcard` };
    const before = this.authenticatedAs?.principal;
    if (this.reauthenticating && before !== undefined && !before.equals(principal)) {
      const message = `Cannot change principals during re-authentication from ${before.toString()}: ${principal.toString()}`;
      return { message, reason: message };
    }
    return null;
  }

  /** Sets the session expiry and returns the lifetime to tell the client. */
  private complete(mechanism: SaslMechanismName, step: Extract<SaslStep, { kind: 'success' }>): number {
    const lifetime = sessionLifetime(this.options.sessionLifetimeMs, step.credentialExpiresAtMs, this.now());
    this.expiresAtMs = lifetime.expiresAtMs;
    this.authenticatedAs ??= { mechanism, principal: step.principal };
    return lifetime.lifetimeMs;
  }

  private authenticated(frame: Buffer | null, principal: KafkaPrincipal, mechanism: SaslMechanismName, lifetimeMs: number): SaslAction {
    const reauthentication = this.reauthenticating;
    this.state = { name: 'authenticated' };
    this.reauthenticating = false;
    return { kind: 'authenticated', frame, principal, mechanism, sessionLifetimeMs: lifetimeMs, reauthentication };
  }

  private fail(frame: Buffer | null, reason: string, mechanism: SaslMechanismName | null, delayMs?: number): SaslAction {
    if (this.state.name === 'exchange' || this.state.name === 'legacy') this.state.exchange?.dispose();
    this.state = { name: 'failed' };
    return {
      kind: 'fail',
      frame,
      delayMs: delayMs ?? this.options.failedAuthenticationDelayMs,
      reason,
      mechanism,
      reauthentication: this.reauthenticating,
    };
  }
}
