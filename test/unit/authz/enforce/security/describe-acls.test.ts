// DescribeAcls with an ACL service: the cluster check, the filter, and the grouping of the answer.
// The service here is a double over this module's neighbours (policyBindings + bindingMatches), so the
// enforcer is tested alone; the real service has its own tests.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ListedBinding } from '../../../../../gateway/authz/acls/acl-binding.ts';
import { bindingMatches, filterFromCodes } from '../../../../../gateway/authz/acls/acl-filter.ts';
import type { AclFilterCodes, AclService, ItemResult } from '../../../../../gateway/authz/acls/acl-service.ts';
import { policyBindings } from '../../../../../gateway/authz/acls/policy-bindings.ts';
import { describeAclsEnforcer } from '../../../../../gateway/authz/enforce/security/describe-acls.ts';
import type { Struct } from '../../../../../gateway/protocol/index.ts';
import { acl, policyOf } from '../../helpers.ts';
import { requestView, roundTripResponse, testContext, type TestContext } from '../context.ts';

const LISTED: readonly ListedBinding[] = [
  ...policyBindings(
    policyOf([
      acl('User:bob ALLOW READ TOPIC orders'),
      acl('User:carol ALLOW WRITE TOPIC pay. PREFIXED'),
      acl('User:bob DENY WRITE TOPIC orders host 10.0.0.6'),
      acl('User:* ALLOW DESCRIBE TOPIC *'),
      acl('User:bob ALLOW READ GROUP orders'),
    ]),
  ),
  // A managed binding equal to a YAML one: a broker's set holds it once.
  {
    binding: {
      resource: { type: 'TOPIC', patternType: 'LITERAL', name: 'orders' },
      principal: 'User:bob',
      host: '*',
      operation: 'READ',
      permission: 'ALLOW',
    },
    source: { kind: 'managed' },
  },
  {
    binding: {
      resource: { type: 'TOPIC', patternType: 'PREFIXED', name: 'pay.' },
      principal: 'User:dave',
      host: '*',
      operation: 'WRITE',
      permission: 'ALLOW',
    },
    source: { kind: 'managed' },
  },
];

function serviceDouble(calls: AclFilterCodes[], error?: ItemResult): AclService {
  return {
    describe(codes) {
      calls.push(codes);
      if (error) return { error, bindings: [] };
      const parsed = filterFromCodes(codes);
      if ('error' in parsed) return { error: parsed.error, bindings: [] };
      return { bindings: LISTED.filter((l) => bindingMatches(parsed.filter, l.binding)) };
    },
    create: () => Promise.reject(new Error('not used')),
    delete: () => Promise.reject(new Error('not used')),
  };
}

// Codes: resource ANY 1 / TOPIC 2 / GROUP 3, pattern ANY 1 / MATCH 2 / LITERAL 3 / PREFIXED 4,
// operation ANY 1 / READ 3 / WRITE 4 / DESCRIBE 8, permission ANY 1 / DENY 2 / ALLOW 3.
const ALL_FILTER = {
  resourceTypeFilter: 1,
  resourceNameFilter: null,
  patternTypeFilter: 1,
  principalFilter: null,
  hostFilter: null,
  operation: 1,
  permissionType: 1,
};

// v0 carries no pattern type (the field's default, LITERAL, is read).
const { patternTypeFilter: _absentAtV0, ...V0_FILTER } = ALL_FILTER;

const ALLOWED = 'User:alice ALLOW DESCRIBE CLUSTER kafka-cluster';

function run(
  version: number,
  filter: Struct,
  opts: { acls?: string[]; error?: ItemResult } = {},
): { ctx: TestContext; calls: AclFilterCodes[]; decision: { action: string; body?: Struct } } {
  const calls: AclFilterCodes[] = [];
  const ctx: TestContext = { ...testContext(opts.acls ?? [ALLOWED]), acls: serviceDouble(calls, opts.error) };
  const decision = describeAclsEnforcer.onRequest(requestView(29, version, filter, { correlationId: 11 }), ctx) as {
    action: string;
    body?: Struct;
  };
  return { ctx, calls, decision };
}

function answered(version: number, filter: Struct, opts: { acls?: string[]; error?: ItemResult } = {}): Struct {
  const { decision } = run(version, filter, opts);
  assert.equal(decision.action, 'answer');
  return roundTripResponse(29, version, decision.body!);
}

const acl3 = (principal: string, host: string, operation: number, permissionType: number) => ({
  principal,
  host,
  operation,
  permissionType,
});

describe('DescribeAcls with an ACL service', () => {
  for (const v of [0, 1, 2, 3]) {
    test(`v${v}: without DESCRIBE on the cluster: top-level 31, the broker's text, no resources; the check is logged`, () => {
      const { ctx, calls, decision } = run(v, v === 0 ? V0_FILTER : ALL_FILTER, { acls: ['User:alice ALLOW ALTER TOPIC *'] });
      assert.equal(decision.action, 'answer');
      assert.deepEqual(roundTripResponse(29, v, decision.body!), {
        throttleTimeMs: 0,
        errorCode: 31,
        errorMessage: `Request DescribeAcls(apiVersion=${v}, clientId=test-client, correlationId=11) needs DESCRIBE permission.`,
        resources: [],
      });
      assert.deepEqual(ctx.asked, [{ operation: 'DESCRIBE', type: 'CLUSTER', name: 'kafka-cluster', quiet: false }]);
      assert.deepEqual(calls, []);
    });
  }

  test('ALLOW ALTER on the cluster implies DESCRIBE: allowed', () => {
    assert.equal(answered(3, ALL_FILTER, { acls: ['User:alice ALLOW ALTER CLUSTER kafka-cluster'] }).errorCode, 0);
  });

  test('v3, ANY filter: one entry per resource pattern, in listed order, each ACL once', () => {
    assert.deepEqual(answered(3, ALL_FILTER), {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: '',
      resources: [
        {
          resourceType: 2,
          resourceName: 'orders',
          patternType: 3,
          acls: [acl3('User:bob', '*', 3, 3), acl3('User:bob', '10.0.0.6', 4, 2)],
        },
        { resourceType: 2, resourceName: 'pay.', patternType: 4, acls: [acl3('User:carol', '*', 4, 3), acl3('User:dave', '*', 4, 3)] },
        { resourceType: 2, resourceName: '*', patternType: 3, acls: [acl3('User:*', '*', 8, 3)] },
        { resourceType: 3, resourceName: 'orders', patternType: 3, acls: [acl3('User:bob', '*', 3, 3)] },
      ],
    });
  });

  test('the wire filter reaches the service as sent', () => {
    const filter = {
      ...ALL_FILTER,
      resourceTypeFilter: 2,
      resourceNameFilter: 'pay.x',
      patternTypeFilter: 2,
      principalFilter: 'User:carol',
      operation: 4,
      permissionType: 3,
    };
    const { calls } = run(2, filter);
    assert.deepEqual(calls, [
      {
        resourceTypeCode: 2,
        resourceName: 'pay.x',
        patternTypeCode: 2,
        principal: 'User:carol',
        host: null,
        operationCode: 4,
        permissionCode: 3,
      },
    ]);
  });

  test('v1, MATCH on a topic name: the literal, the `*` and the prefixed patterns that apply', () => {
    const body = answered(1, { ...ALL_FILTER, resourceTypeFilter: 2, resourceNameFilter: 'orders', patternTypeFilter: 2 });
    assert.deepEqual(
      (body.resources as Struct[]).map((r): unknown[] => [r.resourceName, r.patternType]),
      [
        ['orders', 3],
        ['*', 3],
      ],
    );
    const pay = answered(1, { ...ALL_FILTER, resourceTypeFilter: 2, resourceNameFilter: 'pay.in', patternTypeFilter: 2, operation: 4 });
    assert.deepEqual(pay.resources, [
      { resourceType: 2, resourceName: 'pay.', patternType: 4, acls: [acl3('User:carol', '*', 4, 3), acl3('User:dave', '*', 4, 3)] },
    ]);
  });

  test('v0 has no pattern type in the filter: LITERAL, so only literal patterns come back', () => {
    const { calls, decision } = run(0, V0_FILTER);
    assert.equal(calls[0].patternTypeCode, 3);
    const body = roundTripResponse(29, 0, decision.body!);
    assert.deepEqual(
      (body.resources as Struct[]).map((r): unknown[] => [r.resourceType, r.resourceName]),
      [
        [2, 'orders'],
        [2, '*'],
        [3, 'orders'],
      ],
    );
  });

  test('no matching binding: no error, no resources', () => {
    assert.deepEqual(answered(3, { ...ALL_FILTER, principalFilter: 'User:nobody' }), {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: '',
      resources: [],
    });
  });

  test('an error from the service is the top-level error', () => {
    assert.deepEqual(answered(3, ALL_FILTER, { error: { errorCode: 42, errorMessage: 'bad filter' } }), {
      throttleTimeMs: 0,
      errorCode: 42,
      errorMessage: 'bad filter',
      resources: [],
    });
  });

  test('an undefined code (UNKNOWN to Kafka, not 0) matches nothing: empty answer, no error, service not asked', () => {
    for (const field of ['resourceTypeFilter', 'patternTypeFilter', 'operation', 'permissionType']) {
      const { calls, decision } = run(3, { ...ALL_FILTER, [field]: 99 });
      assert.deepEqual(roundTripResponse(29, 3, decision.body!), { throttleTimeMs: 0, errorCode: 0, errorMessage: '', resources: [] });
      assert.deepEqual(calls, []);
    }
  });

  test('UNKNOWN (0) still closes the connection before anything is asked', () => {
    const { ctx, calls, decision } = run(3, { ...ALL_FILTER, operation: 0 });
    assert.equal(decision.action, 'close');
    assert.deepEqual(ctx.asked, []);
    assert.deepEqual(calls, []);
  });
});
