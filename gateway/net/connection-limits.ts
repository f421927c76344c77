// A listener's connection limits, as a Kafka broker has them per listener: a cap on open connections
// (max.connections), a cap per client address (max.connections.per.ip, with overrides) and a creation
// rate per client address (Kafka's connection_creation_rate quota), kept as a token bucket per address
// in a bounded table. Every granted slot comes with a release that counts once, however often it is
// called, so a connection that ends by several paths at once is not subtracted twice.

export type LimitRefusal = 'max-connections' | 'max-connections-per-ip' | 'connection-rate';

export type Grant =
  { readonly ok: true; readonly release: () => void } | { readonly ok: false; readonly reason: LimitRefusal; readonly detail: string };

export interface ConnectionLimitsOptions {
  /** Connections open on the listener at once (null: unlimited, Kafka's default). */
  readonly maxConnections: number | null;
  /** Connections open from one client address at once (null: unlimited, Kafka's default). */
  readonly maxConnectionsPerIp: number | null;
  /** A per-address cap that replaces maxConnectionsPerIp for this address, or undefined. */
  readonly perIpOverride?: (address: string) => number | undefined;
  /** New connections per second from one client address (null: unlimited); bursts up to one second's worth. */
  readonly creationRatePerIp: number | null;
  /** How many addresses the rate table remembers; the least recently seen is forgotten first. */
  readonly rateTableSize?: number;
  /** Milliseconds clock, for tests. */
  readonly now?: () => number;
}

type Bucket = { tokens: number; at: number };

export const DEFAULT_RATE_TABLE_SIZE = 65_536;

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

export class ConnectionLimits {
  private open = 0;
  private readonly perIp = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly tableSize: number;

  constructor(private readonly options: ConnectionLimitsOptions) {
    this.now = options.now ?? Date.now;
    this.tableSize = options.rateTableSize ?? DEFAULT_RATE_TABLE_SIZE;
  }

  /** Connections currently holding a listener slot. */
  get openConnections(): number {
    return this.open;
  }

  /** Connections currently counted against `address`. */
  openFrom(address: string): number {
    return this.perIp.get(address) ?? 0;
  }

  /** A slot on the listener, taken at accept (before the real client address is known). */
  acquireListenerSlot(): Grant {
    const max = this.options.maxConnections;
    if (max !== null && this.open >= max)
      return { ok: false, reason: 'max-connections', detail: `the listener has its maximum of ${max} connections open` };
    this.open++;
    return { ok: true, release: once(() => this.open--) };
  }

  /** A slot for the real client address (after the PROXY header): creation rate first, then the count. */
  acquireAddressSlot(address: string): Grant {
    const rate = this.options.creationRatePerIp;
    if (rate !== null && !this.takeToken(address, rate)) {
      return { ok: false, reason: 'connection-rate', detail: `more than ${rate} new connections per second from ${address}` };
    }
    const max = this.options.perIpOverride?.(address) ?? this.options.maxConnectionsPerIp;
    const current = this.perIp.get(address) ?? 0;
    if (max !== null && current >= max) {
      return { ok: false, reason: 'max-connections-per-ip', detail: `${address} has its maximum of ${max} connections open` };
    }
    this.perIp.set(address, current + 1);
    return {
      ok: true,
      release: once(() => {
        const n = (this.perIp.get(address) ?? 1) - 1;
        if (n <= 0) this.perIp.delete(address);
        else this.perIp.set(address, n);
      }),
    };
  }

  private takeToken(address: string, rate: number): boolean {
    const now = this.now();
    const capacity = Math.max(1, rate);
    const bucket = this.buckets.get(address);
    let tokens = capacity;
    if (bucket) {
      tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * rate);
      this.buckets.delete(address); // re-inserted below: the Map's order is least recently seen first
    } else if (this.buckets.size >= this.tableSize) {
      this.buckets.delete(this.buckets.keys().next().value as string);
    }
    if (tokens < 1) {
      this.buckets.set(address, { tokens, at: now });
      return false;
    }
    this.buckets.set(address, { tokens: tokens - 1, at: now });
    return true;
  }
}
