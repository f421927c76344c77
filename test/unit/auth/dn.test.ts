// Subject DNs rendered as Java's X500Principal.getName(). The expected strings were produced by the JDK;
// when `java` is on the machine the last test asks the JDK again for every certificate used here.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import forge from 'node-forge';
import { CertificateAuthority } from '../../../certs/index.ts';
import { DerError, issuerDn, rfc2253FromNameDer, subjectDn } from '../../../gateway/auth/dn.ts';
import { haveCommand, newCa, openssl, run, tempDir } from '../certs/fixtures.ts';

describe('RFC 2253 subject DN as Java renders it', () => {
  const { dir, cleanup } = tempDir('gatehouse-dn-');
  const expectations = new Map<string, string>(); // file → expected DN
  let ca: CertificateAuthority;
  const key = join(dir, 'k.pem');

  /** A self-signed certificate from `openssl req -subj`. */
  function opensslCert(name: string, subj: string, ...extra: string[]): string {
    const file = join(dir, `${name}.pem`);
    const r = openssl(['req', '-new', '-x509', '-key', key, '-days', '1', '-out', file, '-subj', subj, ...extra]);
    assert.equal(r.status, 0, r.stderr);
    return file;
  }

  /** A certificate with hand-picked attribute types and ASN.1 string tags. */
  function forgeCert(name: string, attrs: { type: string; value: string; tag: number }[]): string {
    const k = forge.pki.privateKeyFromPem(readFileSync(key, 'utf8'));
    const c = forge.pki.createCertificate();
    c.publicKey = forge.pki.setRsaPublicKey(k.n, k.e);
    c.serialNumber = '01';
    c.validity.notBefore = new Date();
    c.validity.notAfter = new Date(Date.now() + 86_400_000);
    c.setSubject(attrs.map((a) => ({ type: a.type, value: a.value, valueTagClass: a.tag })));
    c.setIssuer([{ shortName: 'CN', value: 'issuer' }]);
    c.sign(k, forge.md.sha256.create());
    const file = join(dir, `${name}.pem`);
    writeFileSync(file, forge.pki.certificateToPem(c));
    return file;
  }

  const dnOf = (file: string) => subjectDn(new X509Certificate(readFileSync(file)));

  before(() => {
    assert.equal(openssl(['genrsa', '-out', key, '2048']).status, 0);
    ca = newCa(dir);
  });
  after(cleanup);

  function check(file: string, expected: string): void {
    expectations.set(file, expected);
    assert.equal(dnOf(file), expected);
  }

  test('certificates from the certs library: most specific RDN first, no spaces', () => {
    const e = ca.issueClient({
      name: 'alice',
      subject: { CN: 'alice', O: 'Acme', OU: ['eng', 'ops'], L: 'Paris', ST: 'IdF', C: 'FR' },
      sans: [],
    });
    check(join(dir, e.certFile), 'CN=alice,OU=ops,OU=eng,O=Acme,L=Paris,ST=IdF,C=FR');
    check(join(dir, 'ca/ca.crt'), 'CN=Test CA,O=Gatehouse Tests');
    assert.equal(issuerDn(new X509Certificate(readFileSync(join(dir, e.certFile)))), 'CN=Test CA,O=Gatehouse Tests');
  });

  test('openssl req: emailAddress as OID + hex, escaped comma and plus', () => {
    check(
      opensslCert('email', '/C=US/ST=CA/O=Acme, Inc./OU=Eng\\+Ops/CN=alice/emailAddress=alice@acme.org'),
      '1.2.840.113549.1.9.1=#160e616c6963654061636d652e6f7267,CN=alice,OU=Eng\\+Ops,O=Acme\\, Inc.,ST=CA,C=US',
    );
  });

  test('openssl req: = ; < > " \\ and # escaped anywhere, leading/trailing spaces escaped', () => {
    check(
      opensslCert('special', '/CN= lead space/O=#hash/OU=trail space /L=a=b;c<d>e"f\\\\g'),
      'L=a\\=b\\;c\\<d\\>e\\"f\\\\g,OU=trail space\\ ,O=\\#hash,CN=\\ lead space',
    );
    check(opensslCert('inner', '/CN=a#b/O=  two  '), 'O=\\ \\ two\\ \\ ,CN=a\\#b');
  });

  test('openssl req: multi-valued RDN, DC, UID, STREET keywords; serialNumber and title as OIDs', () => {
    check(
      opensslCert('multi', '/DC=org/DC=acme/UID=u1+CN=multi/serialNumber=42/title=Boss/street=Main St', '-multivalue-rdn'),
      'STREET=Main St,2.5.4.12=#0c04426f7373,2.5.4.5=#13023432,CN=multi+UID=u1,DC=acme,DC=org',
    );
  });

  test('UTF-8 values are kept as they are', () => {
    check(opensslCert('utf8', '/CN=Grüße 日本/O=x', '-utf8'), 'O=x,CN=Grüße 日本');
  });

  test('string types: content bytes decoded as UTF-8 whatever the tag (as the JDK does); other tags as hex', () => {
    const file = forgeCert('types', [
      { type: '2.5.4.6', value: 'US', tag: 19 }, // PrintableString
      { type: '0.9.2342.19200300.100.1.25', value: 'dc', tag: 22 }, // IA5String
      { type: '1.2.3.4', value: 'oid', tag: 12 }, // unknown type → hex even for UTF8String
      { type: '2.5.4.9', value: 'nul\0x', tag: 12 }, // NUL → \00
      { type: '2.5.4.8', value: 'cr\r', tag: 12 }, // trailing CR escaped
      { type: '2.5.4.7', value: 'ia5\xe9', tag: 22 }, // invalid UTF-8 → U+FFFD
      { type: '2.5.4.11', value: '\0\0\0u', tag: 28 }, // UniversalString → hex
      { type: '2.5.4.10', value: 'caf\xe9', tag: 20 }, // T61String, Latin-1 byte → U+FFFD
      { type: '2.5.4.3', value: 'Grüße', tag: 30 }, // BMPString (forge writes UTF-16BE) → NULs and U+FFFD
    ]);
    check(
      file,
      'CN=\\00G\\00r\\00\ufffd\\00\ufffd\\00e,O=caf\ufffd,OU=#1c0400000075,L=ia5\ufffd,ST=cr\\\r,STREET=nul\\00x,1.2.3.4=#0c036f6964,DC=dc,C=US',
    );
    check(
      forgeCert('crlead', [
        { type: '2.5.4.3', value: '\r lead', tag: 12 },
        { type: '2.5.4.3', value: 'x\u0085y\u00a0', tag: 12 },
      ]),
      'CN=x\u0085y\u00a0,CN=\\\r\\ lead',
    );
  });

  test('empty subject renders as the empty string', () => {
    check(forgeCert('empty', []), '');
  });

  test('raw Name DER and malformed input', () => {
    const x = new X509Certificate(readFileSync(join(dir, 'ca/ca.crt')));
    assert.equal(subjectDn(x.raw), 'CN=Test CA,O=Gatehouse Tests');
    const nameDer = Buffer.from(
      forge.asn1.toDer(forge.pki.distinguishedNameToAsn1(forge.pki.certificateFromPem(x.toString()).subject)).getBytes(),
      'binary',
    );
    assert.equal(rfc2253FromNameDer(nameDer), 'CN=Test CA,O=Gatehouse Tests');
    assert.throws(() => rfc2253FromNameDer(nameDer.subarray(0, nameDer.length - 3)), DerError);
    assert.throws(() => subjectDn(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])), DerError);
    assert.throws(() => rfc2253FromNameDer(Buffer.concat([nameDer, Buffer.from([0])])), /trailing bytes/);
  });

  test('the JDK agrees on every certificate above', { skip: !haveCommand('java') && 'no java' }, () => {
    const probe = join(dir, 'Probe.java');
    writeFileSync(
      probe,
      `import java.io.*; import java.security.cert.*;
public class Probe { public static void main(String[] a) throws Exception {
  CertificateFactory cf = CertificateFactory.getInstance("X.509");
  PrintStream out = new PrintStream(System.out, true, "UTF-8");
  for (String f : a) try (InputStream in = new FileInputStream(f)) {
    out.print(((X509Certificate) cf.generateCertificate(in)).getSubjectX500Principal().getName() + "\\u0000");
  } } }`,
    );
    const files = [...expectations.keys()];
    const r = run('java', [probe, ...files]);
    assert.equal(r.status, 0, r.stderr);
    const names = r.stdout.split('\0').slice(0, -1);
    assert.deepEqual(
      names,
      files.map((f) => expectations.get(f)),
    );
  });
});
