// X.509 CRLs (PEM): their issuer, validity and signature, so material that OpenSSL would later use to
// refuse every client (expired, not yet valid, signed by a CA that is not trusted) is refused when it
// is loaded; and their revoked serial numbers, so open connections whose client certificate is
// revoked can be found when a CRL changes (OpenSSL checks revocation only at the handshake).
import { type KeyObject, verify, type X509Certificate } from 'node:crypto';
import { children, DerError, expect, readOctetAlignedBits, readOid, readTime, readTlv, type Tlv } from './der.ts';
import { renderName, subjectDn } from './dn.ts';

/** `issuer DN|SERIAL`: the key Node's X509Certificate gives for a certificate (serial in upper-case hex). */
export function revocationKey(issuer: string, serialHex: string): string {
  return `${issuer}|${serialHex.toUpperCase().replace(/^0+(?=.)/, '')}`;
}

export type ParsedCrl = {
  /** RFC 2253, as dn.ts renders a certificate's subject (so it compares with the CA's subjectDn). */
  issuer: string;
  thisUpdate: Date;
  /** null: the CRL never expires (RFC 5280 requires it, OpenSSL tolerates its absence). */
  nextUpdate: Date | null;
  /** Revoked serial numbers (lower-case hex, as encoded). */
  revokedSerials: string[];
  /** The signed bytes (TBSCertList), the signature algorithm's OID and the signature. */
  tbs: Uint8Array;
  signatureAlgorithm: string;
  signature: Uint8Array;
};

/** The DER of each PEM `X509 CRL` block in `pem` (none for blank input). Throws DerError when there is text but no block. */
export function crlBlocks(pem: string): Buffer[] {
  const blocks = pem.match(/-----BEGIN X509 CRL-----[\s\S]*?-----END X509 CRL-----/g) ?? [];
  if (blocks.length === 0 && pem.trim() !== '') throw new DerError('no PEM X509 CRL block found');
  return blocks.map((block) => Buffer.from(block.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
}

/** Parses one DER CertificateList (RFC 5280 §5.1). Throws DerError on malformed input. */
export function parseCrl(bytes: Uint8Array): ParsedCrl {
  const der = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const crl = expect(readTlv(der, 0), 0x30, 'CertificateList');
  if (crl.end !== der.length) throw new DerError('trailing bytes after the CertificateList');
  const [tbsTlv, outerAlgorithm, signatureBits] = children(der, crl);
  const tbs = children(der, expect(tbsTlv, 0x30, 'TBSCertList'));
  let i = tbs[0]?.tag === 0x02 ? 1 : 0; // optional version
  const innerAlgorithm = expect(tbs[i++], 0x30, 'TBSCertList signature AlgorithmIdentifier');
  const issuer = renderName(der, expect(tbs[i++], 0x30, 'issuer Name'));
  const thisUpdate = readTime(der, expectTime(tbs[i++], 'thisUpdate'));
  let nextUpdate: Date | null = null;
  if (tbs[i] && (tbs[i].tag === 0x17 || tbs[i].tag === 0x18)) nextUpdate = readTime(der, tbs[i++]);
  const revoked = tbs[i]?.tag === 0x30 ? children(der, tbs[i]) : [];
  const revokedSerials = revoked.map((entry) => {
    const serial = expect(children(der, expect(entry, 0x30, 'revoked entry'))[0], 0x02, 'revoked serial');
    return Buffer.from(der.subarray(serial.contentStart, serial.end)).toString('hex');
  });
  // RFC 5280 §5.1.1.2: the algorithm inside the signed part must be the one outside it.
  const outer = expect(outerAlgorithm, 0x30, 'signatureAlgorithm');
  if (!Buffer.from(der.subarray(outer.start, outer.end)).equals(der.subarray(innerAlgorithm.start, innerAlgorithm.end))) {
    throw new DerError('the signature algorithm inside the CRL differs from the one outside it');
  }
  return {
    issuer,
    thisUpdate,
    nextUpdate,
    revokedSerials,
    tbs: der.subarray(tbsTlv.start, tbsTlv.end),
    signatureAlgorithm: readOid(der, expect(children(der, outer)[0], 0x06, 'signature algorithm OID')),
    signature: readOctetAlignedBits(der, expect(signatureBits, 0x03, 'signatureValue')),
  };
}

function expectTime(t: Tlv | undefined, what: string): Tlv {
  if (!t || (t.tag !== 0x17 && t.tag !== 0x18)) throw new DerError(`expected ${what} (UTCTime or GeneralizedTime)`);
  return t;
}

/** Signature algorithms a CRL may use: node:crypto digest name (null: the key type fixes it). SHA-1 is not accepted. */
const SIGNATURE_ALGORITHMS: Readonly<Record<string, string | null>> = {
  '1.2.840.113549.1.1.11': 'sha256', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null, // Ed25519
  '1.3.101.113': null, // Ed448
};

/** Whether `key` (a CA's public key) verifies the CRL's signature. Throws DerError for an algorithm not accepted here. */
export function crlSignedBy(crl: ParsedCrl, key: KeyObject): boolean {
  const digest = SIGNATURE_ALGORITHMS[crl.signatureAlgorithm];
  if (digest === undefined) throw new DerError(`unsupported CRL signature algorithm ${crl.signatureAlgorithm}`);
  try {
    return verify(digest, crl.tbs, key, crl.signature);
  } catch {
    return false; // a key of another type than the algorithm's
  }
}

/** Every revoked certificate named by the PEM CRLs in `pem`, as revocation keys. Throws DerError on malformed input. */
export function revokedCertificates(pem: string): Set<string> {
  const keys = new Set<string>();
  for (const der of crlBlocks(pem)) {
    const crl = parseCrl(der);
    for (const serial of crl.revokedSerials) keys.add(revocationKey(crl.issuer, serial));
  }
  return keys;
}

/** A CRL fit to be put in force: where it came from, the client CA that signed it, its validity and its PEM. */
export type CheckedCrl = { file: string; issuer: string; thisUpdate: Date; nextUpdate: Date | null; pem: string };

/**
 * Checks CRL files against the client CAs the way OpenSSL will use them at each handshake, and refuses
 * what would make it refuse every client of a CA: a CRL that cannot be read, is issued by or signed
 * with the key of no client CA, is not yet valid or has expired at `now`, and a client CA without a CRL
 * (with CRLs configured, OpenSSL checks every certificate of a chain). Names the file at fault.
 */
export function checkCrls(
  clientCas: { file: string; certificates: X509Certificate[] },
  crlFiles: Array<{ file: string; text: string }>,
  now: Date,
): { ok: true; crls: CheckedCrl[] } | { ok: false; file: string; reason: string } {
  const cas = clientCas.certificates.map((certificate) => ({ certificate, subject: subjectDn(certificate) }));
  const crls: CheckedCrl[] = [];
  for (const { file, text } of crlFiles) {
    let ders: Buffer[];
    try {
      ders = crlBlocks(text);
    } catch (err) {
      return { ok: false, file, reason: `not a PEM CRL (${(err as Error).message})` };
    }
    if (ders.length === 0) return { ok: false, file, reason: 'not a PEM CRL (the file is empty)' };
    for (const [i, der] of ders.entries()) {
      let crl: ParsedCrl;
      try {
        crl = parseCrl(der);
      } catch (err) {
        return { ok: false, file, reason: `CRL ${i + 1} cannot be read (${(err as Error).message})` };
      }
      const refusal = crlRefusal(crl, cas, clientCas.file, now);
      if (refusal) return { ok: false, file, reason: refusal };
      const body = der.toString('base64').replace(/.{1,64}/g, '$&\n');
      crls.push({
        file,
        issuer: crl.issuer,
        thisUpdate: crl.thisUpdate,
        nextUpdate: crl.nextUpdate,
        pem: `-----BEGIN X509 CRL-----\n${body}-----END X509 CRL-----\n`,
      });
    }
  }
  for (const { subject } of cas) {
    if (!crls.some((c) => c.issuer === subject)) {
      const files = crlFiles.map((f) => f.file).join(', ');
      return {
        ok: false,
        file: clientCas.file,
        reason: `client CA '${subject}' has no CRL in ${files}; every client it issued would be refused (unable to get certificate CRL)`,
      };
    }
  }
  return { ok: true, crls };
}

/** Why OpenSSL could not use this CRL for its CA's clients, or null when it can. */
function crlRefusal(
  crl: ParsedCrl,
  cas: Array<{ certificate: X509Certificate; subject: string }>,
  caFile: string,
  now: Date,
): string | null {
  const named = cas.filter((ca) => ca.subject === crl.issuer);
  if (named.length === 0) return `the CRL is issued by '${crl.issuer}', which is not a client CA in ${caFile}`;
  let signed: boolean;
  try {
    signed = named.some((ca) => crlSignedBy(crl, ca.certificate.publicKey));
  } catch (err) {
    return (err as Error).message;
  }
  if (!signed) return `the CRL's signature does not verify with the key of client CA '${crl.issuer}'`;
  if (crl.thisUpdate.getTime() > now.getTime()) {
    return `the CRL is not valid before ${crl.thisUpdate.toISOString()} (thisUpdate); OpenSSL would refuse every client of '${crl.issuer}'`;
  }
  if (crl.nextUpdate && crl.nextUpdate.getTime() <= now.getTime()) {
    return `the CRL expired on ${crl.nextUpdate.toISOString()} (nextUpdate); OpenSSL would refuse every client of '${crl.issuer}'`;
  }
  return null;
}
