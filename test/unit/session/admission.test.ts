// Admission of client connections, driven by real TCP and TLS clients on loopback (no Kafka needed:
// admission happens before the first Kafka byte): client certificates in each clientAuth mode, principal
// mapping, CRL and certificate reload without restart, IP allow/deny before TLS, IP identities, PROXY
// protocol from trusted and untrusted sources. Loopback has all of 127.0.0.0/8, so sources differ by
// binding the client to 127.0.0.x.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Duplex, Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { pino } from 'pino';
import type { ClientIdentity } from '../../../gateway/auth/client-identity.ts';
import { V2_SIGNATURE } from '../../../gateway/auth/proxy-protocol.ts';
import { SanPrincipalMapper } from '../../../gateway/auth/san-principal.ts';
import { parseConfig } from '../../../gateway/config/schema.ts';
import { GatewayMetrics } from '../../../gateway/observability/gateway-metrics.ts';
import { ListenerAdmission, type AdmissionOptions } from '../../../gateway/session/admission.ts';
import { createTestPki, installServerCertificate, presentedSerial, type TestPki } from '../../harness/pki.ts';

type Route = 'bootstrap' | 'broker';
type Outcome = { admitted: ClientIdentity; route: Route } | { refused: string; detail: string };
type ServeOptions = Omit<AdmissionOptions, 'metrics'> & {
  /** What an admitted connection does (default: ends at once); the outcome is recorded before. */
  onAdmitted?: (socket: net.Socket, identity: ClientIdentity) => void;
};

/**
 * One listener's admission on two ephemeral ports (a bootstrap port and a broker port, as a gateway
 * listener has: one admission shared by both), recording what happened to each connection. It counts
 * into metrics of its own (returned): what a test reads there is this listener's doing alone.
 */
async function serve(pki: TestPki, listenerYaml: string, options: ServeOptions = {}) {
  const yaml = `backend: { bootstrapServers: ["127.0.0.1:9092"] }\nlisteners:\n  - name: t\n    bind: 127.0.0.1:9093\n    routing: { basePort: 9100 }\n${listenerYaml.replace(/^/gm, '    ')}\nauthorization: { mode: off }\n`;
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
  const metrics = new GatewayMetrics();
  const admission = new ListenerAdmission(config, pino({ level: 'debug' }, stream), { ...options, metrics: metrics.proxy });
  const listen = async (route: Route) => {
    const server = net.createServer((raw) =>
      admission.admit(raw, (socket, identity) => {
        outcomes.push({ admitted: identity, route });
        if (options.onAdmitted) options.onAdmitted(socket, identity);
        else socket.end();
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return server;
  };
  const server = await listen('bootstrap');
  const brokerServer = await listen('broker');
  const port = (server.address() as net.AddressInfo).port;
  const brokerPort = (brokerServer.address() as net.AddressInfo).port;
  /** Waits for the outcome of the next connection. */
  const next = async (): Promise<Outcome> => {
    const deadline = Date.now() + 10_000;
    while (outcomes.length === 0) {
      if (Date.now() > deadline) throw new Error('no admission outcome within 10 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    return outcomes.shift()!;
  };
  return {
    admission,
    metrics,
    port,
    brokerPort,
    next,
    outcomes,
    logs,
    close: () => {
      admission.close();
      server.close();
      brokerServer.close();
    },
  };
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
  assert.ok('refused' in o, `expected refusal '${reason}', got admission as ${'admitted' in o ? o.admitted.principal.toString() : ''}`);
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
    const gw = await serve(
      pki,
      mtls('required', 'principalMappingRules: ["RULE:^CN=([^,]+),O=Acme$/$1/L", "RULE:^CN=svc-(.*)$/service-$1/"]'),
    );
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
      assert.match(
        await gw.metrics.registry.getSingleMetricAsString('gatehouse_connections_refused_total'),
        /listener="t",reason="client-certificate-missing"} 1/,
      );
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
      const s = tls.connect(
        { host: '127.0.0.1', port, servername: 'localhost', ca: fs.readFileSync(pki.file('ca/ca.crt')), ...options },
        () => {
          resolve(`${s.getProtocol()} ${s.getCipher().name}`);
          setTimeout(() => s.destroy(), 500).unref(); // let the server finish its side of the handshake
        },
      );
      s.on('data', () => {});
      s.on('error', (err: Error) => resolve(`error: ${err.message}`));
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
      const second = pki.ca.issueServer({
        name: 'gateway-2',
        subject: { CN: 'localhost' },
        sans: [{ type: 'dns', value: 'localhost' }],
        keyBits: 2048,
      });
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
      assert.match(await gw.metrics.registry.getSingleMetricAsString('gatehouse_tls_last_reload_success'), /listener="t"} 0/);
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
    const hello = new Promise<Buffer>((resolve) =>
      sink.once('connection', (s) =>
        s.once('data', (d: Buffer) => {
          resolve(d);
          s.destroy();
        }),
      ),
    );
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
    const gw = await serve(
      pki,
      'plaintext: true\nnetwork:\n  identities: { 127.0.0.0/29: User:loopback-apps, 127.0.0.4/32: User:billing }',
    );
    try {
      for (const [source, principal] of [
        ['127.0.0.4', 'User:billing'],
        ['127.0.0.5', 'User:loopback-apps'],
      ]) {
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
    const gw = await serve(
      pki,
      `${serverTls()}\nproxyProtocol: { trustedSources: [127.0.0.1/32], allowDirect: true }\nnetwork: { deny: [10.9.9.0/24] }`,
    );
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

/** A plain TCP connection from `localAddress` (and `localPort`), resolved once connected. */
function connectFrom(port: number, o: { localAddress?: string; localPort?: number } = {}): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress: o.localAddress ?? '127.0.0.1', localPort: o.localPort });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Starts a TLS client on a connected socket (after whatever it sent first). */
function startTls(raw: net.Socket): tls.TLSSocket {
  raw.on('error', () => {});
  const s = tls.connect({ socket: raw, servername: 'localhost', ca: fs.readFileSync(pki.file('ca/ca.crt')) });
  s.on('error', () => {});
  s.on('data', () => {});
  return s;
}

/** Resolves when the socket is closed by the other side (or fails after `ms`). */
function closedWithin(socket: net.Socket, ms: number): Promise<number> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    if (socket.closed) return resolve(0);
    const timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms);
    socket.on('error', () => {});
    socket.resume(); // the end of a stream nobody reads is never seen
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - start);
    });
  });
}

async function metricValue(metrics: GatewayMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  const hit = metric?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return hit?.value ?? 0;
}

/** Waits until the listener holds no connection: every path that ends one released its slot once. */
async function listenerDrained(metrics: GatewayMetrics): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await metricValue(metrics, 'gatehouse_listener_connections', { listener: 't' })) !== 0) {
    assert.ok(
      Date.now() < deadline,
      `gatehouse_listener_connections stays at ${await metricValue(metrics, 'gatehouse_listener_connections', { listener: 't' })}`,
    );
    await new Promise((r) => setTimeout(r, 20));
  }
}

const PROXY_V2_LOCAL = Buffer.concat([V2_SIGNATURE, Buffer.from([0x20, 0x00, 0x00, 0x00])]);

describe('per-socket admission state', () => {
  test('two connections from the same source port to the bootstrap and a broker port keep their own PROXY client, principal and route', async () => {
    const gw = await serve(
      pki,
      `${serverTls()}\nproxyProtocol: { trustedSources: [127.0.0.1/32] }\nnetwork:\n  identities: { 10.0.0.1/32: User:alice, 10.0.0.2/32: User:bob }`,
    );
    try {
      const first = await connectFrom(gw.port);
      // Linux lets a second socket bind the same source address and port towards another destination.
      const second = await connectFrom(gw.brokerPort, { localPort: first.localPort });
      assert.equal(second.localPort, first.localPort);
      first.write('PROXY TCP4 10.0.0.1 127.0.0.1 5001 9093\r\n');
      second.write('PROXY TCP4 10.0.0.2 127.0.0.1 5002 9100\r\n');
      await new Promise((r) => setTimeout(r, 300)); // both headers read: both connections await their handshake
      startTls(first);
      startTls(second);
      const outcomes = [await gw.next(), await gw.next()];
      const byRoute = new Map(
        outcomes.map((o) => {
          assert.ok('admitted' in o, `expected admission, got ${JSON.stringify(o)}`);
          return [o.route, o.admitted] as const;
        }),
      );
      assert.equal(byRoute.get('bootstrap')?.principal.toString(), 'User:alice');
      assert.deepEqual([byRoute.get('bootstrap')?.address, byRoute.get('bootstrap')?.port], ['10.0.0.1', 5001]);
      assert.equal(byRoute.get('broker')?.principal.toString(), 'User:bob');
      assert.deepEqual([byRoute.get('broker')?.address, byRoute.get('broker')?.port], ['10.0.0.2', 5002]);
    } finally {
      gw.close();
    }
  });
});

describe('PROXY protocol on plaintext listeners', () => {
  test('the bytes after the header reach the session, from trusted balancers and direct clients alike', async () => {
    const echo = (socket: net.Socket) => socket.on('data', (d: Buffer) => socket.end(d));
    const gw = await serve(pki, 'plaintext: true\nproxyProtocol: { trustedSources: [127.0.0.1/32], allowDirect: true }', {
      onAdmitted: echo,
    });
    const roundTrip = async (localAddress: string, prefix: string) => {
      const s = await connectFrom(gw.port, { localAddress });
      const got: Buffer[] = [];
      s.on('data', (d: Buffer) => got.push(d));
      s.write(`${prefix}hello kafka`);
      await closedWithin(s, 5_000);
      return Buffer.concat(got).toString();
    };
    try {
      assert.equal(await roundTrip('127.0.0.1', 'PROXY TCP4 10.1.2.3 127.0.0.1 5555 9093\r\n'), 'hello kafka');
      assert.equal(admitted(await gw.next()).address, '10.1.2.3');
      assert.equal(await roundTrip('127.0.0.3', ''), 'hello kafka');
      assert.equal(admitted(await gw.next()).address, '127.0.0.3');
    } finally {
      gw.close();
    }
  });

  test('PROXY LOCAL and UNKNOWN name no client: refused, even on a listener without network rules', async () => {
    const gw = await serve(pki, 'plaintext: true\nproxyProtocol: { trustedSources: [127.0.0.1/32] }');
    try {
      for (const [header, what] of [
        [PROXY_V2_LOCAL, /v2 LOCAL/],
        ['PROXY UNKNOWN\r\n', /v1 UNKNOWN/],
      ] as const) {
        const s = await connectFrom(gw.port);
        s.write(header);
        await closedWithin(s, 5_000);
        refused(await gw.next(), 'proxy-unknown-source', what);
      }
    } finally {
      gw.close();
    }
    // With IP identities, the balancer's own address would otherwise map to a principal.
    const withIdentities = await serve(
      pki,
      `${serverTls()}\nproxyProtocol: { trustedSources: [127.0.0.1/32] }\nnetwork:\n  identities: { 127.0.0.1/32: User:balancer }`,
    );
    try {
      tlsClient(withIdentities.port, pki, { prefix: PROXY_V2_LOCAL });
      refused(await withIdentities.next(), 'proxy-unknown-source');
    } finally {
      withIdentities.close();
    }
  });
});

describe('exceptions during admission', () => {
  test('a SAN mapper that throws refuses that connection; the process and the next connection are fine', async () => {
    const gw = await serve(pki, mtls('required', 'principalFromSan: [{ type: uri }]'));
    const original = Object.getOwnPropertyDescriptor(SanPrincipalMapper.prototype, 'nameFrom')!;
    const nameFrom = original.value as SanPrincipalMapper['nameFrom'];
    SanPrincipalMapper.prototype.nameFrom = function (this: SanPrincipalMapper, cert) {
      if (String(typeof cert === 'object' ? cert.subject : '').includes('CN=crash')) throw new Error('mapper bug');
      return nameFrom.call(this, cert);
    };
    try {
      tlsClient(gw.port, pki, pki.client('crash', { sans: [{ type: 'uri', value: 'spiffe://acme.test/crash' }] }));
      refused(await gw.next(), 'principal-mapping-failed', /mapper bug/);
      tlsClient(gw.port, pki, pki.client('fine', { sans: [{ type: 'uri', value: 'spiffe://acme.test/fine' }] }));
      assert.equal(admitted(await gw.next()).principal.toString(), 'User:spiffe://acme.test/fine');
    } finally {
      Object.defineProperty(SanPrincipalMapper.prototype, 'nameFrom', original);
      gw.close();
    }
  });

  test('an exception in a later step (here: the session start) refuses with internal-error', async () => {
    let calls = 0;
    const gw = await serve(pki, 'plaintext: true', {
      onAdmitted: (socket) => {
        if (calls++ === 0) throw new Error('session could not start');
        socket.end();
      },
    });
    try {
      const s = await connectFrom(gw.port);
      await closedWithin(s, 5_000);
      admitted(await gw.next()); // recorded before the failing step
      refused(await gw.next(), 'internal-error', /session could not start/);
      await connectFrom(gw.port);
      admitted(await gw.next());
    } finally {
      gw.close();
    }
  });
});

describe('deadlines for the first bytes', () => {
  test('a PROXY header that never comes, or trickles in, is cut at headerTimeoutMs from accept', async () => {
    const gw = await serve(pki, 'plaintext: true\nproxyProtocol: { trustedSources: [127.0.0.1/32], headerTimeoutMs: 400 }');
    try {
      const silent = await connectFrom(gw.port);
      const silentAfter = await closedWithin(silent, 5_000);
      refused(await gw.next(), 'proxy-timeout');
      assert.ok(silentAfter >= 300, `closed after ${silentAfter} ms`);
      const trickle = await connectFrom(gw.port);
      const header = 'PROXY TCP4 10.1.2.3 127.0.0.1 5555 9093\r\n';
      let i = 0;
      const drip = setInterval(() => i < header.length && !trickle.destroyed && trickle.write(header[i++]), 100);
      const trickleAfter = await closedWithin(trickle, 5_000).finally(() => clearInterval(drip));
      refused(await gw.next(), 'proxy-timeout');
      assert.ok(trickleAfter < 2_000, `a trickling header must not extend the deadline (closed after ${trickleAfter} ms)`);
    } finally {
      gw.close();
    }
    // With allowDirect, a direct client's first bytes have the same deadline.
    const direct = await serve(
      pki,
      'plaintext: true\nproxyProtocol: { trustedSources: [127.0.0.1/32], allowDirect: true, headerTimeoutMs: 400 }',
    );
    try {
      await closedWithin(await connectFrom(direct.port, { localAddress: '127.0.0.3' }), 5_000);
      refused(await direct.next(), 'proxy-timeout', /no bytes within 400 ms/);
    } finally {
      direct.close();
    }
  });

  test('a TLS handshake that never starts, or stalls after the ClientHello, is cut at handshakeTimeoutMs', async () => {
    const gw = await serve(pki, `${serverTls()}\n  handshakeTimeoutMs: 500`);
    try {
      const silent = await connectFrom(gw.port);
      const silentAfter = await closedWithin(silent, 5_000);
      refused(await gw.next(), 'tls-handshake-timeout');
      assert.ok(silentAfter >= 400, `closed after ${silentAfter} ms`);
      // A real ClientHello, then nothing: the server answers and waits for the client's next flight.
      const stalled = await connectFrom(gw.port);
      const hello = await new Promise<Buffer>((resolve) => {
        const capture = new Duplex({
          read() {},
          write(chunk: Buffer, _e: string, done: () => void) {
            resolve(chunk);
            done();
          },
        });
        tls.connect({ socket: capture, servername: 'localhost' }).on('error', () => {});
      });
      stalled.write(hello);
      const stalledAfter = await closedWithin(stalled, 5_000);
      refused(await gw.next(), 'tls-handshake-timeout');
      assert.ok(stalledAfter >= 400, `closed after ${stalledAfter} ms`);
      // The same ClientHello a byte every 100 ms: trickling does not extend the deadline.
      const trickle = await connectFrom(gw.port);
      let i = 0;
      const drip = setInterval(() => i < hello.length && !trickle.destroyed && trickle.write(hello.subarray(i, ++i)), 100);
      const trickleAfter = await closedWithin(trickle, 5_000).finally(() => clearInterval(drip));
      refused(await gw.next(), 'tls-handshake-timeout');
      assert.ok(trickleAfter < 2_000, `closed after ${trickleAfter} ms`);
    } finally {
      gw.close();
    }
  });
});

describe('connection limits', () => {
  test('maxConnections: the listener refuses beyond it, and a closed connection frees its slot', async () => {
    const held: net.Socket[] = [];
    const gw = await serve(pki, 'plaintext: true\nconnectionLimits: { maxConnections: 2 }', { onAdmitted: (s) => held.push(s) });
    try {
      const clients = [await connectFrom(gw.port), await connectFrom(gw.brokerPort)];
      admitted(await gw.next());
      admitted(await gw.next());
      const third = await connectFrom(gw.port);
      await closedWithin(third, 5_000);
      refused(await gw.next(), 'max-connections', /maximum of 2/);
      assert.equal(await metricValue(gw.metrics, 'gatehouse_listener_connections', { listener: 't' }), 2);
      clients[0].destroy();
      const deadline = Date.now() + 5_000;
      while ((await metricValue(gw.metrics, 'gatehouse_listener_connections', { listener: 't' })) !== 1) {
        assert.ok(Date.now() < deadline, 'the closed connection still holds its slot');
        await new Promise((r) => setTimeout(r, 20));
      }
      await connectFrom(gw.port);
      admitted(await gw.next());
    } finally {
      for (const s of held) s.destroy();
      gw.close();
    }
    await listenerDrained(gw.metrics);
  });

  test('maxConnectionsPerIp counts the real client (after PROXY); a CIDR override replaces it', async () => {
    const held: net.Socket[] = [];
    const gw = await serve(
      pki,
      'plaintext: true\nproxyProtocol: { trustedSources: [127.0.0.1/32] }\nconnectionLimits:\n  maxConnectionsPerIp: 1\n  maxConnectionsPerIpOverrides: { 10.9.0.0/16: 3, 10.9.9.9: 0 }',
      { onAdmitted: (s) => held.push(s) },
    );
    const from = async (client: string) => {
      const s = await connectFrom(gw.port);
      s.write(`PROXY TCP4 ${client} 127.0.0.1 4000 9093\r\n`);
      return gw.next();
    };
    try {
      admitted(await from('10.1.0.1'));
      refused(await from('10.1.0.1'), 'max-connections-per-ip', /10\.1\.0\.1 has its maximum of 1/);
      admitted(await from('10.1.0.2')); // same balancer, another client
      for (let i = 0; i < 3; i++) admitted(await from('10.9.1.1'));
      refused(await from('10.9.1.1'), 'max-connections-per-ip', /maximum of 3/);
      refused(await from('10.9.9.9'), 'max-connections-per-ip', /maximum of 0/);
    } finally {
      for (const s of held) s.destroy();
      gw.close();
    }
    await listenerDrained(gw.metrics);
  });

  test('maxConnectionCreationRatePerIp: a burst beyond the rate is refused for that address only, and tokens come back', async () => {
    const gw = await serve(pki, 'plaintext: true\nconnectionLimits: { maxConnectionCreationRatePerIp: 3 }');
    try {
      for (let i = 0; i < 3; i++) {
        await connectFrom(gw.port, { localAddress: '127.0.0.4' });
        admitted(await gw.next());
      }
      await connectFrom(gw.port, { localAddress: '127.0.0.4' });
      refused(await gw.next(), 'connection-rate', /more than 3 new connections per second from 127\.0\.0\.4/);
      await connectFrom(gw.port, { localAddress: '127.0.0.5' });
      admitted(await gw.next());
      await new Promise((r) => setTimeout(r, 700)); // ≥ 2 tokens back at 3 per second
      await connectFrom(gw.port, { localAddress: '127.0.0.4' });
      admitted(await gw.next());
    } finally {
      gw.close();
    }
    await listenerDrained(gw.metrics);
  });

  test('every way a connection ends releases its slot exactly once', async () => {
    const held: net.Socket[] = [];
    const gw = await serve(
      pki,
      `${serverTls()}\n  handshakeTimeoutMs: 300\nnetwork: { deny: [127.0.0.9/32] }\nconnectionLimits: { maxConnections: 3, maxConnectionsPerIp: 3 }`,
      { onAdmitted: (s) => held.push(s) },
    );
    try {
      for (let round = 0; round < 3; round++) {
        (await connectFrom(gw.port, { localAddress: '127.0.0.9' })).on('error', () => {}); // ip-denied
        refused(await gw.next(), 'ip-denied');
        await connectFrom(gw.port); // handshake timeout
        refused(await gw.next(), 'tls-handshake-timeout');
        (await connectFrom(gw.port)).end('not TLS at all\r\n\r\n'); // handshake failure
        refused(await gw.next(), 'tls-handshake-failed');
        const client = startTls(await connectFrom(gw.port)); // admitted, then closed by the client
        admitted(await gw.next());
        client.destroy();
        startTls(await connectFrom(gw.brokerPort)); // admitted, then closed by the server
        admitted(await gw.next());
        held.pop()!.destroy();
        await listenerDrained(gw.metrics);
      }
      // Had any path released twice, the counts would be below zero and more than 3 would get in.
      const clients = [];
      for (let i = 0; i < 4; i++) clients.push(startTls(await connectFrom(gw.port)));
      const outcomes = [await gw.next(), await gw.next(), await gw.next(), await gw.next()];
      assert.equal(outcomes.filter((o) => 'admitted' in o).length, 3);
      assert.equal(outcomes.filter((o) => 'refused' in o && o.refused === 'max-connections').length, 1);
      for (const c of clients) c.destroy();
    } finally {
      for (const s of held) s.destroy();
      gw.close();
    }
    await listenerDrained(gw.metrics);
  });
});

describe('refusal log lines', () => {
  test('a flood of refusals logs a few lines per second and a suppressed count; the counter counts them all', async () => {
    const gw = await serve(pki, 'plaintext: true\nnetwork: { deny: [127.0.0.66/32] }', {
      refusalLog: { linesPerSecond: 5, reportIntervalMs: 300 },
    });
    const before = await metricValue(gw.metrics, 'gatehouse_connections_refused_total', { listener: 't', reason: 'ip-denied' });
    const started = Date.now();
    const flood = 300;
    try {
      await Promise.all(
        Array.from({ length: flood }, async () => {
          const s = await connectFrom(gw.port, { localAddress: '127.0.0.66' });
          await closedWithin(s, 10_000);
        }),
      );
      const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
      await new Promise((r) => setTimeout(r, 500)); // one more report interval
      const lines = gw.logs.filter((l) => l.event === 'connection_refused' && l.reason === 'ip-denied');
      const suppressed = gw.logs.filter((l) => l.event === 'connection_refused_suppressed' && l.reason === 'ip-denied');
      assert.ok(lines.length <= 5 * seconds, `${lines.length} refusal lines in about ${seconds} s`);
      assert.ok(suppressed.length >= 1);
      assert.equal(suppressed[0].listener, 't');
      assert.equal(
        lines.length + suppressed.reduce((n, l) => n + Number(l.suppressed), 0),
        flood,
        'every refusal is a line or in a suppressed count',
      );
      assert.equal(
        (await metricValue(gw.metrics, 'gatehouse_connections_refused_total', { listener: 't', reason: 'ip-denied' })) - before,
        flood,
      );
    } finally {
      gw.close();
    }
  });
});
