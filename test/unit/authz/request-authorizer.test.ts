// The Authorizer a connection's enforcers ask: the real policy engine behind a per-connection cache that
// a policy change empties, counted and audited through the DecisionSink (quiet checks neither), with the
// counter child looked up once per (api, decision) and reused on cache hits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuthzAuditEvent } from '../../../gateway/authz/audit-event.ts';
import { CompiledPolicy } from '../../../gateway/authz/compiled-policy.ts';
import { RequestAuthorizer, type DecisionLabels, type DecisionSink } from '../../../gateway/authz/enforce/request-authorizer.ts';
import { API_KEY } from '../../../gateway/protocol/index.ts';
import { acl, policyOf } from './helpers.ts';

function recordingSink(auditsAllows = false) {
  const counts = new Map<string, number>();
  const lookups: DecisionLabels[] = [];
  const audited: AuthzAuditEvent[] = [];
  const sink: DecisionSink = {
    counter(labels) {
      lookups.push(labels);
      const key = JSON.stringify(labels);
      return { inc: () => counts.set(key, (counts.get(key) ?? 0) + 1) };
    },
    auditsAllows,
    audit: (e) => audited.push(e),
  };
  const count = (labels: DecisionLabels) => counts.get(JSON.stringify(labels)) ?? 0;
  return { sink, lookups, audited, count };
}

const policyV = (version: number, ...acls: string[]) =>
  new CompiledPolicy(policyOf(acls.map((a) => acl(a, { id: `r-${a.split(' ')[4]}` }))), version);

test('decisions come from the policy in force at begin(); a new policy empties the cache at the next request', () => {
  let policy = policyV(1, 'User:alice ALLOW READ TOPIC t');
  let evaluations = 0;
  const counting = () => {
    const p = policy;
    const authorize = p.authorize.bind(p);
    p.authorize = (...args) => {
      evaluations++;
      return authorize(...args);
    };
    return p;
  };
  policy = counting();
  const { sink } = recordingSink();
  const authz = new RequestAuthorizer({ principal: 'User:alice', clientAddress: '10.0.0.1', listener: 'l', policy: () => policy, sink });
  authz.begin(API_KEY.Fetch);
  assert.equal(authz.allowed('READ', 'TOPIC', 't'), true);
  assert.equal(authz.allowed('READ', 'TOPIC', 't'), true);
  authz.begin(API_KEY.Fetch);
  assert.equal(authz.allowed('READ', 'TOPIC', 't'), true);
  assert.equal(evaluations, 1, 'asked once, then cached across requests');
  // Same policy object until the next begin(): a decision never changes in the middle of a request.
  policy = policyV(2, 'User:alice DENY READ TOPIC t', 'User:alice ALLOW READ TOPIC t');
  assert.equal(authz.allowed('READ', 'TOPIC', 't'), true, 'still the policy bound at begin()');
  authz.begin(API_KEY.Fetch);
  assert.equal(authz.allowed('READ', 'TOPIC', 't'), false, 'the new policy decides the next request');
  assert.equal(authz.policyVersion, 2);
});

test('non-quiet decisions are counted (the counter child looked up once) and denials audited; quiet ones neither', () => {
  const policy = policyV(1, 'User:alice ALLOW WRITE TOPIC t');
  const { sink, lookups, audited, count } = recordingSink(false);
  const authz = new RequestAuthorizer({
    principal: 'User:alice',
    clientAddress: '::ffff:10.0.0.1',
    listener: 'mtls',
    policy: () => policy,
    sink,
  });
  authz.begin(API_KEY.Produce);
  for (let i = 0; i < 3; i++) authz.allowed('WRITE', 'TOPIC', 't');
  authz.allowed('WRITE', 'TOPIC', 'u');
  authz.allowed('WRITE', 'TOPIC', 'u');
  authz.allowed('DESCRIBE', 'TOPIC', 'u', { quiet: true });
  authz.begin(API_KEY.Metadata);
  authz.allowed('WRITE', 'TOPIC', 't');
  const allowed = {
    principal: 'User:alice',
    api: 'Produce',
    resource_type: 'TOPIC',
    operation: 'WRITE',
    decision: 'allowed',
    rule: 'r-t',
  } as const;
  const denied = {
    principal: 'User:alice',
    api: 'Produce',
    resource_type: 'TOPIC',
    operation: 'WRITE',
    decision: 'denied',
    rule: 'no-acl',
  } as const;
  assert.equal(count(allowed), 3);
  assert.equal(count(denied), 2);
  assert.equal(count({ ...allowed, api: 'Metadata' }), 1, 'a cached decision counted under the api that asked');
  assert.equal(lookups.length, 3, 'one counter lookup per (decision, api), none on cache hits');
  assert.equal(audited.length, 2, 'denials only (allows: none)');
  assert.deepEqual(
    { ...audited[0], time: undefined },
    {
      time: undefined,
      principal: 'User:alice',
      clientAddress: '::ffff:10.0.0.1',
      listener: 'mtls',
      api: 'Produce',
      resourceType: 'TOPIC',
      resourceName: 'u',
      operation: 'WRITE',
      decision: 'denied',
      reason: 'no-acl-default-deny',
      ruleIds: [],
      policyVersion: 1,
    },
  );
});

test('allows are audited when the sink wants them; rule labels name what decided', () => {
  const policy = new CompiledPolicy(
    policyOf([acl('User:alice ALLOW READ GROUP g', { id: 'g-read' }), acl('User:alice DENY READ GROUP x', { id: 'x-deny' })], {
      superUsers: ['User:root'],
    }),
  );
  const { sink, lookups, audited } = recordingSink(true);
  const alice = new RequestAuthorizer({ principal: 'User:alice', clientAddress: '10.0.0.1', listener: 'l', policy: () => policy, sink });
  alice.begin(API_KEY.JoinGroup);
  alice.allowed('READ', 'GROUP', 'g');
  alice.allowed('READ', 'GROUP', 'x');
  alice.allowed('READ', 'GROUP', 'nothing');
  assert.equal(alice.allowedOnAny('READ', 'GROUP'), true);
  const root = new RequestAuthorizer({ principal: 'User:root', clientAddress: '10.0.0.1', listener: 'l', policy: () => policy, sink });
  root.begin(API_KEY.JoinGroup).allowed('READ', 'GROUP', 'x');
  assert.deepEqual(
    lookups.map((l) => l.rule),
    ['g-read', 'x-deny', 'no-acl', 'g-read', 'super-user'],
  );
  assert.equal(audited.filter((e) => e.decision === 'allowed').length, 3);
  assert.equal(alice.authorizedOperations('GROUP', 'g'), (1 << 3) | (1 << 8), 'READ and DESCRIBE (implied)');
  assert.equal(lookups.length, 5, 'bitfields are never counted');
});

test('without a policy nothing is allowed', () => {
  const { sink } = recordingSink();
  const authz = new RequestAuthorizer({ principal: 'User:a', clientAddress: '10.0.0.1', listener: 'l', policy: () => undefined, sink });
  authz.begin(API_KEY.Fetch);
  assert.equal(authz.allowed('READ', 'TOPIC', 't'), false);
  assert.equal(authz.allowedOnAny('WRITE', 'TRANSACTIONAL_ID'), false);
  assert.equal(authz.authorizedOperations('TOPIC', 't'), 0);
});

test('a dry-run denial allows, and is counted and audited as dry_run_denied even when allows are not audited', () => {
  const policy = new CompiledPolicy(policyOf([acl('User:alice ALLOW READ TOPIC t', { id: 'only-t' })], { mode: 'dry-run' }));
  const { sink, lookups, audited } = recordingSink(false);
  const authz = new RequestAuthorizer({ principal: 'User:alice', clientAddress: '10.0.0.1', listener: 'l', policy: () => policy, sink });
  authz.begin(API_KEY.Fetch);
  assert.equal(authz.allowed('READ', 'TOPIC', 'u'), true, 'dry-run never denies');
  assert.equal(authz.allowed('READ', 'TOPIC', 't'), true);
  assert.deepEqual(
    lookups.map((l) => [l.decision, l.rule]),
    [
      ['dry_run_denied', 'no-acl'],
      ['allowed', 'only-t'],
    ],
  );
  assert.deepEqual(
    audited.map((e) => [e.decision, e.resourceName]),
    [['dry_run_denied', 'u']],
  );
});

test('observe mode: one slot per connection and question, bumped per ask; quiet checks not observed; "any topic" as null', () => {
  const policy = policyV(1, 'User:alice ALLOW WRITE TOPIC t');
  const { sink } = recordingSink();
  const slots: Array<{ args: unknown[]; hits: string[] }> = [];
  sink.observe = (...args) => {
    const slot = { args, hits: [] as string[] };
    slots.push(slot);
    return { hit: (outcome) => void slot.hits.push(outcome) };
  };
  const authz = new RequestAuthorizer({ principal: 'User:alice', clientAddress: '10.0.0.1', listener: 'l', policy: () => policy, sink });
  authz.begin(API_KEY.Produce);
  authz.allowed('WRITE', 'TOPIC', 't');
  authz.allowed('WRITE', 'TOPIC', 't');
  authz.allowed('WRITE', 'TOPIC', 'u');
  authz.allowed('DESCRIBE', 'TOPIC', 'v', { quiet: true });
  authz.allowedOnAny('WRITE', 'TOPIC');
  assert.deepEqual(slots, [
    { args: ['User:alice', '10.0.0.1', 'WRITE', 'TOPIC', 't'], hits: ['allowed', 'allowed'] },
    { args: ['User:alice', '10.0.0.1', 'WRITE', 'TOPIC', 'u'], hits: ['denied'] },
    { args: ['User:alice', '10.0.0.1', 'WRITE', 'TOPIC', null], hits: ['allowed'] },
  ]);
});

test('a cluster-wide bypass allowed only by global dry-run is not taken (the finer questions get asked); otherwise it is', () => {
  const { sink } = recordingSink();
  const ask = (policy: CompiledPolicy) =>
    new RequestAuthorizer({ principal: 'User:alice', clientAddress: '10.0.0.1', listener: 'l', policy: () => policy, sink })
      .begin(API_KEY.CreateTopics)
      .allowed('CREATE', 'CLUSTER', 'kafka-cluster', { bypass: true });
  const observing = new CompiledPolicy({ ...policyOf([]), mode: 'dry-run' });
  assert.equal(
    observing.authorize('User:alice', '10.0.0.1', 'CREATE', 'CLUSTER', 'kafka-cluster').allowed,
    true,
    'dry-run lets it through',
  );
  assert.equal(ask(observing), false, 'but the shortcut is not taken');
  assert.equal(ask(new CompiledPolicy({ ...policyOf([acl('User:alice ALLOW CREATE CLUSTER kafka-cluster')]), mode: 'dry-run' })), true);
  assert.equal(ask(policyV(1, 'User:alice ALLOW CREATE CLUSTER kafka-cluster')), true);
  // Per-rule dry-run: enforcement allows, a dry-run deny would refuse; the shortcut stays (nothing may be refused that was allowed).
  const perRule = new CompiledPolicy(
    policyOf([
      acl('User:alice ALLOW CREATE CLUSTER kafka-cluster'),
      acl('User:alice DENY CREATE CLUSTER kafka-cluster', { mode: 'dry-run' }),
    ]),
  );
  assert.equal(ask(perRule), true);
});
