// The CRL expiry reporter on a moving clock: when it logs crl_expiring and crl_expired (once per
// change, again each hour while it lasts), when it asks to be run again, and the next-update metric
// following the CRLs in force (an issuer whose CRL is gone loses its series).
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import type { CrlInForce, LoadedMaterial } from '../../../gateway/net/tls-material.ts';
import { GatewayMetrics } from '../../../gateway/observability/gateway-metrics.ts';
import { CrlExpiryReporter } from '../../../gateway/session/crl-expiry.ts';

const HOUR = 3_600_000;

test('crl_expiring then crl_expired, each logged when it starts and hourly after; the delay points at the next change', async () => {
  const events: Array<Record<string, unknown>> = [];
  const logger = pino(
    {},
    new Writable({
      write: (c, _e, done) => {
        events.push(JSON.parse(String(c)) as Record<string, unknown>);
        done();
      },
    }),
  );
  let now = new Date('2026-01-01T00:00:00Z');
  const { registry, proxy } = new GatewayMetrics();
  const reporter = new CrlExpiryReporter('r', logger, proxy.tlsCrlNextUpdate, null, () => now);
  const crl: CrlInForce = {
    file: 'a.pem',
    issuer: 'CN=A',
    thisUpdate: new Date('2026-01-01T00:00:00Z'),
    nextUpdate: new Date('2026-01-05T00:00:00Z'),
  };
  const material = (crls: CrlInForce[]) => ({ crls }) as unknown as LoadedMaterial;
  const names = () => events.map((e) => e.event);

  // Valid: nothing logged; the reporter asks again at most an hour later.
  assert.equal(reporter.check(material([crl])), HOUR);
  assert.deepEqual(names(), []);
  // Just before the last quarter: it asks to be run when the warning starts.
  now = new Date('2026-01-03T23:30:00Z');
  assert.equal(reporter.check(material([crl])), HOUR / 2 + 10);
  now = new Date('2026-01-04T00:00:00Z');
  reporter.check(material([crl]));
  assert.deepEqual(names(), ['crl_expiring']);
  now = new Date('2026-01-04T00:30:00Z');
  reporter.check(material([crl]));
  assert.deepEqual(names(), ['crl_expiring'], 'not repeated within the hour');
  now = new Date('2026-01-04T01:00:00Z');
  reporter.check(material([crl]));
  assert.deepEqual(names(), ['crl_expiring', 'crl_expiring'], 'repeated after an hour');
  now = new Date('2026-01-05T00:00:00Z');
  reporter.check(material([crl]));
  assert.deepEqual(names().slice(2), ['crl_expired']);
  assert.equal(events.at(-1)!.level, 50);
  assert.equal(events.at(-1)!.file, 'a.pem');

  // The metric follows the CRLs in force: the earliest nextUpdate per issuer; a gone issuer is removed.
  const b: CrlInForce = { file: 'b.pem', issuer: 'CN=B', thisUpdate: crl.thisUpdate, nextUpdate: new Date('2026-02-01T00:00:00Z') };
  reporter.check(material([crl, b, { ...b, file: 'b2.pem', nextUpdate: new Date('2026-01-20T00:00:00Z') }]));
  let text = await registry.getSingleMetricAsString('gatehouse_tls_crl_next_update_timestamp_seconds');
  assert.match(text, /\{listener="r",issuer="CN=A"\} 1767571200\n/);
  assert.match(text, /\{listener="r",issuer="CN=B"\} 1768867200(\n|$)/);
  reporter.check(material([b]));
  text = await registry.getSingleMetricAsString('gatehouse_tls_crl_next_update_timestamp_seconds');
  assert.doesNotMatch(text, /listener="r",issuer="CN=A"/);
  assert.match(text, /\{listener="r",issuer="CN=B"\} 1769904000(\n|$)/);
});
