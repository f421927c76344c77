import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CertificateAuthority } from '../../../certs/index.ts';
import { parseSubjectAltName, SanPrincipalMapper } from '../../../gateway/auth/san-principal.ts';
import { principalFromCertificate } from '../../../gateway/auth/tls-identity.ts';
import { SslPrincipalMapper } from '../../../gateway/auth/ssl-principal-mapper.ts';
import { newCa, tempDir } from '../certs/fixtures.ts';

describe('principal from subjectAltName', () => {
  const { dir, cleanup } = tempDir('gatehouse-san-');
  let ca: CertificateAuthority;
  let svc: X509Certificate;
  let plain: X509Certificate;

  before(() => {
    ca = newCa(dir);
    const e = ca.issueClient({
      name: 'svc',
      subject: { CN: 'billing', OU: ['services'] },
      sans: [
        { type: 'dns', value: 'billing.svc.test' },
        { type: 'uri', value: 'https://acme.test/not-spiffe' },
        { type: 'uri', value: 'spiffe://acme.test/ns/prod/sa/billing' },
        { type: 'uri', value: 'urn:x:a,b"q"' },
        { type: 'email', value: 'billing@acme.test' },
      ],
    });
    svc = new X509Certificate(readFileSync(join(dir, e.certFile)));
    plain = new X509Certificate(readFileSync(join(dir, ca.issueClient({ name: 'plain', subject: { CN: 'plain' }, sans: [] }).certFile)));
  });
  after(cleanup);

  test("parses Node's subjectAltName text, including JSON-quoted values", () => {
    assert.deepEqual(parseSubjectAltName(svc.subjectAltName), [
      { type: 'DNS', value: 'billing.svc.test' },
      { type: 'URI', value: 'https://acme.test/not-spiffe' },
      { type: 'URI', value: 'spiffe://acme.test/ns/prod/sa/billing' },
      { type: 'URI', value: 'urn:x:a,b"q"' },
      { type: 'email', value: 'billing@acme.test' },
    ]);
    assert.deepEqual(parseSubjectAltName(undefined), []);
    assert.deepEqual(parseSubjectAltName('IP Address:10.0.0.1, DNS:a'), [
      { type: 'IP Address', value: '10.0.0.1' },
      { type: 'DNS', value: 'a' },
    ]);
    assert.throws(() => parseSubjectAltName('garbage'), /malformed/);
  });

  test('first SAN of the type, or the first matching a pattern (group 1 or the named group `name`)', () => {
    assert.equal(new SanPrincipalMapper([{ type: 'uri' }]).nameFrom(svc), 'https://acme.test/not-spiffe');
    assert.equal(
      new SanPrincipalMapper([{ type: 'uri', pattern: 'spiffe://acme\\.test/.*' }]).nameFrom(svc),
      'spiffe://acme.test/ns/prod/sa/billing',
    );
    assert.equal(new SanPrincipalMapper([{ type: 'uri', pattern: /spiffe:\/\/acme\.test\/ns\/[^/]+\/sa\/(.+)/ }]).nameFrom(svc), 'billing');
    assert.equal(new SanPrincipalMapper([{ type: 'email', pattern: '(?<name>[^@]+)@acme\\.test' }]).nameFrom(svc), 'billing');
    assert.equal(new SanPrincipalMapper([{ type: 'dns' }]).nameFrom(svc), 'billing.svc.test');
    assert.equal(new SanPrincipalMapper([{ type: 'uri', pattern: 'urn:.*' }]).nameFrom(svc), 'urn:x:a,b"q"');
    // the pattern must match the whole value
    assert.equal(new SanPrincipalMapper([{ type: 'dns', pattern: 'billing' }]).nameFrom(svc), undefined);
    // rules are tried in order
    assert.equal(new SanPrincipalMapper([{ type: 'email', pattern: 'nobody@.*' }, { type: 'dns' }]).nameFrom(svc), 'billing.svc.test');
    assert.equal(new SanPrincipalMapper([{ type: 'uri' }]).nameFrom(plain), undefined);
    assert.throws(() => new SanPrincipalMapper([]), /at least one/);
    assert.throws(() => new SanPrincipalMapper([{ type: 'ip' as 'dns' }]), /unknown SAN type/);
  });

  test('TLS identity: no certificate → ANONYMOUS; DN rules; SAN with and without fallback; mapping failure refuses', () => {
    const dnMapper = SslPrincipalMapper.fromRules('RULE:^CN=([^,]+),OU=services$/svc-$1/');
    const anon = principalFromCertificate(undefined, { dnMapper });
    assert.ok(anon.ok && anon.principal.toString() === 'User:ANONYMOUS' && anon.source === 'anonymous');

    const byDn = principalFromCertificate(svc, { dnMapper });
    assert.ok(byDn.ok);
    assert.equal(byDn.principal.toString(), 'User:svc-billing');
    assert.equal(byDn.dn, 'CN=billing,OU=services');

    const san = new SanPrincipalMapper([{ type: 'uri', pattern: 'spiffe://acme\\.test/.*' }]);
    const bySan = principalFromCertificate(svc, { dnMapper, san });
    assert.ok(bySan.ok && bySan.source === 'san');
    assert.equal(bySan.principal.toString(), 'User:spiffe://acme.test/ns/prod/sa/billing');

    const refused = principalFromCertificate(plain, { dnMapper, san });
    assert.equal(refused.ok, false);
    const fellBack = principalFromCertificate(plain, { dnMapper: SslPrincipalMapper.fromRules('DEFAULT'), san, sanFallbackToDn: true });
    assert.ok(fellBack.ok && fellBack.principal.toString() === 'User:CN=plain');

    const noRule = principalFromCertificate(plain, { dnMapper });
    assert.ok(!noRule.ok);
    assert.match(noRule.reason, /No rules apply to CN=plain/);
  });
});
