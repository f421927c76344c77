// mTLS with Node's tls on 127.0.0.1, using certificates from the certs library: a good client is
// authorized; a revoked one (with the CRL), an expired one and one from another CA are refused.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { CertificateAuthority, type IndexEntry } from '../../../certs/index.ts';
import { subjectDn } from '../../../gateway/auth/dn.ts';
import { SslPrincipalMapper } from '../../../gateway/auth/ssl-principal-mapper.ts';
import { newCa, tempDir } from './fixtures.ts';

interface Outcome {
  readonly serverAuthorized?: boolean;
  readonly authorizationError?: string;
  readonly peerDn?: string;
  /** undefined when the client got the server's greeting, i.e. the connection was accepted. */
  readonly clientError?: string;
}

describe('TLS round trip with issued certificates', () => {
  const { dir, cleanup } = tempDir();
  const other = tempDir();
  let ca: CertificateAuthority;
  let server: tls.Server;
  let port = 0;
  const files: Record<string, IndexEntry> = {};
  let lastOutcome: Outcome = {};
  const read = (rel: string) => readFileSync(join(dir, rel));

  before(async () => {
    ca = newCa(dir);
    files.server = ca.issueServer({
      name: 'server',
      subject: { CN: 'localhost' },
      sans: [
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ],
    });
    files.good = ca.issueClient({ name: 'good', subject: { CN: 'alice', O: 'Acme', OU: ['eng'] }, sans: [] });
    files.revoked = ca.issueClient({ name: 'revoked', subject: { CN: 'mallory' }, sans: [] });
    files.expired = ca.issueClient({
      name: 'expired',
      subject: { CN: 'old' },
      sans: [],
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      days: 1,
    });
    ca.revoke('revoked');
    const stranger = newCa(other.dir, 'Other CA');
    files.stranger = stranger.issueClient({ name: 'stranger', subject: { CN: 'alice', O: 'Acme', OU: ['eng'] }, sans: [] });

    server = tls.createServer({
      key: read(files.server.keyFile),
      cert: read(files.server.certFile),
      ca: read('ca/ca.crt'),
      crl: read('ca/crl.pem'),
      requestCert: true,
      // Node's own refusal (rejectUnauthorized: true) drops the socket without saying why; the gateway,
      // like this server, checks socket.authorized itself so it can log the reason, then refuses.
      rejectUnauthorized: false,
    });
    server.on('secureConnection', (socket) => {
      const peer = socket.getPeerX509Certificate();
      lastOutcome = {
        serverAuthorized: socket.authorized,
        authorizationError: socket.authorizationError?.toString(),
        peerDn: peer ? subjectDn(peer) : undefined,
      };
      if (socket.authorized) socket.end('hello');
      else socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    cleanup();
    other.cleanup();
  });

  async function connect(name: string, keyDir = dir, toPort = port): Promise<Outcome> {
    lastOutcome = {};
    const readIn = (rel: string) => readFileSync(join(keyDir, rel));
    const clientError = await new Promise<string | undefined>((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port: toPort,
        servername: 'localhost',
        ca: read('ca/ca.crt'),
        key: readIn(files[name].keyFile),
        cert: readIn(files[name].certFile),
      });
      let data = '';
      socket.on('data', (d: Buffer) => (data += d.toString()));
      socket.on('end', () => resolve(data === 'hello' ? undefined : 'no greeting'));
      socket.on('error', (e: Error & { code?: string }) => resolve(e.code ?? e.message));
    });
    // The server-side event may trail the client's view of the failure by a tick.
    for (let i = 0; i < 50 && lastOutcome.serverAuthorized === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    return { ...lastOutcome, clientError };
  }

  test('a client certificate from the CA is authorized and maps to a principal', async () => {
    const o = await connect('good');
    assert.equal(o.clientError, undefined);
    assert.equal(o.serverAuthorized, true);
    assert.equal(o.peerDn, 'CN=alice,OU=eng,O=Acme');
    assert.equal(SslPrincipalMapper.fromRules('RULE:^CN=([^,]+),OU=eng,.*$/$1/L').getName(o.peerDn), 'alice');
  });

  test('a revoked client certificate is refused (CRL)', async () => {
    const o = await connect('revoked');
    assert.equal(o.serverAuthorized, false);
    assert.equal(o.authorizationError, 'CERT_REVOKED');
    assert.notEqual(o.clientError, undefined);
  });

  test('with rejectUnauthorized: true Node refuses the revoked and the foreign certificate itself', async () => {
    const strict = tls.createServer(
      {
        key: read(files.server.keyFile),
        cert: read(files.server.certFile),
        ca: read('ca/ca.crt'),
        crl: read('ca/crl.pem'),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket) => socket.end('hello'),
    );
    strict.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => strict.listen(0, '127.0.0.1', resolve));
    const strictPort = (strict.address() as AddressInfo).port;
    try {
      assert.equal((await connect('good', dir, strictPort)).clientError, undefined);
      assert.notEqual((await connect('revoked', dir, strictPort)).clientError, undefined);
      assert.notEqual((await connect('stranger', other.dir, strictPort)).clientError, undefined);
    } finally {
      await new Promise<void>((resolve) => strict.close(() => resolve()));
    }
  });

  test('an expired client certificate is refused', async () => {
    const o = await connect('expired');
    assert.equal(o.authorizationError, 'CERT_HAS_EXPIRED');
    assert.notEqual(o.clientError, undefined);
  });

  test('a certificate from another CA is refused', async () => {
    const o = await connect('stranger', other.dir);
    assert.equal(o.serverAuthorized, false);
    assert.match(o.authorizationError ?? '', /UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    assert.notEqual(o.clientError, undefined);
  });
});
