// Network rules checked at accept, before any TLS work: per-listener allow/deny CIDR lists, and IP
// identities (source CIDR → principal) for listeners without certificates or SASL. Matching uses
// net.BlockList, one per rule so the log line can name the rule that decided.
//
// Semantics:
// - addresses are normalised first: an IPv4-mapped IPv6 peer (`::ffff:10.0.0.1`, as a dual-stack socket
//   reports IPv4 clients) is treated as the IPv4 address, so IPv4 rules apply to it; a zone (`%eth0`) is
//   dropped;
// - deny wins over allow: a peer matching any deny rule is refused even if an allow rule matches too;
// - an empty allow list allows every address not denied, unless `defaultAllow: false`, in which case an
//   empty allow list refuses everything (fail closed for listeners that must be explicitly opened);
// - a non-empty allow list refuses every address it does not match;
// - IP identities: the most specific (longest prefix) matching CIDR wins; an unmapped source is refused or
//   becomes User:ANONYMOUS, as configured.

import { BlockList, isIP } from 'node:net';
import { KafkaPrincipal } from './principal.ts';

export type IpFamily = 'ipv4' | 'ipv6';

export interface Cidr {
  /** As written in the configuration, for log lines. */
  readonly text: string;
  readonly address: string;
  readonly prefix: number;
  readonly family: IpFamily;
}

export class InvalidCidrError extends Error {}

/** The eight 16-bit groups of a valid IPv6 address (with `::` and a dotted IPv4 tail expanded). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const tail: number[] = [];
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const b = dotted.slice(1).map(Number);
    tail.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
    text = text.slice(0, dotted.index);
    if (!text.endsWith('::')) text = text.slice(0, -1); // drop the ':' before the IPv4 tail
  }
  const [head, rest] = text.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').filter((g) => g !== '').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = [...parse(rest), ...tail];
  const zeros = rest === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

/** Normalises a peer address: strips an IPv6 zone and unwraps IPv4-mapped IPv6. Undefined if not an IP. */
export function normalizeAddress(address: string): { address: string; family: IpFamily } | undefined {
  let a = address.trim();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  const v = isIP(a);
  if (v === 4) return { address: a, family: 'ipv4' };
  if (v !== 6) return undefined;
  const g = ipv6Groups(a);
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return { address: `${g[6] >> 8}.${g[6] & 255}.${g[7] >> 8}.${g[7] & 255}`, family: 'ipv4' };
  }
  return { address: a.toLowerCase(), family: 'ipv6' };
}

/** Parses `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128). */
export function parseCidr(text: string): Cidr {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const norm = normalizeAddress(addressText);
  if (norm === undefined || addressText.includes('%')) throw new InvalidCidrError(`invalid CIDR '${text}': '${addressText}' is not an IP address`);
  const max = norm.family === 'ipv4' ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > (isIP(addressText) === 6 ? 128 : 32)) throw new InvalidCidrError(`invalid CIDR '${text}': bad prefix length '${p}'`);
    prefix = Number(p);
    // An IPv4-mapped IPv6 CIDR (::ffff:10.0.0.0/104) becomes the IPv4 CIDR it denotes.
    if (isIP(addressText) === 6 && norm.family === 'ipv4') {
      if (prefix < 96) throw new InvalidCidrError(`invalid CIDR '${text}': an IPv4-mapped prefix must be at least /96`);
      prefix -= 96;
    }
  }
  return { text: trimmed, address: norm.address, prefix, family: norm.family };
}

/** A list of CIDRs that reports which one matched. */
export class CidrList {
  readonly cidrs: readonly Cidr[];
  private readonly lists: readonly BlockList[];

  constructor(cidrs: readonly (string | Cidr)[]) {
    this.cidrs = cidrs.map((c) => (typeof c === 'string' ? parseCidr(c) : c));
    this.lists = this.cidrs.map((c) => {
      const list = new BlockList();
      list.addSubnet(c.address, c.prefix, c.family);
      return list;
    });
  }

  get size(): number {
    return this.cidrs.length;
  }

  /** The first CIDR (in list order) containing the address, or undefined (also for a non-IP address). */
  match(address: string): Cidr | undefined {
    const norm = normalizeAddress(address);
    if (norm === undefined) return undefined;
    for (let i = 0; i < this.lists.length; i++) {
      if (this.cidrs[i].family === norm.family && this.lists[i].check(norm.address, norm.family)) return this.cidrs[i];
    }
    return undefined;
  }

  contains(address: string): boolean {
    return this.match(address) !== undefined;
  }
}

export interface IpAccessConfig {
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
  /** What an empty allow list means: true (default) allows all not denied; false refuses all. */
  readonly defaultAllow?: boolean;
}

export type IpAccessDecision =
  | { readonly allowed: true; readonly address: string; readonly rule: string }
  | { readonly allowed: false; readonly address: string; readonly rule: string };

export class IpAccessList {
  private readonly allow: CidrList;
  private readonly deny: CidrList;
  private readonly defaultAllow: boolean;

  constructor(config: IpAccessConfig = {}) {
    this.allow = new CidrList(config.allow ?? []);
    this.deny = new CidrList(config.deny ?? []);
    this.defaultAllow = config.defaultAllow ?? true;
  }

  /**
   * Decides for a peer address. `rule` names what decided, for the log line: `deny <cidr>`,
   * `allow <cidr>`, `not in allow list`, `default allow`, `default deny`, or `invalid address`.
   */
  check(peerAddress: string): IpAccessDecision {
    const norm = normalizeAddress(peerAddress);
    if (norm === undefined) return { allowed: false, address: peerAddress, rule: 'invalid address' };
    const address = norm.address;
    const denied = this.deny.match(address);
    if (denied) return { allowed: false, address, rule: `deny ${denied.text}` };
    const allowed = this.allow.match(address);
    if (allowed) return { allowed: true, address, rule: `allow ${allowed.text}` };
    if (this.allow.size > 0) return { allowed: false, address, rule: 'not in allow list' };
    return this.defaultAllow ? { allowed: true, address, rule: 'default allow' } : { allowed: false, address, rule: 'default deny' };
  }
}

export interface IpIdentityConfig {
  /** CIDR → principal (`User:billing`, or a bare name meaning `User:<name>`). */
  readonly map: Readonly<Record<string, string>> | readonly { readonly cidr: string; readonly principal: string }[];
  /** What an unmapped source becomes: refused (default) or User:ANONYMOUS. */
  readonly unmapped?: 'refuse' | 'anonymous';
}

export type IpIdentityResult =
  | { readonly ok: true; readonly principal: KafkaPrincipal; readonly rule: string }
  | { readonly ok: false; readonly rule: string };

function toPrincipal(text: string): KafkaPrincipal {
  const colon = text.indexOf(':');
  if (colon < 0) return KafkaPrincipal.user(text);
  if (colon === 0 || colon === text.length - 1) throw new Error(`malformed principal '${text}': expected Type:name`);
  return new KafkaPrincipal(text.slice(0, colon), text.slice(colon + 1));
}

export class IpIdentityMap {
  private readonly entries: readonly { cidr: Cidr; principal: KafkaPrincipal; list: CidrList }[];
  private readonly unmapped: 'refuse' | 'anonymous';

  constructor(config: IpIdentityConfig) {
    const pairs = Array.isArray(config.map)
      ? (config.map as readonly { cidr: string; principal: string }[]).map((e) => [e.cidr, e.principal] as const)
      : Object.entries(config.map as Record<string, string>);
    // Longest prefix first; IPv4 and IPv6 never compete (an address has one family).
    this.entries = pairs
      .map(([cidr, principal]) => {
        const c = parseCidr(cidr);
        return { cidr: c, principal: toPrincipal(principal), list: new CidrList([c]) };
      })
      .sort((a, b) => b.cidr.prefix - a.cidr.prefix);
    this.unmapped = config.unmapped ?? 'refuse';
  }

  resolve(peerAddress: string): IpIdentityResult {
    for (const e of this.entries) {
      if (e.list.contains(peerAddress)) return { ok: true, principal: e.principal, rule: `${e.cidr.text} -> ${e.principal}` };
    }
    return this.unmapped === 'anonymous'
      ? { ok: true, principal: KafkaPrincipal.ANONYMOUS, rule: 'unmapped -> User:ANONYMOUS' }
      : { ok: false, rule: 'unmapped source' };
  }
}
