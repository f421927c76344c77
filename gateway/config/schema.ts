// The gateway's configuration: types, defaults and validation. Security defaults are closed:
// a listener without TLS must say so explicitly, and so must a gateway without authorization.
import { availableParallelism } from 'node:os';
import { MECHANISM_SECTION, readAuthentication, type AuthenticationConfig } from './authentication.ts';
import { readAuthorization, type AuthorizationConfig } from './authorization.ts';
import { readListener, type ListenerConfig } from './listener.ts';
import { Reader, type HostPort } from './reader.ts';
import { ConfigError, type ConfigPath, YamlSource } from './yaml-source.ts';

export type { AuditAllows, AuthorizationConfig } from './authorization.ts';
export type { AuthenticationConfig, ListenerSaslConfig } from './authentication.ts';
export type { HostPort } from './reader.ts';
export type { ClientAuth, ListenerConfig, NetworkConfig, ProxyProtocolConfig, Routing, ServerCertificate, TlsConfig } from './listener.ts';

export type AdminConfig = {
  bind: HostPort | null;
  /** HTTPS instead of HTTP (PEM files, read at start). */
  tls: { certificateFile: string; keyFile: string } | null;
  /** Basic authentication for /metrics and /status (the probes stay open for kubelets and balancers). */
  basicAuth: { username: string; passwordFile: string } | null;
  /** Distinct topics the per-topic produced/fetched series name before counting the rest as 'other'. */
  maxTopicLabels: number;
};

export type GatewayConfig = {
  source: string;
  /** An error pointing at a place in the file, for problems found after validation (a certificate that will not load). */
  errorAt: (path: ConfigPath, reason: string) => ConfigError;
  backend: {
    bootstrapServers: HostPort[];
    connectTimeoutMs: number;
    /** After start-up, how often the backend is asked whether it answers (readiness). */
    healthCheckIntervalMs: number;
    /** Consecutive failed health checks before the gateway reports itself unready. */
    unreadyAfterFailedChecks: number;
  };
  listeners: ListenerConfig[];
  authorization: AuthorizationConfig;
  /** How SASL mechanisms verify clients (used by listeners with a `sasl` section). */
  authentication: AuthenticationConfig;
  admin: AdminConfig;
  limits: {
    /** Largest request accepted from a client (the size prefix is checked before buffering). */
    maxFrameBytes: number;
    /** Largest request before the client has authenticated. */
    maxUnauthenticatedFrameBytes: number;
    /** Requests awaiting a response per client connection; more closes the connection. */
    maxInFlightRequests: number;
    /** Largest response accepted from the backend. */
    maxResponseFrameBytes: number;
    /** On SIGTERM: how long in-flight requests may take before connections are cut. */
    shutdownDrainMs: number;
    /** Answers queued for one client and not yet read by it, in bytes, above which the gateway stops reading that client. */
    maxQueuedResponseBytes: number;
    /** Kafka's connections.max.idle.ms: a connection with no request in flight and no traffic for this long is closed. */
    connectionsMaxIdleMs: number;
    /** A connection that sends no complete request this long after it was admitted is closed. */
    firstRequestTimeoutMs: number;
    /** Topic id ↔ name pairs remembered from Metadata answers (least recently used ones go first). */
    maxCachedTopicIds: number;
  };
  log: { level: string };
  /** Processes serving the listeners (Node's cluster: same ports, connections spread between them); 1 = this process alone. */
  workers: number;
};

export const DEFAULT_LIMITS: GatewayConfig['limits'] = {
  maxFrameBytes: 100 * 1024 * 1024,
  maxUnauthenticatedFrameBytes: 512 * 1024,
  maxInFlightRequests: 1000,
  maxResponseFrameBytes: 512 * 1024 * 1024,
  shutdownDrainMs: 30_000,
  maxQueuedResponseBytes: 4 * 1024 * 1024,
  connectionsMaxIdleMs: 600_000,
  firstRequestTimeoutMs: 10_000,
  maxCachedTopicIds: 100_000,
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Validates a parsed document; every error carries file, line, column and reason. */
export function readConfig(src: YamlSource): GatewayConfig {
  const r = new Reader(src);
  const root = r.object(
    src.value() ?? {},
    [],
    ['backend', 'listeners', 'authorization', 'authentication', 'admin', 'limits', 'log', 'workers'],
  );

  const backend = r.object(
    root.backend,
    ['backend'],
    ['bootstrapServers', 'connectTimeoutMs', 'healthCheckIntervalMs', 'unreadyAfterFailedChecks'],
  );
  if (!Array.isArray(backend.bootstrapServers) || backend.bootstrapServers.length === 0) {
    r.fail(['backend', 'bootstrapServers'], 'backend.bootstrapServers must list at least one host:port');
  }
  const bootstrapServers = (backend.bootstrapServers as unknown[]).map((v, i) => r.hostPort(v, ['backend', 'bootstrapServers', i]));
  const connectTimeoutMs =
    backend.connectTimeoutMs === undefined ? 10_000 : r.int(backend.connectTimeoutMs, ['backend', 'connectTimeoutMs'], 100, 600_000);
  const healthCheckIntervalMs =
    backend.healthCheckIntervalMs === undefined
      ? 5_000
      : r.int(backend.healthCheckIntervalMs, ['backend', 'healthCheckIntervalMs'], 100, 600_000);
  const unreadyAfterFailedChecks =
    backend.unreadyAfterFailedChecks === undefined
      ? 2
      : r.int(backend.unreadyAfterFailedChecks, ['backend', 'unreadyAfterFailedChecks'], 1, 100);

  if (!Array.isArray(root.listeners) || root.listeners.length === 0) r.fail(['listeners'], 'listeners must list at least one listener');
  const listeners = (root.listeners as unknown[]).map((l, i) => readListener(r, l, ['listeners', i]));
  const names = new Set<string>();
  listeners.forEach((l, i) => {
    if (names.has(l.name)) r.fail(['listeners', i, 'name'], `duplicate listener name '${l.name}'`);
    names.add(l.name);
  });

  const authorization = readAuthorization(r, root.authorization, ['authorization']);
  const authentication = readAuthentication(r, root.authentication, ['authentication']);
  // A mechanism a listener enables must have what verifies it.
  listeners.forEach((l, i) =>
    l.sasl?.mechanisms.forEach((mechanism, j) => {
      const section = MECHANISM_SECTION[mechanism];
      if (authentication[section] === null)
        r.fail(
          ['listeners', i, 'sasl', 'mechanisms', j],
          `listener '${l.name}' enables ${mechanism}, which needs an authentication.${section} section`,
        );
    }),
  );
  const admin = readAdmin(r, root.admin);
  const limitsIn = r.object(root.limits ?? {}, ['limits'], Object.keys(DEFAULT_LIMITS));
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof typeof DEFAULT_LIMITS>) {
    if (limitsIn[key] !== undefined) limits[key] = r.int(limitsIn[key], ['limits', key], 1, 2 ** 31 - 1);
  }
  const log = r.object(root.log ?? {}, ['log'], ['level']);
  const level = log.level === undefined ? 'info' : r.string(log.level, ['log', 'level']);
  if (!LOG_LEVELS.includes(level)) r.fail(['log', 'level'], `log.level must be one of ${LOG_LEVELS.join(', ')}`);

  // `auto`: one per core the machine gives this process. The default is 1, so a gateway never takes
  // every core of a machine it shares (with a broker, say) unless told to.
  const workers =
    root.workers === undefined ? 1 : root.workers === 'auto' ? availableParallelism() : r.int(root.workers, ['workers'], 1, 256);

  return {
    source: src.file,
    errorAt: (path, reason) => src.errorAt(path, reason),
    backend: { bootstrapServers, connectTimeoutMs, healthCheckIntervalMs, unreadyAfterFailedChecks },
    listeners,
    authorization,
    authentication,
    admin,
    limits,
    log: { level },
    workers,
  };
}

export function parseConfig(text: string, file: string): GatewayConfig {
  return readConfig(YamlSource.parse(text, file));
}

export { ConfigError };

/** Topics the per-topic series name by default: enough for a cluster's busy topics, bounded for Prometheus. */
const DEFAULT_MAX_TOPIC_LABELS = 100;

function readAdmin(r: Reader, value: unknown): AdminConfig {
  const admin = r.object(value ?? {}, ['admin'], ['bind', 'tls', 'basicAuth', 'maxTopicLabels']);
  let tls: AdminConfig['tls'] = null;
  if (admin.tls !== undefined) {
    const t = r.object(admin.tls, ['admin', 'tls'], ['certificate', 'key']);
    if (t.certificate === undefined || t.key === undefined) r.fail(['admin', 'tls'], 'admin.tls needs certificate and key (PEM files)');
    tls = { certificateFile: r.file(t.certificate, ['admin', 'tls', 'certificate']), keyFile: r.file(t.key, ['admin', 'tls', 'key']) };
  }
  let basicAuth: AdminConfig['basicAuth'] = null;
  if (admin.basicAuth !== undefined) {
    const b = r.object(admin.basicAuth, ['admin', 'basicAuth'], ['username', 'passwordFile']);
    basicAuth = {
      username: r.string(b.username, ['admin', 'basicAuth', 'username']),
      passwordFile: r.file(b.passwordFile, ['admin', 'basicAuth', 'passwordFile']),
    };
  }
  const maxTopicLabels =
    admin.maxTopicLabels === undefined ? DEFAULT_MAX_TOPIC_LABELS : r.int(admin.maxTopicLabels, ['admin', 'maxTopicLabels'], 0, 10_000);
  return { bind: admin.bind === undefined ? null : r.hostPort(admin.bind, ['admin', 'bind'], true), tls, basicAuth, maxTopicLabels };
}
