// CRLs with chosen validity and signer, made by the project's certificate tool (certs/crl.ts), for
// tests of how the gateway treats expired, not-yet-valid and foreign CRLs.
import fs from 'node:fs';
import path from 'node:path';
import { buildCrl, type CertificateAuthority } from '../../certs/index.ts';

export type CrlSpec = {
  /** Default: now. */
  thisUpdate?: Date;
  /** Days from thisUpdate to nextUpdate (fractions allowed; negative makes nextUpdate precede thisUpdate). */
  days: number;
  /** Whose key signs it (default: `issuer` itself); the issuer name is always `issuer`'s subject. */
  signer?: CertificateAuthority;
  crlNumber?: number;
};

/** Writes a CRL of `issuer` (no revocations) to `file` by write-beside-and-rename, as deployment tools do; returns its nextUpdate. */
export function writeCrl(issuer: CertificateAuthority, file: string, spec: CrlSpec): Date {
  const read = (ca: CertificateAuthority, name: string) => fs.readFileSync(path.join(ca.dir, 'ca', name), 'utf8');
  const thisUpdate = new Date(Math.floor((spec.thisUpdate ?? new Date()).getTime() / 1000) * 1000);
  const pem = buildCrl({ certPem: read(issuer, 'ca.crt'), keyPem: read(spec.signer ?? issuer, 'ca.key') }, [], {
    crlNumber: spec.crlNumber ?? 1000 + Math.floor(Math.random() * 1000),
    thisUpdate,
    days: spec.days,
  });
  fs.writeFileSync(`${file}.new`, pem);
  fs.renameSync(`${file}.new`, file);
  return new Date(thisUpdate.getTime() + Math.round(spec.days * 86_400_000));
}
