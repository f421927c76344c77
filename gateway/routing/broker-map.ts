// Which gateway address stands for which backend broker, and where each backend broker really is
// (learned from the backend's own Metadata answers). Two ways to address brokers through the gateway:
// port-per-broker (one port per node id on the advertised host) and SNI (one port; the TLS server
// name `broker-{id}.<domain>` picks the broker).

export type Address = { host: string; port: number };

export type BrokerAddressing =
  | { mode: 'port-per-broker'; host: string; basePort: number; brokerPorts: ReadonlyMap<number, number> }
  | { mode: 'sni'; brokerNamePattern: string; port: number };

export class BrokerMap {
  private readonly backend = new Map<number, Address>();
  private readonly listeners = new Set<(nodeId: number) => void>();
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

  /** Records a backend broker's real address; announces node ids seen for the first time. */
  learn(nodeId: number, address: Address): void {
    const previous = this.backend.get(nodeId);
    this.backend.set(nodeId, address);
    if (!previous) for (const listener of this.listeners) listener(nodeId);
  }

  onNewBroker(listener: (nodeId: number) => void): void {
    this.listeners.add(listener);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
