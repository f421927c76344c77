// One client listener: where it binds, how clients reach brokers through it (routing), and how it
// decides who may connect and who they are (network rules, PROXY protocol, TLS and client certificates).
// Security defaults are closed: a listener without TLS must say `plaintext: true`.
import { principalProblem } from '../common/principal.ts';
import { readListenerSasl, type ListenerSaslConfig } from './authentication.ts';
import type { HostPort, Reader } from './reader.ts';
import type { ConfigPath } from './yaml-source.ts';

export type Routing =
  | { mode: 'port-per-broker'; basePort: number; brokerPorts: Map<number, number> }
  /** One port; the TLS server name picks the broker (`broker-{id}.<domain>`), or the bootstrap name. */
  | { mode: 'sni'; bootstrapName: string; brokerNamePattern: string; advertisedPort: number };

export type ClientAuth = 'none' | 'requested' | 'required';

export type ServerCertificate =
  | { kind: 'pem'; certificateFile: string; keyFile: string; keyPassword: string | null }
  | { kind: 'pkcs12'; keystoreFile: string; password: string };

export type SanRuleConfig = { type: 'uri' | 'dns' | 'email'; pattern: string | null };

export type TlsConfig = {
  server: ServerCertificate;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are OpenSSL's defaults); null: ECDHE with AEAD only (net/tls-material.ts). */
  ciphers: string | null;
  clientAuth: ClientAuth;
  /** PEM bundle of CAs whose client certificates are trusted (required unless clientAuth is none). */
  clientCaFile: string | null;
  crlFiles: string[];
  /** Log crl_expiring once less than this is left before a CRL's nextUpdate (null: a quarter of its validity period). */
  crlExpiryWarningMs: number | null;
  handshakeTimeoutMs: number;
  /** Kafka's ssl.principal.mapping.rules, applied to the client certificate's RFC 2253 subject DN. */
  principalMappingRules: string;
  /** Take the principal from a subjectAltName instead (first matching rule wins). */
  principalFromSan: SanRuleConfig[];
  sanFallbackToDn: boolean;
};

export type NetworkConfig = {
  allow: string[];
  deny: string[];
  /** Source CIDR → principal, for listeners without client certificates (null: not used). */
  identities: Array<{ cidr: string; principal: string }> | null;
  unmappedIdentity: 'refuse' | 'anonymous';
};

export type ProxyProtocolConfig = {
  /** Load balancers allowed to send a PROXY header; connections from them must start with one. */
  trustedSources: string[];
  /** Whether other sources may connect directly (without a header); default false. */
  allowDirect: boolean;
  headerTimeoutMs: number;
};

/** Kafka's per-listener connection limits (null: unlimited, Kafka's default), on real client addresses. */
export type ConnectionLimitsConfig = {
  /** Kafka max.connections: connections open on the listener, counted from accept to close. */
  maxConnections: number | null;
  /** Kafka max.connections.per.ip. */
  maxConnectionsPerIp: number | null;
  /** Kafka max.connections.per.ip.overrides, by CIDR here (the most specific wins; 0 refuses the range). */
  maxConnectionsPerIpOverrides: Array<{ cidr: string; max: number }>;
  /** New connections per second per client address (Kafka's connection_creation_rate quota); bursts of one second's worth. */
  maxConnectionCreationRatePerIp: number | null;
};

export type ListenerConfig = {
  name: string;
  /** Position in the file's listener list, for errors found after validation (see GatewayConfig.errorAt). */
  index: number;
  bind: HostPort;
  /** The host clients are told to connect to (Metadata, FindCoordinator… are rewritten to it). */
  advertisedHost: string;
  plaintext: boolean;
  tls: TlsConfig | null;
  /** SASL on this listener (SASL_SSL with tls, SASL_PLAINTEXT with plaintext); null: the principal comes from TLS or the network. */
  sasl: ListenerSaslConfig | null;
  network: NetworkConfig;
  proxyProtocol: ProxyProtocolConfig | null;
  connectionLimits: ConnectionLimitsConfig;
  routing: Routing;
};

function readRouting(r: Reader, value: unknown, path: ConfigPath, bind: HostPort): Routing {
  const obj = r.object(value ?? {}, path, [
    'mode',
    'basePort',
    'brokerPorts',
    'domain',
    'bootstrapName',
    'brokerNamePattern',
    'advertisedPort',
  ]);
  const mode = r.oneOf(obj.mode ?? 'port-per-broker', [...path, 'mode'], ['port-per-broker', 'sni'] as const);
  if (mode === 'sni') {
    for (const key of ['basePort', 'brokerPorts'])
      if (obj[key] !== undefined) r.fail([...path, key], `${key} belongs to port-per-broker routing, not sni`);
    const domain = obj.domain === undefined ? null : r.string(obj.domain, [...path, 'domain']);
    if (domain === null && (obj.bootstrapName === undefined || obj.brokerNamePattern === undefined)) {
      r.fail(
        path,
        'sni routing needs domain (names become bootstrap.<domain> and broker-{id}.<domain>) or both bootstrapName and brokerNamePattern',
      );
    }
    const bootstrapName = obj.bootstrapName === undefined ? `bootstrap.${domain}` : r.string(obj.bootstrapName, [...path, 'bootstrapName']);
    const brokerNamePattern =
      obj.brokerNamePattern === undefined ? `broker-{id}.${domain}` : r.string(obj.brokerNamePattern, [...path, 'brokerNamePattern']);
    if (brokerNamePattern.split('{id}').length !== 2)
      r.fail([...path, 'brokerNamePattern'], "brokerNamePattern must contain '{id}' exactly once");
    const advertisedPort = obj.advertisedPort === undefined ? bind.port : r.int(obj.advertisedPort, [...path, 'advertisedPort'], 1, 65535);
    return { mode, bootstrapName: bootstrapName.toLowerCase(), brokerNamePattern: brokerNamePattern.toLowerCase(), advertisedPort };
  }
  for (const key of ['domain', 'bootstrapName', 'brokerNamePattern', 'advertisedPort']) {
    if (obj[key] !== undefined) r.fail([...path, key], `${key} belongs to sni routing, not port-per-broker`);
  }
  const brokerPorts = new Map<number, number>();
  if (obj.brokerPorts !== undefined) {
    const ports = r.object(obj.brokerPorts, [...path, 'brokerPorts'], Object.keys(obj.brokerPorts as object));
    for (const [id, port] of Object.entries(ports)) {
      if (!/^\d+$/.test(id)) r.fail([...path, 'brokerPorts', id], `broker id '${id}' must be a non-negative integer`);
      brokerPorts.set(Number(id), r.int(port, [...path, 'brokerPorts', id], 1, 65535));
    }
  }
  if (obj.basePort === undefined && brokerPorts.size === 0) {
    r.fail(path, 'routing needs basePort (broker N is served on basePort+N) or brokerPorts (node id → port)');
  }
  const basePort = obj.basePort === undefined ? 0 : r.int(obj.basePort, [...path, 'basePort'], 1, 65535);
  return { mode: 'port-per-broker', basePort, brokerPorts };
}

function readServerCertificate(r: Reader, obj: Record<string, unknown>, path: ConfigPath): ServerCertificate {
  if (obj.keystore !== undefined) {
    for (const key of ['certificate', 'key', 'keyPassword'])
      if (obj[key] !== undefined) r.fail([...path, key], `${key} and keystore are alternatives; give one`);
    if (obj.keystorePassword === undefined)
      r.fail(path, 'a PKCS#12 keystore needs keystorePassword (a string, { env: NAME } or { file: path })');
    return {
      kind: 'pkcs12',
      keystoreFile: r.file(obj.keystore, [...path, 'keystore']),
      password: r.secret(obj.keystorePassword, [...path, 'keystorePassword']),
    };
  }
  if (obj.certificate === undefined || obj.key === undefined) {
    r.fail(path, 'tls needs certificate and key (PEM files) or keystore (PKCS#12) with keystorePassword');
  }
  if (obj.keystorePassword !== undefined) r.fail([...path, 'keystorePassword'], 'keystorePassword goes with keystore');
  return {
    kind: 'pem',
    certificateFile: r.file(obj.certificate, [...path, 'certificate']),
    keyFile: r.file(obj.key, [...path, 'key']),
    keyPassword: obj.keyPassword === undefined ? null : r.secret(obj.keyPassword, [...path, 'keyPassword']),
  };
}

function readTls(r: Reader, value: unknown, path: ConfigPath): TlsConfig {
  const obj = r.object(value, path, [
    'certificate',
    'key',
    'keyPassword',
    'keystore',
    'keystorePassword',
    'minVersion',
    'ciphers',
    'clientAuth',
    'clientCa',
    'crl',
    'crlExpiryWarningMs',
    'handshakeTimeoutMs',
    'principalMappingRules',
    'principalFromSan',
    'sanFallbackToDn',
  ]);
  const clientAuth = r.oneOf(obj.clientAuth ?? 'none', [...path, 'clientAuth'], ['none', 'requested', 'required'] as const);
  const clientCaFile = obj.clientCa === undefined ? null : r.file(obj.clientCa, [...path, 'clientCa']);
  if (clientAuth !== 'none' && clientCaFile === null)
    r.fail(path, `clientAuth '${clientAuth}' needs clientCa (the PEM bundle of trusted client CAs)`);
  const crlValue = obj.crl === undefined ? [] : typeof obj.crl === 'string' ? [obj.crl] : obj.crl;
  const crlFiles = r
    .stringList(crlValue, [...path, 'crl'])
    .map((f, i) => r.file(f, typeof obj.crl === 'string' ? [...path, 'crl'] : [...path, 'crl', i]));
  if (crlFiles.length > 0 && clientAuth === 'none')
    r.fail([...path, 'crl'], 'crl checks client certificates; it needs clientAuth requested or required');
  if (obj.crlExpiryWarningMs !== undefined && crlFiles.length === 0)
    r.fail([...path, 'crlExpiryWarningMs'], 'crlExpiryWarningMs goes with crl');
  const crlExpiryWarningMs =
    obj.crlExpiryWarningMs === undefined ? null : r.int(obj.crlExpiryWarningMs, [...path, 'crlExpiryWarningMs'], 1_000, 366 * 86_400_000);
  const rules =
    obj.principalMappingRules === undefined
      ? 'DEFAULT'
      : Array.isArray(obj.principalMappingRules)
        ? r.stringList(obj.principalMappingRules, [...path, 'principalMappingRules']).join(',')
        : r.string(obj.principalMappingRules, [...path, 'principalMappingRules']);
  const sanList = obj.principalFromSan === undefined ? [] : obj.principalFromSan;
  if (!Array.isArray(sanList))
    r.fail([...path, 'principalFromSan'], 'principalFromSan must be a list of { type: uri|dns|email, pattern? }');
  const principalFromSan = sanList.map((entry, i) => {
    const e = r.object(entry, [...path, 'principalFromSan', i], ['type', 'pattern']);
    const pattern = e.pattern === undefined ? null : r.string(e.pattern, [...path, 'principalFromSan', i, 'pattern']);
    if (pattern !== null) {
      try {
        new RegExp(pattern);
      } catch (err) {
        r.fail([...path, 'principalFromSan', i, 'pattern'], `invalid regular expression: ${(err as Error).message}`);
      }
    }
    return { type: r.oneOf(e.type, [...path, 'principalFromSan', i, 'type'], ['uri', 'dns', 'email'] as const), pattern };
  });
  return {
    server: readServerCertificate(r, obj, path),
    minVersion: r.oneOf(obj.minVersion ?? 'TLSv1.2', [...path, 'minVersion'], ['TLSv1.2', 'TLSv1.3'] as const),
    ciphers: obj.ciphers === undefined ? null : r.string(obj.ciphers, [...path, 'ciphers']),
    clientAuth,
    clientCaFile,
    crlFiles,
    crlExpiryWarningMs,
    handshakeTimeoutMs:
      obj.handshakeTimeoutMs === undefined ? 10_000 : r.int(obj.handshakeTimeoutMs, [...path, 'handshakeTimeoutMs'], 100, 600_000),
    principalMappingRules: rules,
    principalFromSan,
    sanFallbackToDn: obj.sanFallbackToDn === undefined ? false : r.bool(obj.sanFallbackToDn, [...path, 'sanFallbackToDn']),
  };
}

function readNetwork(r: Reader, value: unknown, path: ConfigPath, tls: TlsConfig | null): NetworkConfig {
  const obj = r.object(value ?? {}, path, ['allow', 'deny', 'identities', 'unmappedIdentity']);
  let identities: NetworkConfig['identities'] = null;
  if (obj.identities !== undefined) {
    if (tls && tls.clientAuth !== 'none')
      r.fail([...path, 'identities'], 'IP identities are for listeners without client certificates (tls.clientAuth is not none)');
    const map = r.object(obj.identities, [...path, 'identities'], Object.keys(obj.identities ?? {}));
    identities = Object.entries(map).map(([cidr, principal]) => {
      const at = [...path, 'identities', cidr];
      const name = r.string(principal, at);
      if (principalProblem(name) !== undefined)
        r.fail(at, `principal must be Type:name, e.g. User:billing, without surrounding spaces (got '${name}')`);
      return { cidr: r.cidr(cidr, at), principal: name };
    });
  }
  if (obj.unmappedIdentity !== undefined && identities === null)
    r.fail([...path, 'unmappedIdentity'], 'unmappedIdentity goes with identities');
  return {
    allow: obj.allow === undefined ? [] : r.cidrList(obj.allow, [...path, 'allow']),
    deny: obj.deny === undefined ? [] : r.cidrList(obj.deny, [...path, 'deny']),
    identities,
    unmappedIdentity: r.oneOf(obj.unmappedIdentity ?? 'refuse', [...path, 'unmappedIdentity'], ['refuse', 'anonymous'] as const),
  };
}

function readProxyProtocol(r: Reader, value: unknown, path: ConfigPath): ProxyProtocolConfig | null {
  if (value === undefined) return null;
  const obj = r.object(value, path, ['trustedSources', 'allowDirect', 'headerTimeoutMs']);
  const trustedSources = r.cidrList(obj.trustedSources, [...path, 'trustedSources']);
  if (trustedSources.length === 0) r.fail([...path, 'trustedSources'], 'proxyProtocol needs at least one trusted source CIDR');
  return {
    trustedSources,
    allowDirect: obj.allowDirect === undefined ? false : r.bool(obj.allowDirect, [...path, 'allowDirect']),
    headerTimeoutMs: obj.headerTimeoutMs === undefined ? 5_000 : r.int(obj.headerTimeoutMs, [...path, 'headerTimeoutMs'], 100, 60_000),
  };
}

const UNLIMITED_CONNECTION_LIMITS: ConnectionLimitsConfig = {
  maxConnections: null,
  maxConnectionsPerIp: null,
  maxConnectionsPerIpOverrides: [],
  maxConnectionCreationRatePerIp: null,
};

function readConnectionLimits(r: Reader, value: unknown, path: ConfigPath): ConnectionLimitsConfig {
  if (value === undefined) return UNLIMITED_CONNECTION_LIMITS;
  const obj = r.object(value, path, [
    'maxConnections',
    'maxConnectionsPerIp',
    'maxConnectionsPerIpOverrides',
    'maxConnectionCreationRatePerIp',
  ]);
  const count = (key: string, min: number) => (obj[key] === undefined ? null : r.int(obj[key], [...path, key], min, 2 ** 31 - 1));
  const overridesPath = [...path, 'maxConnectionsPerIpOverrides'];
  const overrides =
    obj.maxConnectionsPerIpOverrides === undefined
      ? {}
      : r.object(obj.maxConnectionsPerIpOverrides, overridesPath, Object.keys(obj.maxConnectionsPerIpOverrides as object));
  return {
    maxConnections: count('maxConnections', 1),
    maxConnectionsPerIp: count('maxConnectionsPerIp', 1),
    maxConnectionsPerIpOverrides: Object.entries(overrides).map(([cidr, max]) => ({
      cidr: r.cidr(cidr, [...overridesPath, cidr]),
      max: r.int(max, [...overridesPath, cidr], 0, 2 ** 31 - 1),
    })),
    maxConnectionCreationRatePerIp: count('maxConnectionCreationRatePerIp', 1),
  };
}

export function readListener(r: Reader, value: unknown, path: ConfigPath): ListenerConfig {
  const obj = r.object(value, path, [
    'name',
    'bind',
    'advertisedHost',
    'plaintext',
    'tls',
    'sasl',
    'network',
    'proxyProtocol',
    'connectionLimits',
    'routing',
  ]);
  const name = r.string(obj.name, [...path, 'name']);
  const bind = r.hostPort(obj.bind, [...path, 'bind']);
  const plaintext = obj.plaintext === undefined ? false : r.bool(obj.plaintext, [...path, 'plaintext']);
  const tls = obj.tls === undefined ? null : readTls(r, obj.tls, [...path, 'tls']);
  if (tls && plaintext) r.fail([...path, 'plaintext'], `listener '${name}' has both tls and plaintext: true; choose one`);
  if (!tls && !plaintext) {
    r.fail(path, `listener '${name}' has no tls section; set 'plaintext: true' to run it without TLS on purpose`);
  }
  const routing = readRouting(r, obj.routing, [...path, 'routing'], bind);
  if (routing.mode === 'sni' && !tls) r.fail([...path, 'routing', 'mode'], 'sni routing reads the TLS server name; it needs a tls section');
  const advertisedHost = obj.advertisedHost === undefined ? bind.host : r.string(obj.advertisedHost, [...path, 'advertisedHost']);
  if (routing.mode === 'port-per-broker' && (advertisedHost === '0.0.0.0' || advertisedHost === '::')) {
    r.fail([...path, 'advertisedHost'], `listener '${name}' binds a wildcard address; set advertisedHost to the name clients should use`);
  }
  const sasl = obj.sasl === undefined ? null : readListenerSasl(r, obj.sasl, [...path, 'sasl'], tls !== null);
  const network = readNetwork(r, obj.network, [...path, 'network'], tls);
  if (sasl && network.identities !== null)
    r.fail(
      [...path, 'network', 'identities'],
      `listener '${name}' has sasl: SASL decides the principal, so network.identities cannot apply`,
    );
  return {
    name,
    index: path[path.length - 1] as number,
    bind,
    advertisedHost,
    plaintext,
    tls,
    sasl,
    network,
    proxyProtocol: readProxyProtocol(r, obj.proxyProtocol, [...path, 'proxyProtocol']),
    connectionLimits: readConnectionLimits(r, obj.connectionLimits, [...path, 'connectionLimits']),
    routing,
  };
}
