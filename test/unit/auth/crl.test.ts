// CRLs made by the project's certificate tool: revoked certificates keyed the way Node reports a peer
// certificate (issuer DN + serial), so open connections can be matched against them; validity dates and
// signature checked against the CA, so a CRL OpenSSL would refuse to use is refused at load.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { after, test } from 'node:test';
import { crlBlocks, crlSignedBy, parseCrl, revocationKey, revokedCertificates } from '../../../gateway/auth/crl.ts';
import { DerError } from '../../../gateway/auth/der.ts';
import { issuerDn } from '../../../gateway/auth/dn.ts';
import { writeCrl } from '../../harness/crls.ts';
import { createTestPki } from '../../harness/pki.ts';

const pki = createTestPki();
after(() => pki.cleanup());

test('a CRL lists exactly the revoked certificates, matched by issuer and serial', () => {
  const issued = Array.from({ length: 6 }, (_, i) => pki.client(`c${i}`));
  for (const i of [1, 3, 4]) pki.ca.revoke(`c${i}`);
  const revoked = revokedCertificates(fs.readFileSync(pki.file('ca/crl.pem'), 'utf8'));
  assert.equal(revoked.size, 3);
  issued.forEach((c, i) => {
    const cert = new X509Certificate(fs.readFileSync(c.cert));
    assert.equal(revoked.has(revocationKey(issuerDn(cert), cert.serialNumber)), [1, 3, 4].includes(i), `c${i}`);
  });
  // Another CA's CRL names the same serials under another issuer: no match.
  const otherCrl = fs.readFileSync(`${pki.stranger.dir}/ca/crl.pem`, 'utf8');
  assert.equal(revokedCertificates(otherCrl).size, 0);
});

test('serial keys ignore case and leading zero octets; an empty CRL is empty; garbage is a DerError', () => {
  assert.equal(revocationKey('CN=x', '00ab12'), revocationKey('CN=x', 'AB12'));
  assert.equal(revokedCertificates('').size, 0);
  assert.throws(() => revokedCertificates('-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n'), DerError);
  assert.throws(() => revokedCertificates('not a crl'), DerError);
});

test('a CRL is parsed: issuer, thisUpdate, nextUpdate as the tool wrote them; its signature verifies with its CA only', () => {
  const file = `${pki.dir}/parsed.pem`;
  const thisUpdate = new Date('2026-03-04T05:06:07Z');
  const nextUpdate = writeCrl(pki.ca, file, { thisUpdate, days: 7 });
  const [der] = crlBlocks(fs.readFileSync(file, 'utf8'));
  const crl = parseCrl(der);
  assert.equal(crl.issuer, 'CN=Gatehouse Test CA,O=Gatehouse Tests');
  assert.equal(crl.thisUpdate.toISOString(), thisUpdate.toISOString());
  assert.equal(crl.nextUpdate?.toISOString(), nextUpdate.toISOString());
  assert.equal(crl.signatureAlgorithm, '1.2.840.113549.1.1.11');
  const caKey = new X509Certificate(fs.readFileSync(pki.file('ca/ca.crt'))).publicKey;
  const strangerKey = new X509Certificate(fs.readFileSync(`${pki.stranger.dir}/ca/ca.crt`)).publicKey;
  assert.equal(crlSignedBy(crl, caKey), true);
  assert.equal(crlSignedBy(crl, strangerKey), false);
  // Signed with the stranger's key under the CA's name: a forgery.
  writeCrl(pki.ca, file, { days: 7, signer: pki.stranger });
  assert.equal(crlSignedBy(parseCrl(crlBlocks(fs.readFileSync(file, 'utf8'))[0]), caKey), false);
  // One changed byte in the signed part breaks the signature.
  const tampered = Buffer.from(der);
  tampered[crl.tbs.byteOffset - der.byteOffset + 40] ^= 1;
  assert.equal(crlSignedBy(parseCrl(tampered), caKey), false);
});

test('a CRL with an algorithm that is not accepted (SHA-1) or trailing bytes is refused', () => {
  const [der] = crlBlocks(fs.readFileSync(pki.file('ca/crl.pem'), 'utf8'));
  const sha256 = Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]);
  const sha1 = Buffer.from(der);
  // Both AlgorithmIdentifiers (inside and outside the signed part) become sha1WithRSAEncryption.
  for (let at = sha1.indexOf(sha256); at >= 0; at = sha1.indexOf(sha256, at + 1)) sha1[at + 8] = 0x05;
  const crl = parseCrl(sha1);
  assert.equal(crl.signatureAlgorithm, '1.2.840.113549.1.1.5');
  const caKey = new X509Certificate(fs.readFileSync(pki.file('ca/ca.crt'))).publicKey;
  assert.throws(() => crlSignedBy(crl, caKey), /unsupported CRL signature algorithm 1\.2\.840\.113549\.1\.1\.5/);
  assert.throws(() => parseCrl(Buffer.concat([der, Buffer.from([0])])), DerError);
});
