// The session lifetime a successful SASL authentication gets (spec §4.8, Kafka's
// connections.max.reauth.ms): the configured lifetime, capped by when the credential itself expires
// (an OAUTHBEARER token's exp). 0 configured and a credential that does not expire: no expiry.

export type SessionLifetime = {
  /** What SaslAuthenticate v1+ returns (0: the session does not expire). */
  readonly lifetimeMs: number;
  /** When requests stop being served without re-authentication (null: never). */
  readonly expiresAtMs: number | null;
};

export function sessionLifetime(configuredMs: number, credentialExpiresAtMs: number | null, nowMs: number): SessionLifetime {
  if (credentialExpiresAtMs === null) {
    return configuredMs > 0 ? { lifetimeMs: configuredMs, expiresAtMs: nowMs + configuredMs } : { lifetimeMs: 0, expiresAtMs: null };
  }
  // A credential already expired gives 0 and an immediate expiry (negative values become 0).
  const remaining = Math.max(0, credentialExpiresAtMs - nowMs);
  const lifetimeMs = configuredMs > 0 ? Math.min(configuredMs, remaining) : remaining;
  return { lifetimeMs, expiresAtMs: nowMs + lifetimeMs };
}
