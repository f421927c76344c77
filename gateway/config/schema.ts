// The gateway's configuration: types, defaults and validation. Security defaults are closed:
// a listener without TLS must say so explicitly, and so must a gateway without authorization.
import { readAuthorization, type AuthorizationConfig } from './authorization.ts';
import { readListener, type ListenerConfig } from './listener.ts';
import { Reader, type HostPort } from './reader.ts';
import { ConfigError, type ConfigPath, YamlSource } from './yaml-source.ts';

export type { AuditAllows, AuthorizationConfig } from './authorization.ts';
export type { HostPort } from './reader.ts';
export type { ClientAuth, ListenerConfig, NetworkConfig, ProxyProtocolConfig, Routing, ServerCertificate, TlsConfig } from './listener.ts';

export type GatewayConfig = {
  source: string;
  /** An error pointing at a place in the file, for problems found after validation (a certificate that will not load). */
  errorAt: (path: ConfigPath, reason: string) => ConfigError;
  backend: { bootstrapServers: HostPort[]; connectTimeoutMs: number };
  listeners: ListenerConfig[];
  authorization: AuthorizationConfig;
  admin: { bind: HostPort | null };
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
  const root = r.object(src.value() ?? {}, [], ['backend', 'listeners', 'authorization', 'admin', 'limits', 'log']);

  const backend = r.object(root.backend, ['backend'], ['bootstrapServers', 'connectTimeoutMs']);
  if (!Array.isArray(backend.bootstrapServers) || backend.bootstrapServers.length === 0) {
    r.fail(['backend', 'bootstrapServers'], 'backend.bootstrapServers must list at least one host:port');
  }
  const bootstrapServers = (backend.bootstrapServers as unknown[]).map((v, i) => r.hostPort(v, ['backend', 'bootstrapServers', i]));
  const connectTimeoutMs =
    backend.connectTimeoutMs === undefined ? 10_000 : r.int(backend.connectTimeoutMs, ['backend', 'connectTimeoutMs'], 100, 600_000);

  if (!Array.isArray(root.listeners) || root.listeners.length === 0) r.fail(['listeners'], 'listeners must list at least one listener');
  const listeners = (root.listeners as unknown[]).map((l, i) => readListener(r, l, ['listeners', i]));
  const names = new Set<string>();
  listeners.forEach((l, i) => {
    if (names.has(l.name)) r.fail(['listeners', i, 'name'], `duplicate listener name '${l.name}'`);
    names.add(l.name);
  });

  const authorization = readAuthorization(r, root.authorization, ['authorization']);
  const admin = r.object(root.admin ?? {}, ['admin'], ['bind']);
  const limitsIn = r.object(root.limits ?? {}, ['limits'], Object.keys(DEFAULT_LIMITS));
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof typeof DEFAULT_LIMITS>) {
    if (limitsIn[key] !== undefined) limits[key] = r.int(limitsIn[key], ['limits', key], 1, 2 ** 31 - 1);
  }
  const log = r.object(root.log ?? {}, ['log'], ['level']);
  const level = log.level === undefined ? 'info' : r.string(log.level, ['log', 'level']);
  if (!LOG_LEVELS.includes(level)) r.fail(['log', 'level'], `log.level must be one of ${LOG_LEVELS.join(', ')}`);

  return {
    source: src.file,
    errorAt: (path, reason) => src.errorAt(path, reason),
    backend: { bootstrapServers, connectTimeoutMs },
    listeners,
    authorization,
    admin: { bind: admin.bind === undefined ? null : r.hostPort(admin.bind, ['admin', 'bind'], true) },
    limits,
    log: { level },
  };
}

export function parseConfig(text: string, file: string): GatewayConfig {
  return readConfig(YamlSource.parse(text, file));
}

export { ConfigError };
