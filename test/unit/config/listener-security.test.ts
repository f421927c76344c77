// The listener's security settings in the configuration: TLS files, client authentication, principal
// rules, network rules, IP identities, PROXY protocol and SNI routing; each mistake named at its line.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, parseConfig } from '../../../gateway/config/schema.ts';
import { refusalOf } from './refusal.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-config-'));
for (const f of ['server.crt', 'server.key', 'ca.crt', 'crl.pem', 'server.p12', 'p12.pass'])
  fs.writeFileSync(path.join(dir, f), f === 'p12.pass' ? 'secret\n' : 'x');
const file = path.join(dir, 'gatehouse.yaml');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const config = (listener: string) => `backend:
  bootstrapServers: ["127.0.0.1:9092"]
listeners:
  - name: secure
    bind: 0.0.0.0:9093
    advertisedHost: gw.example.com
${listener.replace(/^/gm, '    ')}
authorization: { mode: off }
`;
const tls = (extra = '') => `routing: { basePort: 9100 }
tls:
  certificate: server.crt
  key: server.key${extra ? '\n' + extra.replace(/^/gm, '  ') : ''}`;

const errorOf = (listener: string): ConfigError => refusalOf(config(listener), file);

test('a TLS listener: files relative to the config file, closed defaults (TLS 1.2, no client auth, DEFAULT rules)', () => {
  const l = parseConfig(config(tls()), file).listeners[0];
  assert.equal(l.plaintext, false);
  assert.deepEqual(l.tls?.server, {
    kind: 'pem',
    certificateFile: path.join(dir, 'server.crt'),
    keyFile: path.join(dir, 'server.key'),
    keyPassword: null,
  });
  assert.equal(l.tls?.minVersion, 'TLSv1.2');
  assert.equal(l.tls?.clientAuth, 'none');
  assert.equal(l.tls?.principalMappingRules, 'DEFAULT');
  assert.deepEqual(l.network, { allow: [], deny: [], identities: null, unmappedIdentity: 'refuse' });
  assert.equal(l.proxyProtocol, null);
});

test('mTLS with CRLs, mapping rules as a list, SAN principals; PKCS#12 with a password from a file', () => {
  const l = parseConfig(
    config(
      tls(`clientAuth: required
clientCa: ca.crt
crl: [crl.pem]
minVersion: TLSv1.3
principalMappingRules:
  - "RULE:^CN=([^,]+),O=Acme$/$1/L"
  - DEFAULT
principalFromSan: [{ type: uri, pattern: "spiffe://acme/(.+)" }]`),
    ),
    file,
  ).listeners[0];
  assert.equal(l.tls?.clientAuth, 'required');
  assert.deepEqual(l.tls?.crlFiles, [path.join(dir, 'crl.pem')]);
  assert.equal(l.tls?.principalMappingRules, 'RULE:^CN=([^,]+),O=Acme$/$1/L,DEFAULT');
  assert.deepEqual(l.tls?.principalFromSan, [{ type: 'uri', pattern: 'spiffe://acme/(.+)' }]);
  const p12 = parseConfig(
    config(`routing: { basePort: 9100 }
tls:
  keystore: server.p12
  keystorePassword: { file: p12.pass }`),
    file,
  ).listeners[0];
  assert.deepEqual(p12.tls?.server, { kind: 'pkcs12', keystoreFile: path.join(dir, 'server.p12'), password: 'secret' });
});

test('TLS mistakes are refused where they are written', () => {
  let err = errorOf(tls().replace('server.key', 'missing.key'));
  assert.equal(err.line, 10);
  assert.match(err.reason, /tls\.key: cannot read .*missing\.key \(ENOENT\)/);
  assert.match(errorOf(tls('clientAuth: required')).reason, /clientAuth 'required' needs clientCa/);
  assert.match(errorOf(tls('clientAuth: sometimes')).reason, /clientAuth must be one of none, requested, required/);
  assert.match(errorOf(tls('crl: crl.pem')).reason, /crl checks client certificates; it needs clientAuth/);
  assert.match(errorOf(tls('minVersion: TLSv1.1')).reason, /minVersion must be one of TLSv1\.2, TLSv1\.3/);
  assert.match(errorOf(tls('keystore: server.p12')).reason, /keystore are alternatives/);
  assert.match(errorOf(`${tls()}\nplaintext: true`).reason, /both tls and plaintext: true/);
  err = errorOf(tls('principalFromSan: [{ type: uri, pattern: "(" }]'));
  assert.match(err.reason, /invalid regular expression/);
  assert.match(errorOf(tls('keyPassword: { env: GATEHOUSE_TEST_UNSET_VARIABLE }')).reason, /GATEHOUSE_TEST_UNSET_VARIABLE is not set/);
});

test('network rules: CIDRs checked; IP identities only without client certificates', () => {
  const l = parseConfig(
    config(`plaintext: true
routing: { basePort: 9100 }
network:
  allow: [10.0.0.0/8, "2001:db8::/32", 192.168.1.7]
  deny: [10.66.0.0/16]
  identities: { 10.2.0.0/16: User:billing }
  unmappedIdentity: anonymous`),
    file,
  ).listeners[0];
  assert.deepEqual(l.network, {
    allow: ['10.0.0.0/8', '2001:db8::/32', '192.168.1.7'],
    deny: ['10.66.0.0/16'],
    identities: [{ cidr: '10.2.0.0/16', principal: 'User:billing' }],
    unmappedIdentity: 'anonymous',
  });
  let err = errorOf('plaintext: true\nrouting: { basePort: 9100 }\nnetwork: { allow: [10.0.0.0/33] }');
  assert.match(err.reason, /network\.allow\[0\] must be an IPv4 or IPv6 address or CIDR \(got '10\.0\.0\.0\/33'\)/);
  assert.equal(err.line, 9);
  assert.match(
    errorOf('plaintext: true\nrouting: { basePort: 9100 }\nnetwork: { identities: { 10.0.0.0/8: billing } }').reason,
    /principal must be Type:name/,
  );
  err = errorOf(`${tls('clientAuth: requested\nclientCa: ca.crt')}\nnetwork: { identities: { 10.0.0.0/8: User:x } }`);
  assert.match(err.reason, /IP identities are for listeners without client certificates/);
});

test('PROXY protocol needs trusted sources; SNI routing needs TLS and an {id} in the pattern', () => {
  const l = parseConfig(
    config(
      `${tls().replace('routing: { basePort: 9100 }', 'routing: { mode: sni, domain: kafka.example.com }')}\nproxyProtocol: { trustedSources: [10.1.0.0/24] }`,
    ),
    file,
  ).listeners[0];
  assert.deepEqual(l.routing, {
    mode: 'sni',
    bootstrapName: 'bootstrap.kafka.example.com',
    brokerNamePattern: 'broker-{id}.kafka.example.com',
    advertisedPort: 9093,
  });
  assert.deepEqual(l.proxyProtocol, { trustedSources: ['10.1.0.0/24'], allowDirect: false, headerTimeoutMs: 5000 });
  assert.match(
    errorOf('plaintext: true\nrouting: { basePort: 9100 }\nproxyProtocol: { trustedSources: [] }').reason,
    /at least one trusted source/,
  );
  assert.match(
    errorOf('plaintext: true\nrouting: { mode: sni, domain: x.test }').reason,
    /sni routing reads the TLS server name; it needs a tls section/,
  );
  assert.match(
    errorOf(tls().replace('routing: { basePort: 9100 }', 'routing: { mode: sni, bootstrapName: b.test, brokerNamePattern: broker.test }'))
      .reason,
    /must contain '\{id\}'/,
  );
  assert.match(
    errorOf(tls().replace('routing: { basePort: 9100 }', 'routing: { mode: sni, domain: x.test, basePort: 9100 }')).reason,
    /basePort belongs to port-per-broker routing/,
  );
});

test('connection limits: Kafka names, unlimited by default, overrides by CIDR; mistakes named where written', () => {
  const unlimited = parseConfig(config(tls()), file).listeners[0];
  assert.deepEqual(unlimited.connectionLimits, {
    maxConnections: null,
    maxConnectionsPerIp: null,
    maxConnectionsPerIpOverrides: [],
    maxConnectionCreationRatePerIp: null,
  });
  const l = parseConfig(
    config(`${tls()}
connectionLimits:
  maxConnections: 10000
  maxConnectionsPerIp: 100
  maxConnectionsPerIpOverrides: { 10.0.5.0/24: 5000, "2001:db8::7": 0 }
  maxConnectionCreationRatePerIp: 20`),
    file,
  ).listeners[0];
  assert.deepEqual(l.connectionLimits, {
    maxConnections: 10000,
    maxConnectionsPerIp: 100,
    maxConnectionsPerIpOverrides: [
      { cidr: '10.0.5.0/24', max: 5000 },
      { cidr: '2001:db8::7', max: 0 },
    ],
    maxConnectionCreationRatePerIp: 20,
  });
  let err = errorOf(`${tls()}\nconnectionLimits: { maxConnections: 0 }`);
  assert.match(err.reason, /connectionLimits\.maxConnections must be an integer from 1/);
  err = errorOf(`${tls()}\nconnectionLimits:\n  maxConnectionsPerIpOverrides: { 10.0.0.0/33: 5 }`);
  assert.match(err.reason, /10\.0\.0\.0\/33/);
  assert.equal(err.line, 12);
  assert.match(
    errorOf(`${tls()}\nconnectionLimits: { maxConnectionsPerIpOverrides: { 10.0.0.0/8: -1 } }`).reason,
    /must be an integer from 0/,
  );
  assert.match(errorOf(`${tls()}\nconnectionLimits: { maxConnectionRate: 5 }`).reason, /unknown key 'maxConnectionRate'/);
});
