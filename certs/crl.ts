// X.509 v2 CRLs (RFC 5280 §5). node-forge (1.x) reads certificates but has no CRL writer, so the
// TBSCertList is built with forge.asn1 and signed (SHA-256/RSA) with Node's crypto.

import { sign } from 'node:crypto';
import forge from 'node-forge';
import type { IssuerMaterial } from './pki.ts';

const { asn1 } = forge;

/** RFC 5280 §5.3.1 CRLReason codes (7 is unused). */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

export function isRevocationReason(text: string): text is RevocationReason {
  return Object.hasOwn(REVOCATION_REASONS, text);
}

export interface RevokedEntry {
  /** Hex serial number (positive). */
  readonly serial: string;
  readonly revokedAt: Date;
  readonly reason?: RevocationReason;
}

export interface CrlOptions {
  readonly crlNumber: number;
  readonly thisUpdate?: Date;
  /** Days until nextUpdate. */
  readonly days: number;
}

const seq = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const oid = (dotted: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(dotted).getBytes());
const octets = (bytes: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function time(date: Date): forge.asn1.Asn1 {
  return date.getUTCFullYear() < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

/** A DER INTEGER from a non-negative hex string (a 0x00 is prepended when the top bit is set). */
function integerFromHex(hex: string): forge.asn1.Asn1 {
  let clean = hex.replace(/^0+/, '') || '0';
  if (!/^[0-9a-fA-F]+$/.test(clean)) throw new Error(`invalid serial number '${hex}'`);
  if (clean.length % 2 === 1) clean = `0${clean}`;
  if (parseInt(clean.slice(0, 2), 16) & 0x80) clean = `00${clean}`;
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, forge.util.hexToBytes(clean));
}

function extension(id: string, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return seq([oid(id), octets(asn1.toDer(value).getBytes())]);
}

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';

/** Builds and signs a CRL; returns PEM (`-----BEGIN X509 CRL-----`). */
export function buildCrl(issuer: IssuerMaterial, revoked: readonly RevokedEntry[], options: CrlOptions): string {
  const caCert = forge.pki.certificateFromPem(issuer.certPem);
  const thisUpdate = new Date(Math.floor((options.thisUpdate ?? new Date()).getTime() / 1000) * 1000);
  const nextUpdate = new Date(thisUpdate.getTime() + Math.round(options.days * 86_400_000));
  const algorithm = seq([oid(SHA256_WITH_RSA), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]);

  const entries = revoked.map((r) => {
    const fields = [integerFromHex(r.serial), time(r.revokedAt)];
    if (r.reason !== undefined && r.reason !== 'unspecified') {
      const code = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.ENUMERATED, false, String.fromCharCode(REVOCATION_REASONS[r.reason]));
      fields.push(seq([extension('2.5.29.21', code)]));
    }
    return seq(fields);
  });

  const crlExtensions = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
    seq([
      // authorityKeyIdentifier: [0] keyIdentifier of the CA's public key
      extension('2.5.29.35', seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, caCert.generateSubjectKeyIdentifier().getBytes())])),
      // cRLNumber
      extension('2.5.29.20', asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(options.crlNumber).getBytes())),
    ]),
  ]);

  const tbs = seq([
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(1).getBytes()), // v2
    algorithm,
    forge.pki.distinguishedNameToAsn1(caCert.subject),
    time(thisUpdate),
    time(nextUpdate),
    ...(entries.length > 0 ? [seq(entries)] : []),
    crlExtensions,
  ]);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, issuer.keyPem);
  const bitString = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\0${signature.toString('binary')}`);
  const der = asn1.toDer(seq([tbs, algorithm, bitString])).getBytes();
  return forge.pem.encode({ type: 'X509 CRL', body: der }).replace(/\r\n/g, '\n');
}
