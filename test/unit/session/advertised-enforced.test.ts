// Every API the gateway advertises with authorization on is enforced: a backend offering every key and
// version the codec knows is narrowed, by the gateway's own wiring, to exactly what the enforcer
// registry covers; everything else is neither advertised nor served (the session closes the connection).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultRegistry } from '../../../gateway/authz/enforce/registry.ts';
import { allApiKeys, apiName, servedToClients, versionRange } from '../../../gateway/protocol/index.ts';
import { AdvertisedVersions } from '../../../gateway/routing/api-versions.ts';
import { enforceableRange } from '../../../gateway/session/gateway.ts';

const BACKEND = { host: '127.0.0.1', port: 9092 };

test('with every key and version offered by the backend, each one advertised has an enforcer, and each client-facing one is advertised', () => {
  const registry = defaultRegistry();
  const versions = new AdvertisedVersions(enforceableRange(registry));
  const everything = allApiKeys().map((apiKey) => ({
    apiKey,
    minVersion: versionRange(apiKey)!.min,
    maxVersion: versionRange(apiKey)!.max,
  }));
  versions.learn(BACKEND, everything);
  const unenforcedButAdvertised: string[] = [];
  const clientFacingNotAdvertised: string[] = [];
  for (const { apiKey, minVersion, maxVersion } of everything) {
    for (let v = minVersion; v <= maxVersion; v++) {
      const advertised = versions.allows(BACKEND, apiKey, v);
      const enforced = registry.enforcerFor(apiKey, v) !== undefined;
      if (advertised && !enforced) unenforcedButAdvertised.push(`${apiName(apiKey)} v${v}`);
      if (servedToClients(apiKey) && !advertised) clientFacingNotAdvertised.push(`${apiName(apiKey)} v${v}`);
    }
  }
  assert.deepEqual(unenforcedButAdvertised, []);
  // Fail closed must not mean "quietly missing": every API a broker serves on its client listener is enforced.
  assert.deepEqual(clientFacingNotAdvertised, []);
});

test('keys a broker serves only to controllers (and ZooKeeper-era keys) are never advertised, even when enforcers exist for nothing else', () => {
  const versions = new AdvertisedVersions(enforceableRange(defaultRegistry()));
  versions.learn(
    BACKEND,
    allApiKeys().map((apiKey) => ({ apiKey, minVersion: versionRange(apiKey)!.min, maxVersion: versionRange(apiKey)!.max })),
  );
  const controllerOnly = allApiKeys().filter((k) => !servedToClients(k));
  assert.ok(controllerOnly.length > 0);
  for (const k of controllerOnly) assert.equal(versions.allows(BACKEND, k, versionRange(k)!.min), false, apiName(k));
});
