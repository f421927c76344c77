// Which gateway address stands for which backend broker, and where each backend broker really is
// (learned from the backend's own Metadata answers). Two ways to address brokers through the gateway:
// port-per-broker (one port per node id on the advertised host) and SNI (one port; the TLS server
// name `broker-{id}.<domain>` picks the broker).
// What the backend says is checked before it is used: a route with an empty or odd host, a port outside
// 1–65535 or a negative node id is refused (the previous route, if any, stays in force).

export type Address = { host: string; port: number };

/** A learned route that was refused, for the log. */
export type RouteRefusal = { nodeId: number; address: Address; reason: string };

/** Host names and IP literals: letters, digits and . - _ : % (IPv6 zone), nothing else. */
const SANE_HOST = /^[A-Za-z0-9._:%-]{1,253}$/;
/** Node ids whose last advertised route was refused, remembered to log each bad route once (bounded). */
const MAX_REFUSED_REMEMBERED = 1024;

/** Why a route learned from a response must not be used, or null when it is fine. */
export function routeProblem(nodeId: number, address: Address): string | null {
  if (!Number.isInteger(nodeId) || nodeId < 0) return `node id ${nodeId} is not a broker id`;
  const { host, port } = address;
  if (typeof host !== 'string' || host.length === 0) return 'empty host';
  if (!SANE_HOST.test(host)) return `host ${JSON.stringify(host.slice(0, 64))} is not a host name or IP address`;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `port ${port} is outside 1–65535`;
  return null;
}

export type BrokerAddressing =
  | { mode: 'port-per-broker'; host: string; basePort: number; brokerPorts: ReadonlyMap<number, number> }
  | { mode: 'sni'; brokerNamePattern: string; port: number };

export class BrokerMap {
  private readonly backend = new Map<number, Address>();
  private readonly listeners = new Set<(nodeId: number) => void>();
  private readonly refusalListeners = new Set<(refusal: RouteRefusal) => void>();
  /** Node id → the last refused address (as text), so the same bad route is reported once. */
  private readonly refused = new Map<number, string>();
  private readonly sniName: RegExp | null;

  constructor(private readonly addressing: BrokerAddressing) {
    if (addressing.mode === 'sni') {
      const [before, after] = addressing.brokerNamePattern.split('{id}').map(escapeRegExp);
      this.sniName = new RegExp(`^${before}(0|[1-9][0-9]{0,9})${after}$`, 'i');
    } else {
      this.sniName = null;
    }
  }

  /** The gateway port that serves broker `nodeId` in port-per-broker routing, or null when there is none. */
  gatewayPort(nodeId: number): number | null {
    const a = this.addressing;
    if (a.mode !== 'port-per-broker' || nodeId < 0) return null;
    const explicit = a.brokerPorts.get(nodeId);
    if (explicit !== undefined) return explicit;
    if (a.basePort === 0) return null;
    const port = a.basePort + nodeId;
    return port <= 65535 ? port : null;
  }

  /** The address clients are told for broker `nodeId` (null: unroutable, must not be advertised). */
  advertised(nodeId: number): Address | null {
    // A broker only ever announced with a refused route has nothing behind its gateway address.
    if (this.refused.has(nodeId) && !this.backend.has(nodeId)) return null;
    const a = this.addressing;
    if (a.mode === 'sni') return nodeId < 0 ? null : { host: a.brokerNamePattern.replace('{id}', String(nodeId)), port: a.port };
    const port = this.gatewayPort(nodeId);
    return port === null ? null : { host: a.host, port };
  }

  /** SNI routing: the node id a TLS server name stands for, or null when it names no broker. */
  nodeIdForServerName(serverName: string): number | null {
    const m = this.sniName?.exec(serverName);
    return m ? Number(m[1]) : null;
  }

  backendAddress(nodeId: number): Address | undefined {
    return this.backend.get(nodeId);
  }

  knownNodeIds(): number[] {
    return [...this.backend.keys()];
  }

  /**
   * Records a backend broker's real address; announces node ids seen for the first time. A bad route is
   * refused (reported once per distinct address) and the previous one stays; returns whether it was taken.
   */
  learn(nodeId: number, address: Address): boolean {
    const problem = routeProblem(nodeId, address);
    if (problem !== null) {
      this.refuse({ nodeId, address: { host: address.host, port: address.port }, reason: problem });
      return false;
    }
    this.refused.delete(nodeId);
    const previous = this.backend.get(nodeId);
    this.backend.set(nodeId, { host: address.host, port: address.port });
    if (!previous) for (const listener of this.listeners) listener(nodeId);
    return true;
  }

  /** Called for each refused route (once per node id and distinct bad address). */
  onRouteRefused(listener: (refusal: RouteRefusal) => void): void {
    this.refusalListeners.add(listener);
  }

  private refuse(refusal: RouteRefusal): void {
    const key = `${refusal.address.host}:${refusal.address.port}`;
    if (this.refused.get(refusal.nodeId) === key) return;
    if (this.refused.size >= MAX_REFUSED_REMEMBERED && !this.refused.has(refusal.nodeId)) {
      this.refused.delete(this.refused.keys().next().value!);
    }
    this.refused.set(refusal.nodeId, key);
    for (const listener of this.refusalListeners) listener(refusal);
  }

  onNewBroker(listener: (nodeId: number) => void): void {
    this.listeners.add(listener);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
