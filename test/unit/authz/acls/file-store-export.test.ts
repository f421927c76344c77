// `gatehouse policy export` writes the managed ACLs as a policy file that `policy check` accepts and that
// holds the same bindings; `policy check` names the rules Kafka ACLs can show only approximately.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bindingKey, type AclBinding } from '../../../../gateway/authz/acls/acl-binding.ts';
import { FileAclStore } from '../../../../gateway/authz/acls/file-store.ts';
import { managedBindingsFromText } from '../../../../gateway/authz/acls/managed-rules.ts';
import { loadPolicy } from '../../../../gateway/authz/policy-loader.ts';
import { runPolicy } from '../../../../gateway/commands/policy.ts';

async function policyCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const code = await runPolicy(args, { out: (t) => void (out.stdout += t), err: (t) => void (out.stderr += t) });
  return { code, ...out };
}

const acls: AclBinding[] = [
  {
    resource: { type: 'TOPIC', patternType: 'LITERAL', name: 'orders' },
    principal: 'User:alice',
    host: '*',
    operation: 'READ',
    permission: 'ALLOW',
  },
  {
    resource: { type: 'GROUP', patternType: 'PREFIXED', name: 'app-' },
    principal: 'User:alice',
    host: '10.0.0.7',
    operation: 'READ',
    permission: 'ALLOW',
  },
  {
    resource: { type: 'TOPIC', patternType: 'PREFIXED', name: 'secret.' },
    principal: 'User:*',
    host: '*',
    operation: 'ALL',
    permission: 'DENY',
  },
];

test('export from a managed file and from a gateway config: a valid policy holding the same bindings', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-export-'));
  try {
    const managedFile = join(dir, 'managed-acls.yaml');
    const store = new FileAclStore({ path: managedFile, watch: false });
    await store.start();
    await store.add(acls, { principal: 'User:admin', clientAddress: '127.0.0.1', listener: 'l' });
    await store.close();

    const fromFile = await policyCli('export', '--file', managedFile);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.match(fromFile.stderr, /exported 3 managed ACL\(s\)/);
    assert.match(fromFile.stdout, /^# Managed ACLs exported by `gatehouse policy export` from the file store/);
    const read = managedBindingsFromText('exported.yaml', fromFile.stdout);
    assert.ok(read.ok);
    assert.deepEqual(read.bindings.map(bindingKey), acls.map(bindingKey));

    await writeFile(join(dir, 'policy.yaml'), 'version: 1\n');
    const config = join(dir, 'gatehouse.yaml');
    await writeFile(
      config,
      `backend: { bootstrapServers: ["127.0.0.1:9092"] }
listeners: [{ name: a, bind: "127.0.0.1:9092", plaintext: true, routing: { basePort: 9100 } }]
authorization:
  policies: [policy.yaml]
  managedAcls: { store: file, path: managed-acls.yaml }
`,
    );
    const out = join(dir, 'exported.yaml');
    const fromConfig = await policyCli('export', '--config', config, '--out', out);
    assert.equal(fromConfig.code, 0, fromConfig.stderr);
    assert.equal(fromConfig.stdout, '', 'the YAML went to --out');
    const loaded = await loadPolicy(out);
    assert.ok(loaded.ok, 'the exported file loads as a policy');
    assert.equal(loaded.policy.rules.length, 3);
    const checked = await policyCli('check', out);
    assert.equal(checked.code, 0, checked.stderr);
    assert.match(await readFile(managedFile, 'utf8'), /managed:/, 'the managed file itself is untouched');

    await writeFile(config, (await readFile(config, 'utf8')).replace('{ store: file, path: managed-acls.yaml }', '{ store: none }'));
    const none = await policyCli('export', '--config', config);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /keeps no managed ACLs \(managedAcls\.store: none\)/);

    const usage = await policyCli('export');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /export needs exactly one of --config <gateway config> or --file <managed ACL file>/);

    await writeFile(managedFile, 'version: 1\nrules: [');
    const broken = await policyCli('export', '--file', managedFile);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /cannot read the managed ACLs \(file store, .*managed-acls\.yaml\): .*managed-acls\.yaml:\d+:\d+/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('policy check prints the rules DescribeAcls can show only approximately, with file, line and rule', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-check-'));
  try {
    const file = join(dir, 'team.yaml');
    await writeFile(
      file,
      `version: 1
rules:
  - id: exact
    allow: [READ]
    principals: [User:a]
    resources: [{ topic: t }]
  - id: ranged
    allow: [READ]
    principals: [User:a]
    hosts: [10.0.0.0/8]
    resources: [{ topic: t }]
`,
    );
    const checked = await policyCli('check', file);
    assert.equal(checked.code, 0, 'approximations are not errors');
    const lines = checked.stdout.split('\n').filter((l) => l.startsWith('approximate as Kafka ACLs'));
    assert.equal(lines.length, 1, checked.stdout);
    assert.match(lines[0], /team\.yaml:7 \(rule ranged\): .*10\.0\.0\.0\/8/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
