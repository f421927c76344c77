// The file store of managed ACLs: a valid policy file that reads back to the same bindings, written
// atomically through one queue (nothing lost under concurrency), edits by hand picked up, a broken file
// refused at its line at start and kept out (last good set stays) afterwards.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bindingKey, type AclActor, type AclBinding } from '../../../../gateway/authz/acls/acl-binding.ts';
import { FileAclStore, ManagedFileError } from '../../../../gateway/authz/acls/file-store.ts';
import {
  managedBindingsFromText,
  managedPolicyYaml,
  managedRuleId,
  managedRules,
  managedYamlProblem,
} from '../../../../gateway/authz/acls/managed-rules.ts';
import { CompiledPolicy } from '../../../../gateway/authz/compiled-policy.ts';
import { buildPolicy, loadPolicy } from '../../../../gateway/authz/policy-loader.ts';
import { runPolicy } from '../../../../gateway/commands/policy.ts';

const actor: AclActor = { principal: 'User:admin', clientAddress: '127.0.0.1', listener: 'test' };

function binding(name: string, extra: Partial<AclBinding> = {}, patternType: 'LITERAL' | 'PREFIXED' = 'LITERAL'): AclBinding {
  return {
    resource: { type: 'TOPIC', patternType, name },
    principal: 'User:alice',
    host: '*',
    operation: 'READ',
    permission: 'ALLOW',
    ...extra,
  };
}

/** Every shape a Kafka ACL can take that a policy file can hold, with names YAML would otherwise retype. */
const VARIETY: AclBinding[] = [
  binding('orders'),
  binding('payments.', {}, 'PREFIXED'),
  binding('*', { principal: 'User:*' }),
  binding('1.10', { operation: 'WRITE', host: '10.1.2.3' }),
  binding('true', { permission: 'DENY', operation: 'ALL' }),
  binding('name with spaces: and # hash', { principal: 'User:CN=svc,O=Acme' }),
  binding('0x1F', { host: '::1' }),
  {
    resource: { type: 'GROUP', patternType: 'PREFIXED', name: 'app-' },
    principal: 'User:bob',
    host: '*',
    operation: 'READ',
    permission: 'ALLOW',
  },
  {
    resource: { type: 'CLUSTER', patternType: 'LITERAL', name: 'kafka-cluster' },
    principal: 'User:ops',
    host: '*',
    operation: 'ALTER',
    permission: 'ALLOW',
  },
  {
    resource: { type: 'TRANSACTIONAL_ID', patternType: 'LITERAL', name: 'tx-1' },
    principal: 'Group:team',
    host: '*',
    operation: 'WRITE',
    permission: 'DENY',
  },
  {
    resource: { type: 'USER', patternType: 'LITERAL', name: 'bob' },
    principal: 'User:alice',
    host: '*',
    operation: 'CREATE_TOKENS',
    permission: 'ALLOW',
  },
];

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-managed-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const keys = (list: readonly AclBinding[]) => list.map(bindingKey);

/** An edit as editors save one (write elsewhere, rename over): the watcher never sees a half-written file. */
async function saveByHand(path: string, text: string): Promise<void> {
  await writeFile(`${path}.editor-swap`, text);
  await rename(`${path}.editor-swap`, path);
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('managed YAML is a valid policy file that reads back to exactly the same bindings, in order', () => {
  const text = managedPolicyYaml(VARIETY);
  const read = managedBindingsFromText('acls.yaml', text);
  assert.ok(read.ok, JSON.stringify(!read.ok && read.errors));
  assert.deepEqual(keys(read.bindings), keys(VARIETY));
  const policy = buildPolicy([{ file: 'acls.yaml', text }]);
  assert.ok(policy.ok);
  assert.deepEqual(
    policy.policy.rules.map((r) => r.id),
    VARIETY.map(managedRuleId),
    'one rule per binding, its id the stable hash',
  );
  assert.match(managedRuleId(VARIETY[0]), /^managed:[0-9a-f]{12}$/);
  assert.equal(managedRuleId({ ...VARIETY[0] }), managedRuleId(VARIETY[0]), 'equal bindings, equal ids');
  assert.notEqual(managedRuleId(VARIETY[1]), managedRuleId(VARIETY[0]));
  assert.equal(managedYamlProblem(VARIETY), undefined);
});

test('`gatehouse policy check` accepts the managed file', () =>
  withDir(async (dir) => {
    const file = join(dir, 'managed.yaml');
    await writeFile(file, managedPolicyYaml(VARIETY));
    let out = '';
    const code = await runPolicy(['check', file], { out: (t) => void (out += t), err: (t) => void (out += t) });
    assert.equal(code, 0, out);
    assert.match(out, new RegExp(`ok: 1 file\\(s\\), ${VARIETY.length} rule\\(s\\)`));
  }));

test('managed rules decide exactly as the same rules written by hand', async () => {
  const hand = buildPolicy([
    {
      file: 'hand.yaml',
      text: `version: 1
rules:
  - { id: a, allow: [READ], principals: [User:alice], resources: [{ topic: orders }] }
  - { id: b, deny: [ALL], principals: [User:alice], resources: [{ topic: "true" }] }
  - { id: c, allow: [WRITE], principals: [User:alice], hosts: [10.1.2.3], resources: [{ topic: "1.10" }] }
  - { id: d, allow: [READ], principals: [User:alice], resources: [{ topic: { prefix: payments. } }] }
`,
    },
  ]);
  assert.ok(hand.ok);
  const managed = new CompiledPolicy({ ...hand.policy, rules: managedRules([VARIETY[0], VARIETY[4], VARIETY[3], VARIETY[1]]) });
  const written = new CompiledPolicy(hand.policy);
  const questions: [string, string, 'READ' | 'WRITE' | 'DESCRIBE', string][] = [
    ['User:alice', '10.0.0.1', 'READ', 'orders'],
    ['User:alice', '10.0.0.1', 'DESCRIBE', 'orders'],
    ['User:bob', '10.0.0.1', 'READ', 'orders'],
    ['User:alice', '10.0.0.1', 'READ', 'true'],
    ['User:alice', '10.1.2.3', 'WRITE', '1.10'],
    ['User:alice', '10.1.2.4', 'WRITE', '1.10'],
    ['User:alice', '10.0.0.1', 'READ', 'payments.eu'],
    ['User:alice', '10.0.0.1', 'READ', 'other'],
  ];
  for (const [principal, host, op, name] of questions) {
    const a = managed.authorize(principal, host, op, 'TOPIC', name);
    const b = written.authorize(principal, host, op, 'TOPIC', name);
    assert.deepEqual([a.allowed, a.reason], [b.allowed, b.reason], `${principal} ${host} ${op} ${name}`);
  }
  assert.deepEqual(managed.authorize('User:alice', '10.0.0.1', 'READ', 'TOPIC', 'orders').ruleIds, [managedRuleId(VARIETY[0])]);
});

test('a host Kafka compares as a string but the policy would read as a CIDR matches no client (never widened)', () => {
  const cidr = binding('orders', { host: '10.0.0.0/8' });
  const policy = new CompiledPolicy({
    superUsers: [],
    allowEveryoneIfNoAclFound: true,
    mode: 'enforce',
    roles: new Map(),
    rules: managedRules([cidr]),
    files: [],
    digest: 'x',
  });
  const d = policy.authorize('User:alice', '10.1.1.1', 'READ', 'TOPIC', 'orders');
  assert.deepEqual([d.allowed, d.reason], [false, 'no-matching-allow'], 'the topic has ACLs (as in Kafka), none matches');
  assert.match(managedYamlProblem([cidr])!, /CIDR host 10\.0\.0\.0\/8/, 'and the file format says it cannot hold it');
});

test('what a policy file cannot hold is named', () => {
  const readOnCluster: AclBinding = {
    resource: { type: 'CLUSTER', patternType: 'LITERAL', name: 'kafka-cluster' },
    principal: 'User:a',
    host: '*',
    operation: 'READ',
    permission: 'ALLOW',
  };
  assert.match(managedYamlProblem([readOnCluster])!, /operation READ is not valid for resource type CLUSTER/);
  assert.match(managedYamlProblem([binding('t', { principal: 'User:a ' })])!, /trailing spaces/);
});

test('start: a missing file is an empty set; a broken file refuses the start at file:line:column', () =>
  withDir(async (dir) => {
    const path = join(dir, 'acls.yaml');
    const empty = new FileAclStore({ path, watch: false });
    await empty.start();
    assert.deepEqual(empty.bindings(), []);
    await empty.close();

    await writeFile(path, 'version: 1\nrules:\n  - id: x\n    allow: [RAED]\n    principals: [User:a]\n    resources: [{ topic: t }]\n');
    const broken = new FileAclStore({ path, watch: false });
    await assert.rejects(broken.start(), (err: Error) => {
      assert.ok(err instanceof ManagedFileError);
      assert.match(err.message, new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:13: unknown operation 'RAED'`));
      return true;
    });

    await writeFile(path, 'version: 1\nsuperUsers: [User:root]\nrules: []\n');
    await assert.rejects(
      new FileAclStore({ path, watch: false }).start(),
      /acls\.yaml:2:14: superUsers: a managed ACL file holds Kafka ACLs only/,
    );
  }));

test('add and remove: durable once resolved, a valid policy file on disk, duplicates kept once, absent ones ignored', () =>
  withDir(async (dir) => {
    const path = join(dir, 'acls.yaml');
    const store = new FileAclStore({ path, watch: false });
    await store.start();
    let changes = 0;
    store.onChange(() => changes++);

    await store.add([VARIETY[0], VARIETY[1], VARIETY[0]], actor);
    assert.deepEqual(keys(store.bindings()), keys([VARIETY[0], VARIETY[1]]));
    const onDisk = await loadPolicy(path);
    assert.ok(onDisk.ok, 'the file is a loadable policy as soon as add resolved');
    assert.deepEqual(
      onDisk.policy.rules.map((r) => r.id),
      [VARIETY[0], VARIETY[1]].map(managedRuleId),
    );
    assert.equal(changes, 1);

    await store.add([VARIETY[0]], actor);
    assert.equal(changes, 1, 'nothing new: no write, no change');
    await store.remove([VARIETY[0], VARIETY[5]], actor);
    assert.deepEqual(keys(store.bindings()), keys([VARIETY[1]]));
    const reread = managedBindingsFromText(path, await readFile(path, 'utf8'));
    assert.ok(reread.ok);
    assert.deepEqual(keys(reread.bindings), keys([VARIETY[1]]));
    assert.equal(changes, 2);
    assert.deepEqual(
      (await readdir(dir)).filter((n) => n.endsWith('.tmp')),
      [],
      'no temp file left behind',
    );

    await assert.rejects(
      store.add([{ ...VARIETY[0], resource: { type: 'CLUSTER', patternType: 'LITERAL', name: 'kafka-cluster' } }], actor),
      /cannot be kept in the managed ACL file: .*operation READ is not valid for resource type CLUSTER/,
    );
    assert.deepEqual(keys(store.bindings()), keys([VARIETY[1]]), 'a refused add changes nothing');

    await store.close();
    const again = new FileAclStore({ path, watch: false });
    await again.start();
    assert.deepEqual(keys(again.bindings()), keys([VARIETY[1]]), 'what was written is what a restart reads');
    await again.close();
  }));

test('20 concurrent adds and a concurrent remove: none lost, the file holds them all', () =>
  withDir(async (dir) => {
    const path = join(dir, 'acls.yaml');
    const store = new FileAclStore({ path, watch: false });
    await store.start();
    await store.add([binding('doomed')], actor);
    const twenty = Array.from({ length: 20 }, (_, i) => binding(`topic-${i}`, { principal: `User:u${i}` }));
    await Promise.all([...twenty.map((b) => store.add([b], actor)), store.remove([binding('doomed')], actor)]);
    assert.deepEqual(new Set(keys(store.bindings())), new Set(keys(twenty)));
    const onDisk = managedBindingsFromText(path, await readFile(path, 'utf8'));
    assert.ok(onDisk.ok);
    assert.deepEqual(new Set(keys(onDisk.bindings)), new Set(keys(twenty)));
    await store.close();
  }));

test('edits by hand are picked up; a broken edit keeps the last good set and refuses changes until fixed', () =>
  withDir(async (dir) => {
    const path = join(dir, 'acls.yaml');
    const errors: string[] = [];
    const logger = { info: () => undefined, error: (_: object, m: string) => void errors.push(m) };
    const store = new FileAclStore({ path, logger, debounceMs: 20 });
    await store.start();
    let changes = 0;
    store.onChange(() => changes++);
    await store.add([VARIETY[0]], actor);
    assert.equal(changes, 1);

    // A person adds a rule the way people write them: several principals and operations in one rule.
    await saveByHand(
      path,
      `${await readFile(path, 'utf8')}  - id: by-hand
    allow: [READ, WRITE]
    principals: [User:carol, User:dave]
    resources: [{ topic: { prefix: logs- } }]
`,
    );
    await until(() => store.bindings().length === 5, 'the edit to be picked up');
    assert.equal(changes, 2);
    assert.deepEqual(
      store
        .bindings()
        .slice(1)
        .map((b) => `${b.principal} ${b.operation} ${b.resource.type}:${b.resource.name}`),
      ['User:carol READ TOPIC:logs-', 'User:carol WRITE TOPIC:logs-', 'User:dave READ TOPIC:logs-', 'User:dave WRITE TOPIC:logs-'],
    );

    await saveByHand(path, 'version: 1\nrules:\n  - id: half-typed\n    allow: [REA');
    await until(() => errors.length > 0, 'the broken edit to be reported');
    assert.match(errors.at(-1)!, /managed ACL file does not load, keeping the last good set of 5: .*acls\.yaml:\d+:\d+/);
    assert.equal(store.bindings().length, 5, 'last good set stays');
    await assert.rejects(store.add([VARIETY[2]], actor), /the managed ACL file is broken, fix it first: .*acls\.yaml/);
    assert.match(await readFile(path, 'utf8'), /half-typed/, "the person's edit is not overwritten");

    await saveByHand(path, managedPolicyYaml([VARIETY[3]]));
    await until(() => store.bindings().length === 1, 'the fixed file to be read');
    assert.deepEqual(keys(store.bindings()), keys([VARIETY[3]]));
    await store.close();
  }));

test('an edit by hand not yet seen by the watcher is kept by the next change (read before write)', () =>
  withDir(async (dir) => {
    const path = join(dir, 'acls.yaml');
    const store = new FileAclStore({ path, watch: false });
    await store.start();
    await store.add([VARIETY[0]], actor);
    await writeFile(path, managedPolicyYaml([VARIETY[0], VARIETY[1]]));
    await store.add([VARIETY[2]], actor);
    assert.deepEqual(keys(store.bindings()), keys([VARIETY[0], VARIETY[1], VARIETY[2]]));
    await store.close();
  }));

test('temp files of a crashed writer are removed at start; a live writer’s are not; read-only opens write nothing', () =>
  withDir(async (dir) => {
    const path = join(dir, 'acls.yaml');
    await writeFile(path, managedPolicyYaml([VARIETY[0]]));
    await writeFile(join(dir, '.acls.yaml.999999999.0.tmp'), 'version: 1\nrules: [');
    await writeFile(join(dir, `.acls.yaml.${process.ppid}.3.tmp`), 'in progress');
    const readOnly = new FileAclStore({ path, readOnly: true });
    await readOnly.start();
    assert.equal((await readdir(dir)).length, 3, 'read-only: nothing removed');
    await assert.rejects(readOnly.add([VARIETY[1]], actor), /read-only/);
    await readOnly.close();
    const store = new FileAclStore({ path, watch: false });
    await store.start();
    assert.deepEqual(keys(store.bindings()), keys([VARIETY[0]]));
    assert.deepEqual((await readdir(dir)).sort(), [`.acls.yaml.${process.ppid}.3.tmp`, 'acls.yaml']);
    await store.close();
  }));
