// Which gateway address stands for which backend broker (port-per-broker routing), and where each
// backend broker really is (learned from the backend's own Metadata answers).

export type Address = { host: string; port: number };

export class BrokerMap {
  private readonly backend = new Map<number, Address>();
  private readonly listeners = new Set<(nodeId: number) => void>();

  constructor(
    private readonly advertisedHost: string,
    private readonly basePort: number,
    private readonly explicitPorts: ReadonlyMap<number, number>,
  ) {}

  /** The gateway port that serves broker `nodeId`, or null when routing has none for it. */
  gatewayPort(nodeId: number): number | null {
    const explicit = this.explicitPorts.get(nodeId);
    if (explicit !== undefined) return explicit;
    if (this.basePort === 0 || nodeId < 0) return null;
    const port = this.basePort + nodeId;
    return port <= 65535 ? port : null;
  }

  /** The address clients are told for broker `nodeId` (null: unroutable, must not be advertised). */
  advertised(nodeId: number): Address | null {
    const port = this.gatewayPort(nodeId);
    return port === null ? null : { host: this.advertisedHost, port };
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
