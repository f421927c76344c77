// Host matching. Kafka compares an ACL host string with the client IP rendered as Java's
// InetAddress.getHostAddress(): dotted quad for IPv4, eight uncompressed lower-case hex groups for
// IPv6 ("0:0:0:0:0:0:0:1"). Java turns an IPv4-mapped IPv6 peer (::ffff:a.b.c.d, what Node reports on
// a dual-stack socket) into an IPv4 address, so we render those as IPv4 too: an IPv4 rule or CIDR
// then matches a client whatever socket family it arrived on. Zone ids (%eth0) are dropped.
// Beyond Kafka, a policy host may be a CIDR range; IP literals in a policy are normalised to the
// same rendering, so "::1" and "0:0:0:0:0:0:0:1" are the same host. Addresses and CIDRs are parsed by
// common/address.ts, the same parser as the listener's network rules, so a CIDR means the same
// thing in a policy as in the configuration.
import {
  type CheckableAddress,
  checkableAddress,
  CidrList,
  InvalidCidrError,
  javaHostAddress,
  normalizeAddress,
  parseCidr,
  parseIp,
  type Cidr,
  type IpFamily,
} from '../common/address.ts';

export type { IpFamily };

/** A client address as the authorizer compares it. */
export interface ClientHost {
  /** Java's rendering (or the input verbatim when it is not an IP address). */
  readonly rendered: string;
  /** The address as CIDR host ranges check it, made once per client (absent: not an IP address). */
  readonly checkable: CheckableAddress | undefined;
}

export function clientHost(peer: string): ClientHost {
  const ip = normalizeAddress(peer);
  if (ip === undefined) return { rendered: peer, checkable: undefined };
  const rendered = javaHostAddress(ip);
  return { rendered, checkable: checkableAddress({ address: rendered, family: ip.family }) };
}

export type HostSpec = { kind: 'any' } | { kind: 'exact'; rendered: string } | { kind: 'cidr'; cidr: Cidr };

/** Parses one policy host entry: `*`, an IP, a CIDR, or (as Kafka allows) any other literal string. */
export function parseHost(text: string): HostSpec | { error: string } {
  if (text === '*') return { kind: 'any' };
  if (text.includes('/')) {
    try {
      return { kind: 'cidr', cidr: parseCidr(text) };
    } catch (err) {
      if (err instanceof InvalidCidrError) return { error: err.message };
      throw err;
    }
  }
  // A single address may carry a zone, as a peer may (dropped, as for peers); a CIDR may not.
  const ip = normalizeAddress(text);
  return { kind: 'exact', rendered: ip ? javaHostAddress(ip) : text };
}

/** Whether a host spec is something a client address can ever equal. */
export function canEverMatch(spec: HostSpec): boolean {
  return spec.kind !== 'exact' || parseIp(spec.rendered) !== undefined;
}

/** A compiled set of host specs; `matches` is on the decision hot path. */
export class HostMatcher {
  readonly any: boolean;
  private readonly exact: ReadonlySet<string>;
  private readonly ranges: CidrList | undefined;

  constructor(specs: readonly HostSpec[]) {
    this.any = specs.some((s) => s.kind === 'any');
    this.exact = new Set(specs.flatMap((s) => (s.kind === 'exact' ? [s.rendered] : [])));
    const cidrs = specs.flatMap((s) => (s.kind === 'cidr' ? [s.cidr] : []));
    this.ranges = cidrs.length === 0 ? undefined : new CidrList(cidrs);
  }

  matches(host: ClientHost): boolean {
    if (this.any || this.exact.has(host.rendered)) return true;
    return this.ranges !== undefined && host.checkable !== undefined && this.ranges.containsAddress(host.checkable);
  }
}
