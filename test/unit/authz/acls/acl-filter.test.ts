import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AclBinding, AclBindingFilter } from '../../../../gateway/authz/acls/acl-binding.ts';
import { bindingMatches, filterFromCodes } from '../../../../gateway/authz/acls/acl-filter.ts';
import type { AclFilterCodes } from '../../../../gateway/authz/acls/acl-service.ts';

function binding(text: string): AclBinding {
  // "User:alice ALLOW READ TOPIC name LITERAL host"
  const [principal, permission, operation, type, name, patternType, host] = text.split(' ');
  return {
    principal: principal,
    permission: permission as AclBinding['permission'],
    operation: operation as AclBinding['operation'],
    resource: { type: type as AclBinding['resource']['type'], name: name, patternType: patternType as 'LITERAL' | 'PREFIXED' },
    host: host ?? '*',
  };
}

const ANY_FILTER: AclBindingFilter = {
  resourceType: 'ANY',
  name: null,
  patternType: 'ANY',
  principal: null,
  host: null,
  operation: 'ANY',
  permission: 'ANY',
};

const BINDINGS = [
  'User:alice ALLOW READ TOPIC orders LITERAL',
  'User:alice ALLOW READ TOPIC * LITERAL',
  'User:alice ALLOW READ TOPIC ord PREFIXED',
  'User:alice ALLOW READ TOPIC orders PREFIXED',
  'User:alice ALLOW READ TOPIC orders.eu PREFIXED',
  'User:alice ALLOW READ TOPIC other LITERAL',
  'User:alice ALLOW READ TOPIC * PREFIXED',
  'User:alice ALLOW READ GROUP orders LITERAL',
].map(binding);

/** The indexes of BINDINGS the filter matches. */
function matching(filter: Partial<AclBindingFilter>): number[] {
  const f = { ...ANY_FILTER, ...filter };
  return BINDINGS.flatMap((b, i) => (bindingMatches(f, b) ? [i] : []));
}

describe('bindingMatches: resource pattern part', () => {
  test('the all-ANY filter with nulls matches every binding', () => {
    assert.deepEqual(matching({}), [0, 1, 2, 3, 4, 5, 6, 7]);
  });
  test('a resource type matches only that type; ANY matches all', () => {
    assert.deepEqual(matching({ resourceType: 'GROUP' }), [7]);
    assert.deepEqual(matching({ resourceType: 'TOPIC' }), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(matching({ resourceType: 'CLUSTER' }), []);
  });
  test('LITERAL: that pattern type and exactly that name (`*` only as itself)', () => {
    assert.deepEqual(matching({ resourceType: 'TOPIC', patternType: 'LITERAL', name: 'orders' }), [0]);
    assert.deepEqual(matching({ resourceType: 'TOPIC', patternType: 'LITERAL', name: '*' }), [1]);
    assert.deepEqual(matching({ resourceType: 'TOPIC', patternType: 'LITERAL', name: null }), [0, 1, 5]);
  });
  test('PREFIXED: that pattern type and exactly that name (not prefixes of it)', () => {
    assert.deepEqual(matching({ resourceType: 'TOPIC', patternType: 'PREFIXED', name: 'orders' }), [3]);
    assert.deepEqual(matching({ resourceType: 'TOPIC', patternType: 'PREFIXED', name: null }), [2, 3, 4, 6]);
    assert.deepEqual(matching({ resourceType: 'TOPIC', patternType: 'PREFIXED', name: '*' }), [6]);
  });
  test('ANY: every pattern type, names compared exactly', () => {
    assert.deepEqual(matching({ patternType: 'ANY', name: 'orders' }), [0, 3, 7]);
    assert.deepEqual(matching({ patternType: 'ANY', name: '*' }), [1, 6]);
  });
  test('MATCH: literal same name, literal `*`, and prefixed patterns that are a prefix of the name', () => {
    assert.deepEqual(matching({ resourceType: 'TOPIC', patternType: 'MATCH', name: 'orders' }), [0, 1, 2, 3]);
    assert.deepEqual(matching({ resourceType: 'TOPIC', patternType: 'MATCH', name: 'orders.eu.1' }), [1, 2, 3, 4]);
    assert.deepEqual(matching({ resourceType: 'TOPIC', patternType: 'MATCH', name: 'other' }), [1, 5]);
    // `*` in a PREFIXED pattern is just a character: it is a prefix of names starting with `*`.
    assert.deepEqual(matching({ resourceType: 'TOPIC', patternType: 'MATCH', name: '*x' }), [1, 6]);
    assert.deepEqual(matching({ resourceType: 'ANY', patternType: 'MATCH', name: 'orders' }), [0, 1, 2, 3, 7]);
  });
  test('MATCH with a null name matches every pattern (as Kafka: the name test is skipped)', () => {
    assert.deepEqual(matching({ resourceType: 'TOPIC', patternType: 'MATCH', name: null }), [0, 1, 2, 3, 4, 5, 6]);
  });
  test('names compare case-sensitively', () => {
    assert.deepEqual(matching({ patternType: 'MATCH', name: 'ORDERS', resourceType: 'TOPIC' }), [1]);
  });
});

describe('bindingMatches: entry part', () => {
  const b = binding('User:alice DENY WRITE TOPIC t LITERAL 10.0.0.5');
  const f = (x: Partial<AclBindingFilter>) => bindingMatches({ ...ANY_FILTER, ...x }, b);
  test('principal: null matches all, otherwise string-equal (User:* is no wildcard in a filter)', () => {
    assert.equal(f({ principal: null }), true);
    assert.equal(f({ principal: 'User:alice' }), true);
    assert.equal(f({ principal: 'User:bob' }), false);
    assert.equal(f({ principal: 'User:*' }), false);
  });
  test('host: null matches all, otherwise string-equal (`*` matches only the host `*`)', () => {
    assert.equal(f({ host: '10.0.0.5' }), true);
    assert.equal(f({ host: '*' }), false);
    assert.equal(f({ host: '10.0.0.6' }), false);
    assert.equal(bindingMatches({ ...ANY_FILTER, host: '*' }, binding('User:alice DENY WRITE TOPIC t LITERAL *')), true);
  });
  test('operation: ANY matches all, otherwise exact (no implication, ALL only as itself)', () => {
    assert.equal(f({ operation: 'WRITE' }), true);
    assert.equal(f({ operation: 'DESCRIBE' }), false);
    assert.equal(f({ operation: 'ALL' }), false);
    assert.equal(bindingMatches({ ...ANY_FILTER, operation: 'ALL' }, binding('User:alice ALLOW ALL TOPIC t LITERAL')), true);
  });
  test('permission: ANY matches all, otherwise exact', () => {
    assert.equal(f({ permission: 'DENY' }), true);
    assert.equal(f({ permission: 'ALLOW' }), false);
  });
});

describe('filterFromCodes', () => {
  const codes: AclFilterCodes = {
    resourceTypeCode: 2,
    resourceName: 'orders',
    patternTypeCode: 2,
    principal: 'User:alice',
    host: null,
    operationCode: 3,
    permissionCode: 3,
  };
  test('wire codes become the filter', () => {
    assert.deepEqual(filterFromCodes(codes), {
      filter: {
        resourceType: 'TOPIC',
        name: 'orders',
        patternType: 'MATCH',
        principal: 'User:alice',
        host: null,
        operation: 'READ',
        permission: 'ALLOW',
      },
    });
    const any = filterFromCodes({ ...codes, resourceTypeCode: 1, patternTypeCode: 1, operationCode: 1, permissionCode: 1 });
    assert.ok('filter' in any);
    assert.deepEqual(
      [any.filter.resourceType, any.filter.patternType, any.filter.operation, any.filter.permission],
      ['ANY', 'ANY', 'ANY', 'ANY'],
    );
  });
  test('every defined code maps to its name', () => {
    const types = [2, 3, 4, 5, 6, 7].map((c) => filterFromCodes({ ...codes, resourceTypeCode: c }));
    assert.deepEqual(
      types.map((r) => ('filter' in r ? r.filter.resourceType : r)),
      ['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID', 'DELEGATION_TOKEN', 'USER'],
    );
    const ops = [2, 8, 15].map((c) => filterFromCodes({ ...codes, operationCode: c }));
    assert.deepEqual(
      ops.map((r) => ('filter' in r ? r.filter.operation : r)),
      ['ALL', 'DESCRIBE', 'TWO_PHASE_COMMIT'],
    );
    const patterns = [3, 4].map((c) => filterFromCodes({ ...codes, patternTypeCode: c }));
    assert.deepEqual(
      patterns.map((r) => ('filter' in r ? r.filter.patternType : r)),
      ['LITERAL', 'PREFIXED'],
    );
    const deny = filterFromCodes({ ...codes, permissionCode: 2 });
    assert.equal('filter' in deny && deny.filter.permission, 'DENY');
  });
  test('an undefined resource or pattern type: 42 "Unknown patternFilter." (checked before the entry part)', () => {
    const pattern = { error: { errorCode: 42, errorMessage: 'Unknown patternFilter.' } };
    assert.deepEqual(filterFromCodes({ ...codes, resourceTypeCode: 8 }), pattern);
    assert.deepEqual(filterFromCodes({ ...codes, patternTypeCode: 5 }), pattern);
    assert.deepEqual(filterFromCodes({ ...codes, patternTypeCode: -1, operationCode: 99 }), pattern);
    assert.deepEqual(filterFromCodes({ ...codes, resourceTypeCode: 0 }), pattern);
  });
  test('an undefined operation or permission: 42 "Unknown entryFilter."', () => {
    const entry = { error: { errorCode: 42, errorMessage: 'Unknown entryFilter.' } };
    assert.deepEqual(filterFromCodes({ ...codes, operationCode: 99 }), entry);
    assert.deepEqual(filterFromCodes({ ...codes, operationCode: 16 }), entry);
    assert.deepEqual(filterFromCodes({ ...codes, permissionCode: 4 }), entry);
    assert.deepEqual(filterFromCodes({ ...codes, permissionCode: 0 }), entry);
  });
});
