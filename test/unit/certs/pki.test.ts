import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import forge from 'node-forge';
import { buildCrl, CertificateAuthority, checkSan, FileExistsError, randomSerial, type IndexEntry } from '../../../certs/index.ts';
import { haveCommand, newCa, openssl, run, tempDir } from './fixtures.ts';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('certs library', () => {
  const { dir, cleanup } = tempDir();
  let ca: CertificateAuthority;
  let server: IndexEntry;
  let client: IndexEntry;
  let revoked: IndexEntry;
  let expired: IndexEntry;

  before(() => {
    ca = newCa(dir);
    server = ca.issueServer({
      name: 'broker',
      subject: { CN: 'broker.kafka.test' },
      sans: [
        { type: 'dns', value: 'broker.kafka.test' },
        { type: 'dns', value: '*.brokers.kafka.test' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ],
    });
    client = ca.issueClient({
      name: 'alice',
      subject: { CN: 'alice', O: 'Acme', OU: ['eng', 'ops'] },
      sans: [
        { type: 'uri', value: 'spiffe://acme.test/ns/prod/sa/alice' },
        { type: 'dns', value: 'alice.svc.test' },
        { type: 'email', value: 'alice@acme.test' },
      ],
    });
    revoked = ca.issueClient({ name: 'mallory', subject: { CN: 'mallory' }, sans: [] });
    expired = ca.issueClient({ name: 'old', subject: { CN: 'old' }, sans: [], notBefore: new Date('2020-01-01T00:00:00Z'), days: 1 });
    ca.revoke('mallory', 'keyCompromise');
  });
  after(cleanup);

  test('folder layout and file modes: keys 0600, ca/ 0700', () => {
    for (const f of ['ca/ca.crt', 'ca/ca.key', 'ca/index.json', 'ca/crl.pem', 'issued/broker.crt', 'issued/broker.key']) {
      assert.ok(existsSync(join(dir, f)), f);
    }
    assert.equal(mode(join(dir, 'ca/ca.key')), 0o600);
    assert.equal(mode(join(dir, 'issued/broker.key')), 0o600);
    assert.equal(mode(join(dir, 'issued/alice.key')), 0o600);
    assert.equal(mode(join(dir, 'ca')), 0o700);
    assert.match(readFileSync(join(dir, 'issued/alice.key'), 'utf8'), /^-----BEGIN PRIVATE KEY-----/); // PKCS#8
  });

  test('CA certificate: self-signed, CA:TRUE, keyCertSign+cRLSign, SHA-256/RSA', () => {
    const text = openssl(['x509', '-in', join(dir, 'ca/ca.crt'), '-noout', '-text']).stdout;
    assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
    assert.match(text, /CA:TRUE/);
    assert.match(text, /Certificate Sign, CRL Sign/);
    assert.match(text, /Public-Key: \(2048 bit\)/);
    assert.equal(openssl(['verify', '-CAfile', join(dir, 'ca/ca.crt'), join(dir, 'ca/ca.crt')]).status, 0);
  });

  test('server certificate: verifies, serverAuth, DNS/IP SANs with a wildcard', () => {
    const v = openssl(['verify', '-CAfile', join(dir, 'ca/ca.crt'), '-purpose', 'sslserver', join(dir, server.certFile)]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    const text = openssl(['x509', '-in', join(dir, server.certFile), '-noout', '-text']).stdout;
    assert.match(text, /TLS Web Server Authentication/);
    assert.match(text, /DNS:broker\.kafka\.test, DNS:\*\.brokers\.kafka\.test, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
    const x = new X509Certificate(readFileSync(join(dir, server.certFile)));
    assert.equal(x.checkHost('b1.brokers.kafka.test'), '*.brokers.kafka.test'); // the SAN that matched
    assert.equal(x.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(x.checkHost('other.test'), undefined);
    assert.equal(
      openssl(['verify', '-CAfile', join(dir, 'ca/ca.crt'), '-purpose', 'sslclient', join(dir, server.certFile)]).status === 0,
      false,
    );
  });

  test('client certificate: verifies, clientAuth, CN/O/OU and URI/DNS/email SANs', () => {
    const v = openssl(['verify', '-CAfile', join(dir, 'ca/ca.crt'), '-purpose', 'sslclient', join(dir, client.certFile)]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    const text = openssl(['x509', '-in', join(dir, client.certFile), '-noout', '-text', '-nameopt', 'RFC2253']).stdout;
    assert.match(text, /Subject: CN=alice,OU=ops,OU=eng,O=Acme/);
    assert.match(text, /TLS Web Client Authentication/);
    assert.match(text, /URI:spiffe:\/\/acme\.test\/ns\/prod\/sa\/alice, DNS:alice\.svc\.test, email:alice@acme\.test/);
  });

  test('serials are random, positive, unique; index records them', () => {
    const serials = new Set(Array.from({ length: 200 }, randomSerial));
    assert.equal(serials.size, 200);
    for (const s of serials) assert.ok(parseInt(s.slice(0, 2), 16) < 0x80 && s.length === 32);
    const x = new X509Certificate(readFileSync(join(dir, client.certFile)));
    assert.equal(x.serialNumber.toLowerCase(), client.serial);
    const index = JSON.parse(readFileSync(join(dir, 'ca/index.json'), 'utf8')) as { certificates: IndexEntry[] };
    assert.deepEqual(
      index.certificates.map((c) => c.name),
      ['ca', 'broker', 'alice', 'mallory', 'old'],
    );
    assert.equal(index.certificates[3].revoked?.reason, 'keyCompromise');
  });

  test('validity: --not-before/--days make an expired certificate', () => {
    assert.equal(expired.notBefore, '2020-01-01T00:00:00.000Z');
    assert.equal(expired.notAfter, '2020-01-02T00:00:00.000Z');
    const v = openssl(['verify', '-CAfile', join(dir, 'ca/ca.crt'), join(dir, expired.certFile)]);
    assert.notEqual(v.status, 0);
    assert.match(v.stdout + v.stderr, /expired/);
  });

  test('CRL: parses with openssl, lists the revoked serial with its reason, verifies revocation', () => {
    const text = openssl(['crl', '-in', join(dir, 'ca/crl.pem'), '-noout', '-text']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /Version 2/);
    assert.match(text.stdout, /X509v3 CRL Number: \n\s+2/);
    assert.match(text.stdout, new RegExp(`Serial Number: ${revoked.serial.toUpperCase()}`));
    assert.match(text.stdout, /Key Compromise/);
    assert.equal(openssl(['crl', '-in', join(dir, 'ca/crl.pem'), '-noout', '-CAfile', join(dir, 'ca/ca.crt')]).status, 0); // signature
    const ok = openssl([
      'verify',
      '-crl_check',
      '-CAfile',
      join(dir, 'ca/ca.crt'),
      '-CRLfile',
      join(dir, 'ca/crl.pem'),
      join(dir, client.certFile),
    ]);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const bad = openssl([
      'verify',
      '-crl_check',
      '-CAfile',
      join(dir, 'ca/ca.crt'),
      '-CRLfile',
      join(dir, 'ca/crl.pem'),
      join(dir, revoked.certFile),
    ]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stdout + bad.stderr, /certificate revoked/);
  });

  test('CRL writer: empty list, serial with the top bit set, dates after 2049', () => {
    const material = { certPem: ca.certificatePem, keyPem: readFileSync(join(dir, 'ca/ca.key'), 'utf8') };
    const pem = buildCrl(material, [{ serial: 'ff01', revokedAt: new Date('2051-03-04T05:06:07Z') }], {
      crlNumber: 7,
      days: 1,
      thisUpdate: new Date('2051-03-04T05:06:07Z'),
    });
    const f = join(dir, 'odd.crl');
    writeFileSync(f, pem);
    const text = openssl(['crl', '-in', f, '-noout', '-text']).stdout;
    assert.match(text, /Serial Number: FF01/);
    assert.match(text, /Mar {2}4 05:06:07 2051 GMT/);
    const empty = buildCrl(material, [], { crlNumber: 8, days: 1 });
    writeFileSync(f, empty);
    assert.match(openssl(['crl', '-in', f, '-noout', '-text']).stdout, /No Revoked Certificates/);
  });

  test('refuses to overwrite without force; force replaces', () => {
    assert.throws(() => CertificateAuthority.init(dir, { keyBits: 2048 }), FileExistsError);
    assert.throws(() => ca.issueClient({ name: 'alice', subject: { CN: 'alice' }, sans: [] }), FileExistsError);
    const before = readFileSync(join(dir, 'issued/alice.crt'), 'utf8');
    const again = ca.issueClient({ name: 'alice', subject: { CN: 'alice' }, sans: [], force: true });
    assert.notEqual(readFileSync(join(dir, 'issued/alice.crt'), 'utf8'), before);
    assert.equal(ca.find('alice')?.serial, again.serial); // the newest by name
    assert.equal(ca.find(client.serial)?.serial, client.serial); // the old one stays findable by serial
    client = again;
  });

  test('input validation: SANs, wildcard placement, empty CN, server needs a DNS/IP SAN', () => {
    assert.throws(() => checkSan({ type: 'dns', value: 'a.*.test' }), /wildcard/);
    assert.throws(() => checkSan({ type: 'dns', value: '*.test' }), /wildcard/);
    assert.throws(() => checkSan({ type: 'ip', value: '300.1.1.1' }), /IP/);
    assert.throws(() => checkSan({ type: 'uri', value: 'no scheme' }), /URI/);
    assert.throws(() => checkSan({ type: 'email', value: 'nobody' }), /email/);
    assert.throws(() => ca.issueServer({ name: 'x', subject: { CN: 'x' }, sans: [] }), /at least one DNS/);
    assert.throws(() => ca.issueClient({ name: 'y', subject: { CN: '' }, sans: [] }), /common name/);
    assert.throws(() => ca.issueClient({ name: '../evil', subject: { CN: 'e' }, sans: [] }), /invalid certificate name/);
  });

  test('subject strings that need UTF8String (wildcard CN, non-ASCII) round-trip', () => {
    const e = ca.issueServer({
      name: 'wild',
      subject: { CN: '*.brokers.kafka.test', O: 'Grüße & Co' },
      sans: [{ type: 'dns', value: '*.brokers.kafka.test' }],
    });
    const x = new X509Certificate(readFileSync(join(dir, e.certFile)));
    assert.equal(x.subject, 'O=Grüße & Co\nCN=*.brokers.kafka.test');
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(x.raw.toString('binary')));
    assert.ok(asn1); // well-formed DER
  });

  test(
    'PKCS#12: openssl reads both files; keytool shows a PrivateKeyEntry and a trustedCertEntry',
    { skip: !haveCommand('keytool') && 'no keytool' },
    () => {
      const r = ca.bundle('alice', { password: 's3cret pass' });
      assert.equal(mode(r.keyStore!), 0o600);
      assert.equal(mode(r.trustStore), 0o600);
      const info = openssl(['pkcs12', '-in', r.keyStore!, '-passin', 'pass:s3cret pass', '-nodes', '-info']);
      assert.equal(info.status, 0, info.stderr);
      assert.match(info.stdout, /friendlyName: alice/);
      assert.match(info.stdout, /BEGIN PRIVATE KEY/);
      const ks = run('keytool', ['-list', '-storetype', 'PKCS12', '-keystore', r.keyStore!, '-storepass', 's3cret pass', '-v']);
      assert.equal(ks.status, 0, ks.stdout + ks.stderr);
      assert.match(ks.stdout, /Entry type: PrivateKeyEntry/);
      assert.match(ks.stdout, /Alias name: alice/);
      assert.match(ks.stdout, /Certificate chain length: 2/);
      const ts = run('keytool', ['-list', '-storetype', 'PKCS12', '-keystore', r.trustStore, '-storepass', 's3cret pass']);
      assert.equal(ts.status, 0, ts.stdout + ts.stderr);
      assert.match(ts.stdout, /gatehouse-ca, .*trustedCertEntry/);
      assert.notEqual(openssl(['pkcs12', '-in', r.trustStore, '-passin', 'pass:nope', '-nokeys']).status, 0); // the MAC is checked
      assert.throws(() => ca.bundle('alice', { password: 'x' }), FileExistsError);
      assert.throws(() => ca.bundle('mallory', { password: 'x', force: true }), /revoked/);
    },
  );
});
