// Principal names taken from a certificate's subjectAltName (service identities such as SPIFFE URIs),
// an alternative to ssl.principal.mapping.rules on the subject DN. Reads Node's
// X509Certificate.subjectAltName text (`DNS:a, URI:b, email:c, IP Address:d`; values with special
// characters are JSON-quoted by Node).

import type { X509Certificate } from 'node:crypto';

export type SanPrincipalType = 'uri' | 'dns' | 'email';

export interface SanEntry {
  /** Node's label: 'DNS', 'URI', 'email', 'IP Address', 'othername', 'DirName', 'Registered ID', … */
  readonly type: string;
  readonly value: string;
}

export interface SanPrincipalRule {
  readonly type: SanPrincipalType;
  /**
   * Optional JavaScript regular expression the whole SAN value must match; when it has a capture group the
   * principal name is group 1 (or the group named `name`), otherwise the whole value.
   */
  readonly pattern?: string | RegExp;
}

const LABELS: Readonly<Record<SanPrincipalType, string>> = { uri: 'URI', dns: 'DNS', email: 'email' };

/** Splits Node's subjectAltName string into entries, honouring Node's JSON-quoted values. */
export function parseSubjectAltName(text: string | undefined): SanEntry[] {
  const out: SanEntry[] = [];
  if (!text) return out;
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) throw new Error(`malformed subjectAltName near '${text.slice(i)}'`);
    const type = text.slice(i, colon);
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      // A JSON string literal: find its closing quote (skipping escapes).
      let j = colon + 2;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      value = JSON.parse(text.slice(colon + 1, j + 1)) as string;
      next = j + 1;
    } else {
      const comma = text.indexOf(', ', colon + 1);
      next = comma < 0 ? text.length : comma;
      value = text.slice(colon + 1, next);
    }
    out.push({ type, value });
    if (next < text.length && text.slice(next, next + 2) !== ', ') throw new Error(`malformed subjectAltName near '${text.slice(next)}'`);
    i = next + 2;
  }
  return out;
}

function compileRule(rule: SanPrincipalRule): { label: string; regex?: RegExp } {
  if (!Object.hasOwn(LABELS, rule.type)) throw new Error(`unknown SAN type '${String(rule.type)}' (uri, dns or email)`);
  if (rule.pattern === undefined) return { label: LABELS[rule.type] };
  const source = typeof rule.pattern === 'string' ? rule.pattern : rule.pattern.source;
  const flags = typeof rule.pattern === 'string' ? '' : rule.pattern.flags.replace(/[gy]/g, '');
  return { label: LABELS[rule.type], regex: new RegExp(`^(?:${source})$`, flags) };
}

/** A compiled list of SAN rules; the first rule (in order) with a matching SAN (in certificate order) wins. */
export class SanPrincipalMapper {
  private readonly compiled: readonly { label: string; regex?: RegExp }[];

  constructor(readonly rules: readonly SanPrincipalRule[]) {
    if (rules.length === 0) throw new Error('at least one SAN rule is needed');
    this.compiled = rules.map(compileRule);
  }

  /** The principal name, or undefined when no SAN matches. */
  nameFrom(cert: X509Certificate | string | undefined): string | undefined {
    const entries = parseSubjectAltName(typeof cert === 'string' || cert === undefined ? cert : cert.subjectAltName);
    for (const rule of this.compiled) {
      for (const entry of entries) {
        if (entry.type !== rule.label) continue;
        if (rule.regex === undefined) return entry.value;
        const m = rule.regex.exec(entry.value);
        if (m) return m.groups?.name ?? m[1] ?? m[0];
      }
    }
    return undefined;
  }
}
