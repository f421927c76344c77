// CreateAcls with an ACL service: ALTER on the cluster first (31 in every result when denied, with the
// broker's "needs ALTER permission" text), then the service's per-creation results, answered later.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AclActor } from '../../../../../gateway/authz/acls/acl-binding.ts';
import { PolicyAclService } from '../../../../../gateway/authz/acls/policy-acl-service.ts';
import { createAclsEnforcer } from '../../../../../gateway/authz/enforce/security/create-acls.ts';
import type { Struct } from '../../../../../gateway/protocol/index.ts';
import { MemoryAclStore } from '../../acls/memory-store.ts';
import { requestView, roundTripResponse, testContext } from '../context.ts';

const caller: AclActor = { principal: 'User:alice', clientAddress: '10.0.0.5', listener: 'mtls' };
// Codes: resource TOPIC 2, pattern LITERAL 3 / PREFIXED 4, operation READ 3, permission ALLOW 3.
const creation = {
  resourceType: 2,
  resourceName: 't',
  resourcePatternType: 3,
  principal: 'User:bob',
  host: '*',
  operation: 3,
  permissionType: 3,
};

function setUp(acls: string[], opts: { superUsers?: string[]; store?: MemoryAclStore | null } = {}) {
  const store = opts.store === undefined ? new MemoryAclStore() : opts.store;
  const service = new PolicyAclService({ yamlBindings: () => [], store, audit: () => undefined });
  const ctx = { ...testContext(acls, { superUsers: opts.superUsers }), acls: service, caller };
  return { ctx, store };
}

type Decision = { action: string; body?: Struct | Promise<Struct>; reason?: string };

async function decide(ctx: ReturnType<typeof setUp>['ctx'], version: number, body: Struct): Promise<{ action: string; body?: Struct }> {
  const d = createAclsEnforcer.onRequest(requestView(createAclsEnforcer.apiKey, version, body), ctx) as Decision;
  if (d.body === undefined) return { action: d.action };
  return { action: d.action, body: roundTripResponse(createAclsEnforcer.apiKey, version, await d.body) };
}

describe('CreateAcls with ALTER on the cluster', () => {
  for (const v of [0, 1, 2, 3]) {
    test(`v${v}: answered once the store has the change; success "", refusals with their 42`, async () => {
      const { ctx, store } = setUp(['User:alice ALLOW ALTER CLUSTER kafka-cluster']);
      const d = await decide(ctx, v, { creations: [creation, { ...creation, resourceName: '' }, { ...creation, resourceName: 'u' }] });
      assert.equal(d.action, 'answer-later');
      assert.deepEqual(d.body, {
        throttleTimeMs: 0,
        results: [
          { errorCode: 0, errorMessage: '' },
          { errorCode: 42, errorMessage: 'Invalid empty resource name' },
          { errorCode: 0, errorMessage: '' },
        ],
      });
      assert.deepEqual(
        store!.bindings().map((b) => b.resource.name),
        ['t', 'u'],
      );
      assert.deepEqual(ctx.asked, [{ operation: 'ALTER', type: 'CLUSTER', name: 'kafka-cluster', quiet: false }]);
    });
  }
  test('the caller is who the store and the audit see', async () => {
    const { ctx, store } = setUp([], { superUsers: ['User:alice'] });
    await decide(ctx, 3, { creations: [{ ...creation, resourcePatternType: 4 }] });
    assert.deepEqual(
      store!.writes.map((w) => w.actor),
      [caller],
    );
    assert.equal(store!.bindings()[0].resource.patternType, 'PREFIXED');
  });
  test('managed ACLs off: 54 per creation with the config message', async () => {
    const { ctx } = setUp(['User:alice ALLOW ALTER CLUSTER kafka-cluster'], { store: null });
    const d = await decide(ctx, 3, { creations: [creation] });
    const results = d.body!.results as { errorCode: number; errorMessage: string }[];
    assert.deepEqual(
      results.map((r) => r.errorCode),
      [54],
    );
    assert.match(results[0].errorMessage, /managedAcls\.store: none/);
  });
});

describe('CreateAcls without ALTER on the cluster', () => {
  for (const v of [0, 3]) {
    test(`v${v}: 31 in every result with the broker's text, nothing stored`, async () => {
      const { ctx, store } = setUp(['User:alice ALLOW DESCRIBE CLUSTER kafka-cluster', 'User:alice ALLOW ALL TOPIC *']);
      const d = await decide(ctx, v, { creations: [creation, { ...creation, resourceName: '' }] });
      const errorMessage = `Request CreateAcls(apiVersion=${v}, clientId=test-client, correlationId=7) needs ALTER permission.`;
      assert.deepEqual(d, {
        action: 'answer',
        body: {
          throttleTimeMs: 0,
          results: [
            { errorCode: 31, errorMessage },
            { errorCode: 31, errorMessage },
          ],
        },
      });
      assert.equal(store!.writes.length, 0);
    });
  }
});

test('an UNKNOWN (0) code closes the connection before anything is asked, even with a service', async () => {
  const { ctx, store } = setUp(['User:alice ALLOW ALTER CLUSTER kafka-cluster']);
  const d = await decide(ctx, 3, { creations: [creation, { ...creation, permissionType: 0 }] });
  assert.equal(d.action, 'close');
  assert.deepEqual(ctx.asked, []);
  assert.equal(store!.writes.length, 0);
});

test('without a service: the no-authorizer answer, nothing asked', async () => {
  const ctx = testContext(['User:alice ALLOW ALTER CLUSTER kafka-cluster']);
  const d = createAclsEnforcer.onRequest(requestView(createAclsEnforcer.apiKey, 3, { creations: [creation] }), ctx) as Decision;
  assert.equal(d.action, 'answer');
  assert.deepEqual((d.body as Struct).results, [{ errorCode: 54, errorMessage: 'No Authorizer is configured.' }]);
  assert.deepEqual(ctx.asked, []);
});
