// The authorization section: required (closed by default, refused with file, line and reason), `mode:
// off` starts without policies, policy paths are relative to the config file and must exist, audit
// settings are checked where they are written.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { ConfigError, parseConfig } from '../../../gateway/config/schema.ts';
import { startGateway } from '../../../gateway/session/gateway.ts';
import { freePorts } from '../../harness/ports.ts';
import { refusalOf } from './refusal.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-authz-cfg-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.mkdirSync(path.join(dir, 'policies'));
fs.writeFileSync(path.join(dir, 'policies', 'a.yaml'), 'version: 1\n');
fs.writeFileSync(path.join(dir, 'extra.yaml'), 'version: 1\n');
const file = path.join(dir, 'gatehouse.yaml');

const config = (authorization: string) => `backend:
  bootstrapServers: ["127.0.0.1:9092"]
listeners:
  - name: a
    bind: 127.0.0.1:9092
    plaintext: true
    routing: { basePort: 9100 }
${authorization}`;

const errorOf = (text: string): ConfigError => refusalOf(text, file);

test('a configuration without an authorization section is refused, saying what to add', () => {
  const err = errorOf(config(''));
  assert.equal(err.file, file);
  assert.equal(err.line, 1);
  assert.match(err.reason, /no authorization section: add authorization: \{ policies: \[\.\.\.\] \}.*authorization: \{ mode: off \}/);
  assert.match(err.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:1: `));
});

test('mode: off needs nothing else', () => {
  const c = parseConfig(config('authorization: { mode: off }\n'), file);
  assert.deepEqual(c.authorization, { mode: 'off' });
});

test('policies: files and folders relative to the config file, merged in order, audit defaults', () => {
  const c = parseConfig(config('authorization:\n  policies: [policies, extra.yaml, ./policies]\n'), file);
  assert.equal(c.authorization.mode, 'enforce');
  assert.ok(c.authorization.mode === 'enforce');
  assert.deepEqual(c.authorization.policies, [path.join(dir, 'policies'), path.join(dir, 'extra.yaml')], 'absolute, each once');
  assert.deepEqual(c.authorization.audit, { destination: 'stdout', allows: 'none' });
  const withAudit = parseConfig(
    config('authorization:\n  policies: [extra.yaml]\n  audit: { destination: audit/decisions.log, allows: 0.25 }\n'),
    file,
  );
  assert.ok(withAudit.authorization.mode === 'enforce');
  assert.deepEqual(withAudit.authorization.audit, { destination: path.join(dir, 'audit/decisions.log'), allows: { ratio: 0.25 } });
});

test('mistakes are refused where they are written', () => {
  const missing = errorOf(config('authorization:\n  policies: [nowhere.yaml]\n'));
  assert.deepEqual([missing.line, missing.column], [9, 14], 'at the entry itself');
  assert.match(missing.reason, /cannot read .*nowhere\.yaml/);
  const empty = errorOf(config('authorization:\n  policies: []\n'));
  assert.equal(empty.line, 9);
  assert.match(empty.reason, /must list at least one policy file or folder/);
  assert.match(errorOf(config('authorization: {}\n')).reason, /must list at least one policy/);
  const mode = errorOf(config('authorization:\n  mode: permissive\n'));
  assert.deepEqual([mode.line, mode.reason.includes('enforce, off')], [9, true]);
  const allows = errorOf(config('authorization:\n  policies: [extra.yaml]\n  audit: { allows: 2 }\n'));
  assert.equal(allows.line, 10);
  assert.match(allows.reason, /audit\.allows must be none, all or a ratio/);
  assert.match(errorOf(config('authorization:\n  policies: [extra.yaml]\n  colour: red\n')).reason, /unknown key 'colour'/);
});

test('a policy that does not load refuses the start: the config key and the policy file, line and column', async () => {
  fs.writeFileSync(
    path.join(dir, 'broken.yaml'),
    'version: 1\nrules:\n  - id: r\n    allow: [READ]\n    principals: [User:a]\n    hosts: []\n    resources: [{ topic: t }]\n',
  );
  const [port] = await freePorts(1);
  const text = config('authorization:\n  policies: [broken.yaml]\n').replace(
    '127.0.0.1:9092\n    plaintext',
    `127.0.0.1:${port}\n    plaintext`,
  );
  const logs: string[] = [];
  const logger = pino({}, new Writable({ write: (chunk, _e, done) => (logs.push(String(chunk)), done()) }));
  await assert.rejects(startGateway(parseConfig(text, file), logger), (err: Error) => {
    assert.ok(err instanceof ConfigError);
    assert.deepEqual([err.file, err.line], [file, 9]);
    assert.match(
      err.reason,
      new RegExp(
        `policy does not load: ${path.join(dir, 'broken.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6:12: hosts must not be empty`,
      ),
    );
    return true;
  });
  // Nothing was bound: the port is still free.
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer().once('error', reject);
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
});

test('observe: defaults, the file relative to the config, mistakes refused where written', () => {
  const parsed = parseConfig(config('authorization:\n  policies: [policies]\n  observe: { file: observations.json }\n'), file);
  assert.equal(parsed.authorization.mode, 'enforce');
  if (parsed.authorization.mode !== 'enforce') return;
  assert.deepEqual(parsed.authorization.observe, {
    file: path.join(dir, 'observations.json'),
    maxEntries: 50_000,
    flushIntervalMs: 30_000,
  });
  assert.equal(parsed.authorization.maxPrincipalLabels, 100);
  assert.match(errorOf(config('authorization:\n  policies: [policies]\n  observe: {}\n')).reason, /observe\.file is required/);
  assert.match(
    errorOf(config('authorization:\n  policies: [policies]\n  observe: { file: nowhere/o.json }\n')).reason,
    /folder .*nowhere does not exist/,
  );
  assert.equal(errorOf(config('authorization:\n  policies: [policies]\n  observe: { file: o.json, maxEntries: 0 }\n')).line, 10);
  assert.match(errorOf(config('authorization:\n  mode: off\n  observe: { file: o.json }\n')).reason, /observe needs authorization on/);
});

test('an observations file that is not one refuses the start with the config key and the reason', async () => {
  fs.writeFileSync(path.join(dir, 'not-observations.json'), '{"hello": 1}');
  const [port] = await freePorts(1);
  const text = config('authorization:\n  policies: [policies]\n  observe: { file: not-observations.json }\n').replace(
    '127.0.0.1:9092\n    plaintext',
    `127.0.0.1:${port}\n    plaintext`,
  );
  const logger = pino({}, new Writable({ write: (_chunk, _e, done) => done() }));
  await assert.rejects(startGateway(parseConfig(text, file), logger), (err: Error) => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.line, 10);
    assert.match(err.reason, /the observations file does not load: .*not-observations\.json: not an observations file/);
    return true;
  });
});
