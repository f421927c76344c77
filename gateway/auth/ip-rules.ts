// Network rules checked at accept, before any TLS work: per-listener allow/deny CIDR lists, and IP
// identities (source CIDR → principal) for listeners without certificates or SASL. Addresses and CIDRs
// are parsed and matched by common/address.ts, the parser the configuration validated them with, so
// what the configuration accepted never throws here.
//
// Semantics:
// - addresses are normalised first (common/address.ts): an IPv4-mapped IPv6 peer is the IPv4 address;
// - deny wins over allow: a peer matching any deny rule is refused even if an allow rule matches too;
// - an empty allow list allows every address not denied, unless `defaultAllow: false`, in which case an
//   empty allow list refuses everything (fail closed for listeners that must be explicitly opened);
// - a non-empty allow list refuses every address it does not match;
// - IP identities: the most specific (longest prefix) matching CIDR wins; an unmapped source is refused or
//   becomes User:ANONYMOUS, as configured.

import { CidrList, normalizeAddress, parseCidr, type Cidr } from '../common/address.ts';
import { KafkaPrincipal, parsePrincipal, principalProblem } from '../common/principal.ts';

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

  /** Throws InvalidCidrError (common/address.ts) for an entry that is not a CIDR. */
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
  /** CIDR → principal (`Type:name`, e.g. `User:billing`). */
  readonly map: Readonly<Record<string, string>> | readonly { readonly cidr: string; readonly principal: string }[];
  /** What an unmapped source becomes: refused (default) or User:ANONYMOUS. */
  readonly unmapped?: 'refuse' | 'anonymous';
}

export type IpIdentityResult =
  { readonly ok: true; readonly principal: KafkaPrincipal; readonly rule: string } | { readonly ok: false; readonly rule: string };

function toPrincipal(text: string): KafkaPrincipal {
  const problem = principalProblem(text);
  if (problem !== undefined) throw new Error(problem);
  return parsePrincipal(text)!;
}

export class IpIdentityMap {
  private readonly entries: readonly { cidr: Cidr; principal: KafkaPrincipal; list: CidrList }[];
  private readonly unmapped: 'refuse' | 'anonymous';

  /** Throws InvalidCidrError for a bad CIDR, and an Error for a malformed principal. */
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
    const ip = normalizeAddress(peerAddress);
    for (const e of this.entries) {
      if (ip !== undefined && e.list.containsIp(ip))
        return { ok: true, principal: e.principal, rule: `${e.cidr.text} -> ${e.principal.toString()}` };
    }
    return this.unmapped === 'anonymous'
      ? { ok: true, principal: KafkaPrincipal.ANONYMOUS, rule: 'unmapped -> User:ANONYMOUS' }
      : { ok: false, rule: 'unmapped source' };
  }
}
