// The contract every server-side SASL mechanism implements (GSSAPI, PLAIN, SCRAM-SHA-256/512,
// OAUTHBEARER). The connection's SASL state machine (sasl-authenticator.ts) owns the Kafka framing
// (SaslHandshake v0/v1, SaslAuthenticate v0–v2, the legacy raw-token path), the failure delay, the
// error code and the session lifetime; a mechanism only turns client tokens into server tokens and,
// at the end, a principal or a failure. A mechanism never throws on client input: bad input is a failure.
// Mechanisms take option types of their own (auth does not import config); the configuration's types
// (config/authentication.ts) have the same shape, so the composition root passes them straight in.
import type { KafkaPrincipal } from '../../common/principal.ts';
import type { SaslMechanismName } from '../../common/sasl-mechanism-names.ts';

export { SASL_MECHANISM_NAMES, type SaslMechanismName } from '../../common/sasl-mechanism-names.ts';

/** What a mechanism may know about the connection it authenticates (never used to decide on its own). */
export type SaslExchangeContext = {
  readonly listener: string;
  /** The real client address (behind any PROXY header). */
  readonly clientAddress: string;
  /** True when this exchange re-authenticates an authenticated connection (KIP-368). */
  readonly reauthentication: boolean;
};

export type SaslStep =
  /** Send this token (possibly empty) and wait for the client's next one. */
  | { readonly kind: 'challenge'; readonly token: Buffer }
  /**
   * Authenticated. `token`: the last server message (SCRAM's `v=…`), or null when the mechanism has
   * nothing more to say (an empty AuthBytes in v1 framing, nothing written on the legacy v0 path).
   * `credentialExpiresAtMs`: when the credential itself expires (an OAUTHBEARER token's `exp`), which
   * caps the session lifetime (spec §4.8); null when the credential does not expire.
   */
  | {
      readonly kind: 'success';
      readonly token: Buffer | null;
      readonly principal: KafkaPrincipal;
      readonly credentialExpiresAtMs: number | null;
    }
  /**
   * Refused. `message`: the text sent verbatim in SaslAuthenticate's ErrorMessage when the mechanism has
   * an explicit one (spec §3.4: PLAIN's "Authentication failed: Invalid username or password", the
   * OAUTHBEARER JSON status); null sends the generic "Authentication failed during authentication due to
   * invalid credentials with SASL mechanism <MECH>". `reason`: for the log and audit line only (never a
   * secret, never sent to the client). `transient`: close without a 58 answer (retriable Kerberos errors).
   */
  | { readonly kind: 'failure'; readonly message: string | null; readonly reason: string; readonly transient?: boolean };

/** One authentication attempt on one connection. */
export interface SaslServerExchange {
  /** The client's next token; resolves with what to answer. Never rejects on client input. */
  evaluate(token: Buffer): Promise<SaslStep>;
  /** Frees what the exchange holds (a GSS context); called exactly once, whatever the outcome. */
  dispose(): void;
}

/** A mechanism as configured for the gateway: shared by every connection of every listener enabling it. */
export interface SaslServerMechanism {
  readonly name: SaslMechanismName;
  start(context: SaslExchangeContext): SaslServerExchange;
  /** Releases what the mechanism holds (file watchers, JWKS refresh timers, a keytab handle). */
  close?(): void;
}

/** The narrow log a mechanism writes to (auth does not import observability; a pino logger fits). */
export interface AuthLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
