// PolicyAclService over a real YAML policy (parsed from text) and an in-memory managed store double.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AclActor, AclBinding, ListedBinding } from '../../../../gateway/authz/acls/acl-binding.ts';
import type { AclCreation, AclFilterCodes } from '../../../../gateway/authz/acls/acl-service.ts';
import { PolicyAclService, type AclChangeAuditEvent } from '../../../../gateway/authz/acls/policy-acl-service.ts';
import { policyBindings } from '../../../../gateway/authz/acls/policy-bindings.ts';
import { buildPolicy } from '../../../../gateway/authz/policy-loader.ts';
import { MemoryAclStore } from './memory-store.ts';

// Line 4 holds the rule `orders-read`, line 9 the rule `ops-describe`.
const TEAM_YAML = `version: 1

rules:
  - id: orders-read
    allow: [READ]
    principals: [User:bob]
    resources:
      - topic: orders
  - id: ops-describe
    allow: [DESCRIBE]
    principals: [User:ops]
    resources:
      - topic: { prefix: "orders" }
`;

function yamlBindings(): readonly ListedBinding[] {
  // Loaded from a path: answers name the file only (a client has no business knowing the gateway's directories).
  const loaded = buildPolicy([{ file: '/etc/gatehouse/policies/team.yaml', text: TEAM_YAML }]);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return policyBindings(loaded.policy);
}

const actor: AclActor = { principal: 'User:admin', clientAddress: '10.0.0.5', listener: 'mtls' };

// Codes: resource TOPIC 2 / ANY 1, pattern LITERAL 3 / PREFIXED 4 / MATCH 2 / ANY 1, operation READ 3 /
// WRITE 4 / ANY 1, permission ALLOW 3 / ANY 1.
const creation = (name: string, more: Partial<AclCreation> = {}): AclCreation => ({
  resourceTypeCode: 2,
  resourceName: name,
  patternTypeCode: 3,
  principal: 'User:carol',
  host: '*',
  operationCode: 4,
  permissionCode: 3,
  ...more,
});
const everything: AclFilterCodes = {
  resourceTypeCode: 1,
  resourceName: null,
  patternTypeCode: 1,
  principal: null,
  host: null,
  operationCode: 1,
  permissionCode: 1,
};
const topicFilter = (name: string, more: Partial<AclFilterCodes> = {}): AclFilterCodes => ({
  ...everything,
  resourceTypeCode: 2,
  resourceName: name,
  patternTypeCode: 3,
  ...more,
});
const writeOn = (name: string, principal = 'User:carol'): AclBinding => ({
  resource: { type: 'TOPIC', patternType: 'LITERAL', name },
  principal,
  host: '*',
  operation: 'WRITE',
  permission: 'ALLOW',
});

function world(opts: { store?: MemoryAclStore | null; audit?: (e: AclChangeAuditEvent) => void } = {}) {
  const store = opts.store === undefined ? new MemoryAclStore() : opts.store;
  const events: AclChangeAuditEvent[] = [];
  const service = new PolicyAclService({
    yamlBindings,
    store,
    audit: opts.audit ?? ((e) => events.push(e)),
    now: () => new Date('2026-01-02T03:04:05Z'),
  });
  return { service, store, events };
}

const names = (listed: readonly ListedBinding[]) =>
  listed.map((l) => `${l.source.kind}:${l.binding.principal}:${l.binding.operation}:${l.binding.resource.name}`);

describe('describe', () => {
  test('YAML bindings first (with their rule), then managed ones, each through the filter', async () => {
    const { service } = world({ store: new MemoryAclStore([writeOn('orders'), writeOn('payments')]) });
    const all = service.describe(everything);
    assert.equal(all.error, undefined);
    assert.deepEqual(names(all.bindings), [
      'policy-file:User:bob:READ:orders',
      'policy-file:User:ops:DESCRIBE:orders',
      'managed:User:carol:WRITE:orders',
      'managed:User:carol:WRITE:payments',
    ]);
    const first = all.bindings[0].source;
    assert.equal(first.kind === 'policy-file' && first.ruleId, 'orders-read');
    // MATCH on a concrete topic: the literal binding and the prefixed one that applies to it.
    assert.deepEqual(names(service.describe(topicFilter('orders', { patternTypeCode: 2 })).bindings), [
      'policy-file:User:bob:READ:orders',
      'policy-file:User:ops:DESCRIBE:orders',
      'managed:User:carol:WRITE:orders',
    ]);
    assert.deepEqual(names(service.describe(topicFilter('payments')).bindings), ['managed:User:carol:WRITE:payments']);
  });
  test('a filter with a code Kafka does not define matches nothing and is no error (as a 4.3 broker answers)', () => {
    const { service } = world({ store: new MemoryAclStore([writeOn('orders')]) });
    assert.deepEqual(service.describe({ ...everything, operationCode: 99 }), { bindings: [] });
    assert.deepEqual(service.describe({ ...everything, patternTypeCode: 99 }), { bindings: [] });
  });
});

describe('create', () => {
  test('valid creations are added in one store write; invalid ones get their 42; results in order', async () => {
    const { service, store, events } = world();
    const results = await service.create([creation('a'), creation(''), creation('b'), creation('c', { principal: 'carol' })], actor);
    assert.deepEqual(results, [
      { errorCode: 0, errorMessage: null },
      { errorCode: 42, errorMessage: 'Invalid empty resource name' },
      { errorCode: 0, errorMessage: null },
      {
        errorCode: 42,
        errorMessage: 'Could not parse principal from `carol` (no colon is present separating the principal type from the principal name)',
      },
    ]);
    assert.equal(store!.writes.length, 1);
    assert.deepEqual(store!.bindings(), [writeOn('a'), writeOn('b')]);
    assert.deepEqual(names(service.describe(topicFilter('b')).bindings), ['managed:User:carol:WRITE:b']);
    assert.equal(events.length, 1);
  });
  test('a binding that exists already succeeds; duplicates in one request are written once; the audit names only new ones', async () => {
    const { service, store, events } = world({ store: new MemoryAclStore([writeOn('a')]) });
    assert.deepEqual(await service.create([creation('a'), creation('b'), creation('b')], actor), [
      { errorCode: 0, errorMessage: null },
      { errorCode: 0, errorMessage: null },
      { errorCode: 0, errorMessage: null },
    ]);
    // Existing ones are written again (a shared store's view may lag another instance's delete).
    assert.deepEqual(
      store!.writes.map((w) => w.bindings),
      [[writeOn('a'), writeOn('b')]],
    );
    assert.deepEqual(store!.bindings(), [writeOn('a'), writeOn('b')]);
    assert.deepEqual(
      events.map((e) => e.bindings),
      [[writeOn('b')]],
    );
    // Nothing new at all: success, and no audit event (no change).
    assert.deepEqual(await service.create([creation('a')], actor), [{ errorCode: 0, errorMessage: null }]);
    assert.deepEqual(store!.bindings(), [writeOn('a'), writeOn('b')]);
    assert.equal(events.length, 1);
  });
  test('only invalid creations: no store write, no audit', async () => {
    const { service, store, events } = world();
    assert.deepEqual(await service.create([creation('', {})], actor), [{ errorCode: 42, errorMessage: 'Invalid empty resource name' }]);
    assert.equal(store!.writes.length, 0);
    assert.equal(events.length, 0);
  });
  test('a filter-only value fails every creation with -1, and nothing is written', async () => {
    const { service, store } = world();
    assert.deepEqual(await service.create([creation('a'), creation('b', { operationCode: 1 })], actor), [
      { errorCode: -1, errorMessage: null },
      { errorCode: -1, errorMessage: null },
    ]);
    assert.equal(store!.writes.length, 0);
  });
  test('a store failure: every valid creation gets -1 with a message, invalid ones keep theirs, the audit says failed', async () => {
    const { service, store, events } = world();
    store!.failWith = new Error('topic __gatehouse_acls: not enough replicas');
    const results = await service.create([creation('a'), creation('')], actor);
    assert.equal(results[0].errorCode, -1);
    assert.match(results[0].errorMessage ?? '', /could not save the change in its managed ACL store \(kafka\)/);
    assert.deepEqual(results[1], { errorCode: 42, errorMessage: 'Invalid empty resource name' });
    assert.deepEqual(store!.bindings(), []);
    assert.equal(events.length, 1);
    assert.equal(events[0].outcome, 'failed');
    assert.equal(events[0].error, 'topic __gatehouse_acls: not enough replicas');
    // The next change is not blocked by the failed one.
    store!.failWith = null;
    assert.deepEqual(await service.create([creation('a')], actor), [{ errorCode: 0, errorMessage: null }]);
    assert.deepEqual(store!.bindings(), [writeOn('a')]);
  });
  test('20 concurrent creates (several callers): all kept, store writes never overlap', async () => {
    const { service, store, events } = world();
    const callers = [0, 1, 2, 3].map((i) => ({ ...actor, clientAddress: `10.0.0.${i}` }));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => service.create([creation(`t${i}`)], callers[i % callers.length])),
    );
    assert.ok(results.every((r) => r.length === 1 && r[0].errorCode === 0));
    assert.equal(store!.bindings().length, 20);
    assert.deepEqual(new Set(store!.bindings().map((b) => b.resource.name)), new Set(Array.from({ length: 20 }, (_, i) => `t${i}`)));
    assert.equal(store!.maxInFlight, 1);
    assert.equal(events.length, 20);
  });
  test('concurrent creates and deletes: each delete sees the creates before it', async () => {
    const { service, store } = world();
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      work.push(service.create([creation(`k${i}`), creation(`d${i}`)], actor));
      work.push(service.delete([topicFilter(`d${i}`)], actor));
    }
    await Promise.all(work);
    assert.deepEqual(
      store!
        .bindings()
        .map((b) => b.resource.name)
        .sort(),
      Array.from({ length: 10 }, (_, i) => `k${i}`).sort(),
    );
  });
});

describe('delete', () => {
  test('managed matches are removed (0); YAML matches are listed with 44 and the file to edit, and stay', async () => {
    const { service, store, events } = world({ store: new MemoryAclStore([writeOn('orders'), writeOn('payments')]) });
    const [result] = await service.delete([topicFilter('orders', { patternTypeCode: 2 })], actor);
    assert.equal(result.errorCode, 0);
    assert.equal(result.errorMessage, null);
    assert.deepEqual(
      result.matching.map((m) => [m.binding.principal, m.binding.operation, m.errorCode, m.errorMessage]),
      [
        ['User:bob', 'READ', 44, 'defined in team.yaml:4 (rule orders-read): edit that file to remove it'],
        ['User:ops', 'DESCRIBE', 44, 'defined in team.yaml:9 (rule ops-describe): edit that file to remove it'],
        ['User:carol', 'WRITE', 0, null],
      ],
    );
    assert.deepEqual(store!.bindings(), [writeOn('payments')]);
    assert.deepEqual(names(service.describe(everything).bindings), [
      'policy-file:User:bob:READ:orders',
      'policy-file:User:ops:DESCRIBE:orders',
      'managed:User:carol:WRITE:payments',
    ]);
    assert.deepEqual(
      events.map((e) => [e.action, e.outcome, e.bindings]),
      [['delete', 'applied', [writeOn('orders')]]],
    );
  });
  test('one store write per request; a binding two filters match is listed under both and removed once', async () => {
    const { service, store } = world({ store: new MemoryAclStore([writeOn('a'), writeOn('b'), writeOn('c')]) });
    const results = await service.delete([topicFilter('a'), topicFilter('a', { principal: 'User:carol' }), topicFilter('b')], actor);
    assert.deepEqual(
      results.map((r) => r.matching.map((m) => m.binding.resource.name)),
      [['a'], ['a'], ['b']],
    );
    assert.deepEqual(
      store!.writes.map((w) => [w.op, w.bindings.map((b) => b.resource.name)]),
      [['remove', ['a', 'b']]],
    );
    assert.deepEqual(store!.bindings(), [writeOn('c')]);
  });
  test("a filter with a code Kafka does not define gets Kafka's 42; the others still apply", async () => {
    const { service, store } = world({ store: new MemoryAclStore([writeOn('a')]) });
    const results = await service.delete(
      [{ ...topicFilter('a'), operationCode: 99 }, { ...topicFilter('a'), resourceTypeCode: 99 }, topicFilter('a')],
      actor,
    );
    assert.deepEqual(results.slice(0, 2), [
      { errorCode: 42, errorMessage: 'Unknown entryFilter.', matching: [] },
      { errorCode: 42, errorMessage: 'Unknown patternFilter.', matching: [] },
    ]);
    assert.equal(results[2].matching.length, 1);
    assert.deepEqual(store!.bindings(), []);
  });
  test('nothing matched: no store write, no audit', async () => {
    const { service, store, events } = world();
    assert.deepEqual(await service.delete([topicFilter('nothing')], actor), [{ errorCode: 0, errorMessage: null, matching: [] }]);
    assert.equal(store!.writes.length, 0);
    assert.equal(events.length, 0);
  });
  test('a store failure: the managed matches get -1, YAML ones still 44, nothing removed, the audit says failed', async () => {
    const { service, store, events } = world({ store: new MemoryAclStore([writeOn('orders')]) });
    store!.failWith = new Error('disk full');
    const [result] = await service.delete([topicFilter('orders', { patternTypeCode: 1 })], actor);
    assert.equal(result.errorCode, 0);
    assert.deepEqual(
      result.matching.map((m) => [m.binding.principal, m.errorCode]),
      [
        ['User:bob', 44],
        ['User:ops', 44],
        ['User:carol', -1],
      ],
    );
    assert.match(result.matching[2].errorMessage ?? '', /managed ACL store/);
    assert.deepEqual(store!.bindings(), [writeOn('orders')]);
    assert.deepEqual(
      events.map((e) => [e.action, e.outcome, e.error]),
      [['delete', 'failed', 'disk full']],
    );
  });
});

describe('managed ACLs turned off (store: none)', () => {
  test('create and delete answer 54 per item with a message naming the setting; describe lists the YAML policy', async () => {
    const { service, events } = world({ store: null });
    const off = {
      errorCode: 54,
      errorMessage:
        'Managed ACLs are turned off in the gateway config (authorization.managedAcls.store: none): ACLs come only from its policy files.',
    };
    assert.deepEqual(await service.create([creation('a'), creation('')], actor), [off, off]);
    assert.deepEqual(await service.delete([everything, topicFilter('orders')], actor), [
      { ...off, matching: [] },
      { ...off, matching: [] },
    ]);
    assert.deepEqual(names(service.describe(everything).bindings), [
      'policy-file:User:bob:READ:orders',
      'policy-file:User:ops:DESCRIBE:orders',
    ]);
    assert.equal(events.length, 0);
  });
});

describe('audit of changes', () => {
  test('events carry who, what and the outcome, and nothing else of the caller', async () => {
    const { service, events } = world();
    // A caller object with more on it than an actor (as a careless wiring might pass): none of it is kept.
    const leaky = { ...actor, password: 'hunter2', token: 'eyJhbGciOi' } as AclActor;
    await service.create([creation('a')], leaky);
    await service.delete([topicFilter('a')], leaky);
    assert.deepEqual(events, [
      { time: '2026-01-02T03:04:05.000Z', actor, action: 'create', store: 'kafka', bindings: [writeOn('a')], outcome: 'applied' },
      { time: '2026-01-02T03:04:05.000Z', actor, action: 'delete', store: 'kafka', bindings: [writeOn('a')], outcome: 'applied' },
    ]);
    assert.doesNotMatch(JSON.stringify(events), /hunter2|eyJhbGciOi/);
  });
  test('an audit sink that throws does not change the results', async () => {
    const { service, store } = world({
      audit: () => {
        throw new Error('audit sink down');
      },
    });
    assert.deepEqual(await service.create([creation('a')], actor), [{ errorCode: 0, errorMessage: null }]);
    assert.deepEqual(store!.bindings(), [writeOn('a')]);
  });
});
