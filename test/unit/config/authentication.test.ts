// The `authentication:` section and a listener's `sasl:` section: defaults, every setting read, and each
// mistake named at its line (a mechanism without its section, PLAIN without TLS, IP identities on a SASL
// listener, an unknown mechanism).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, parseConfig } from '../../../gateway/config/schema.ts';
import { refusalOf } from './refusal.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-config-auth-'));
for (const f of ['server.crt', 'server.key', 'kafka.keytab', 'krb5.conf', 'jwks.json']) fs.writeFileSync(path.join(dir, f), 'x');
const file = path.join(dir, 'gatehouse.yaml');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const indent = (text: string, by: string) => text.replace(/^(?=.)/gm, by);

/** A configuration with one listener (its security lines given) and an authentication section. */
const config = (listener: string, authentication = '') => `backend:
  bootstrapServers: ["127.0.0.1:9092"]
listeners:
  - name: sasl
    bind: 127.0.0.1:9093
    routing: { basePort: 9100 }
${indent(listener, '    ')}
authorization: { mode: off }
${authentication}`;

const TLS = `tls: { certificate: server.crt, key: server.key }`;
const CREDENTIALS = `authentication:
  credentials: { file: users.yaml }
`;

const errorOf = (text: string): ConfigError => refusalOf(text, file);

test('no authentication section: Kafka defaults (no session expiry, 100 ms failure delay), no SASL on the listener', () => {
  const c = parseConfig(config('plaintext: true'), file);
  assert.deepEqual(c.authentication, {
    gssapi: null,
    credentials: null,
    oauthbearer: null,
    sessionLifetimeMs: 0,
    failedAuthenticationDelayMs: 100,
  });
  assert.equal(c.listeners[0].sasl, null);
});

test('a SASL_SSL listener and every authentication setting', () => {
  const c = parseConfig(
    config(
      `${TLS}\nsasl: { mechanisms: [GSSAPI, SCRAM-SHA-512, PLAIN, OAUTHBEARER], sessionLifetimeMs: 60000 }`,
      `authentication:
  credentials: { file: users.yaml }
  gssapi: { keytab: kafka.keytab, servicePrincipal: kafka/localhost@EXAMPLE.COM, principalToLocalRules: ["RULE:[1:$1@$0](.*@EXAMPLE.COM)s/@.*//", DEFAULT], krb5Config: krb5.conf }
  oauthbearer:
    jwks: { url: https://issuer.example/jwks, refreshMs: 60000 }
    issuer: https://issuer.example
    audience: kafka
    principalClaim: client_id
    requiredScopes: [kafka]
    clockSkewSeconds: 5
    algorithms: [ES256]
  sessionLifetimeMs: 3600000
  failedAuthenticationDelayMs: 0
`,
    ),
    file,
  );
  assert.deepEqual(c.listeners[0].sasl, {
    mechanisms: ['GSSAPI', 'SCRAM-SHA-512', 'PLAIN', 'OAUTHBEARER'],
    sessionLifetimeMs: 60000,
    allowPlainWithoutTls: false,
  });
  assert.deepEqual(c.authentication, {
    credentials: { file: path.join(dir, 'users.yaml') },
    gssapi: {
      keytab: path.join(dir, 'kafka.keytab'),
      servicePrincipal: 'kafka/localhost@EXAMPLE.COM',
      principalToLocalRules: ['RULE:[1:$1@$0](.*@EXAMPLE.COM)s/@.*//', 'DEFAULT'],
      krb5Config: path.join(dir, 'krb5.conf'),
    },
    oauthbearer: {
      jwks: { kind: 'url', url: 'https://issuer.example/jwks', refreshMs: 60000, cooldownMs: 30000 },
      issuer: 'https://issuer.example',
      audience: ['kafka'],
      principalClaim: 'client_id',
      scopeClaim: 'scope',
      requiredScopes: ['kafka'],
      clockSkewSeconds: 5,
      algorithms: ['ES256'],
    },
    sessionLifetimeMs: 3600000,
    failedAuthenticationDelayMs: 0,
  });
});

test('defaults of the gssapi and oauthbearer sections (DEFAULT rules, sub claim, RS256/ES256, 30 s skew)', () => {
  const c = parseConfig(
    config(
      `${TLS}\nsasl: { mechanisms: [GSSAPI, OAUTHBEARER] }`,
      `authentication:
  gssapi: { keytab: kafka.keytab, servicePrincipal: kafka/gw@R }
  oauthbearer: { jwks: { file: jwks.json } }
`,
    ),
    file,
  );
  assert.deepEqual(c.authentication.gssapi?.principalToLocalRules, ['DEFAULT']);
  assert.equal(c.authentication.gssapi?.krb5Config, null);
  assert.deepEqual(c.authentication.oauthbearer, {
    jwks: { kind: 'file', path: path.join(dir, 'jwks.json') },
    issuer: null,
    audience: [],
    principalClaim: 'sub',
    scopeClaim: 'scope',
    requiredScopes: [],
    clockSkewSeconds: 30,
    algorithms: ['RS256', 'ES256'],
  });
});

test('SASL_PLAINTEXT with PLAIN is refused at the mechanism unless allowPlainWithoutTls', () => {
  const text = config('plaintext: true\nsasl:\n  mechanisms: [SCRAM-SHA-256, PLAIN]', CREDENTIALS);
  const err = errorOf(text);
  assert.match(err.reason, /PLAIN sends passwords in clear/);
  assert.equal(err.line, text.split('\n').findIndex((l) => l.includes('mechanisms: [SCRAM-SHA-256, PLAIN]')) + 1);
  const allowed = parseConfig(config('plaintext: true\nsasl: { mechanisms: [PLAIN], allowPlainWithoutTls: true }', CREDENTIALS), file);
  assert.deepEqual(allowed.listeners[0].sasl?.mechanisms, ['PLAIN']);
  // SCRAM alone is fine without TLS (no password on the wire).
  assert.ok(parseConfig(config('plaintext: true\nsasl: { mechanisms: [SCRAM-SHA-512] }', CREDENTIALS), file));
});

test("a mechanism whose authentication section is missing: refused at the listener's mechanism", () => {
  const text = config(`${TLS}\nsasl:\n  mechanisms:\n    - SCRAM-SHA-512\n    - GSSAPI`, CREDENTIALS);
  const err = errorOf(text);
  assert.equal(err.reason, "listener 'sasl' enables GSSAPI, which needs an authentication.gssapi section");
  assert.equal(err.line, text.split('\n').findIndex((l) => l.includes('- GSSAPI')) + 1);
  assert.match(errorOf(config(`${TLS}\nsasl: { mechanisms: [PLAIN] }`)).reason, /needs an authentication\.credentials section/);
  assert.match(errorOf(config(`${TLS}\nsasl: { mechanisms: [OAUTHBEARER] }`, CREDENTIALS)).reason, /authentication\.oauthbearer/);
});

test('an unknown or repeated mechanism name is refused with the list of known ones', () => {
  assert.match(
    errorOf(config(`${TLS}\nsasl: { mechanisms: [DIGEST-MD5] }`, CREDENTIALS)).reason,
    /must be one of GSSAPI, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER/,
  );
  assert.match(errorOf(config(`${TLS}\nsasl: { mechanisms: [PLAIN, PLAIN] }`, CREDENTIALS)).reason, /listed twice/);
  assert.match(errorOf(config(`${TLS}\nsasl: { mechanisms: [] }`, CREDENTIALS)).reason, /at least one mechanism/);
  assert.match(errorOf(config(`${TLS}\nsasl: {}`, CREDENTIALS)).reason, /sasl needs mechanisms/);
});

test('network.identities on a SASL listener is refused: SASL decides the principal', () => {
  const text = config(`${TLS}\nsasl: { mechanisms: [PLAIN] }\nnetwork:\n  identities: { 10.0.0.0/8: User:batch }`, CREDENTIALS);
  const err = errorOf(text);
  assert.match(err.reason, /SASL decides the principal/);
  assert.equal(err.line, text.split('\n').findIndex((l) => l.includes('identities:')) + 1);
});

test('bad values in the authentication section, each at its key', () => {
  const bad = (auth: string) =>
    errorOf(config(`${TLS}\nsasl: { mechanisms: [SCRAM-SHA-256] }`, `authentication:\n  credentials: { file: users.yaml }\n${auth}`));
  assert.match(bad('  sessionLifetimeMs: -1\n').reason, /sessionLifetimeMs must be an integer from 0/);
  assert.match(bad('  failedAuthenticationDelayMs: 600000\n').reason, /failedAuthenticationDelayMs must be an integer from 0 to 60000/);
  assert.match(bad('  gssapi: { keytab: missing.keytab, servicePrincipal: kafka/h@R }\n').reason, /cannot read/);
  assert.match(bad('  gssapi: { keytab: kafka.keytab, servicePrincipal: kafka@R }\n').reason, /service\/host@REALM/);
  assert.match(bad('  oauthbearer: { jwks: { file: jwks.json, url: https://x } }\n').reason, /exactly one of file or url/);
  assert.match(bad('  oauthbearer: { jwks: { url: ftp://x } }\n').reason, /http\(s\) URL/);
  assert.match(bad('  oauthbearer: { jwks: { file: jwks.json }, algorithms: [none] }\n').reason, /must be one of RS256/);
  assert.match(bad('  kerberos: {}\n').reason, /unknown key 'kerberos'/);
  const noFile = config(`${TLS}\nsasl: { mechanisms: [SCRAM-SHA-256] }`, 'authentication:\n  credentials: {}\n');
  assert.match(errorOf(noFile).reason, /credentials needs file/);
});
