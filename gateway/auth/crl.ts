// The revoked serial numbers of X.509 CRLs (PEM), so open connections whose client certificate is
// revoked can be found when a CRL changes. OpenSSL checks revocation at the handshake; this is only
// for connections that were already open.
import { children, DerError, expect, readTlv } from './der.ts';
import { renderName } from './dn.ts';

/** `issuer DN|SERIAL`: the key Node's X509Certificate gives for a certificate (serial in upper-case hex). */
export function revocationKey(issuer: string, serialHex: string): string {
  return `${issuer}|${serialHex.toUpperCase().replace(/^0+(?=.)/, '')}`;
}

/** Every revoked certificate named by the PEM CRLs in `pem`, as revocation keys. Throws DerError on malformed input. */
export function revokedCertificates(pem: string): Set<string> {
  const keys = new Set<string>();
  const blocks = pem.match(/-----BEGIN X509 CRL-----[\s\S]*?-----END X509 CRL-----/g) ?? [];
  for (const block of blocks) {
    const der = new Uint8Array(Buffer.from(block.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    const crl = expect(readTlv(der, 0), 0x30, 'CertificateList');
    const tbs = children(der, expect(children(der, crl)[0], 0x30, 'TBSCertList'));
    let i = tbs[0]?.tag === 0x02 ? 1 : 0; // optional version
    i++; // signature algorithm
    const issuer = renderName(der, expect(tbs[i++], 0x30, 'issuer Name'));
    i++; // thisUpdate
    if (tbs[i] && (tbs[i].tag === 0x17 || tbs[i].tag === 0x18)) i++; // optional nextUpdate
    const revoked = tbs[i]?.tag === 0x30 ? children(der, tbs[i]) : [];
    for (const entry of revoked) {
      const serial = expect(children(der, expect(entry, 0x30, 'revoked entry'))[0], 0x02, 'revoked serial');
      keys.add(revocationKey(issuer, Buffer.from(der.subarray(serial.contentStart, serial.end)).toString('hex')));
    }
  }
  if (blocks.length === 0 && pem.trim() !== '') throw new DerError('no PEM X509 CRL block found');
  return keys;
}
