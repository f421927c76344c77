// `gatehouse certs …` end to end: spawns the real entry point in a temp folder.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openssl, run, tempDir } from './fixtures.ts';

const ENTRY = fileURLToPath(new URL('../../../gateway/gatehouse.mjs', import.meta.url));

describe('gatehouse certs', () => {
  const { dir: cwd, cleanup } = tempDir('gatehouse-cli-');
  after(cleanup);
  const gatehouse = (...args: string[]) => run(process.execPath, [ENTRY, 'certs', ...args], { cwd });
  const mode = (rel: string) => statSync(join(cwd, rel)).mode & 0o777;

  test('--help and usage errors (exit 2)', () => {
    const help = gatehouse('--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /init-ca[\s\S]*issue-server[\s\S]*issue-client[\s\S]*revoke[\s\S]*crl[\s\S]*list[\s\S]*bundle/);
    assert.equal(gatehouse('init-ca', '--help').status, 0);
    assert.equal(gatehouse().status, 2);
    assert.equal(gatehouse('frobnicate').status, 2);
    assert.equal(gatehouse('list', '--no-such-option').status, 2);
    assert.equal(gatehouse('issue-server').status, 2); // NAME missing
    assert.equal(gatehouse('init-ca', '--key-size', '1024').status, 2);
    assert.equal(gatehouse('issue-client', 'x', '--days', 'soon').status, 2);
    assert.equal(gatehouse('revoke', 'x', '--reason', 'boredom').status, 2);
    const noCa = gatehouse('list');
    assert.equal(noCa.status, 1);
    assert.match(noCa.stderr, /no CA in/);
  });

  test('init-ca, issue-server, issue-client, list, revoke, crl, bundle', () => {
    const init = gatehouse('init-ca', '--cn', 'Acme Kafka CA', '--o', 'Acme', '--key-size', '2048');
    assert.equal(init.status, 0, init.stderr);
    assert.equal(mode('pki/ca/ca.key'), 0o600);
    assert.equal(mode('pki/ca'), 0o700);
    assert.ok(existsSync(join(cwd, 'pki/ca/crl.pem')));

    const again = gatehouse('init-ca', '--key-size', '2048');
    assert.equal(again.status, 1);
    assert.match(again.stderr, /exists; pass --force/);
    const caBefore = readFileSync(join(cwd, 'pki/ca/ca.crt'), 'utf8');

    const srv = gatehouse('issue-server', 'gateway', '--dns', 'kafka.acme.test', '--dns', '*.kafka.acme.test', '--ip', '127.0.0.1');
    assert.equal(srv.status, 0, srv.stderr);
    assert.match(srv.stdout, /DNS:\*\.kafka\.acme\.test/);
    assert.equal(mode('pki/issued/gateway.key'), 0o600);
    assert.equal(openssl(['verify', '-CAfile', 'pki/ca/ca.crt', 'pki/issued/gateway.crt'], cwd).status, 0);
    assert.match(
      openssl(['x509', '-in', 'pki/issued/gateway.crt', '-noout', '-subject', '-nameopt', 'RFC2253'], cwd).stdout,
      /subject=CN=kafka\.acme\.test/,
    );

    const cli = gatehouse(
      'issue-client',
      'billing',
      '--cn',
      'billing-svc',
      '--o',
      'Acme',
      '--ou',
      'payments',
      '--uri',
      'spiffe://acme.test/billing',
      '--email',
      'billing@acme.test',
    );
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(gatehouse('issue-client', 'billing').status, 1); // exists
    assert.equal(gatehouse('issue-client', 'old', '--not-before', '2020-01-01', '--days', '2').status, 0);
    assert.equal(gatehouse('issue-client', 'gone').status, 0);

    const rev = gatehouse('revoke', 'gone', '--reason', 'keyCompromise');
    assert.equal(rev.status, 0, rev.stderr);
    assert.equal(gatehouse('revoke', 'gone').status, 1); // already revoked
    assert.notEqual(
      openssl(['verify', '-crl_check', '-CAfile', 'pki/ca/ca.crt', '-CRLfile', 'pki/ca/crl.pem', 'pki/issued/gone.crt'], cwd).status,
      0,
    );
    assert.equal(
      openssl(['verify', '-crl_check', '-CAfile', 'pki/ca/ca.crt', '-CRLfile', 'pki/ca/crl.pem', 'pki/issued/billing.crt'], cwd).status,
      0,
    );

    const list = gatehouse('list');
    assert.equal(list.status, 0, list.stderr);
    const lines = list.stdout.trim().split('\n');
    assert.match(lines[0], /^SERIAL\s+KIND\s+NAME\s+STATUS\s+NOT AFTER\s+SUBJECT$/);
    assert.equal(lines.length, 6);
    assert.match(list.stdout, /ca\s+ca\s+valid\s+\S+\s+CN=Acme Kafka CA, O=Acme/);
    assert.match(list.stdout, /server\s+gateway\s+valid/);
    assert.match(
      list.stdout,
      /client\s+billing\s+valid\s+\S+\s+CN=billing-svc, OU=payments, O=Acme \[URI:spiffe:\/\/acme\.test\/billing, email:billing@acme\.test\]/,
    );
    assert.match(list.stdout, /client\s+old\s+expired\s+2020-01-03T00:00:00\.000Z/);
    assert.match(list.stdout, /client\s+gone\s+revoked \(keyCompromise\)/);
    const json = JSON.parse(gatehouse('list', '--json').stdout) as { serial: string; name: string }[];
    assert.equal(json.length, 5);

    const crl1 = openssl(['crl', '-in', 'pki/ca/crl.pem', '-noout', '-crlnumber'], cwd).stdout;
    assert.equal(gatehouse('crl', '--days', '7').status, 0);
    const crl2 = openssl(['crl', '-in', 'pki/ca/crl.pem', '-noout', '-crlnumber'], cwd).stdout;
    assert.notEqual(crl1, crl2);

    assert.equal(gatehouse('bundle', 'billing').status, 2); // no password option
    const bundle = gatehouse('bundle', 'billing', '--password', 'changeit');
    assert.equal(bundle.status, 0, bundle.stderr);
    assert.equal(mode('pki/issued/billing.keystore.p12'), 0o600);
    assert.equal(mode('pki/issued/truststore.p12'), 0o600);
    assert.equal(gatehouse('bundle', 'billing', '--password', 'changeit').status, 1); // exists
    assert.equal(openssl(['pkcs12', '-in', 'pki/issued/billing.keystore.p12', '-passin', 'pass:changeit', '-nokeys'], cwd).status, 0);

    // --force re-creates; the CA really changes
    assert.equal(gatehouse('init-ca', '--key-size', '2048', '--force').status, 0);
    assert.notEqual(readFileSync(join(cwd, 'pki/ca/ca.crt'), 'utf8'), caBefore);
  });

  test('--dir chooses the folder', () => {
    const r = gatehouse('init-ca', '--dir', 'elsewhere', '--key-size', '2048');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(cwd, 'elsewhere/ca/ca.crt')));
  });
});
