// The gateway's configuration: types, defaults and validation. Security defaults are closed:
// a listener without TLS must say so explicitly.
import { ConfigError, type ConfigPath, YamlSource } from './yaml-source.ts';

export type HostPort = { host: string; port: number };

export type Routing =
  | { mode: 'port-per-broker'; basePort: number; brokerPorts: Map<number, number> };

export type ListenerConfig = {
  name: string;
  bind: HostPort;
  /** The host clients are told to connect to (Metadata, FindCoordinator… are rewritten to it). */
  advertisedHost: string;
  /** TLS arrives with its own issue; until then a listener must opt in to plaintext. */
  plaintext: boolean;
  routing: Routing;
};

export type GatewayConfig = {
  source: string;
  backend: { bootstrapServers: HostPort[]; connectTimeoutMs: number };
  listeners: ListenerConfig[];
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
  };
  log: { level: string };
};

export const DEFAULT_LIMITS: GatewayConfig['limits'] = {
  maxFrameBytes: 100 * 1024 * 1024,
  maxUnauthenticatedFrameBytes: 512 * 1024,
  maxInFlightRequests: 1000,
  maxResponseFrameBytes: 512 * 1024 * 1024,
  shutdownDrainMs: 30_000,
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads one section of the raw document, failing with the location of the offending key. */
class Reader {
  constructor(private readonly src: YamlSource) {}

  fail(path: ConfigPath, reason: string): never {
    throw this.src.errorAt(path, reason);
  }

  object(value: unknown, path: ConfigPath, allowed: string[]): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, `${label(path)} must be a mapping`);
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.fail([...path, key], `unknown key '${key}' in ${label(path)} (expected one of: ${allowed.join(', ')})`);
    }
    return obj;
  }

  string(value: unknown, path: ConfigPath): string {
    if (typeof value !== 'string' || value === '') this.fail(path, `${label(path)} must be a non-empty string`);
    return value;
  }

  int(value: unknown, path: ConfigPath, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(path, `${label(path)} must be an integer from ${min} to ${max}`);
    }
    return value;
  }

  bool(value: unknown, path: ConfigPath): boolean {
    if (typeof value !== 'boolean') this.fail(path, `${label(path)} must be true or false`);
    return value;
  }

  hostPort(value: unknown, path: ConfigPath, allowZeroPort = false): HostPort {
    const text = this.string(value, path);
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
    const port = m ? Number(m[3]) : NaN;
    if (!m || port > 65535 || (!allowZeroPort && port === 0)) this.fail(path, `${label(path)} must be host:port (got '${text}')`);
    return { host: m[1] ?? m[2], port };
  }
}

function label(path: ConfigPath): string {
  return path.length === 0 ? 'the configuration' : path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
}

function readRouting(r: Reader, value: unknown, path: ConfigPath): Routing {
  const obj = r.object(value ?? {}, path, ['mode', 'basePort', 'brokerPorts']);
  const mode = obj.mode ?? 'port-per-broker';
  if (mode !== 'port-per-broker') r.fail([...path, 'mode'], `routing.mode must be 'port-per-broker' (got '${String(mode)}')`);
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

function readListener(r: Reader, value: unknown, path: ConfigPath): ListenerConfig {
  const obj = r.object(value, path, ['name', 'bind', 'advertisedHost', 'plaintext', 'routing']);
  const name = r.string(obj.name, [...path, 'name']);
  const bind = r.hostPort(obj.bind, [...path, 'bind']);
  const plaintext = obj.plaintext === undefined ? false : r.bool(obj.plaintext, [...path, 'plaintext']);
  if (!plaintext) {
    r.fail(path, `listener '${name}' has no TLS configuration; set 'plaintext: true' to run it without TLS on purpose`);
  }
  const advertisedHost = obj.advertisedHost === undefined ? bind.host : r.string(obj.advertisedHost, [...path, 'advertisedHost']);
  if (advertisedHost === '0.0.0.0' || advertisedHost === '::') {
    r.fail([...path, 'advertisedHost'], `listener '${name}' binds a wildcard address; set advertisedHost to the name clients should use`);
  }
  return { name, bind, advertisedHost, plaintext, routing: readRouting(r, obj.routing, [...path, 'routing']) };
}

/** Validates a parsed document; every error carries file, line, column and reason. */
export function readConfig(src: YamlSource): GatewayConfig {
  const r = new Reader(src);
  const root = r.object(src.value() ?? {}, [], ['backend', 'listeners', 'admin', 'limits', 'log']);

  const backend = r.object(root.backend, ['backend'], ['bootstrapServers', 'connectTimeoutMs']);
  if (!Array.isArray(backend.bootstrapServers) || backend.bootstrapServers.length === 0) {
    r.fail(['backend', 'bootstrapServers'], 'backend.bootstrapServers must list at least one host:port');
  }
  const bootstrapServers = (backend.bootstrapServers as unknown[]).map((v, i) => r.hostPort(v, ['backend', 'bootstrapServers', i]));
  const connectTimeoutMs = backend.connectTimeoutMs === undefined ? 10_000 : r.int(backend.connectTimeoutMs, ['backend', 'connectTimeoutMs'], 100, 600_000);

  if (!Array.isArray(root.listeners) || root.listeners.length === 0) r.fail(['listeners'], 'listeners must list at least one listener');
  const listeners = (root.listeners as unknown[]).map((l, i) => readListener(r, l, ['listeners', i]));
  const names = new Set<string>();
  listeners.forEach((l, i) => {
    if (names.has(l.name)) r.fail(['listeners', i, 'name'], `duplicate listener name '${l.name}'`);
    names.add(l.name);
  });

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
    backend: { bootstrapServers, connectTimeoutMs },
    listeners,
    admin: { bind: admin.bind === undefined ? null : r.hostPort(admin.bind, ['admin', 'bind'], true) },
    limits,
    log: { level },
  };
}

export function parseConfig(text: string, file: string): GatewayConfig {
  return readConfig(YamlSource.parse(text, file));
}

export { ConfigError };
