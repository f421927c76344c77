// The principal of a TLS client (spec §5): no certificate → User:ANONYMOUS; otherwise the subject DN
// (Java's RFC 2253 form) through ssl.principal.mapping.rules, or, when configured, a SAN. A mapping
// failure means the connection is refused, as Kafka does.

import type { X509Certificate } from 'node:crypto';
import { subjectDn } from './dn.ts';
import { KafkaPrincipal } from '../common/principal.ts';
import type { SanPrincipalMapper } from './san-principal.ts';
import { NoMatchingSslRuleError, type SslPrincipalMapper } from './ssl-principal-mapper.ts';

export interface TlsIdentityOptions {
  readonly dnMapper: SslPrincipalMapper;
  /** Take the principal from a SAN instead of the DN. */
  readonly san?: SanPrincipalMapper;
  /** With `san`: when no SAN matches, fall back to the DN rules (default false: refuse). */
  readonly sanFallbackToDn?: boolean;
}

export type TlsIdentity =
  | { readonly ok: true; readonly principal: KafkaPrincipal; readonly source: 'anonymous' | 'dn' | 'san'; readonly dn?: string }
  | { readonly ok: false; readonly reason: string; readonly dn?: string };

/** `cert` is the verified peer certificate (undefined when the client presented none). */
export function principalFromCertificate(cert: X509Certificate | undefined, options: TlsIdentityOptions): TlsIdentity {
  if (cert === undefined) return { ok: true, principal: KafkaPrincipal.ANONYMOUS, source: 'anonymous' };
  let dn: string;
  try {
    dn = subjectDn(cert);
  } catch (e) {
    return { ok: false, reason: `unreadable certificate subject: ${(e as Error).message}` };
  }
  if (options.san) {
    const name = options.san.nameFrom(cert);
    if (name !== undefined) return { ok: true, principal: KafkaPrincipal.user(name), source: 'san', dn };
    if (!options.sanFallbackToDn) return { ok: false, reason: 'no subjectAltName matches the SAN principal rules', dn };
  }
  try {
    return { ok: true, principal: KafkaPrincipal.user(options.dnMapper.getName(dn)), source: 'dn', dn };
  } catch (e) {
    if (e instanceof NoMatchingSslRuleError) return { ok: false, reason: e.message, dn };
    throw e;
  }
}
