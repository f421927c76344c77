// OAUTHBEARER (RFC 7628) as Kafka's broker serves it (spec §4.6): the client's initial response carries
// a JWT, validated against a JWKS. A refused token is not failed at once: the server answers with a
// challenge holding an RFC 7628 error status (`{"status":"invalid_token"}`), the client acknowledges it
// with a single 0x01, and only that gets the failure, whose message is the same JSON text.
import type { JWTVerifyGetKey } from 'jose';
import { KafkaPrincipal } from '../../../common/principal.ts';
import type { AuthLog, SaslServerExchange, SaslServerMechanism, SaslStep } from '../mechanism.ts';
import { parseInitialResponse } from './initial-response.ts';
import { openJwks, type OauthbearerJwksSource } from './jwks.ts';
import { allowedAlgorithms, validateToken, type TokenRules } from './token-validator.ts';

export type { OauthbearerJwksSource } from './jwks.ts';

/** The same fields as the configuration's OauthbearerConfig (auth does not import config). */
export type OauthbearerOptions = TokenRules & { readonly jwks: OauthbearerJwksSource };

/** The client's acknowledgement of an error challenge (RFC 7628 §3.2.3: a single %x01). */
const DUMMY_RESPONSE = 0x01;

/** Kafka's JSON error challenge, byte for byte (its members joined by ", "). */
export function errorChallengeJson(status: string, scope: string | null): string {
  return scope === null ? `{"status":${JSON.stringify(status)}}` : `{"status":${JSON.stringify(status)}, "scope":${JSON.stringify(scope)}}`;
}

export function oauthbearerMechanism(options: OauthbearerOptions, log: AuthLog): SaslServerMechanism {
  if (allowedAlgorithms(options.algorithms).length === 0) {
    throw new Error('OAUTHBEARER: algorithms must name at least one signature algorithm (none is never accepted)');
  }
  const rules: TokenRules = { ...options };
  // As Kafka's broker validator does: without these, any token the keys verify is accepted, whoever it was for.
  if (options.audience.length === 0) log.warn({}, 'OAUTHBEARER: no audience configured; tokens for any audience are accepted');
  if (options.issuer === null) log.warn({}, 'OAUTHBEARER: no issuer configured; tokens of any issuer are accepted');
  const jwks = openJwks(options.jwks, log);
  return {
    name: 'OAUTHBEARER',
    start: () => new OauthbearerExchange(rules, jwks.getKey),
    close: () => jwks.close(),
  };
}

class OauthbearerExchange implements SaslServerExchange {
  /** The JSON of the error challenge sent, while waiting for the client's 0x01. */
  private pendingError: { json: string; reason: string } | null = null;
  private finished = false;

  constructor(
    private readonly rules: TokenRules,
    private readonly getKey: JWTVerifyGetKey,
  ) {}

  async evaluate(token: Buffer): Promise<SaslStep> {
    if (this.finished) return this.fail(null, 'token after the exchange ended');
    const pending = this.pendingError;
    this.pendingError = null;
    if (pending !== null && token.length === 1 && token[0] === DUMMY_RESPONSE) return this.fail(pending.json, pending.reason);
    // As in Kafka, anything else (even after an error challenge) is read as a new initial response.
    const parsed = parseInitialResponse(token);
    if (!parsed.ok) return this.fail(null, `malformed client initial response: ${parsed.problem}`);
    const { authzid, token: jwt } = parsed.response;

    let verdict: Awaited<ReturnType<typeof validateToken>>;
    try {
      verdict = await validateToken(jwt, this.rules, this.getKey);
    } catch (error) {
      // validateToken maps every refusal to a verdict; this is a fault of ours, not the client's.
      return this.fail(null, `token validation error: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!verdict.ok) {
      const json = errorChallengeJson(verdict.status, verdict.scope);
      this.pendingError = { json, reason: `token refused: ${verdict.reason}` };
      return { kind: 'challenge', token: Buffer.from(json, 'utf8') };
    }
    if (authzid !== '' && authzid !== verdict.principalName) {
      return this.fail(
        `Authentication failed: Client requested an authorization id (${authzid}) that is different from the token's principal name (${verdict.principalName})`,
        'authorization id differs from the token principal',
      );
    }
    this.finished = true;
    // Kafka answers success with an empty challenge (written even on the legacy v0 path).
    return {
      kind: 'success',
      token: Buffer.alloc(0),
      principal: KafkaPrincipal.user(verdict.principalName),
      credentialExpiresAtMs: verdict.expiresAtMs,
    };
  }

  dispose(): void {
    this.pendingError = null;
  }

  private fail(message: string | null, reason: string): SaslStep {
    this.finished = true;
    return { kind: 'failure', message, reason };
  }
}
