// The one parser of IP addresses and CIDRs, used by the configuration, the listener's network rules,
// policy hosts and the session alike, so that what one layer accepts every other layer accepts too and
// an address means the same thing everywhere. A leaf module: it imports nothing of the gateway.
//
// Semantics:
// - An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, what a dual-stack socket reports for an IPv4
//   client) IS the IPv4 address: it is normalised to `10.0.0.1`, and IPv4 rules apply to it.
// - IPv4 and IPv6 never cross: an IPv6 CIDR (even `::/0`) matches IPv6 clients only, an IPv4 CIDR
//   IPv4 clients (including mapped ones) only.
// - A CIDR written on a mapped address is the IPv4 range it denotes: `::ffff:10.0.0.0/104` is
//   `10.0.0.0/8`. With a prefix below /96 it would reach outside the mapped range, which is almost
//   certainly a mistake for the IPv4 prefix (`::ffff:10.0.0.0/8` meant `10.0.0.0/8`), so it is refused.
// - Rules are strict: no spaces, brackets or zone ids (`%eth0`) in a CIDR. Peer addresses, as sockets
//   and PROXY headers report them, may carry brackets or a zone; both are dropped.
// - Host bits below the prefix are ignored (`10.1.2.3/8` is `10.0.0.0/8`), as in most tools.
import { BlockList, isIP, SocketAddress } from 'node:net';

export type IpFamily = 'ipv4' | 'ipv6';

/** An IP address in the one form the gateway compares and logs: a dotted quad, or RFC 5952 IPv6 text. */
export interface IpAddress {
  readonly address: string;
  readonly family: IpFamily;
}

/** The eight 16-bit groups of a valid IPv6 literal (`::` and a trailing dotted quad expanded). */
function ipv6Groups(literal: string): number[] {
  let text = literal.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) !== -1) {
    const [a, b, c, d] = text
      .slice(lastColon + 1)
      .split('.')
      .map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const gap = text.indexOf('::');
  if (gap === -1) return groups(text);
  const left = groups(text.slice(0, gap));
  const right = groups(text.slice(gap + 2));
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** RFC 5952 text: lower-case hex, no leading zeros, the first longest run of two or more zero groups as `::`. */
function compressed(groups: readonly number[]): string {
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (part: readonly number[]) => part.map((g) => g.toString(16)).join(':');
  return best < 0 ? hex(groups) : `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLength))}`;
}

function isMapped(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
}

/** Parses an IP literal exactly as written (no spaces, brackets or zone); undefined when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  const version = isIP(text);
  if (version === 4) return { address: text, family: 'ipv4' };
  if (version !== 6 || text.includes('%')) return undefined;
  const groups = ipv6Groups(text);
  if (isMapped(groups)) return { address: [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.'), family: 'ipv4' };
  return { address: compressed(groups), family: 'ipv6' };
}

/** A peer address as a socket or a PROXY header reports it: brackets and an IPv6 zone are dropped. */
export function normalizeAddress(peer: string): IpAddress | undefined {
  let text = peer;
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone >= 0 && isIP(text) === 6) text = text.slice(0, zone);
  return parseIp(text);
}

/**
 * Java's InetAddress.getHostAddress() rendering, which Kafka compares ACL hosts with: the dotted quad,
 * or eight uncompressed lower-case hex groups (`0:0:0:0:0:0:0:1`).
 */
export function javaHostAddress(ip: IpAddress): string {
  return ip.family === 'ipv4'
    ? ip.address
    : ipv6Groups(ip.address)
        .map((g) => g.toString(16))
        .join(':');
}

export interface Cidr {
  /** As written, for log lines. */
  readonly text: string;
  /** The network address as given (IPv4-mapped unwrapped), normalised. */
  readonly address: string;
  readonly prefix: number;
  readonly family: IpFamily;
}

export class InvalidCidrError extends Error {
  override readonly name = 'InvalidCidrError';
  constructor(
    readonly text: string,
    /** What is wrong, without the CIDR itself (for messages that already name it). */
    readonly reason: string,
  ) {
    super(`invalid CIDR '${text}': ${reason}`);
  }
}

/** Parses `10.0.0.0/8`, `2001:db8::/32`, `::ffff:10.0.0.0/104`, or a bare address (a /32 or /128). */
export function parseCidr(text: string): Cidr {
  const fail = (why: string): never => {
    throw new InvalidCidrError(text, why);
  };
  const parts = text.split('/');
  if (parts.length > 2) fail("more than one '/'");
  const [addressText, prefixText] = parts;
  if (addressText.includes('%')) fail(`'${addressText}' has a zone id; address rules cannot use zones`);
  const ip = parseIp(addressText);
  if (ip === undefined) fail(`'${addressText}' is not an IP address`);
  const writtenAsIpv6 = isIP(addressText) === 6;
  const mapped = writtenAsIpv6 && ip!.family === 'ipv4';
  const max = writtenAsIpv6 ? 128 : 32;
  if (prefixText === undefined) return { text, address: ip!.address, prefix: ip!.family === 'ipv4' ? 32 : 128, family: ip!.family };
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) fail(`prefix length must be ${mapped ? '96..128' : `0..${max}`} (got '${prefixText}')`);
  if (!mapped) return { text, address: ip!.address, prefix, family: ip!.family };
  if (prefix < 96) {
    const hint = prefix <= 32 ? `; for the IPv4 range write ${ip!.address}/${prefix}` : '';
    fail(`an IPv4-mapped address needs a prefix length of 96..128 (::ffff:10.0.0.0/104 is 10.0.0.0/8)${hint}`);
  }
  return { text, address: ip!.address, prefix: prefix - 96, family: 'ipv4' };
}

/** Why `text` is not a valid CIDR (the reason alone, e.g. `prefix length must be 0..32 (got '33')`), or undefined. */
export function cidrProblem(text: string): string | undefined {
  try {
    parseCidr(text);
    return undefined;
  } catch (err) {
    if (err instanceof InvalidCidrError) return err.reason;
    throw err;
  }
}

function blockListOf(cidrs: readonly Cidr[], family: IpFamily): BlockList {
  const list = new BlockList();
  for (const c of cidrs) if (c.family === family) list.addSubnet(c.address, c.prefix, family);
  return list;
}

/**
 * An address made once for many CidrList checks: given a string, BlockList builds a SocketAddress on
 * every check. That object and its garbage were four fifths of an uncached policy decision: under a
 * 1,000-rule policy with CIDR hosts, a connection's first Produce naming 10 topics took 1,313 µs to
 * authorize, and 59 µs with the address made once (test/bench/authz-request-cost.ts).
 */
export function checkableAddress(ip: IpAddress): CheckableAddress {
  return new SocketAddress({ address: ip.address, family: ip.family });
}

/** What checkableAddress makes (opaque to its users). */
export type CheckableAddress = SocketAddress;

/** A list of CIDRs: `containsIp` for hot paths, `match` to name the entry that matched. */
export class CidrList {
  readonly cidrs: readonly Cidr[];
  // One list per family: BlockList would otherwise let an IPv6 range such as ::/0 match IPv4 clients.
  private readonly v4: BlockList;
  private readonly v6: BlockList;

  /** Throws InvalidCidrError for an entry that is not a CIDR. */
  constructor(cidrs: readonly (string | Cidr)[]) {
    this.cidrs = cidrs.map((c) => (typeof c === 'string' ? parseCidr(c) : c));
    this.v4 = blockListOf(this.cidrs, 'ipv4');
    this.v6 = blockListOf(this.cidrs, 'ipv6');
  }

  get size(): number {
    return this.cidrs.length;
  }

  /** Whether an already normalised address is in the list (checked once: see containsAddress otherwise). */
  containsIp(ip: IpAddress): boolean {
    return this.containsAddress(checkableAddress(ip));
  }

  /** Whether an address made by checkableAddress is in the list: for one address checked again and again. */
  containsAddress(address: CheckableAddress): boolean {
    return address.family === 'ipv4' ? this.v4.check(address) : this.v6.check(address);
  }

  /** Whether a peer address is in the list (false for anything that is not an IP address). */
  contains(peer: string): boolean {
    const ip = normalizeAddress(peer);
    return ip !== undefined && this.containsIp(ip);
  }

  /** The first CIDR, in list order, containing a peer address; undefined also for a non-IP address. */
  match(peer: string): Cidr | undefined {
    const ip = normalizeAddress(peer);
    if (ip === undefined || !this.containsIp(ip)) return undefined;
    return this.cidrs.find((c) => c.family === ip.family && blockListOf([c], c.family).check(ip.address, ip.family));
  }
}
