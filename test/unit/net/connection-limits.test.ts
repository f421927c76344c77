// The listener's connection limits on their own, with a controlled clock (the admission tests drive
// them through real sockets).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionLimits } from '../../../gateway/net/connection-limits.ts';

test('a release counts once, however often it is called', () => {
  const limits = new ConnectionLimits({ maxConnections: 2, maxConnectionsPerIp: 1, creationRatePerIp: null });
  const a = limits.acquireListenerSlot();
  const ip = limits.acquireAddressSlot('10.0.0.1');
  assert.ok(a.ok && ip.ok);
  a.release();
  a.release();
  ip.release();
  ip.release();
  assert.equal(limits.openConnections, 0);
  assert.equal(limits.openFrom('10.0.0.1'), 0);
  const b = limits.acquireListenerSlot();
  const c = limits.acquireListenerSlot();
  assert.ok(b.ok && c.ok);
  assert.deepEqual(limits.acquireListenerSlot().ok, false);
});

test('the creation rate refills with time, and the table of addresses stays bounded', () => {
  let now = 0;
  const limits = new ConnectionLimits({
    maxConnections: null,
    maxConnectionsPerIp: null,
    creationRatePerIp: 2,
    rateTableSize: 100,
    now: () => now,
  });
  assert.ok(limits.acquireAddressSlot('10.0.0.1').ok);
  assert.ok(limits.acquireAddressSlot('10.0.0.1').ok);
  const third = limits.acquireAddressSlot('10.0.0.1');
  assert.ok(!third.ok && third.reason === 'connection-rate');
  now = 500; // one token back at 2 per second
  assert.ok(limits.acquireAddressSlot('10.0.0.1').ok);
  assert.equal(limits.acquireAddressSlot('10.0.0.1').ok, false);
  for (let i = 0; i < 10_000; i++) limits.acquireAddressSlot(`10.1.${i >> 8}.${i & 255}`);
  const table = (limits as unknown as { buckets: Map<string, unknown> }).buckets;
  assert.ok(table.size <= 100, `${table.size} addresses remembered`);
});
