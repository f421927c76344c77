import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createAclsEnforcer } from '../../../../../gateway/authz/enforce/security/create-acls.ts';
import { deleteAclsEnforcer } from '../../../../../gateway/authz/enforce/security/delete-acls.ts';
import { describeAclsEnforcer } from '../../../../../gateway/authz/enforce/security/describe-acls.ts';
import type { AnyEnforcer } from '../../../../../gateway/authz/enforce/enforcer.ts';
import type { Struct, TypedApiKey } from '../../../../../gateway/protocol/index.ts';
import { requestView, roundTripResponse, testContext } from '../context.ts';

// Codes: resource TOPIC 2 / ANY 1, pattern LITERAL 3 / MATCH 2, operation READ 3 / ANY 1, permission ALLOW 3 / ANY 1.
const filter = {
  resourceTypeFilter: 2,
  resourceNameFilter: 't',
  patternTypeFilter: 3,
  principalFilter: null,
  hostFilter: null,
  operation: 3,
  permissionType: 3,
};
const creation = {
  resourceType: 2,
  resourceName: 't',
  resourcePatternType: 3,
  principal: 'User:bob',
  host: '*',
  operation: 3,
  permissionType: 3,
};
const VERSIONS = [0, 2, 3];
// A super user with ALLOW ALL everywhere still gets the no-authorizer answer: nothing is asked.
const everything = () => testContext(['User:alice ALLOW ALL CLUSTER kafka-cluster'], { superUsers: ['User:alice'] });

function answer(enforcer: AnyEnforcer, version: number, body: Struct): Struct {
  const ctx = everything();
  const d = enforcer.onRequest(requestView(enforcer.apiKey as TypedApiKey, version, body), ctx) as { action: string; body?: Struct };
  assert.equal(d.action, 'answer');
  assert.deepEqual(ctx.asked, []);
  return roundTripResponse(enforcer.apiKey as number, version, d.body ?? {});
}

function closes(enforcer: AnyEnforcer, version: number, body: Struct): void {
  const d = enforcer.onRequest(requestView(enforcer.apiKey as TypedApiKey, version, body), everything()) as { action: string };
  assert.equal(d.action, 'close');
}

test('the ACL APIs cover every version of the codec tables', () => {
  for (const e of [describeAclsEnforcer, createAclsEnforcer, deleteAclsEnforcer]) assert.deepEqual(e.versions, { min: 0, max: 3 });
});

describe('DescribeAcls: a broker with no authorizer', () => {
  for (const v of VERSIONS) {
    test(`v${v}: top-level 54 with "No Authorizer is configured on the broker", no resources`, () => {
      assert.deepEqual(answer(describeAclsEnforcer, v, filter), {
        throttleTimeMs: 0,
        errorCode: 54,
        errorMessage: 'No Authorizer is configured on the broker',
        resources: [],
      });
    });
  }
  test('filters may use ANY and MATCH', () => {
    const body = answer(describeAclsEnforcer, 3, {
      ...filter,
      resourceTypeFilter: 1,
      patternTypeFilter: 2,
      operation: 1,
      permissionType: 1,
    });
    assert.equal(body.errorCode, 54);
  });
  test('an UNKNOWN (0) code fails to parse on a broker: the connection is closed', () => {
    closes(describeAclsEnforcer, 3, { ...filter, resourceTypeFilter: 0 });
    closes(describeAclsEnforcer, 3, { ...filter, operation: 0 });
    closes(describeAclsEnforcer, 2, { ...filter, patternTypeFilter: 0 });
    closes(describeAclsEnforcer, 1, { ...filter, permissionType: 0 });
  });
  test('an undefined code is not UNKNOWN to the parser: still the no-authorizer answer (as a 4.3 broker answers)', () => {
    assert.equal(answer(describeAclsEnforcer, 3, { ...filter, operation: 99 }).errorCode, 54);
  });
});

describe('CreateAcls: a broker with no authorizer', () => {
  for (const v of VERSIONS) {
    test(`v${v}: 54 with "No Authorizer is configured." in every creation result`, () => {
      const body = answer(createAclsEnforcer, v, { creations: [creation, { ...creation, resourceName: 'u' }] });
      assert.deepEqual(body, {
        throttleTimeMs: 0,
        results: [
          { errorCode: 54, errorMessage: 'No Authorizer is configured.' },
          { errorCode: 54, errorMessage: 'No Authorizer is configured.' },
        ],
      });
    });
  }
  test('no creations → no results', () => {
    assert.deepEqual(answer(createAclsEnforcer, 3, { creations: [] }).results, []);
  });
  test('a creation with an UNKNOWN code closes the connection; an undefined code does not', () => {
    closes(createAclsEnforcer, 3, { creations: [creation, { ...creation, operation: 0 }] });
    closes(createAclsEnforcer, 2, { creations: [{ ...creation, resourcePatternType: 0 }] });
    assert.deepEqual(answer(createAclsEnforcer, 3, { creations: [{ ...creation, operation: 99 }] }).results, [
      { errorCode: 54, errorMessage: 'No Authorizer is configured.' },
    ]);
  });
});

describe('DeleteAcls: a broker with no authorizer', () => {
  for (const v of VERSIONS) {
    test(`v${v}: 54 with "No Authorizer is configured." in every filter result, no matching ACLs`, () => {
      const body = answer(deleteAclsEnforcer, v, { filters: [filter, { ...filter, resourceNameFilter: null }] });
      assert.deepEqual(body, {
        throttleTimeMs: 0,
        filterResults: [
          { errorCode: 54, errorMessage: 'No Authorizer is configured.', matchingAcls: [] },
          { errorCode: 54, errorMessage: 'No Authorizer is configured.', matchingAcls: [] },
        ],
      });
    });
  }
  test('a filter with an UNKNOWN code closes the connection', () => {
    closes(deleteAclsEnforcer, 3, { filters: [{ ...filter, resourceTypeFilter: 0 }] });
  });
});
