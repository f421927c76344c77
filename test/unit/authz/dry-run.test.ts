// Dry-run per rule and globally, and the audit event built from a decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditEvent } from '../../../gateway/authz/audit-event.ts';
import { acl, compiled } from './helpers.ts';

const ALICE = 'User:alice';

test('a dry-run DENY turns a denial into dry_run_denied: allowed, flagged, with the rule', () => {
  const deny = acl('User:* DENY WRITE TOPIC t', { id: 'new-deny', mode: 'dry-run' });
  const policy = compiled(['User:alice ALLOW WRITE TOPIC t', deny]);
  const decision = policy.authorize(ALICE, '10.0.0.5', 'WRITE', 'TOPIC', 't');
  assert.deepEqual([decision.decision, decision.allowed, decision.dryRun, decision.reason], ['dry_run_denied', true, true, 'deny-rule']);
  assert.deepEqual(decision.ruleIds, ['new-deny']);
  assert.equal(policy.authorize(ALICE, '10.0.0.5', 'READ', 'TOPIC', 't').decision, 'denied', 'enforced denials stay denials');
});

test('a dry-run ALLOW never grants, but its ACL-on-resource effect is previewed', () => {
  const allowBob = acl('User:bob ALLOW READ TOPIC u', { mode: 'dry-run' });
  const policy = compiled([allowBob], { allowEveryoneIfNoAclFound: true });
  const alice = policy.authorize(ALICE, '10.0.0.5', 'READ', 'TOPIC', 'u');
  assert.deepEqual([alice.decision, alice.reason], ['dry_run_denied', 'no-matching-allow'], 'adding it would lock alice out');
  const strict = compiled([allowBob]);
  assert.equal(strict.authorize('User:bob', '10.0.0.5', 'READ', 'TOPIC', 'u').decision, 'denied', 'dry-run ALLOW grants nothing');
});

test('global dry-run mode: nothing is refused; denials are reported', () => {
  const policy = compiled(['User:alice DENY ALL TOPIC *'], { mode: 'dry-run' });
  const decision = policy.authorize(ALICE, '10.0.0.5', 'WRITE', 'TOPIC', 't');
  assert.deepEqual([decision.decision, decision.allowed, decision.reason], ['dry_run_denied', true, 'deny-rule']);
  assert.equal(compiled([], { mode: 'dry-run' }).authorize(ALICE, '10.0.0.5', 'READ', 'TOPIC', 't').decision, 'dry_run_denied');
  assert.equal(
    compiled(['User:alice ALLOW READ TOPIC t'], { mode: 'dry-run' }).authorize(ALICE, '1.2.3.4', 'READ', 'TOPIC', 't').decision,
    'allowed',
  );
});

test('dry-run decisions count as allowed in bitfields and by-resource-type', () => {
  const policy = compiled([], { mode: 'dry-run' });
  assert.equal(policy.authorizedOperations(ALICE, '10.0.0.5', 'TRANSACTIONAL_ID', 'tx'), (1 << 4) | (1 << 8) | (1 << 15));
  assert.equal(policy.authorizeByResourceType(ALICE, '10.0.0.5', 'WRITE', 'TOPIC').decision, 'dry_run_denied');
});

test('audit event carries who, what, the decision, rules and policy version', () => {
  const policy = compiled([acl('User:* DENY WRITE TOPIC t', { id: 'no-writes' })]);
  const decision = policy.authorize(ALICE, '::ffff:10.0.0.5', 'WRITE', 'TOPIC', 't');
  const event = auditEvent(
    { principal: ALICE, clientAddress: '::ffff:10.0.0.5', listener: 'external', api: 'Produce' },
    { operation: 'WRITE', resourceType: 'TOPIC', resourceName: 't' },
    decision,
    new Date('2025-01-02T03:04:05.000Z'),
  );
  assert.deepEqual(event, {
    time: '2025-01-02T03:04:05.000Z',
    principal: ALICE,
    clientAddress: '::ffff:10.0.0.5',
    listener: 'external',
    api: 'Produce',
    resourceType: 'TOPIC',
    resourceName: 't',
    operation: 'WRITE',
    decision: 'denied',
    reason: 'deny-rule',
    ruleIds: ['no-writes'],
    policyVersion: 1,
  });
});
