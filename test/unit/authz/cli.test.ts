// `gatehouse policy ...` as a user runs it: output and exit codes (0 ok, 1 failing, 2 usage).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPolicy } from '../../../gateway/commands/policy.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLES = join(ROOT, 'policies', 'examples');

function gatehouse(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'gateway', 'gatehouse.mjs'), 'policy', ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

// The same command in this process with buffered output: spawning costs half a second of CPU
// each, so each subcommand is spawned once and the variations run here.
async function inProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const code = await runPolicy(args, { out: (text) => void (out.stdout += text), err: (text) => void (out.stderr += text) });
  return { code, ...out };
}

// Spawning is the slow part: run the cases side by side.
test('policy CLI', { concurrency: true }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));

  const cases: Promise<void>[] = [];
  cases.push(
    t.test('--help prints usage, exit 0; no subcommand is a usage error', async () => {
      const help = await gatehouse('--help');
      assert.equal(help.code, 0);
      assert.match(help.stdout, /Usage: gatehouse policy <subcommand>/);
      const bad = await inProcess('frobnicate');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /unknown subcommand 'frobnicate'/);
    }),
  );

  cases.push(
    t.test('check: the examples are valid; a broken file gives file:line:column and exit 1', async () => {
      const ok = await gatehouse('check', EXAMPLES);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /ok: 5 file\(s\), 11 rule\(s\)/);
      const broken = join(dir, 'broken.yaml');
      await writeFile(
        broken,
        'version: 1\nrules:\n  - id: x\n    allow: [WRIT]\n    principals: [User:a]\n    resources: [{ topic: t }]\n',
      );
      const bad = await gatehouse('check', broken);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /broken\.yaml:4:13: unknown operation 'WRIT'/);
    }),
  );

  cases.push(
    t.test('check --strict fails on warnings', async () => {
      const file = join(dir, 'shadow.yaml');
      await writeFile(
        file,
        'version: 1\nrules:\n  - id: a\n    allow: [READ]\n    principals: [Svc:x]\n    resources: [{ topic: t }]\n  - id: d\n    deny: [ALL]\n    principals: ["User:*"]\n    resources: [{ topic: "*" }]\n',
      );
      const lenient = await inProcess('check', file);
      assert.equal(lenient.code, 0);
      assert.match(lenient.stdout, /shadow\.yaml:3:5: warning: allow rule 'a' is shadowed: deny rule 'd'/);
      assert.match(lenient.stdout, /unknown principal type 'Svc'/);
      assert.equal((await inProcess('check', '--strict', file)).code, 1);
    }),
  );

  cases.push(
    t.test('explain prints the decision and the deciding rule', async () => {
      const out = await gatehouse(
        'explain',
        '--policy',
        EXAMPLES,
        '--principal',
        'User:svc-orders',
        '--host',
        '10.20.0.9',
        '--operation',
        'WRITE',
        '--topic',
        'orders.internal.audit',
      );
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /^decision: DENIED/);
      assert.match(out.stdout, /decided by:\n {2}orders-no-internal \(.*producer-service\.yaml:\d+\)/);
      assert.match(out.stdout, /\+ orders-produce: ALLOW WRITE on prefixed 'orders\.'; matches/);
      const json = await inProcess(
        'explain',
        '-p',
        EXAMPLES,
        '--principal',
        'User:auditor',
        '--host',
        '::1',
        '--operation',
        'describe',
        '--cluster',
        '--json',
      );
      assert.deepEqual((JSON.parse(json.stdout) as { ruleIds: string[] }).ruleIds, ['auditor-describe']);
      const usage = await inProcess('explain', '--principal', 'alice', '--host', '1.2.3.4', '--operation', 'READ', '--topic', 't');
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /malformed principal 'alice'/);
    }),
  );

  cases.push(
    t.test('test: the example tables pass; a wrong expectation fails with exit 1', async () => {
      const ok = await gatehouse('test', EXAMPLES);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /30 passed, 0 failed/);
      const table = join(dir, 'wrong.test.yaml');
      await writeFile(
        table,
        `policy: ${join(EXAMPLES, 'consumer-group.yaml')}\ncases:\n  - name: wrong\n    principal: User:svc-analytics\n    operation: WRITE\n    topic: orders.x\n    expect: allowed\n`,
      );
      const failing = await gatehouse('test', table);
      assert.equal(failing.code, 1);
      assert.match(failing.stdout, /FAIL {2}wrong .* expected allowed, got denied/);
      assert.match(failing.stdout, /0 passed, 1 failed/);
    }),
  );

  cases.push(
    t.test('import writes YAML that check accepts', async () => {
      const listing = join(dir, 'acls.txt');
      await writeFile(
        listing,
        'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: \n \t(principal=User:alice, host=*, operation=WRITE, permissionType=ALLOW) \n\n',
      );
      const out = join(dir, 'imported.yaml');
      const imported = await gatehouse('import', listing, '--out', out);
      assert.equal(imported.code, 0, imported.stderr);
      assert.match(await readFile(out, 'utf8'), /allow: \[ WRITE \]\n {4}principals: \[ User:alice \]/);
      assert.equal((await inProcess('check', out)).code, 0);
    }),
  );
  await Promise.all(cases);
});
