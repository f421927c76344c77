import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Enforcer } from '../../../../../gateway/authz/enforce/enforcer.ts';
import { NO_AUTHORIZATION_ENFORCERS } from '../../../../../gateway/authz/enforce/security/no-authorization.ts';
import { defaultRegistry } from '../../../../../gateway/authz/enforce/registry.ts';
import { apiName, type TypedApiKey, versionRange, ZERO_UUID } from '../../../../../gateway/protocol/index.ts';
import { requestView, testContext } from '../context.ts';

const BODIES: Record<number, object> = {
  17: { mechanism: 'PLAIN' },
  18: { clientSoftwareName: 'test', clientSoftwareVersion: '1.0' },
  36: { authBytes: Buffer.from('\0alice\0secret') },
  71: { clientInstanceId: ZERO_UUID },
  72: { clientInstanceId: ZERO_UUID, subscriptionId: 1, terminating: false, compressionType: 0, metrics: Buffer.alloc(0) },
};

test('ApiVersions, SASL and telemetry are each covered at every version of the codec tables', () => {
  assert.deepEqual(
    NO_AUTHORIZATION_ENFORCERS.map((e) => e.apiKey).sort((a, b) => a - b),
    [17, 18, 36, 71, 72],
  );
  for (const e of NO_AUTHORIZATION_ENFORCERS) assert.deepEqual(e.versions, versionRange(e.apiKey));
});

for (const enforcer of NO_AUTHORIZATION_ENFORCERS as readonly Enforcer<TypedApiKey>[]) {
  const { min, max } = enforcer.versions;
  for (const v of [...new Set([min, max])]) {
    test(`${apiName(enforcer.apiKey)} v${v}: forwarded untouched with no memo and no question, even with no ACL at all`, () => {
      const ctx = testContext([], { principal: 'User:ANONYMOUS' });
      assert.deepEqual(enforcer.onRequest(requestView(enforcer.apiKey, v, BODIES[enforcer.apiKey]), ctx), { action: 'forward' });
      assert.deepEqual(ctx.asked, []);
    });
  }
}

test('the registry serves the security group (ApiVersions, ACL APIs, tokens)', () => {
  const registry = defaultRegistry();
  for (const key of [17, 18, 29, 30, 31, 36, 38, 39, 40, 41, 71, 72]) {
    const range = versionRange(key);
    assert.ok(range, `key ${key} in the tables`);
    assert.deepEqual(registry.range(key), range, `registry range of key ${key}`);
    assert.ok(registry.enforcerFor(key, range.max), `an enforcer for key ${key} v${range.max}`);
  }
});
