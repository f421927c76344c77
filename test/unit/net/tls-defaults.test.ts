// TLS defaults of a listener, seen by real Node TLS clients over loopback: TLS 1.2 offers only ECDHE
// with AEAD ciphers unless the listener sets `ciphers`; client-initiated renegotiation is refused; on
// listeners that verify client certificates no session is resumed (a resumed session skips the
// certificate and CRL checks), while listeners without client certificates keep resumption.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type tls from 'node:tls';
import { createTestPki, type TestPki } from '../../harness/pki.ts';
import { connectTls, echo, serveTlsListener, type Outcome } from './tls-listener-fixture.ts';

let pki: TestPki;
before(() => {
  pki = createTestPki();
});
after(() => pki.cleanup());

const serverTls = () => `certificate: ${pki.file(pki.server.certFile)}\nkey: ${pki.file(pki.server.keyFile)}`;
const mtls = () => `${serverTls()}\nclientAuth: required\nclientCa: ${pki.file('ca/ca.crt')}\ncrl: ${pki.file('ca/crl.pem')}`;

function admittedAs(o: Outcome): string {
  assert.ok('admitted' in o, `expected admission, got ${JSON.stringify(o)}`);
  return o.admitted.principal.toString();
}

type Listener = Awaited<ReturnType<typeof serveTlsListener>>;

/** The negotiated `protocol cipher` once the listener admitted the client, or `error: …` when the handshake fails. */
async function negotiate(gw: Listener, options: tls.ConnectionOptions): Promise<string> {
  let s: tls.TLSSocket;
  try {
    s = await connectTls(gw.port, pki, options);
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
  admittedAs(await gw.next()); // the server's side of the handshake is done too
  const result = `${s.getProtocol()} ${s.getCipher().name}`;
  s.destroy();
  return result;
}

describe('TLS 1.2 ciphers', () => {
  test('by default only ECDHE with AEAD ciphers: RSA key exchange, CBC and DHE are refused', async () => {
    const gw = await serveTlsListener(pki, 'default-ciphers', serverTls());
    try {
      for (const cipher of [
        'AES128-SHA256',
        'AES256-GCM-SHA384',
        'ECDHE-RSA-AES128-SHA256',
        'ECDHE-RSA-AES256-SHA',
        'DHE-RSA-AES128-GCM-SHA256',
      ]) {
        assert.match(await negotiate(gw, { maxVersion: 'TLSv1.2', ciphers: cipher }), /^error: /, cipher);
        const o = await gw.next();
        assert.ok('refused' in o && o.refused === 'tls-handshake-failed', `${cipher}: ${JSON.stringify(o)}`);
        assert.match(o.detail, /no shared cipher/);
      }
      for (const cipher of ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305']) {
        assert.equal(await negotiate(gw, { maxVersion: 'TLSv1.2', ciphers: cipher }), `TLSv1.2 ${cipher}`);
      }
      // A client offering everything it knows gets an ECDHE AEAD suite; TLS 1.3 is unaffected.
      assert.match(await negotiate(gw, { maxVersion: 'TLSv1.2' }), /^TLSv1\.2 ECDHE-RSA-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
      assert.match(await negotiate(gw, {}), /^TLSv1\.3 TLS_/);
    } finally {
      gw.close();
    }
  });

  test('a listener that sets ciphers gets exactly those', async () => {
    const gw = await serveTlsListener(pki, 'legacy-ciphers', `${serverTls()}\nciphers: AES128-SHA256`);
    try {
      assert.equal(await negotiate(gw, { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA256' }), 'TLSv1.2 AES128-SHA256');
      assert.match(await negotiate(gw, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }), /^error: /);
      assert.ok('refused' in (await gw.next()));
    } finally {
      gw.close();
    }
  });
});

describe('renegotiation', () => {
  /** Asks for a TLS 1.2 renegotiation; resolves with 'renegotiated' or how it failed. */
  function renegotiate(socket: tls.TLSSocket): Promise<string> {
    return new Promise((resolve) => {
      socket.once('error', (err: Error) => resolve(`error: ${err.message}`));
      socket.once('close', () => resolve('closed'));
      const started = socket.renegotiate({ rejectUnauthorized: true }, (err) => resolve(err ? `error: ${err.message}` : 'renegotiated'));
      if (!started) resolve('not started');
    });
  }

  for (const [kind, listenerTls] of [
    ['TLS', serverTls],
    ['mTLS', mtls],
  ] as const) {
    test(`${kind}: a TLS 1.2 client that asks to renegotiate is refused and its connection ends`, async () => {
      const gw = await serveTlsListener(pki, `reneg-${kind.toLowerCase()}`, listenerTls());
      try {
        const alice = pki.client(`alice-${kind}`);
        const s = await connectTls(gw.port, pki, { maxVersion: 'TLSv1.2', certFile: alice.cert, keyFile: alice.key });
        admittedAs(await gw.next());
        assert.equal(await echo(s, 'before'), 'before');
        assert.match(await renegotiate(s), /^error: .*no renegotiation/);
        await assert.rejects(echo(s, 'after'), 'the connection is not usable after a refused renegotiation');
        s.destroy();
      } finally {
        gw.close();
      }
    });
  }
});

describe('session resumption', () => {
  /** Connects twice, the second time offering the session of the first; says whether it was resumed. */
  async function resumed(port: number, options: tls.ConnectionOptions & { certFile?: string; keyFile?: string }): Promise<boolean> {
    const first = await connectTls(port, pki, options);
    let session: Buffer | undefined;
    first.on('session', (s: Buffer) => (session = s));
    assert.equal(await echo(first, 'one'), 'one'); // TLS 1.3 tickets arrive after the handshake
    await new Promise((r) => setTimeout(r, 100));
    session ??= first.getSession();
    first.destroy();
    assert.ok(session, 'the client kept a session to offer');
    const second = await connectTls(port, pki, { ...options, session });
    const reused = second.isSessionReused();
    assert.equal(await echo(second, 'two'), 'two');
    second.destroy();
    return reused;
  }

  test('client certificates verified: no session is resumed (TLS 1.2 and 1.3), also after a reload', async () => {
    const gw = await serveTlsListener(pki, 'no-resume', mtls());
    try {
      const bob = pki.client('bob');
      for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
        assert.equal(await resumed(gw.port, { maxVersion, certFile: bob.cert, keyFile: bob.key }), false, maxVersion);
        assert.equal(admittedAs(await gw.next()), 'User:CN=bob,O=Acme');
        assert.equal(admittedAs(await gw.next()), 'User:CN=bob,O=Acme');
      }
      gw.admission.reloadTls('SIGHUP');
      assert.equal(await resumed(gw.port, { maxVersion: 'TLSv1.2', certFile: bob.cert, keyFile: bob.key }), false, 'after reload');
    } finally {
      gw.close();
    }
  });

  test('a certificate revoked after its first connection cannot come back on that session', async () => {
    const gw = await serveTlsListener(pki, 'revoked-resume', mtls());
    try {
      const carol = pki.client('carol');
      const first = await connectTls(gw.port, pki, { maxVersion: 'TLSv1.2', certFile: carol.cert, keyFile: carol.key });
      admittedAs(await gw.next());
      const session = first.getSession();
      first.destroy();
      pki.ca.revoke('carol');
      await gw.waitForLog((l) => l.event === 'tls_reloaded');
      const second = await connectTls(gw.port, pki, { maxVersion: 'TLSv1.2', certFile: carol.cert, keyFile: carol.key, session }).catch(
        () => null,
      );
      const o = await gw.next();
      assert.ok('refused' in o && o.refused === 'client-certificate-invalid', JSON.stringify(o));
      assert.match(o.detail, /CERT_REVOKED/);
      second?.destroy();
    } finally {
      gw.close();
    }
  });

  test('no client certificates: resumption stays on (nothing about the client is re-checked)', async () => {
    const gw = await serveTlsListener(pki, 'resume', serverTls());
    try {
      for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
        assert.equal(await resumed(gw.port, { maxVersion }), true, maxVersion);
        admittedAs(await gw.next());
        admittedAs(await gw.next());
      }
    } finally {
      gw.close();
    }
  });
});
