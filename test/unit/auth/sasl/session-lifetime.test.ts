// SessionLifetimeMs (spec §4.8): connections.max.reauth.ms capped by the credential's own expiry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sessionLifetime } from '../../../../gateway/auth/sasl/session-lifetime.ts';

const NOW = 1_700_000_000_000;

test('neither a configured lifetime nor a credential expiry: 0, no expiry', () => {
  assert.deepEqual(sessionLifetime(0, null, NOW), { lifetimeMs: 0, expiresAtMs: null });
});

test('only the configured lifetime', () => {
  assert.deepEqual(sessionLifetime(60_000, null, NOW), { lifetimeMs: 60_000, expiresAtMs: NOW + 60_000 });
});

test('only a credential expiry: the time left until it', () => {
  assert.deepEqual(sessionLifetime(0, NOW + 5_000, NOW), { lifetimeMs: 5_000, expiresAtMs: NOW + 5_000 });
});

test('both: the smaller', () => {
  assert.deepEqual(sessionLifetime(60_000, NOW + 5_000, NOW), { lifetimeMs: 5_000, expiresAtMs: NOW + 5_000 });
  assert.deepEqual(sessionLifetime(3_000, NOW + 5_000, NOW), { lifetimeMs: 3_000, expiresAtMs: NOW + 3_000 });
});

test('a credential already expired: 0 and expired at once (negative becomes 0)', () => {
  assert.deepEqual(sessionLifetime(60_000, NOW - 1, NOW), { lifetimeMs: 0, expiresAtMs: NOW });
});
