// DeleteAcls with an ACL service: ALTER on the cluster first (31 in every filter result when denied),
// then per filter the matching bindings — managed ones deleted (0), YAML ones kept and listed with 44 and
// the file to edit — in the response shape of each version.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AclActor, AclBinding } from '../../../../../gateway/authz/acls/acl-binding.ts';
import { PolicyAclService } from '../../../../../gateway/authz/acls/policy-acl-service.ts';
import { policyBindings } from '../../../../../gateway/authz/acls/policy-bindings.ts';
import { deleteAclsEnforcer } from '../../../../../gateway/authz/enforce/security/delete-acls.ts';
import { buildPolicy } from '../../../../../gateway/authz/policy-loader.ts';
import type { Struct } from '../../../../../gateway/protocol/index.ts';
import { MemoryAclStore } from '../../acls/memory-store.ts';
import { requestView, roundTripResponse, testContext } from '../context.ts';

const caller: AclActor = { principal: 'User:alice', clientAddress: '10.0.0.5', listener: 'mtls' };
// Rule `orders-read` sits on line 3.
const POLICY = `version: 1
rules:
  - id: orders-read
    allow: [READ]
    principals: [User:bob]
    resources:
      - topic: orders
`;
const loaded = buildPolicy([{ file: 'team.yaml', text: POLICY }]);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const yaml = policyBindings(loaded.policy);

const managed = (name: string, patternType: 'LITERAL' | 'PREFIXED' = 'LITERAL'): AclBinding => ({
  resource: { type: 'TOPIC', patternType, name },
  principal: 'User:carol',
  host: '10.0.0.9',
  operation: 'WRITE',
  permission: 'DENY',
});

// Codes: resource ANY 1 / TOPIC 2, pattern ANY 1 / MATCH 2 / LITERAL 3 / PREFIXED 4, operation ANY 1 /
// READ 3 / WRITE 4, permission ANY 1 / DENY 2 / ALLOW 3.
const filter = {
  resourceTypeFilter: 2,
  resourceNameFilter: 'orders',
  patternTypeFilter: 3,
  principalFilter: null,
  hostFilter: null,
  operation: 1,
  permissionType: 1,
};
const carolOrders = {
  errorCode: 0,
  errorMessage: null,
  resourceType: 2,
  resourceName: 'orders',
  patternType: 3,
  principal: 'User:carol',
  host: '10.0.0.9',
  operation: 4,
  permissionType: 2,
};
const bobOrders = {
  errorCode: 44,
  errorMessage: 'defined in team.yaml:3 (rule orders-read): edit that file to remove it',
  resourceType: 2,
  resourceName: 'orders',
  patternType: 3,
  principal: 'User:bob',
  host: '*',
  operation: 3,
  permissionType: 3,
};

function setUp(acls: string[]) {
  const store = new MemoryAclStore([managed('orders'), managed('ord', 'PREFIXED'), managed('payments')]);
  const service = new PolicyAclService({ yamlBindings: () => yaml, store, audit: () => undefined });
  const ctx = { ...testContext(acls), acls: service, caller };
  return { ctx, store, service };
}

type Decision = { action: string; body?: Struct | Promise<Struct> };

async function decide(ctx: ReturnType<typeof setUp>['ctx'], version: number, body: Struct): Promise<{ action: string; body?: Struct }> {
  const d = deleteAclsEnforcer.onRequest(requestView(deleteAclsEnforcer.apiKey, version, body), ctx) as Decision;
  if (d.body === undefined) return { action: d.action };
  return { action: d.action, body: roundTripResponse(deleteAclsEnforcer.apiKey, version, await d.body) };
}

const ALTER = 'User:alice ALLOW ALTER CLUSTER kafka-cluster';

describe('DeleteAcls with ALTER on the cluster', () => {
  for (const v of [1, 2, 3]) {
    test(`v${v}: managed match deleted (0), YAML match listed with 44 and its file, every field as on the wire`, async () => {
      const { ctx, store } = setUp([ALTER]);
      const d = await decide(ctx, v, { filters: [filter, { ...filter, resourceNameFilter: 'ord', patternTypeFilter: 4 }] });
      assert.equal(d.action, 'answer-later');
      assert.deepEqual(d.body, {
        throttleTimeMs: 0,
        filterResults: [
          { errorCode: 0, errorMessage: null, matchingAcls: [bobOrders, carolOrders] },
          { errorCode: 0, errorMessage: null, matchingAcls: [{ ...carolOrders, resourceName: 'ord', patternType: 4 }] },
        ],
      });
      assert.deepEqual(
        store.bindings().map((b) => b.resource.name),
        ['payments'],
      );
      assert.deepEqual(ctx.asked, [{ operation: 'ALTER', type: 'CLUSTER', name: 'kafka-cluster', quiet: false }]);
    });
  }
  test('v0 (no pattern type on the wire): a filter is LITERAL and matches only LITERAL bindings', async () => {
    const { ctx, store } = setUp([ALTER]);
    const d = await decide(ctx, 0, { filters: [{ ...filter, resourceTypeFilter: 1, resourceNameFilter: null }] });
    // The decoder fills the absent field with its default (LITERAL), as a client's would.
    assert.deepEqual(d.body, {
      throttleTimeMs: 0,
      filterResults: [
        {
          errorCode: 0,
          errorMessage: null,
          matchingAcls: [bobOrders, carolOrders, { ...carolOrders, resourceName: 'payments' }],
        },
      ],
    });
    assert.deepEqual(
      store.bindings().map((b) => b.resource.name),
      ['ord'],
    );
  });
  test("a filter with an undefined code gets Kafka's 42 text", async () => {
    const { ctx, store } = setUp([ALTER]);
    const d = await decide(ctx, 3, {
      filters: [
        { ...filter, operation: 99 },
        { ...filter, patternTypeFilter: 99 },
      ],
    });
    assert.deepEqual(d.body, {
      throttleTimeMs: 0,
      filterResults: [
        { errorCode: 42, errorMessage: 'Unknown entryFilter.', matchingAcls: [] },
        { errorCode: 42, errorMessage: 'Unknown patternFilter.', matchingAcls: [] },
      ],
    });
    assert.equal(store.writes.length, 0);
  });
  test('the caller is who the store sees', async () => {
    const { ctx, store } = setUp([ALTER]);
    await decide(ctx, 3, { filters: [filter] });
    assert.deepEqual(
      store.writes.map((w) => w.actor),
      [caller],
    );
  });
});

describe('DeleteAcls without ALTER on the cluster', () => {
  for (const v of [0, 3]) {
    test(`v${v}: 31 in every filter result with the broker's text, nothing matched or deleted`, async () => {
      const { ctx, store } = setUp(['User:alice ALLOW DESCRIBE CLUSTER kafka-cluster']);
      const d = await decide(ctx, v, { filters: [filter, filter] });
      const errorMessage = `Request DeleteAcls(apiVersion=${v}, clientId=test-client, correlationId=7) needs ALTER permission.`;
      assert.deepEqual(d, {
        action: 'answer',
        body: {
          throttleTimeMs: 0,
          filterResults: [
            { errorCode: 31, errorMessage, matchingAcls: [] },
            { errorCode: 31, errorMessage, matchingAcls: [] },
          ],
        },
      });
      assert.equal(store.writes.length, 0);
      assert.equal(store.bindings().length, 3);
    });
  }
});

test('an UNKNOWN (0) code closes the connection before anything is asked, even with a service', async () => {
  const { ctx } = setUp([ALTER]);
  const d = await decide(ctx, 3, { filters: [{ ...filter, operation: 0 }] });
  assert.equal(d.action, 'close');
  assert.deepEqual(ctx.asked, []);
});
