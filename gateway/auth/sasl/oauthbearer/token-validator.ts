// Validates an OAUTHBEARER bearer token: a JWS-signed JWT checked against the JWKS (algorithm in the
// allowed list, never `none`), then its claims: `exp` and `iat` required (as Kafka's broker validator), `nbf`/`iat` within the clock skew, `iss`
// and `aud` when configured, the required scopes, and the principal claim. The verdict carries the
// RFC 7628 error status Kafka's validators use, and a reason for the log that never holds the token.
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

export type TokenRules = {
  readonly issuer: string | null;
  readonly audience: readonly string[];
  readonly principalClaim: string;
  readonly scopeClaim: string;
  readonly requiredScopes: readonly string[];
  readonly clockSkewSeconds: number;
  readonly algorithms: readonly string[];
};

export type TokenVerdict =
  | { readonly ok: true; readonly principalName: string; readonly expiresAtMs: number }
  | {
      readonly ok: false;
      readonly status: 'invalid_token' | 'insufficient_scope';
      /** For insufficient_scope: the scopes a token needs, space-separated (RFC 6749 §3.3). */
      readonly scope: string | null;
      readonly reason: string;
    };

function invalid(reason: string): TokenVerdict {
  return { ok: false, status: 'invalid_token', scope: null, reason };
}

/** `none` is refused whatever the configuration says (an unsigned token proves nothing). */
export function allowedAlgorithms(configured: readonly string[]): string[] {
  return configured.filter((alg) => alg.toLowerCase() !== 'none');
}

export async function validateToken(token: string, rules: TokenRules, getKey: JWTVerifyGetKey, nowMs = Date.now()): Promise<TokenVerdict> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, getKey, {
      algorithms: allowedAlgorithms(rules.algorithms),
      issuer: rules.issuer ?? undefined,
      audience: rules.audience.length > 0 ? [...rules.audience] : undefined,
      clockTolerance: rules.clockSkewSeconds,
      requiredClaims: ['exp', 'iat'],
      currentDate: new Date(nowMs),
    }));
  } catch (error) {
    return invalid(rejectionReason(error));
  }

  // jose checks `iat` only against a maximum age; a token issued in the future is as suspect as an early `nbf`.
  if (typeof payload.iat === 'number' && payload.iat > nowMs / 1000 + rules.clockSkewSeconds) return invalid('issued in the future (iat)');

  const principal = payload[rules.principalClaim];
  if (typeof principal !== 'string') return invalid(`principal claim "${rules.principalClaim}" missing or not a string`);
  const principalName = principal.trim();
  if (principalName === '') return invalid(`principal claim "${rules.principalClaim}" is empty`);

  if (rules.requiredScopes.length > 0) {
    const granted = scopesOf(payload[rules.scopeClaim]);
    const missing = rules.requiredScopes.filter((scope) => !granted.has(scope));
    if (missing.length > 0) {
      return {
        ok: false,
        status: 'insufficient_scope',
        scope: rules.requiredScopes.join(' '),
        reason: `missing scope(s) ${missing.join(' ')}`,
      };
    }
  }
  // requiredClaims and jose's own check make `exp` a finite number here.
  return { ok: true, principalName, expiresAtMs: (payload.exp as number) * 1000 };
}

/** A scope claim is a space-separated string (RFC 8693 §4.2) or, from some providers, an array of strings. */
function scopesOf(claim: unknown): Set<string> {
  if (typeof claim === 'string') return new Set(claim.split(' ').filter(Boolean));
  if (Array.isArray(claim)) return new Set(claim.filter((s): s is string => typeof s === 'string'));
  return new Set();
}

const CLAIM_NAMES: Record<string, string> = { iss: 'wrong issuer (iss)', aud: 'wrong audience (aud)', nbf: 'not yet valid (nbf)' };

/** Why jose refused the token, in words for the log (from error classes: never the token or its claims' values). */
function rejectionReason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return error.claim === 'exp' ? 'expired (exp)' : `expired (${error.claim})`;
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return `missing required claim "${error.claim}"`;
    return CLAIM_NAMES[error.claim] ?? `claim "${error.claim}" invalid`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'signature algorithm not allowed (unsigned or not in algorithms)';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no JWKS key matches the token (unknown kid or alg)';
  if (error instanceof errors.JWKSMultipleMatchingKeys) return 'several JWKS keys match a token without kid';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'malformed JWT';
  if (error instanceof errors.JOSEError) return `token refused (${error.code})`;
  return `token not verifiable (${error instanceof Error ? error.message : 'unknown error'})`;
}
