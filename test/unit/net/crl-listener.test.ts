// CRLs on a TLS listener, with real TLS clients over loopback and CRLs made by the project's
// certificate tool: an expired CRL or one signed by another CA is refused at reload (the last good
// CRL stays, so clients keep getting in) and at start (a config error naming the file); each CRL's
// nextUpdate is a metric; crl_expiring is logged before it passes and crl_expired once it has, after
// which new clients of that CA are refused (CRL_HAS_EXPIRED: fail closed).
import assert from 'node:assert/strict';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { parseConfig } from '../../../gateway/config/schema.ts';
import type { GatewayMetrics } from '../../../gateway/observability/gateway-metrics.ts';
import { startGateway } from '../../../gateway/session/gateway.ts';
import { writeCrl } from '../../harness/crls.ts';
import { createTestPki, type TestPki } from '../../harness/pki.ts';
import { freePorts } from '../../harness/ports.ts';
import { connectTls, serveTlsListener, type Outcome } from './tls-listener-fixture.ts';

const DAY = 86_400_000;
const CA = 'CN=Gatehouse Test CA,O=Gatehouse Tests';
let pki: TestPki;
before(() => {
  pki = createTestPki();
});
after(() => pki.cleanup());

const mtls = (crlFile: string, extra = '') =>
  `certificate: ${pki.file(pki.server.certFile)}\nkey: ${pki.file(pki.server.keyFile)}\nclientAuth: required\nclientCa: ${pki.file('ca/ca.crt')}\ncrl: ${crlFile}${extra}`;

function admitted(o: Outcome): void {
  assert.ok('admitted' in o, `expected admission, got ${JSON.stringify(o)}`);
}

async function nextUpdateMetric(metrics: GatewayMetrics, listener: string): Promise<number | undefined> {
  const text = await metrics.registry.getSingleMetricAsString('gatehouse_tls_crl_next_update_timestamp_seconds');
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`gatehouse_tls_crl_next_update_timestamp_seconds{listener="${listener}",issuer="${CA}"}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('reload', () => {
  test('an expired CRL and a CRL of another CA are refused; the last good CRL stays and clients still get in', async () => {
    const crlFile = path.join(pki.dir, 'reload.crl.pem');
    const firstNextUpdate = writeCrl(pki.ca, crlFile, { days: 30 });
    const gw = await serveTlsListener(pki, 'crl-reload', mtls(crlFile));
    const alice = pki.client('alice');
    const connect = async () => {
      const s = await connectTls(gw.port, pki, { certFile: alice.cert, keyFile: alice.key }).catch(() => null);
      const o = await gw.next();
      s?.destroy();
      return o;
    };
    try {
      admitted(await connect());
      assert.equal(await nextUpdateMetric(gw.metrics, 'crl-reload'), Math.floor(firstNextUpdate.getTime() / 1000));

      // Expired: nextUpdate yesterday (the file is polled; wait for the refusal to be logged).
      writeCrl(pki.ca, crlFile, { thisUpdate: new Date(Date.now() - 8 * DAY), days: 7 });
      const expired = await gw.waitForLog((l) => l.event === 'tls_reload_failed');
      assert.equal(expired.file, crlFile);
      assert.match(String(expired.err), /the CRL expired on .*\(nextUpdate\)/);
      assert.ok(!gw.logs.some((l) => l.event === 'tls_reloaded'), 'the expired CRL was not put in force');
      admitted(await connect());
      assert.equal(
        await nextUpdateMetric(gw.metrics, 'crl-reload'),
        Math.floor(firstNextUpdate.getTime() / 1000),
        'the metric shows the CRL in force',
      );
      assert.match(await gw.metrics.registry.getSingleMetricAsString('gatehouse_tls_last_reload_success'), /listener="crl-reload"} 0/);

      // Another CA's CRL, through SIGHUP this time.
      writeCrl(pki.stranger, crlFile, { days: 7 });
      gw.admission.reloadTls('SIGHUP');
      const foreign = gw.logs.filter((l) => l.event === 'tls_reload_failed').at(-1)!;
      assert.equal(foreign.trigger, 'SIGHUP');
      assert.match(String(foreign.err), /issued by 'CN=Stranger CA', which is not a client CA/);
      admitted(await connect());

      // A good CRL comes into force and the metric follows it.
      const newNextUpdate = writeCrl(pki.ca, crlFile, { days: 14 });
      gw.admission.reloadTls('SIGHUP');
      assert.ok(gw.logs.some((l) => l.event === 'tls_reloaded'));
      assert.equal(await nextUpdateMetric(gw.metrics, 'crl-reload'), Math.floor(newNextUpdate.getTime() / 1000));
      admitted(await connect());
    } finally {
      gw.close();
    }
  });
});

describe('start', () => {
  test('an expired CRL stops the start with a config error naming the file; so does a CRL of another CA', async () => {
    const [port] = await freePorts(1);
    const sink = new Writable({ write: (_c, _e, done) => done() });
    for (const [name, make, reason] of [
      [
        'expired.crl.pem',
        (f: string) => writeCrl(pki.ca, f, { thisUpdate: new Date(Date.now() - 3 * DAY), days: 1 }),
        /the CRL expired on/,
      ],
      ['foreign.crl.pem', (f: string) => writeCrl(pki.stranger, f, { days: 7 }), /not a client CA/],
    ] as const) {
      const crlFile = path.join(pki.dir, name);
      make(crlFile);
      const yaml = `backend: { bootstrapServers: ["127.0.0.1:9"] }\nlisteners:\n  - name: s\n    bind: 127.0.0.1:${port}\n    routing: { basePort: ${port + 1} }\n    tls:\n${mtls(crlFile).replace(/^/gm, '      ')}\nauthorization: { mode: off }\n`;
      const configFile = path.join(pki.dir, 'start.yaml');
      const started = startGateway(parseConfig(yaml, configFile), pino({}, sink));
      await assert.rejects(started, (err: Error) => {
        assert.equal(err.name, 'ConfigError');
        assert.ok(err.message.startsWith(`${configFile}:`), err.message);
        assert.ok(err.message.includes(crlFile), err.message);
        assert.match(err.message, reason);
        return true;
      });
      // Had it started (it must not), stop it so nothing is left listening.
      await started.then(
        (g) => g.shutdown(0),
        () => undefined,
      );
    }
  });
});

describe('expiry', () => {
  test('crlExpiryWarningMs needs crl and is a duration of at least a second', () => {
    const yaml = (tlsExtra: string) =>
      `backend: { bootstrapServers: ["127.0.0.1:9"] }\nlisteners:\n  - name: c\n    bind: 127.0.0.1:9093\n    routing: { basePort: 9100 }\n    tls:\n      certificate: ${pki.file(pki.server.certFile)}\n      key: ${pki.file(pki.server.keyFile)}\n      clientAuth: required\n      clientCa: ${pki.file('ca/ca.crt')}\n${tlsExtra}\nauthorization: { mode: off }\n`;
    const file = path.join(pki.dir, 'warning.yaml');
    assert.throws(() => parseConfig(yaml('      crlExpiryWarningMs: 60000'), file), /crlExpiryWarningMs goes with crl/);
    assert.throws(() => parseConfig(yaml(`      crl: ${pki.file('ca/crl.pem')}\n      crlExpiryWarningMs: 5`), file), /crlExpiryWarningMs/);
    assert.equal(
      parseConfig(yaml(`      crl: ${pki.file('ca/crl.pem')}\n      crlExpiryWarningMs: 60000`), file).listeners[0].tls?.crlExpiryWarningMs,
      60_000,
    );
    assert.equal(parseConfig(yaml(`      crl: ${pki.file('ca/crl.pem')}`), file).listeners[0].tls?.crlExpiryWarningMs, null);
  });

  test('crl_expiring is logged at load when less than the warning window is left; the metric is the nextUpdate', async () => {
    const crlFile = path.join(pki.dir, 'soon.crl.pem');
    const nextUpdate = writeCrl(pki.ca, crlFile, { days: 1 });
    const gw = await serveTlsListener(pki, 'crl-soon', mtls(crlFile, `\ncrlExpiryWarningMs: ${2 * DAY}`));
    try {
      const line = await gw.waitForLog((l) => l.event === 'crl_expiring');
      assert.equal(line.level, 40); // warn
      assert.equal(line.file, crlFile);
      assert.equal(line.issuer, CA);
      assert.equal(line.nextUpdate, nextUpdate.toISOString());
      assert.equal(await nextUpdateMetric(gw.metrics, 'crl-soon'), Math.floor(nextUpdate.getTime() / 1000));
    } finally {
      gw.close();
    }
    // With a year's CRL and the default window (a quarter of its validity), nothing is logged.
    writeCrl(pki.ca, crlFile, { days: 365 });
    const calm = await serveTlsListener(pki, 'crl-calm', mtls(crlFile));
    try {
      assert.ok(calm.logs.some((l) => l.event === 'tls_loaded'));
      assert.ok(!calm.logs.some((l) => l.event === 'crl_expiring' || l.event === 'crl_expired'));
    } finally {
      calm.close();
    }
  });

  test('a CRL that passes its nextUpdate while in force is logged as crl_expired, and new clients of its CA are refused', async () => {
    const crlFile = path.join(pki.dir, 'short.crl.pem');
    // Valid for 8 s: long enough to load on a busy machine, short enough to watch it pass.
    const nextUpdate = writeCrl(pki.ca, crlFile, { days: 8 / 86_400 });
    const gw = await serveTlsListener(pki, 'crl-short', mtls(crlFile));
    const dave = pki.client('dave');
    try {
      const waitMs = nextUpdate.getTime() - Date.now() + 15_000;
      const line = await gw.waitForLog((l) => l.event === 'crl_expired', waitMs);
      assert.ok(Date.now() >= nextUpdate.getTime(), 'logged only once nextUpdate has passed');
      assert.equal(line.level, 50); // error
      assert.equal(line.file, crlFile);
      assert.equal(line.issuer, CA);
      const s = await connectTls(gw.port, pki, { certFile: dave.cert, keyFile: dave.key }).catch(() => null);
      const o = await gw.next();
      s?.destroy();
      assert.ok('refused' in o && o.refused === 'client-certificate-invalid', JSON.stringify(o));
      assert.match(o.detail, /CRL_HAS_EXPIRED/);
    } finally {
      gw.close();
    }
  });
});
