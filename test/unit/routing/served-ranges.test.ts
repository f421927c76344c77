// A Kafka 4.x backend advertises Produce from v0 but closes the connection on v0–2 (KAFKA-18659): the
// gateway advertises what the broker advertises and serves what the broker serves, so such a request is
// refused before authorization, as a secured 4.x broker refuses it. A 3.x backend serves v0–2.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdvertisedVersions, servedRanges, type ApiRange } from '../../../gateway/routing/api-versions.ts';

const BACKEND = { host: '127.0.0.1', port: 9092 };
const kafka4: ApiRange[] = [
  { apiKey: 0, minVersion: 0, maxVersion: 13 },
  { apiKey: 1, minVersion: 4, maxVersion: 18 },
  { apiKey: 3, minVersion: 0, maxVersion: 13 },
];
const kafka39: ApiRange[] = [
  { apiKey: 0, minVersion: 0, maxVersion: 11 },
  { apiKey: 1, minVersion: 0, maxVersion: 17 },
  { apiKey: 3, minVersion: 0, maxVersion: 12 },
];

test('a 4.x backend: Produce v0–2 is advertised as the broker does, but not served', () => {
  const versions = new AdvertisedVersions();
  versions.learn(BACKEND, kafka4);
  assert.deepEqual(
    versions.intersect(kafka4).find((r) => r.apiKey === 0),
    { apiKey: 0, minVersion: 0, maxVersion: 13 },
  );
  for (const v of [0, 1, 2]) assert.equal(versions.allows(BACKEND, 0, v), false, `Produce v${v}`);
  assert.equal(versions.allows(BACKEND, 0, 3), true);
  assert.equal(versions.allows(BACKEND, 3, 0), true, 'other APIs keep their ranges');
});

test('a 3.9 backend serves Produce v0–2, and the probe table follows the same rule', () => {
  const versions = new AdvertisedVersions();
  versions.update(kafka39);
  for (const v of [0, 1, 2, 11]) assert.equal(versions.allows(BACKEND, 0, v), true, `Produce v${v}`);
  versions.update(kafka4);
  assert.equal(versions.allows(BACKEND, 0, 2), false);
});

test('a backend advertising only the removed Produce versions serves none of them', () => {
  assert.deepEqual(
    servedRanges(
      [
        { apiKey: 0, minVersion: 0, maxVersion: 2 },
        { apiKey: 1, minVersion: 4, maxVersion: 4 },
      ],
      [{ apiKey: 0, minVersion: 0, maxVersion: 2 }],
    ),
    [],
  );
});
