// CreateAcls validation: each creation's result as a secured Kafka 4.3.1 broker (StandardAuthorizer)
// answered the same creation alone (3.9.2 answered identically), including the order of the checks.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AclCreation } from '../../../../gateway/authz/acls/acl-service.ts';
import { validateCreations } from '../../../../gateway/authz/acls/creation-validation.ts';

// Codes: resource TOPIC 2 / CLUSTER 4 / ANY 1, pattern LITERAL 3 / PREFIXED 4 / MATCH 2 / ANY 1,
// operation READ 3 / ALL 2 / ANY 1, permission ALLOW 3 / DENY 2 / ANY 1.
const ok: AclCreation = {
  resourceTypeCode: 2,
  resourceName: 't',
  patternTypeCode: 3,
  principal: 'User:bob',
  host: '*',
  operationCode: 3,
  permissionCode: 3,
};

const noColon = (p: string) =>
  `Could not parse principal from \`${p}\` (no colon is present separating the principal type from the principal name)`;
const CLUSTER_NAME_ONLY = 'The only valid name for the CLUSTER resource is kafka-cluster';

// [case, creation changes, expected 42 message]
const INVALID: [string, Partial<AclCreation>, string][] = [
  ['undefined resource type (99 reads as UNKNOWN)', { resourceTypeCode: 99 }, 'Invalid resourceType UNKNOWN'],
  ['undefined pattern type', { patternTypeCode: 99 }, 'Invalid patternType UNKNOWN'],
  ['undefined operation', { operationCode: 99 }, 'Invalid operation UNKNOWN'],
  ['undefined permission', { permissionCode: 99 }, 'Invalid permissionType UNKNOWN'],
  ['negative operation code', { operationCode: -1 }, 'Invalid operation UNKNOWN'],
  ['empty resource name', { resourceName: '' }, 'Invalid empty resource name'],
  ['principal without a colon', { principal: 'bob' }, noColon('bob')],
  ['empty principal', { principal: '' }, noColon('')],
  ['CLUSTER named otherwise', { resourceTypeCode: 4, resourceName: 'x' }, CLUSTER_NAME_ONLY],
  ['CLUSTER with an empty name', { resourceTypeCode: 4, resourceName: '' }, CLUSTER_NAME_ONLY],
  ['CLUSTER prefixed', { resourceTypeCode: 4, resourceName: 'kafka', patternTypeCode: 4 }, CLUSTER_NAME_ONLY],
  // The order of the checks: the broker's (CLUSTER name, empty name) before the controller's.
  ['CLUSTER name before an undefined pattern type', { resourceTypeCode: 4, resourceName: 'x', patternTypeCode: 99 }, CLUSTER_NAME_ONLY],
  ['CLUSTER name before the principal', { resourceTypeCode: 4, resourceName: 'x', principal: 'bob' }, CLUSTER_NAME_ONLY],
  ['empty name before an undefined operation', { resourceName: '', operationCode: 99 }, 'Invalid empty resource name'],
  ['empty name before an undefined resource type', { resourceName: '', resourceTypeCode: 99 }, 'Invalid empty resource name'],
  ['empty name before the principal', { resourceName: '', principal: 'bob' }, 'Invalid empty resource name'],
  ['resource type before operation', { resourceTypeCode: 99, operationCode: 99 }, 'Invalid resourceType UNKNOWN'],
  ['pattern type before permission', { patternTypeCode: 99, permissionCode: 99 }, 'Invalid patternType UNKNOWN'],
  ['operation before permission', { operationCode: 99, permissionCode: 99 }, 'Invalid operation UNKNOWN'],
  ['operation before the principal', { operationCode: 99, principal: 'bob' }, 'Invalid operation UNKNOWN'],
  ['permission before the principal', { permissionCode: 99, principal: 'bob' }, 'Invalid permissionType UNKNOWN'],
];

describe('a creation Kafka refuses gets 42 with the broker message', () => {
  for (const [name, change, message] of INVALID) {
    test(name, () => {
      assert.deepEqual(validateCreations([{ ...ok, ...change }]), [{ error: { errorCode: 42, errorMessage: message } }]);
    });
  }
});

describe('creations Kafka accepts become bindings', () => {
  const ACCEPTED: [string, Partial<AclCreation>][] = [
    ['a plain one', {}],
    ['any host string (hosts are not validated)', { host: 'not a host' }],
    ['principal ":"', { principal: ':' }],
    ['principal "User:"', { principal: 'User:' }],
    ['another principal type', { principal: 'Group:g' }],
    ['CLUSTER kafka-cluster', { resourceTypeCode: 4, resourceName: 'kafka-cluster' }],
    ['DENY ALL prefixed', { permissionCode: 2, operationCode: 2, patternTypeCode: 4 }],
  ];
  for (const [name, change] of ACCEPTED) {
    test(name, () => {
      const c = { ...ok, ...change };
      const [check] = validateCreations([c]);
      assert.ok(check && 'binding' in check, JSON.stringify(check));
      assert.equal(check.binding.principal, c.principal);
      assert.equal(check.binding.host, c.host);
      assert.equal(check.binding.resource.name, c.resourceName);
    });
  }
  test('the binding carries the names of the codes', () => {
    assert.deepEqual(validateCreations([{ ...ok, resourceTypeCode: 5, patternTypeCode: 4, operationCode: 15, permissionCode: 2 }]), [
      {
        binding: {
          resource: { type: 'TRANSACTIONAL_ID', patternType: 'PREFIXED', name: 't' },
          principal: 'User:bob',
          host: '*',
          operation: 'TWO_PHASE_COMMIT',
          permission: 'DENY',
        },
      },
    ]);
  });
});

describe('a filter-only value (ANY, MATCH) in any creation fails the whole request with -1 and no message', () => {
  const WHOLE: [string, Partial<AclCreation>][] = [
    ['resource type ANY', { resourceTypeCode: 1 }],
    ['pattern type ANY', { patternTypeCode: 1 }],
    ['pattern type MATCH', { patternTypeCode: 2 }],
    ['operation ANY', { operationCode: 1 }],
    ['permission ANY', { permissionCode: 1 }],
    ['operation ANY with a principal lacking a colon', { operationCode: 1, principal: 'bob' }],
    ['operation ANY on CLUSTER named otherwise', { operationCode: 1, resourceTypeCode: 4, resourceName: 'x' }],
  ];
  for (const [name, change] of WHOLE) {
    test(name, () => {
      const failed = { error: { errorCode: -1, errorMessage: null } };
      assert.deepEqual(validateCreations([ok, { ...ok, ...change }, { ...ok, resourceName: '' }]), [failed, failed, failed]);
    });
  }
});

test('mixed creations: one result each, in order', () => {
  const checks = validateCreations([ok, { ...ok, operationCode: 99 }, { ...ok, resourceName: '' }, { ...ok, resourceTypeCode: 4 }, ok]);
  assert.deepEqual(
    checks.map((c) => ('error' in c ? c.error.errorMessage : 'ok')),
    ['ok', 'Invalid operation UNKNOWN', 'Invalid empty resource name', CLUSTER_NAME_ONLY, 'ok'],
  );
});

test('no creations, no checks', () => {
  assert.deepEqual(validateCreations([]), []);
});
