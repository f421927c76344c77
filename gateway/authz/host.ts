// Host matching. Kafka compares an ACL host string with the client IP rendered as Java's
// InetAddress.getHostAddress(): dotted quad for IPv4, eight uncompressed lower-case hex groups for
// IPv6 ("0:0:0:0:0:0:0:1"). Java turns an IPv4-mapped IPv6 peer (::ffff:a.b.c.d, what Node reports on
// a dual-stack socket) into an IPv4 address, so we render those as IPv4 too: an IPv4 rule or CIDR
// then matches a client whatever socket family it arrived on. Zone ids (%eth0) are dropped.
// Beyond Kafka, a policy host may be a CIDR range; IP literals in a policy are normalised to the
// same rendering, so "::1" and "0:0:0:0:0:0:0:1" are the same host.
import { BlockList, isIP } from 'node:net';

export type IpFamily = 'ipv4' | 'ipv6';

/** A client address as the authorizer compares it. */
export interface ClientHost {
  /** Java's rendering (or the input verbatim when it is not an IP address). */
  readonly rendered: string;
  readonly family: IpFamily | undefined;
}

export function clientHost(peer: string): ClientHost {
  const ip = normalizeIp(peer);
  return ip ?? { rendered: peer, family: undefined };
}

/** Java's rendering of an IP literal; undefined when `text` is not an IP address. */
export function normalizeIp(text: string): ClientHost | undefined {
  const bare = text.includes('%') ? text.slice(0, text.indexOf('%')) : text;
  const version = isIP(bare);
  if (version === 4) return { rendered: bare, family: 'ipv4' };
  if (version !== 6) return undefined;
  const groups = ipv6Groups(bare);
  if (isIpv4Mapped(groups)) return { rendered: mappedIpv4(groups), family: 'ipv4' };
  return { rendered: groups.map((g) => g.toString(16)).join(':'), family: 'ipv6' };
}

/** The eight 16-bit groups of a valid IPv6 literal (may end in a dotted quad). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) !== -1) {
    // Rewrite a trailing dotted quad as its two hex groups.
    const [a, b, c, d] = text.slice(lastColon + 1).split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const gap = text.indexOf('::');
  if (gap === -1) return groups(text);
  const left = groups(text.slice(0, gap));
  const right = groups(text.slice(gap + 2));
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function isIpv4Mapped(groups: number[]): boolean {
  return groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
}

function mappedIpv4(groups: number[]): string {
  return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
}

export type HostSpec =
  | { kind: 'any' }
  | { kind: 'exact'; rendered: string }
  | { kind: 'cidr'; network: string; prefix: number; family: IpFamily };

/** Parses one policy host entry: `*`, an IP, a CIDR, or (as Kafka allows) any other literal string. */
export function parseHost(text: string): HostSpec | { error: string } {
  if (text === '*') return { kind: 'any' };
  const slash = text.indexOf('/');
  if (slash === -1) return { kind: 'exact', rendered: normalizeIp(text)?.rendered ?? text };
  const ip = normalizeIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!ip || ip.family === undefined) return { error: `malformed CIDR '${text}': '${text.slice(0, slash)}' is not an IP address` };
  // ::ffff:a.b.c.d/n with n >= 96 is an IPv4 range written in IPv6 form; it came back rendered as IPv4.
  const mapped = ip.family === 'ipv4' && isIP(text.slice(0, slash)) === 6;
  const bits = mapped ? prefix - 96 : prefix;
  const max = ip.family === 'ipv4' ? 32 : 128;
  if (!(bits >= 0 && bits <= max)) {
    return { error: `malformed CIDR '${text}': prefix length must be ${mapped ? '96..128' : `0..${max}`}` };
  }
  return { kind: 'cidr', network: ip.rendered, prefix: bits, family: ip.family };
}

/** Whether a host spec is something a client address can ever equal. */
export function canEverMatch(spec: HostSpec): boolean {
  return spec.kind !== 'exact' || normalizeIp(spec.rendered) !== undefined;
}

/** A compiled set of host specs; `matches` is on the decision hot path. */
export class HostMatcher {
  readonly any: boolean;
  private readonly exact: ReadonlySet<string>;
  private readonly ranges: BlockList | undefined;

  constructor(specs: readonly HostSpec[]) {
    this.any = specs.some((s) => s.kind === 'any');
    this.exact = new Set(specs.flatMap((s) => (s.kind === 'exact' ? [s.rendered] : [])));
    const cidrs = specs.filter((s): s is Extract<HostSpec, { kind: 'cidr' }> => s.kind === 'cidr');
    this.ranges = cidrs.length === 0 ? undefined : new BlockList();
    for (const c of cidrs) this.ranges!.addSubnet(c.network, c.prefix, c.family);
  }

  matches(host: ClientHost): boolean {
    if (this.any || this.exact.has(host.rendered)) return true;
    return this.ranges !== undefined && host.family !== undefined && this.ranges.check(host.rendered, host.family);
  }
}
