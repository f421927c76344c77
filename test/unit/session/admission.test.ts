// Admission of client connections, driven by real TCP and TLS clients on loopback (no Kafka needed:
// admission happens before the first Kafka byte): client certificates in each clientAuth mode, principal
// mapping, CRL and certificate reload without restart, IP allow/deny before TLS, IP identities, PROXY
// protocol from trusted and untrusted sources. Loopback has all of 127.0.0.0/8, so sources differ by
// binding the client to 127.0.0.x.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { pino } from 'pino';
import type { ClientIdentity } from '../../../gateway/auth/client-identity.ts';
import { parseConfig } from '../../../gateway/config/schema.ts';
import { registry } from '../../../gateway/observability/metrics.ts';
import { ListenerAdmission } from '../../../gateway/session/admission.ts';
import { createTestPki, installServerCertificate, presentedSerial, type TestPki } from '../../harness/pki.ts';

type Outcome = { admitted: ClientIdentity } | { refused: string; detail: string };

/** One listener's admission on an ephemeral port, recording what happened to each connection. */
async function serve(pki: TestPki, listenerYaml: string) {
  const yaml = `backend: { bootstrapServers: ["127.0.0.1:9092"] }\nlisteners:\n  - name: t\n    bind: 127.0.0.1:9093\n    routing: { basePort: 9100 }\n${listenerYaml.replace(/^/gm, '    ')}\n`;
  const configFile = path.join(pki.dir, 'gatehouse.yaml');
  fs.writeFileSync(configFile, yaml);
  const config = parseConfig(yaml, configFile).listeners[0];
  const outcomes: Outcome[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      const line = JSON.parse(String(chunk)) as Record<string, unknown>;
      logs.push(line);
      if (line.event === 'connection_refused') outcomes.push({ refused: String(line.reason), detail: String(line.detail) });
      done();
    },
  });
  const admission = new ListenerAdmission(config, pino({ level: 'debug' }, stream));
  const server = net.createServer((raw) =>
    admission.admit(raw, (socket, identity) => {
      outcomes.push({ admitted: identity });
      socket.end();
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  /** Waits for the outcome of the next connection. */
  const next = async (): Promise<Outcome> => {
    const deadline = Date.now() + 10_000;
    while (outcomes.length === 0) {
      if (Date.now() > deadline) throw new Error('no admission outcome within 10 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    return outcomes.shift()!;
  };
  return { admission, port, next, logs, close: () => { admission.close(); server.close(); } };
}

type ClientOptions = { cert?: string; key?: string; localAddress?: string; servername?: string; prefix?: Buffer | string };

/** A TLS client (optionally sending bytes, such as a PROXY header, before the handshake). */
function tlsClient(port: number, pki: TestPki, o: ClientOptions = {}): void {
  const raw = net.connect({ host: '127.0.0.1', port, localAddress: o.localAddress });
  raw.on('error', () => {});
  if (o.prefix) raw.write(o.prefix);
  const socket = tls.connect({
    socket: raw,
    servername: o.servername ?? 'localhost',
    ca: fs.readFileSync(pki.file('ca/ca.crt')),
    cert: o.cert ? fs.readFileSync(o.cert) : undefined,
    key: o.key ? fs.readFileSync(o.key) : undefined,
  });
  socket.on('error', () => {});
  socket.on('data', () => {});
}

const admitted = (o: Outcome): ClientIdentity => {
  assert.ok('admitted' in o, `expected admission, got refusal ${JSON.stringify(o)}`);
  return o.admitted;
};
const refused = (o: Outcome, reason: string, detail?: RegExp) => {
  assert.ok('refused' in o, `expected refusal '${reason}', got admission as ${'admitted' in o ? o.admitted.principal : ''}`);
  assert.equal(o.refused, reason, o.detail);
  if (detail) assert.match(o.detail, detail);
};

let pki: TestPki;
before(() => {
  pki = createTestPki();
});
after(() => pki.cleanup());

const serverTls = () => `tls:\n  certificate: ${pki.file(pki.server.certFile)}\n  key: ${pki.file(pki.server.keyFile)}`;
const mtls = (mode: string, extra = '') =>
  `${serverTls()}\n  clientAuth: ${mode}\n  clientCa: ${pki.file('ca/ca.crt')}\n  crl: ${pki.file('ca/crl.pem')}${extra ? `\n  ${extra}` : ''}`;

describe('client certificates', () => {
  test('required: a good certificate maps through the rules; none, another CA, expired and unmapped are refused', async () => {
    const gw = await serve(pki, mtls('required', 'principalMappingRules: ["RULE:^CN=([^,]+),O=Acme$/$1/L", "RULE:^CN=svc-(.*)$/service-$1/"]'));
    try {
      const alice = pki.client('Alice');
      tlsClient(gw.port, pki, alice);
      const id = admitted(await gw.next());
      assert.equal(id.principal.toString(), 'User:alice');
      assert.equal(id.method, 'certificate-dn');
      assert.equal(id.tls?.subject, 'CN=Alice,O=Acme');
      assert.equal(id.tls?.serial, alice.entry.serial.toUpperCase());

      tlsClient(gw.port, pki);
      refused(await gw.next(), 'client-certificate-missing');

      tlsClient(gw.port, pki, pki.client('alice-elsewhere', { subject: { CN: 'alice', O: 'Acme' } }, pki.stranger));
      refused(await gw.next(), 'client-certificate-invalid', /UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED/);

      tlsClient(gw.port, pki, pki.client('old', { notBefore: new Date(Date.now() - 10 * 86_400_000), days: 1 }));
      refused(await gw.next(), 'client-certificate-invalid', /CERT_HAS_EXPIRED/);

      tlsClient(gw.port, pki, pki.client('unmapped', { subject: { CN: 'carol', O: 'Other' } }));
      refused(await gw.next(), 'principal-mapping-failed', /No rules apply to CN=carol,O=Other/);
      assert.match(await registry.getSingleMetricAsString('gatehouse_connections_refused_total'), /listener="t",reason="client-certificate-missing"} 1/);
    } finally {
      gw.close();
    }
  });

  test('requested: no certificate is User:ANONYMOUS, but a presented invalid certificate is refused', async () => {
    const gw = await serve(pki, mtls('requested'));
    try {
      tlsClient(gw.port, pki);
      const anon = admitted(await gw.next());
      assert.equal(anon.principal.toString(), 'User:ANONYMOUS');
      assert.equal(anon.method, 'anonymous');
      tlsClient(gw.port, pki, pki.client('intruder', {}, pki.stranger));
      refused(await gw.next(), 'client-certificate-invalid');
      tlsClient(gw.port, pki, pki.client('bob'));
      assert.equal(admitted(await gw.next()).principal.toString(), 'User:CN=bob,O=Acme'); // DEFAULT: the whole DN
    } finally {
      gw.close();
    }
  });

  test('a SAN can be the principal (service identities)', async () => {
    const gw = await serve(pki, mtls('required', 'principalFromSan: [{ type: uri, pattern: "spiffe://acme\\\\.test/(.+)" }]'));
    try {
      tlsClient(gw.port, pki, pki.client('billing-svc', { sans: [{ type: 'uri', value: 'spiffe://acme.test/billing' }] }));
      const id = admitted(await gw.next());
      assert.equal(id.principal.toString(), 'User:billing');
      assert.equal(id.method, 'certificate-san');
      tlsClient(gw.port, pki, pki.client('no-san'));
      refused(await gw.next(), 'principal-mapping-failed', /no subjectAltName matches/);
    } finally {
      gw.close();
    }
  });

  test('a certificate revoked after start is refused once the CRL file is rewritten, without restart', async () => {
    const gw = await serve(pki, mtls('required'));
    try {
      const dave = pki.client('dave');
      tlsClient(gw.port, pki, dave);
      admitted(await gw.next());
      pki.ca.revoke('dave', 'keyCompromise');
      const deadline = Date.now() + 10_000;
      while (!gw.logs.some((l) => l.event === 'tls_reloaded')) {
        assert.ok(Date.now() < deadline, 'the CRL change was not picked up');
        await new Promise((r) => setTimeout(r, 50));
      }
      tlsClient(gw.port, pki, dave);
      refused(await gw.next(), 'client-certificate-invalid', /CERT_REVOKED/);
      tlsClient(gw.port, pki, pki.client('erin'));
      admitted(await gw.next());
    } finally {
      gw.close();
    }
  });
});

describe('protocol versions and ciphers', () => {
  /** Connects with a restricted client; resolves with the negotiated protocol/cipher or the error. */
  function handshake(port: number, options: tls.ConnectionOptions): Promise<string> {
    return new Promise((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: fs.readFileSync(pki.file('ca/ca.crt')), ...options }, () => {
        resolve(`${s.getProtocol()} ${s.getCipher().name}`);
        setTimeout(() => s.destroy(), 500).unref(); // let the server finish its side of the handshake
      });
      s.on('data', () => {});
      s.on('error', (err) => resolve(`error: ${err.message}`));
    });
  }

  test('minVersion refuses older clients; the cipher list is what TLS 1.2 clients may use', async () => {
    const gw = await serve(pki, `${serverTls()}\n  minVersion: TLSv1.3`);
    try {
      assert.match(await handshake(gw.port, { maxVersion: 'TLSv1.2' }), /^error: /);
      refused(await gw.next(), 'tls-handshake-failed', /unsupported protocol/);
      assert.match(await handshake(gw.port, {}), /^TLSv1\.3 /);
      admitted(await gw.next());
    } finally {
      gw.close();
    }
    const narrow = await serve(pki, `${serverTls()}\n  ciphers: ECDHE-RSA-AES128-GCM-SHA256`);
    try {
      assert.match(await handshake(narrow.port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384' }), /^error: /);
      refused(await narrow.next(), 'tls-handshake-failed', /no shared cipher|no suitable|cipher/i);
      assert.equal(await handshake(narrow.port, { maxVersion: 'TLSv1.2' }), 'TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256');
      admitted(await narrow.next());
    } finally {
      narrow.close();
    }
  });
});

describe('server certificate reload', () => {
  test('new connections get a replaced certificate; a broken file is refused and the last good one stays; SIGHUP reloads', async () => {
    const live = path.join(pki.dir, 'live');
    fs.mkdirSync(live);
    const put = (name: string) => installServerCertificate(pki, name, live);
    const first = put('gateway');
    const gw = await serve(pki, `tls:\n  certificate: ${live}/server.crt\n  key: ${live}/server.key`);
    try {
      assert.equal(await presentedSerial(gw.port, pki), first);
      const second = pki.ca.issueServer({ name: 'gateway-2', subject: { CN: 'localhost' }, sans: [{ type: 'dns', value: 'localhost' }], keyBits: 2048 });
      const serial2 = put(second.name);
      const deadline = Date.now() + 10_000;
      while ((await presentedSerial(gw.port, pki)) !== serial2) {
        assert.ok(Date.now() < deadline, 'the new certificate was not picked up');
        await new Promise((r) => setTimeout(r, 100));
      }
      fs.writeFileSync(path.join(live, 'server.key'), 'not a key');
      gw.admission.reloadTls('SIGHUP');
      const failure = gw.logs.find((l) => l.event === 'tls_reload_failed');
      assert.ok(failure, 'a broken key is reported');
      assert.equal(failure.trigger, 'SIGHUP');
      assert.match(String(failure.err), /server\.crt|server\.key/);
      assert.equal(await presentedSerial(gw.port, pki), serial2, 'the last good certificate stays in force');
      assert.match(await registry.getSingleMetricAsString('gatehouse_tls_last_reload_success'), /listener="t"} 0/);
    } finally {
      gw.close();
    }
  });
});

describe('network rules before TLS', () => {
  /** The first bytes a TLS client sends (its ClientHello), captured from a real Node TLS client. */
  async function clientHello(): Promise<Buffer> {
    const sink = net.createServer();
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const hello = new Promise<Buffer>((resolve) => sink.once('connection', (s) => s.once('data', (d: Buffer) => { resolve(d); s.destroy(); })));
    const c = tls.connect({ host: '127.0.0.1', port: (sink.address() as net.AddressInfo).port, servername: 'localhost' });
    c.on('error', () => {});
    const bytes = await hello;
    sink.close();
    return bytes;
  }

  /** Sends a ClientHello from `localAddress` and returns every byte the listener sent back before closing. */
  function answerTo(port: number, hello: Buffer, localAddress: string): Promise<Buffer> {
    return new Promise((resolve) => {
      const got: Buffer[] = [];
      const s = net.connect({ host: '127.0.0.1', port, localAddress }, () => s.write(hello));
      s.on('data', (d: Buffer) => {
        got.push(d);
        s.destroy();
      });
      s.on('error', () => {});
      s.on('close', () => resolve(Buffer.concat(got)));
    });
  }

  test('a denied address is refused before the handshake: not one byte (no ServerHello) is sent', async () => {
    const gw = await serve(pki, `${serverTls()}\nnetwork: { deny: [127.0.0.2/32] }`);
    try {
      const hello = await clientHello();
      const allowedAnswer = await answerTo(gw.port, hello, '127.0.0.1');
      assert.equal(allowedAnswer[0], 0x16, 'an allowed client gets a TLS handshake record');
      const deniedAnswer = await answerTo(gw.port, hello, '127.0.0.2');
      assert.equal(deniedAnswer.length, 0);
      let outcome = await gw.next();
      if ('refused' in outcome && outcome.refused === 'tls-handshake-failed') outcome = await gw.next();
      refused(outcome, 'ip-denied', /deny 127\.0\.0\.2\/32/);
      const line = gw.logs.find((l) => l.reason === 'ip-denied')!;
      assert.match(String(line.peer), /^127\.0\.0\.2:\d+$/);
    } finally {
      gw.close();
    }
  });

  test('an allow list refuses everyone it does not name', async () => {
    const gw = await serve(pki, 'plaintext: true\nnetwork: { allow: [127.0.0.7/32] }');
    try {
      net.connect({ host: '127.0.0.1', port: gw.port, localAddress: '127.0.0.8' }).on('error', () => {});
      refused(await gw.next(), 'ip-denied', /not in allow list/);
      net.connect({ host: '127.0.0.1', port: gw.port, localAddress: '127.0.0.7' }).on('error', () => {});
      admitted(await gw.next());
    } finally {
      gw.close();
    }
  });

  test('IP identities: the most specific CIDR names the principal; unmapped sources are refused', async () => {
    const gw = await serve(pki, 'plaintext: true\nnetwork:\n  identities: { 127.0.0.0/29: User:loopback-apps, 127.0.0.4/32: User:billing }');
    try {
      for (const [source, principal] of [['127.0.0.4', 'User:billing'], ['127.0.0.5', 'User:loopback-apps']]) {
        net.connect({ host: '127.0.0.1', port: gw.port, localAddress: source }).on('error', () => {});
        const id = admitted(await gw.next());
        assert.equal(id.principal.toString(), principal);
        assert.equal(id.method, 'ip');
      }
      net.connect({ host: '127.0.0.1', port: gw.port, localAddress: '127.0.0.9' }).on('error', () => {});
      refused(await gw.next(), 'ip-identity-unmapped');
    } finally {
      gw.close();
    }
  });
});

describe('PROXY protocol', () => {
  test('trusted balancers name the real client (allow lists apply to it); untrusted sources may not send a header', async () => {
    const gw = await serve(pki, `${serverTls()}\nproxyProtocol: { trustedSources: [127.0.0.1/32], allowDirect: true }\nnetwork: { deny: [10.9.9.0/24] }`);
    try {
      tlsClient(gw.port, pki, { prefix: 'PROXY TCP4 10.1.2.3 127.0.0.1 5555 9093\r\n' });
      const id = admitted(await gw.next());
      assert.deepEqual([id.address, id.port], ['10.1.2.3', 5555]);

      // v2 binary header naming an IPv6 client.
      const v2 = Buffer.concat([
        Buffer.from('0d0a0d0a000d0a515549540a', 'hex'),
        Buffer.from([0x21, 0x21, 0x00, 36]),
        Buffer.from('20010db8000000000000000000000042', 'hex'),
        Buffer.from('00000000000000000000000000000001', 'hex'),
        Buffer.from([0x1f, 0x90, 0x23, 0x85]),
      ]);
      tlsClient(gw.port, pki, { prefix: v2 });
      const v6 = admitted(await gw.next());
      assert.deepEqual([v6.address, v6.port], ['2001:db8::42', 8080]);

      tlsClient(gw.port, pki, { prefix: 'PROXY TCP4 10.9.9.9 127.0.0.1 5555 9093\r\n' });
      refused(await gw.next(), 'ip-denied', /deny 10\.9\.9\.0\/24/);

      tlsClient(gw.port, pki, { localAddress: '127.0.0.3', prefix: 'PROXY TCP4 10.1.2.3 127.0.0.1 5555 9093\r\n' });
      refused(await gw.next(), 'proxy-untrusted', /PROXY header from a source that is not trusted/);

      tlsClient(gw.port, pki, { localAddress: '127.0.0.3' });
      assert.equal(admitted(await gw.next()).address, '127.0.0.3', 'direct clients are allowed with allowDirect');

      tlsClient(gw.port, pki);
      refused(await gw.next(), 'proxy-malformed', /does not start with a PROXY protocol header/);
    } finally {
      gw.close();
    }
  });

  test('without allowDirect, only the trusted balancers may connect at all', async () => {
    const gw = await serve(pki, 'plaintext: true\nproxyProtocol: { trustedSources: [127.0.0.1/32] }');
    try {
      net.connect({ host: '127.0.0.1', port: gw.port, localAddress: '127.0.0.3' }).on('error', () => {});
      refused(await gw.next(), 'proxy-untrusted', /not a trusted PROXY protocol sender/);
    } finally {
      gw.close();
    }
  });
});
