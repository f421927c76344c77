// AdvertisedVersions.clientAnswer: what the gateway lists when it answers ApiVersions itself (before SASL
// authentication): the broker's advertised ranges ∩ the gateway's (not the served floors), and the
// broker's features, kept when a later answer below v3 carries none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdvertisedVersions, type ApiVersionsFeatures } from '../../../gateway/routing/api-versions.ts';

const BACKEND = { host: 'b1', port: 9092 };
const features = (epoch: bigint): ApiVersionsFeatures => ({
  supportedFeatures: [{ name: 'transaction.version', minVersion: 0, maxVersion: 2 }],
  finalizedFeaturesEpoch: epoch,
  finalizedFeatures: [{ name: 'transaction.version', maxVersionLevel: 2, minVersionLevel: 2 }],
  zkMigrationReady: false,
});
// A Kafka 4 broker: Produce advertised from v0 (served from v3), Fetch from v4.
const KAFKA4 = [
  { apiKey: 0, minVersion: 0, maxVersion: 12 },
  { apiKey: 1, minVersion: 4, maxVersion: 17 },
  { apiKey: 18, minVersion: 0, maxVersion: 4 },
];

test('null before any backend answered; then the probe, then the broker’s own answer', () => {
  const v = new AdvertisedVersions();
  assert.equal(v.clientAnswer(BACKEND), null);
  v.update(KAFKA4, features(1n));
  assert.equal(v.clientAnswer(BACKEND)!.features!.finalizedFeaturesEpoch, 1n);
  v.learn(BACKEND, KAFKA4, features(2n));
  assert.equal(v.clientAnswer(BACKEND)!.features!.finalizedFeaturesEpoch, 2n);
  assert.equal(v.clientAnswer({ host: 'b2', port: 9092 })!.features!.finalizedFeaturesEpoch, 1n, 'another broker: the probe’s');
});

test('the ranges are what the broker advertises (Produce from v0), while requests are served from v3', () => {
  const v = new AdvertisedVersions();
  v.learn(BACKEND, KAFKA4, null);
  assert.equal(v.clientAnswer(BACKEND)!.apiKeys.find((k) => k.apiKey === 0)!.minVersion, 0);
  assert.equal(v.allows(BACKEND, 0, 2), false);
  assert.equal(v.allows(BACKEND, 0, 3), true);
});

test('an answer below v3 (no features) keeps the features known', () => {
  const v = new AdvertisedVersions();
  v.learn(BACKEND, KAFKA4, features(5n));
  v.learn(BACKEND, KAFKA4, null);
  assert.equal(v.clientAnswer(BACKEND)!.features!.finalizedFeaturesEpoch, 5n);
});
