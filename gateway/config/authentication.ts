// The `authentication:` section: how SASL mechanisms verify clients (shared by every listener that
// enables them in its `sasl.mechanisms`), plus Kafka's connection-level SASL settings.
// Types first (the mechanisms are built from them); readAuthentication validates the YAML.
import { SASL_MECHANISM_NAMES, type SaslMechanismName } from '../common/sasl-mechanism-names.ts';
import type { Reader } from './reader.ts';
import type { ConfigPath } from './yaml-source.ts';

export type GssapiConfig = {
  /** The service keytab (MIT format) holding the key of `servicePrincipal`. */
  keytab: string;
  /** The gateway's Kerberos service principal, e.g. `kafka/gateway.example.com@EXAMPLE.COM` (clients ask a ticket for it). */
  servicePrincipal: string;
  /** Kafka's sasl.kerberos.principal.to.local.rules (spec §5.2); ['DEFAULT'] when not given. */
  principalToLocalRules: string[];
  /** krb5.conf to use (else KRB5_CONFIG / the system's); its default_realm feeds the DEFAULT rule. */
  krb5Config: string | null;
};

export type CredentialStoreConfig = {
  /** The YAML credential store `gatehouse users` writes (salted SCRAM keys and scrypt hashes, never passwords). */
  file: string;
};

export type JwksSource = { kind: 'file'; path: string } | { kind: 'url'; url: string; refreshMs: number; cooldownMs: number };

export type OauthbearerConfig = {
  jwks: JwksSource;
  /** Expected `iss` (null: not checked). */
  issuer: string | null;
  /** Accepted `aud` values (empty: not checked). */
  audience: string[];
  /** The claim whose value becomes the principal name (Kafka's sasl.oauthbearer.sub.claim.name). */
  principalClaim: string;
  /** Scope claim name and the scopes every token must carry (empty: none required). */
  scopeClaim: string;
  requiredScopes: string[];
  clockSkewSeconds: number;
  /** Accepted signature algorithms (never `none`). */
  algorithms: string[];
};

export type AuthenticationConfig = {
  gssapi: GssapiConfig | null;
  credentials: CredentialStoreConfig | null;
  oauthbearer: OauthbearerConfig | null;
  /** Kafka connections.max.reauth.ms: the session lifetime given to clients (0: none, unless a credential expires). */
  sessionLifetimeMs: number;
  /** Kafka connection.failed.authentication.delay.ms: a failed authentication is answered and closed after this. */
  failedAuthenticationDelayMs: number;
};

/** A listener's `sasl:` section (its presence makes the listener SASL_SSL or SASL_PLAINTEXT). */
export type ListenerSaslConfig = {
  mechanisms: SaslMechanismName[];
  /** Per-listener connections.max.reauth.ms (null: the authentication section's). */
  sessionLifetimeMs: number | null;
  /** PLAIN sends the password in clear: refused on a listener without TLS unless this is set. */
  allowPlainWithoutTls: boolean;
};

/** Kafka's defaults: no session expiry, 100 ms before a failed authentication is answered and closed. */
export const DEFAULT_AUTHENTICATION: AuthenticationConfig = {
  gssapi: null,
  credentials: null,
  oauthbearer: null,
  sessionLifetimeMs: 0,
  failedAuthenticationDelayMs: 100,
};

/** What an int32 millisecond setting can hold (as Kafka's own). */
const MAX_LIFETIME_MS = 2 ** 31 - 1;

export function readAuthentication(r: Reader, value: unknown, path: ConfigPath): AuthenticationConfig {
  if (value === undefined || value === null) return DEFAULT_AUTHENTICATION;
  const obj = r.object(value, path, ['credentials', 'gssapi', 'oauthbearer', 'sessionLifetimeMs', 'failedAuthenticationDelayMs']);
  return {
    credentials: obj.credentials === undefined ? null : readCredentials(r, obj.credentials, [...path, 'credentials']),
    gssapi: obj.gssapi === undefined ? null : readGssapi(r, obj.gssapi, [...path, 'gssapi']),
    oauthbearer: obj.oauthbearer === undefined ? null : readOauthbearer(r, obj.oauthbearer, [...path, 'oauthbearer']),
    sessionLifetimeMs:
      obj.sessionLifetimeMs === undefined ? 0 : r.int(obj.sessionLifetimeMs, [...path, 'sessionLifetimeMs'], 0, MAX_LIFETIME_MS),
    failedAuthenticationDelayMs:
      obj.failedAuthenticationDelayMs === undefined
        ? 100
        : r.int(obj.failedAuthenticationDelayMs, [...path, 'failedAuthenticationDelayMs'], 0, 60_000),
  };
}

function readCredentials(r: Reader, value: unknown, path: ConfigPath): CredentialStoreConfig {
  const obj = r.object(value, path, ['file']);
  if (obj.file === undefined) r.fail(path, 'credentials needs file: the credential store that `gatehouse users add` writes');
  // Not required to exist yet: the store reports a missing or bad file itself, with its line.
  return { file: r.resolve(r.string(obj.file, [...path, 'file'])) };
}

function readGssapi(r: Reader, value: unknown, path: ConfigPath): GssapiConfig {
  const obj = r.object(value, path, ['keytab', 'servicePrincipal', 'principalToLocalRules', 'krb5Config']);
  if (obj.keytab === undefined || obj.servicePrincipal === undefined)
    r.fail(path, 'gssapi needs keytab and servicePrincipal (e.g. kafka/gateway.example.com@EXAMPLE.COM)');
  const servicePrincipal = r.string(obj.servicePrincipal, [...path, 'servicePrincipal']);
  if (!/^[^/@\s]+\/[^/@\s]+@[^/@\s]+$/.test(servicePrincipal))
    r.fail([...path, 'servicePrincipal'], `servicePrincipal must be service/host@REALM (got '${servicePrincipal}')`);
  const rules =
    obj.principalToLocalRules === undefined ? ['DEFAULT'] : r.stringList(obj.principalToLocalRules, [...path, 'principalToLocalRules']);
  if (rules.length === 0) r.fail([...path, 'principalToLocalRules'], 'principalToLocalRules must list at least one rule (DEFAULT)');
  return {
    keytab: r.file(obj.keytab, [...path, 'keytab']),
    servicePrincipal,
    principalToLocalRules: rules,
    krb5Config: obj.krb5Config === undefined ? null : r.file(obj.krb5Config, [...path, 'krb5Config']),
  };
}

/** RFC 7518 signature algorithms jose verifies; `none` is never one of them. */
const JWS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

function readJwks(r: Reader, value: unknown, path: ConfigPath): JwksSource {
  const obj = r.object(value, path, ['file', 'url', 'refreshMs', 'cooldownMs']);
  if ((obj.file === undefined) === (obj.url === undefined)) r.fail(path, 'jwks needs exactly one of file or url');
  if (obj.file !== undefined) {
    for (const key of ['refreshMs', 'cooldownMs']) if (obj[key] !== undefined) r.fail([...path, key], `${key} goes with url, not file`);
    return { kind: 'file', path: r.file(obj.file, [...path, 'file']) };
  }
  const url = r.string(obj.url, [...path, 'url']);
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (parsed === null || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:'))
    r.fail([...path, 'url'], `jwks.url must be an http(s) URL (got '${url}')`);
  return {
    kind: 'url',
    url,
    refreshMs: obj.refreshMs === undefined ? 300_000 : r.int(obj.refreshMs, [...path, 'refreshMs'], 1_000, 86_400_000),
    cooldownMs: obj.cooldownMs === undefined ? 30_000 : r.int(obj.cooldownMs, [...path, 'cooldownMs'], 0, 3_600_000),
  };
}

function readOauthbearer(r: Reader, value: unknown, path: ConfigPath): OauthbearerConfig {
  const obj = r.object(value, path, [
    'jwks',
    'issuer',
    'audience',
    'principalClaim',
    'scopeClaim',
    'requiredScopes',
    'clockSkewSeconds',
    'algorithms',
  ]);
  if (obj.jwks === undefined) r.fail(path, 'oauthbearer needs jwks: { file: jwks.json } or { url: https://… }');
  const audience =
    obj.audience === undefined
      ? []
      : typeof obj.audience === 'string'
        ? [r.string(obj.audience, [...path, 'audience'])]
        : r.stringList(obj.audience, [...path, 'audience']);
  const algorithms = obj.algorithms === undefined ? ['RS256', 'ES256'] : r.stringList(obj.algorithms, [...path, 'algorithms']);
  if (algorithms.length === 0) r.fail([...path, 'algorithms'], 'algorithms must list at least one signature algorithm');
  algorithms.forEach((a, i) => r.oneOf(a, [...path, 'algorithms', i], JWS_ALGORITHMS));
  return {
    jwks: readJwks(r, obj.jwks, [...path, 'jwks']),
    issuer: obj.issuer === undefined ? null : r.string(obj.issuer, [...path, 'issuer']),
    audience,
    principalClaim: obj.principalClaim === undefined ? 'sub' : r.string(obj.principalClaim, [...path, 'principalClaim']),
    scopeClaim: obj.scopeClaim === undefined ? 'scope' : r.string(obj.scopeClaim, [...path, 'scopeClaim']),
    requiredScopes: obj.requiredScopes === undefined ? [] : r.stringList(obj.requiredScopes, [...path, 'requiredScopes']),
    clockSkewSeconds: obj.clockSkewSeconds === undefined ? 30 : r.int(obj.clockSkewSeconds, [...path, 'clockSkewSeconds'], 0, 3_600),
    algorithms,
  };
}

/** A listener's `sasl:` section. `hasTls`: PLAIN without TLS is refused unless allowPlainWithoutTls says so. */
export function readListenerSasl(r: Reader, value: unknown, path: ConfigPath, hasTls: boolean): ListenerSaslConfig {
  const obj = r.object(value, path, ['mechanisms', 'sessionLifetimeMs', 'allowPlainWithoutTls']);
  if (obj.mechanisms === undefined) r.fail(path, `sasl needs mechanisms: a list of ${SASL_MECHANISM_NAMES.join(', ')}`);
  const names = r.stringList(obj.mechanisms, [...path, 'mechanisms']);
  if (names.length === 0) r.fail([...path, 'mechanisms'], 'sasl.mechanisms must list at least one mechanism');
  const mechanisms: SaslMechanismName[] = [];
  names.forEach((name, i) => {
    const mechanism = r.oneOf(name, [...path, 'mechanisms', i], SASL_MECHANISM_NAMES);
    if (mechanisms.includes(mechanism)) r.fail([...path, 'mechanisms', i], `mechanism ${mechanism} is listed twice`);
    mechanisms.push(mechanism);
  });
  const allowPlainWithoutTls =
    obj.allowPlainWithoutTls === undefined ? false : r.bool(obj.allowPlainWithoutTls, [...path, 'allowPlainWithoutTls']);
  if (mechanisms.includes('PLAIN') && !hasTls && !allowPlainWithoutTls) {
    r.fail(
      [...path, 'mechanisms', mechanisms.indexOf('PLAIN')],
      'PLAIN sends passwords in clear: enable it on a listener with tls, or set sasl.allowPlainWithoutTls: true',
    );
  }
  return {
    mechanisms,
    sessionLifetimeMs:
      obj.sessionLifetimeMs === undefined ? null : r.int(obj.sessionLifetimeMs, [...path, 'sessionLifetimeMs'], 0, MAX_LIFETIME_MS),
    allowPlainWithoutTls,
  };
}

/** Where each mechanism's `authentication.<section>` lives (PLAIN and SCRAM share the credential store). */
export const MECHANISM_SECTION: Readonly<Record<SaslMechanismName, keyof AuthenticationConfig>> = {
  GSSAPI: 'gssapi',
  PLAIN: 'credentials',
  'SCRAM-SHA-256': 'credentials',
  'SCRAM-SHA-512': 'credentials',
  OAUTHBEARER: 'oauthbearer',
};
