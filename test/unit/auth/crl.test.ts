// Revoked certificates listed from CRLs made by the project's certificate tool, keyed the way Node
// reports a peer certificate (issuer DN + serial), so open connections can be matched against them.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { after, test } from 'node:test';
import { revocationKey, revokedCertificates } from '../../../gateway/auth/crl.ts';
import { DerError } from '../../../gateway/auth/der.ts';
import { issuerDn } from '../../../gateway/auth/dn.ts';
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
