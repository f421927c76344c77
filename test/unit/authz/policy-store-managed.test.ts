// The policy in force = the YAML policy + the managed ACLs: a store change recompiles from the last good
// YAML policy (version + 1, digest over both), a YAML reload keeps the managed rules, status() counts them.
// And the reserved ACL topic: denied to everyone, super users included, unless they may read it; left
// out of Metadata's all-topics answer by the enforcer's quiet filtering.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AclActor, AclBinding } from '../../../gateway/authz/acls/acl-binding.ts';
import { bindingKey } from '../../../gateway/authz/acls/acl-binding.ts';
import { isManagedRule, managedRuleId } from '../../../gateway/authz/acls/managed-rules.ts';
import type { ManagedAclStore } from '../../../gateway/authz/acls/managed-store.ts';
import { CompiledPolicy } from '../../../gateway/authz/compiled-policy.ts';
import type { Authorizer, EnforceContext } from '../../../gateway/authz/enforce/enforcer.ts';
import { metadataEnforcer } from '../../../gateway/authz/enforce/topics/metadata.ts';
import { PolicyStore, type ReloadEvent } from '../../../gateway/authz/policy-store.ts';
import { ZERO_UUID } from '../../../gateway/protocol/index.ts';
import { requestView } from './enforce/context.ts';
import { decoded, merged } from './enforce/topics/typed.ts';
import { policyOf } from './helpers.ts';

/** An in-memory store (a double of the one module's collaborator: the stores have their own tests). */
class MemoryStore implements ManagedAclStore {
  readonly kind = 'file' as const;
  private set: AclBinding[] = [];
  private readonly listeners: Array<() => void> = [];
  start = () => Promise.resolve();
  close = () => Promise.resolve();
  bindings = () => this.set;
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }
  add(bindings: readonly AclBinding[], _actor: AclActor): Promise<void> {
    const have = new Set(this.set.map(bindingKey));
    this.set = [...this.set, ...bindings.filter((b) => !have.has(bindingKey(b)))];
    for (const l of this.listeners) l();
    return Promise.resolve();
  }
  remove(bindings: readonly AclBinding[], _actor: AclActor): Promise<void> {
    const gone = new Set(bindings.map(bindingKey));
    this.set = this.set.filter((b) => !gone.has(bindingKey(b)));
    for (const l of this.listeners) l();
    return Promise.resolve();
  }
}

const actor: AclActor = { principal: 'User:admin', clientAddress: '127.0.0.1', listener: 'l' };
const topicAcl = (name: string, principal: string, permission: 'ALLOW' | 'DENY' = 'ALLOW'): AclBinding => ({
  resource: { type: 'TOPIC', patternType: 'LITERAL', name },
  principal,
  host: '*',
  operation: 'READ',
  permission,
});

const yamlAllowing = (principal: string) => `version: 1
rules:
  - id: read-t
    allow: [READ]
    principals: [${principal}]
    resources: [{ topic: t }]
`;

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-policy-managed-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('managed bindings are compiled in; a store change is a new version with a new digest, from the last good YAML', () =>
  withDir(async (dir) => {
    const file = join(dir, 'main.yaml');
    await writeFile(file, yamlAllowing('User:alice'));
    const managed = new MemoryStore();
    await managed.add([topicAcl('m', 'User:bob')], actor);
    const events: ReloadEvent[] = [];
    const store = new PolicyStore({ path: file, managed, onReload: (e) => events.push(e) });
    await store.reload('start');

    const v1 = store.current()!;
    assert.equal(v1.version, 1);
    assert.equal(v1.authorize('User:bob', '10.0.0.1', 'READ', 'TOPIC', 'm').allowed, true, 'managed rule in force from the start');
    assert.deepEqual(v1.authorize('User:bob', '10.0.0.1', 'READ', 'TOPIC', 'm').ruleIds, [managedRuleId(topicAcl('m', 'User:bob'))]);
    assert.equal(v1.authorize('User:alice', '10.0.0.1', 'READ', 'TOPIC', 't').allowed, true, 'YAML rule in force');
    assert.deepEqual(store.status().managed, { store: 'file', rules: 1 });
    assert.deepEqual(
      store.yamlPolicy()!.rules.map((r) => r.id),
      ['read-t'],
      'the YAML policy alone has no managed rules',
    );
    assert.deepEqual(
      v1.policy.rules.map((r) => [r.id.startsWith('managed:') ? 'managed' : r.id, isManagedRule(r)]),
      [
        ['read-t', false],
        ['managed', true],
      ],
    );
    const d1 = store.status().digest;

    await managed.add([topicAcl('t', 'User:alice', 'DENY')], actor);
    const v2 = store.current()!;
    assert.equal(v2.version, 2, 'a store change bumps the version');
    assert.notEqual(store.status().digest, d1, 'the digest covers the managed rules');
    assert.equal(v2.authorize('User:alice', '10.0.0.1', 'READ', 'TOPIC', 't').allowed, false, 'a managed DENY wins over the YAML ALLOW');
    assert.equal(v1.authorize('User:alice', '10.0.0.1', 'READ', 'TOPIC', 't').allowed, true, 'a decision in progress keeps its policy');
    assert.deepEqual(store.status().managed, { store: 'file', rules: 2 });
    assert.deepEqual(
      events.map((e) => [e.trigger, e.ok, e.changed, e.status.version]),
      [
        ['start', true, true, 1],
        ['managed ACLs changed', true, true, 2],
      ],
    );

    // A YAML reload keeps the managed rules; an unchanged YAML file is no new version.
    assert.equal((await store.reload('same')).changed, false);
    await writeFile(file, yamlAllowing('User:carol'));
    await store.reload('edit');
    const v3 = store.current()!;
    assert.equal(v3.version, 3);
    assert.equal(v3.authorize('User:carol', '10.0.0.1', 'READ', 'TOPIC', 't').allowed, true);
    assert.equal(v3.authorize('User:bob', '10.0.0.1', 'READ', 'TOPIC', 'm').allowed, true, 'managed rules survive a YAML reload');

    // A broken YAML edit: the next managed change compiles with the last good YAML and keeps the error shown.
    await writeFile(file, `${yamlAllowing('User:dave')}    mode: sometimes\n`);
    assert.equal((await store.reload('broken')).ok, false);
    await managed.remove([topicAcl('m', 'User:bob')], actor);
    const v4 = store.current()!;
    assert.equal(v4.version, 4);
    assert.equal(v4.authorize('User:carol', '10.0.0.1', 'READ', 'TOPIC', 't').allowed, true, 'last good YAML');
    assert.equal(v4.authorize('User:bob', '10.0.0.1', 'READ', 'TOPIC', 'm').allowed, false, 'the removed binding is gone');
    assert.match(store.status().lastError!.message, /mode must be one of/, 'the YAML error is still reported');
    assert.deepEqual(store.status().managed, { store: 'file', rules: 1 });
    store.close();
  }));

test('a store change before the first YAML load waits for it; without a store nothing changes (digest = the files’)', () =>
  withDir(async (dir) => {
    const file = join(dir, 'main.yaml');
    await writeFile(file, yamlAllowing('User:alice'));
    const managed = new MemoryStore();
    const store = new PolicyStore({ path: file, managed });
    await managed.add([topicAcl('m', 'User:bob')], actor);
    assert.equal(store.current(), undefined, 'no policy before the YAML loaded');
    await store.reload('start');
    assert.equal(store.current()!.version, 1);
    assert.equal(store.current()!.authorize('User:bob', '1.2.3.4', 'READ', 'TOPIC', 'm').allowed, true);

    const plain = new PolicyStore({ path: file });
    await plain.reload('start');
    assert.equal(plain.status().managed, undefined);
    assert.equal(plain.status().digest, plain.yamlPolicy()!.digest);
  }));

const RESERVED = '__gatehouse_acls';
const openPolicy = (superUsersMayReadReserved = false) =>
  new CompiledPolicy(
    policyOf(
      [
        {
          id: 'everything',
          permission: 'ALLOW',
          operations: ['ALL'],
          principalRefs: ['User:*'],
          principals: ['User:*'],
          hosts: ['*'],
          resources: [{ type: 'TOPIC', patternType: 'LITERAL', name: '*' }],
          mode: 'enforce',
        },
      ],
      { superUsers: ['User:root'] },
    ),
    1,
    { reservedTopics: [RESERVED], superUsersMayReadReserved },
  );

test('the reserved ACL topic: every operation denied to everyone, super users included, whatever the rules', () => {
  const policy = openPolicy();
  for (const principal of ['User:alice', 'User:root']) {
    for (const op of ['READ', 'WRITE', 'DESCRIBE', 'DELETE', 'ALTER', 'CREATE', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'] as const) {
      const d = policy.authorize(principal, '10.0.0.1', op, 'TOPIC', RESERVED);
      assert.deepEqual([d.allowed, d.reason, d.ruleIds], [false, 'deny-rule', ['gatehouse:reserved-topic']], `${principal} ${op}`);
    }
    assert.equal(policy.authorizedOperations(principal, '10.0.0.1', 'TOPIC', RESERVED), 0);
    assert.equal(policy.authorize(principal, '10.0.0.1', 'WRITE', 'TOPIC', 'other').allowed, true, 'other topics as the rules say');
  }
  assert.equal(policy.authorize('User:root', '10.0.0.1', 'READ', 'GROUP', RESERVED).allowed, true, 'only the topic is reserved');
  assert.equal(policy.isReservedTopic(RESERVED), true);

  const dryRun = new CompiledPolicy({ ...policy.policy, mode: 'dry-run' }, 1, { reservedTopics: [RESERVED] });
  assert.equal(dryRun.authorize('User:alice', '10.0.0.1', 'WRITE', 'TOPIC', RESERVED).decision, 'denied', 'not even dry-run mode opens it');

  const readable = openPolicy(true);
  assert.equal(
    readable.authorize('User:root', '10.0.0.1', 'READ', 'TOPIC', RESERVED).allowed,
    true,
    'super users may read when configured',
  );
  assert.equal(readable.authorize('User:root', '10.0.0.1', 'DESCRIBE', 'TOPIC', RESERVED).allowed, true);
  assert.equal(readable.authorize('User:root', '10.0.0.1', 'WRITE', 'TOPIC', RESERVED).allowed, false, 'never write');
  assert.equal(readable.authorize('User:root', '10.0.0.1', 'DELETE', 'TOPIC', RESERVED).allowed, false);
  assert.equal(readable.authorize('User:alice', '10.0.0.1', 'READ', 'TOPIC', RESERVED).allowed, false, 'others still not');
});

test('the PolicyStore compiles every version with the reserved topic', () =>
  withDir(async (dir) => {
    const file = join(dir, 'main.yaml');
    await writeFile(file, `version: 1\nsuperUsers: [User:root]\n`);
    const managed = new MemoryStore();
    const store = new PolicyStore({ path: file, managed, compile: { reservedTopics: [RESERVED] } });
    await store.reload('start');
    await managed.add([{ ...topicAcl(RESERVED, 'User:alice'), operation: 'ALL' }], actor);
    assert.equal(store.current()!.version, 2);
    assert.equal(
      store.current()!.authorize('User:alice', '1.1.1.1', 'WRITE', 'TOPIC', RESERVED).allowed,
      false,
      'not even by a managed ACL',
    );
    assert.equal(store.current()!.authorize('User:root', '1.1.1.1', 'READ', 'TOPIC', RESERVED).allowed, false);
  }));

test('Metadata: the reserved topic is quietly left out of the all-topics answer and refused by name, super users included', () => {
  const policy = openPolicy();
  for (const principal of ['User:alice', 'User:root']) {
    const asked: boolean[] = [];
    const authz: Authorizer = {
      principal,
      allowed: (op, type, name, o) => (asked.push(o?.quiet ?? false), policy.authorize(principal, '10.0.0.1', op, type, name).allowed),
      allowedOnAny: (op, type) => policy.authorizeByResourceType(principal, '10.0.0.1', op, type).allowed,
      authorizedOperations: (type, name) => policy.authorizedOperations(principal, '10.0.0.1', type, name),
    };
    const ctx: EnforceContext = { authz, topics: { nameOf: () => undefined }, tokenRequestsAllowed: true, state: new Map() };
    const v = 12;
    const body = { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false };
    const decision = metadataEnforcer.onRequest(requestView(3, v, body), ctx);
    const backend = {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: 'b', port: 9092, rack: null }],
      clusterId: 'c',
      controllerId: 1,
      topics: ['orders', RESERVED].map((name, i) => ({
        errorCode: 0,
        name,
        topicId: `AAAAAAAAAAAAAAAAAAAAA${'QA'[i]}`,
        isInternal: false,
        partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1] }],
      })),
    };
    const answer =
      decision.action === 'forward' && !('memo' in decision) ? decoded(3, v, backend) : merged(metadataEnforcer, v, backend, decision, ctx);
    assert.deepEqual(
      answer.topics.map((t) => t.name),
      ['orders'],
      `${principal}: the ACL topic is not listed`,
    );
    assert.ok(
      asked.every((quiet) => quiet),
      'filtered quietly, as every undescribable topic is',
    );

    const byName = metadataEnforcer.onRequest(requestView(3, v, { ...body, topics: [{ topicId: ZERO_UUID, name: RESERVED }] }), {
      ...ctx,
      state: new Map(),
    });
    const refused =
      byName.action === 'answer' ? decoded(3, v, byName.body) : merged(metadataEnforcer, v, { ...backend, topics: [] }, byName, ctx);
    assert.deepEqual(
      refused.topics.map((t) => [t.name, t.errorCode]),
      [[RESERVED, 29]],
      `${principal}: asked by name, TOPIC_AUTHORIZATION_FAILED`,
    );
  }
});
