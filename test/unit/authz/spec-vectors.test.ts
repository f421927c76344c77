// Every test vector of spec §1.6, §1.7 and §1.8, and Appendix A items 1–7, against the engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compiled } from './helpers.ts';

const ALICE = 'User:alice';
const HOST = '10.0.0.5';

// §1.6 table: [ACLs, options, request, expected]
const vectors: [
  string,
  string[],
  { allowEveryoneIfNoAclFound?: boolean; superUsers?: string[] },
  [string, string, string, string?],
  boolean,
][] = [
  ['no ACLs', [], {}, ['READ', 'TOPIC', 't'], false],
  ['no ACLs, allow.everyone', [], { allowEveryoneIfNoAclFound: true }, ['READ', 'TOPIC', 't'], true],
  [
    'resource has ACLs for bob only',
    ['User:bob ALLOW READ TOPIC t LITERAL'],
    { allowEveryoneIfNoAclFound: true },
    ['READ', 'TOPIC', 't'],
    false,
  ],
  ['no ACL applies to u', ['User:bob ALLOW READ TOPIC t LITERAL'], { allowEveryoneIfNoAclFound: true }, ['READ', 'TOPIC', 'u'], true],
  ['READ implies DESCRIBE', ['User:alice ALLOW READ TOPIC t'], {}, ['DESCRIBE', 'TOPIC', 't'], true],
  [
    'DENY READ does not deny DESCRIBE',
    ['User:alice ALLOW READ TOPIC t', 'User:alice DENY READ TOPIC t'],
    {},
    ['DESCRIBE', 'TOPIC', 't'],
    true,
  ],
  [
    'prefixed DENY beats wildcard ALLOW ALL',
    ['User:alice ALLOW ALL TOPIC *', 'User:* DENY WRITE TOPIC secret PREFIXED'],
    {},
    ['WRITE', 'TOPIC', 'secret.x'],
    false,
  ],
  ['prefixed ALLOW matches longer name', ['User:alice ALLOW WRITE TOPIC pay. PREFIXED'], {}, ['WRITE', 'TOPIC', 'pay.in'], true],
  ['prefixed ALLOW does not match shorter name', ['User:alice ALLOW WRITE TOPIC pay. PREFIXED'], {}, ['WRITE', 'TOPIC', 'pay'], false],
  ['only * alone is a wildcard', ['User:alice ALLOW READ TOPIC pay* LITERAL'], {}, ['READ', 'TOPIC', 'pay1'], false],
  ['host mismatch', ['User:alice ALLOW READ TOPIC t host 10.0.0.6'], {}, ['READ', 'TOPIC', 't'], false],
  ['User:* matches custom principal types', ['User:* ALLOW DESCRIBE GROUP g'], {}, ['DESCRIBE', 'GROUP', 'g', 'Svc:x'], true],
  ['ALTER_CONFIGS implies DESCRIBE_CONFIGS', ['User:alice ALLOW ALTER_CONFIGS TOPIC t'], {}, ['DESCRIBE_CONFIGS', 'TOPIC', 't'], true],
  ['CREATE does not imply DESCRIBE', ['User:alice ALLOW CREATE TOPIC t'], {}, ['DESCRIBE', 'TOPIC', 't'], false],
  ['super user ignores DENY ALL', ['User:alice DENY ALL TOPIC *'], { superUsers: ['User:alice'] }, ['WRITE', 'TOPIC', 't'], true],
];

for (const [name, acls, options, [operation, type, resource, principal], expected] of vectors) {
  test(`§1.6 ${name}`, () => {
    const decision = compiled(acls, options).authorize(principal ?? ALICE, HOST, operation as never, type as never, resource);
    assert.equal(decision.allowed, expected);
    assert.equal(decision.decision, expected ? 'allowed' : 'denied');
  });
}

test('§1.6 reasons and deciding rules are reported', () => {
  const policy = compiled(['User:alice ALLOW ALL TOPIC *', 'User:* DENY WRITE TOPIC secret PREFIXED']);
  const denied = policy.authorize(ALICE, HOST, 'WRITE', 'TOPIC', 'secret.x');
  assert.equal(denied.reason, 'deny-rule');
  assert.deepEqual(denied.ruleIds, [policy.policy.rules[1].id]);
  const allowed = policy.authorize(ALICE, HOST, 'WRITE', 'TOPIC', 'public');
  assert.equal(allowed.reason, 'allow-rule');
  assert.deepEqual(allowed.ruleIds, [policy.policy.rules[0].id]);
  assert.equal(compiled(['User:bob ALLOW READ TOPIC t']).authorize(ALICE, HOST, 'READ', 'TOPIC', 't').reason, 'no-matching-allow');
  assert.equal(compiled([]).authorize(ALICE, HOST, 'READ', 'TOPIC', 't').reason, 'no-acl-default-deny');
  assert.equal(compiled([], { superUsers: [ALICE] }).authorize(ALICE, HOST, 'READ', 'TOPIC', 't').reason, 'super-user');
});

test('§1.2 DENY matches only its exact operation or ALL', () => {
  const policy = compiled(['User:alice ALLOW ALL TOPIC t', 'User:alice DENY ALTER_CONFIGS TOPIC t']);
  assert.equal(policy.authorize(ALICE, HOST, 'DESCRIBE_CONFIGS', 'TOPIC', 't').allowed, true);
  assert.equal(policy.authorize(ALICE, HOST, 'ALTER_CONFIGS', 'TOPIC', 't').allowed, false);
  const denyAll = compiled(['User:alice ALLOW READ TOPIC t', 'User:alice DENY ALL TOPIC t']);
  assert.equal(denyAll.authorize(ALICE, HOST, 'DESCRIBE', 'TOPIC', 't').allowed, false);
});

test('§1.2 no other implication: WRITE does not imply IDEMPOTENT_WRITE, ALTER not ALTER_CONFIGS, READ not WRITE', () => {
  assert.equal(
    compiled(['User:alice ALLOW WRITE CLUSTER kafka-cluster']).authorize(ALICE, HOST, 'IDEMPOTENT_WRITE', 'CLUSTER', 'kafka-cluster')
      .allowed,
    false,
  );
  assert.equal(compiled(['User:alice ALLOW ALTER TOPIC t']).authorize(ALICE, HOST, 'ALTER_CONFIGS', 'TOPIC', 't').allowed, false);
  assert.equal(compiled(['User:alice ALLOW READ TOPIC t']).authorize(ALICE, HOST, 'WRITE', 'TOPIC', 't').allowed, false);
  for (const op of ['READ', 'WRITE', 'DELETE', 'ALTER']) {
    assert.equal(compiled([`User:alice ALLOW ${op} TOPIC t`]).authorize(ALICE, HOST, 'DESCRIBE', 'TOPIC', 't').allowed, true, op);
  }
});

test('§1.1 ALLOW ALL on CLUSTER matches DELETE, which is outside the CLUSTER list', () => {
  assert.equal(
    compiled(['User:alice ALLOW ALL CLUSTER kafka-cluster']).authorize(ALICE, HOST, 'DELETE', 'CLUSTER', 'kafka-cluster').allowed,
    true,
  );
});

test('§1.3 resource names are case-sensitive; a PREFIXED * is a plain prefix', () => {
  assert.equal(compiled(['User:alice ALLOW READ TOPIC T']).authorize(ALICE, HOST, 'READ', 'TOPIC', 't').allowed, false);
  const star = compiled(['User:alice ALLOW READ TOPIC * PREFIXED']);
  assert.equal(star.authorize(ALICE, HOST, 'READ', 'TOPIC', 'orders').allowed, false);
  assert.equal(star.authorize(ALICE, HOST, 'READ', 'TOPIC', '*orders').allowed, true);
  assert.equal(
    compiled(['User:alice ALLOW READ TOPIC pay PREFIXED']).authorize(ALICE, HOST, 'READ', 'TOPIC', 'pay').allowed,
    true,
    'prefix may equal the name',
  );
});

test('§1.5 principal and host matching', () => {
  assert.equal(
    compiled(['User:alice ALLOW READ TOPIC t']).authorize('user:alice', HOST, 'READ', 'TOPIC', 't').allowed,
    false,
    'type is case-sensitive',
  );
  assert.equal(
    compiled(['User:al* ALLOW READ TOPIC t']).authorize(ALICE, HOST, 'READ', 'TOPIC', 't').allowed,
    false,
    'no partial wildcard',
  );
  assert.equal(
    compiled(['Svc:* ALLOW READ TOPIC t']).authorize('Svc:x', HOST, 'READ', 'TOPIC', 't').allowed,
    false,
    'only User:* is a wildcard',
  );
  const dn = 'User:CN=alice,OU=eng';
  assert.equal(compiled([`${dn} ALLOW READ TOPIC t`]).authorize(dn, HOST, 'READ', 'TOPIC', 't').allowed, true);
  const v6 = compiled(['User:alice ALLOW READ TOPIC t host 0:0:0:0:0:0:0:1']);
  assert.equal(v6.authorize(ALICE, '::1', 'READ', 'TOPIC', 't').allowed, true, 'peer ::1 renders as 0:0:0:0:0:0:0:1');
});

// §1.7
test('§1.7 step 1: super users and allow-everyone pass through the probe resource', () => {
  assert.equal(compiled([], { superUsers: [ALICE] }).authorizeByResourceType(ALICE, HOST, 'WRITE', 'TOPIC').allowed, true);
  assert.equal(compiled([], { allowEveryoneIfNoAclFound: true }).authorizeByResourceType(ALICE, HOST, 'WRITE', 'TOPIC').allowed, true);
  assert.equal(
    compiled(['User:bob ALLOW READ TOPIC *'], { allowEveryoneIfNoAclFound: true }).authorizeByResourceType(ALICE, HOST, 'WRITE', 'TOPIC')
      .allowed,
    false,
    'a literal * applies to the probe name',
  );
  assert.equal(compiled([]).authorizeByResourceType(ALICE, HOST, 'WRITE', 'TOPIC').allowed, false);
});

test('§1.7 step 2: scan for an ALLOW that no DENY covers', () => {
  const byType = (acls: string[]) => compiled(acls).authorizeByResourceType(ALICE, HOST, 'WRITE', 'TOPIC').allowed;
  assert.equal(byType(['User:alice ALLOW WRITE TOPIC orders']), true, 'Appendix A 24: WRITE on one topic');
  assert.equal(byType(['User:alice ALLOW WRITE TOPIC *', 'User:* DENY WRITE TOPIC *']), false, 'DENY * wins');
  assert.equal(byType(['User:alice ALLOW ALL TOPIC *', 'User:alice DENY WRITE TOPIC x PREFIXED']), true, 'ALLOW * after no DENY *');
  assert.equal(byType(['User:alice ALLOW WRITE TOPIC orders', 'User:alice DENY WRITE TOPIC orders']), false, 'literal denied literally');
  assert.equal(
    byType(['User:alice ALLOW WRITE TOPIC orders', 'User:alice DENY WRITE TOPIC ord PREFIXED']),
    false,
    'literal under a deny prefix',
  );
  assert.equal(
    byType(['User:alice ALLOW WRITE TOPIC pay. PREFIXED', 'User:alice DENY WRITE TOPIC pay PREFIXED']),
    false,
    'prefix under a deny prefix',
  );
  assert.equal(
    byType(['User:alice ALLOW WRITE TOPIC pay PREFIXED', 'User:alice DENY WRITE TOPIC pay. PREFIXED']),
    true,
    'a longer deny prefix does not cover',
  );
  assert.equal(
    byType(['User:alice ALLOW WRITE TOPIC pay PREFIXED', 'User:alice DENY WRITE TOPIC pay LITERAL']),
    true,
    'a literal deny does not cover a prefix',
  );
  assert.equal(byType(['User:alice ALLOW READ TOPIC orders']), false, 'no implication: READ is not WRITE');
  assert.equal(byType(['User:alice ALLOW ALL TOPIC orders']), true, 'ALL counts');
  assert.equal(byType(['User:alice ALLOW WRITE TOPIC orders host 10.0.0.6']), false, 'host must match');
  assert.equal(byType(['User:bob ALLOW WRITE TOPIC orders']), false, 'principal must match');
  assert.equal(byType(['User:* ALLOW WRITE TOPIC orders']), true, 'User:* counts');
  assert.equal(
    byType(['User:alice ALLOW WRITE TOPIC orders', 'User:alice DENY READ TOPIC *']),
    true,
    'DENY of another operation is ignored',
  );
  assert.equal(
    compiled(['User:alice ALLOW DESCRIBE TOPIC orders']).authorizeByResourceType(ALICE, HOST, 'DESCRIBE', 'TOPIC').allowed,
    true,
  );
  assert.equal(
    compiled(['User:alice ALLOW READ TOPIC orders']).authorizeByResourceType(ALICE, HOST, 'DESCRIBE', 'TOPIC').allowed,
    false,
    'implication does not apply in the scan',
  );
});

// §1.8
test('§1.8 ALLOW READ on a topic gives bits 3 and 8 = 264', () => {
  assert.equal(compiled(['User:alice ALLOW READ TOPIC t']).authorizedOperations(ALICE, HOST, 'TOPIC', 't'), 264);
});

test('§1.8 bitfields follow the resource type list and implications', () => {
  assert.equal(compiled([]).authorizedOperations(ALICE, HOST, 'CLUSTER', 'kafka-cluster'), 0, 'Appendix A 11: nothing → 0');
  const all = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);
  assert.equal(compiled([], { superUsers: [ALICE] }).authorizedOperations(ALICE, HOST, 'TOPIC', 't'), all);
  assert.equal(compiled(['User:alice ALLOW ALL TOPIC *']).authorizedOperations(ALICE, HOST, 'TOPIC', 't'), all, 'ALL bit 2 is never set');
  assert.equal(compiled(['User:alice ALLOW ALTER_CONFIGS GROUP g']).authorizedOperations(ALICE, HOST, 'GROUP', 'g'), (1 << 10) | (1 << 11));
  assert.equal(
    compiled(['User:alice ALLOW ALL CLUSTER kafka-cluster']).authorizedOperations(ALICE, HOST, 'CLUSTER', 'kafka-cluster'),
    (1 << 5) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 7) | (1 << 8),
    'DELETE is not in the CLUSTER list',
  );
  assert.equal(
    compiled(['User:alice ALLOW ALL USER User:bob']).authorizedOperations(ALICE, HOST, 'USER', 'User:bob'),
    (1 << 13) | (1 << 14),
  );
  assert.equal(
    compiled(['User:alice ALLOW ALL TRANSACTIONAL_ID tx', 'User:alice DENY WRITE TRANSACTIONAL_ID tx']).authorizedOperations(
      ALICE,
      HOST,
      'TRANSACTIONAL_ID',
      'tx',
    ),
    (1 << 8) | (1 << 15),
  );
});

// Appendix A, items 1–7, at engine level (Produce = WRITE TOPIC, Fetch = READ TOPIC, Metadata = DESCRIBE TOPIC).
test('Appendix A 1: no ACLs, allow.everyone false → WRITE t denied', () => {
  assert.equal(compiled([]).authorize(ALICE, HOST, 'WRITE', 'TOPIC', 't').decision, 'denied');
});

test('Appendix A 2: allow.everyone true → WRITE allowed; any ACL on t for another principal flips it', () => {
  assert.equal(compiled([], { allowEveryoneIfNoAclFound: true }).authorize(ALICE, HOST, 'WRITE', 'TOPIC', 't').allowed, true);
  assert.equal(
    compiled(['User:bob ALLOW READ TOPIC t'], { allowEveryoneIfNoAclFound: true }).authorize(ALICE, HOST, 'WRITE', 'TOPIC', 't').allowed,
    false,
  );
});

test('Appendix A 3: READ gives Metadata; DENY READ + ALLOW ALL * blocks Fetch but not Metadata', () => {
  assert.equal(compiled(['User:alice ALLOW READ TOPIC t']).authorize(ALICE, HOST, 'DESCRIBE', 'TOPIC', 't').allowed, true);
  const policy = compiled(['User:alice DENY READ TOPIC t', 'User:alice ALLOW ALL TOPIC *']);
  assert.equal(policy.authorize(ALICE, HOST, 'READ', 'TOPIC', 't').allowed, false);
  assert.equal(policy.authorize(ALICE, HOST, 'DESCRIBE', 'TOPIC', 't').allowed, true);
});

test('Appendix A 4: DENY PREFIXED secret beats ALLOW LITERAL secret.a', () => {
  const policy = compiled(['User:alice ALLOW WRITE TOPIC secret.a', 'User:alice DENY WRITE TOPIC secret PREFIXED']);
  assert.equal(policy.authorize(ALICE, HOST, 'WRITE', 'TOPIC', 'secret.a').allowed, false);
});

test('Appendix A 5: an ACL for host 10.0.0.6 does not apply to 10.0.0.5', () => {
  const policy = compiled(['User:alice ALLOW WRITE TOPIC t host 10.0.0.6']);
  assert.equal(policy.authorize(ALICE, '10.0.0.5', 'WRITE', 'TOPIC', 't').allowed, false);
  assert.equal(policy.authorize(ALICE, '10.0.0.6', 'WRITE', 'TOPIC', 't').allowed, true);
});

test('Appendix A 6: super user bypasses DENY ALL on *', () => {
  const policy = compiled(['User:* DENY ALL TOPIC *', 'User:* DENY ALL GROUP *'], { superUsers: ['User:admin'] });
  assert.equal(policy.authorize('User:admin', HOST, 'WRITE', 'TOPIC', 't').allowed, true);
  assert.equal(policy.authorize('User:admin', HOST, 'READ', 'GROUP', 'g').allowed, true);
  assert.equal(policy.authorize(ALICE, HOST, 'WRITE', 'TOPIC', 't').allowed, false);
});

test('Appendix A 7: User:* ACLs apply to every principal type', () => {
  const policy = compiled(['User:* ALLOW READ TOPIC t']);
  for (const principal of ['User:alice', 'Svc:x', 'Group:ops', 'User:ANONYMOUS']) {
    assert.equal(policy.authorize(principal, HOST, 'READ', 'TOPIC', 't').allowed, true, principal);
  }
});
