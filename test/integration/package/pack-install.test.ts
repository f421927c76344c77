// The published package works with node alone: `npm pack`, install the tarball into an empty folder
// with --omit=dev, then `gatehouse start`, `gatehouse certs …` and `gatehouse policy …` from there.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packAndInstall, plainNodeEnv, startUntilLog, type InstalledPackage } from '../../harness/packaged.ts';
import { freePorts } from '../../harness/ports.ts';
import { run } from '../../harness/run.ts';

describe('the packed package, installed without development dependencies', { timeout: 600_000 }, () => {
  let pkg: InstalledPackage;
  const gatehouse = (args: string[]) => run(pkg.bin, args, { cwd: pkg.dir, env: plainNodeEnv(), timeoutMs: 120_000 });

  before(async () => {
    pkg = await packAndInstall();
  });
  after(() => pkg?.cleanup());

  test('ships compiled JavaScript and no TypeScript sources', () => {
    assert.ok(pkg.tarballFiles.includes('dist/gateway/cli.js'), pkg.tarballFiles.join('\n'));
    assert.ok(pkg.tarballFiles.includes('gateway/gatehouse.mjs'));
    assert.ok(pkg.tarballFiles.includes('policies/examples/admin.yaml'));
    assert.deepEqual(
      pkg.tarballFiles.filter((f) => f.endsWith('.ts')),
      [],
    );
    // The protocol generator and the tests are development tools.
    assert.deepEqual(
      pkg.tarballFiles.filter((f) => f.includes('codegen') || f.startsWith('test/')),
      [],
    );
  });

  test('no development tool was installed', () => {
    const modules = path.join(pkg.dir, 'node_modules');
    for (const tool of ['tsx', 'typescript', 'esbuild', 'eslint', 'prettier']) {
      assert.equal(fs.existsSync(path.join(modules, tool)), false, `${tool} is installed`);
    }
    assert.ok(fs.existsSync(path.join(modules, 'gatehouse', 'dist', 'gateway', 'cli.js')));
  });

  test('gatehouse version', async () => {
    const result = await gatehouse(['version']);
    assert.equal(result.code, 0, result.stderr);
    const { version } = JSON.parse(fs.readFileSync(path.join(pkg.dir, 'node_modules', 'gatehouse', 'package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(result.stdout.trim(), `gatehouse ${version}`);
  });

  test('gatehouse certs init-ca, issue-server, list', async () => {
    const init = await gatehouse(['certs', 'init-ca', '--dir', 'pki', '--cn', 'Package Test CA', '--key-size', '2048']);
    assert.equal(init.code, 0, init.stderr);
    assert.ok(fs.existsSync(path.join(pkg.dir, 'pki', 'ca', 'ca.crt')));
    const server = await gatehouse(['certs', 'issue-server', 'gw', '--dir', 'pki', '--dns', 'gw.example.test', '--key-size', '2048']);
    assert.equal(server.code, 0, server.stderr);
    const list = await gatehouse(['certs', 'list', '--dir', 'pki']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /gw/);
  });

  test('gatehouse policy check the shipped examples, and refuses a bad policy', async () => {
    const examples = path.join(pkg.dir, 'node_modules', 'gatehouse', 'policies', 'examples');
    const good = await gatehouse(['policy', 'check', examples]);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    fs.writeFileSync(path.join(pkg.dir, 'bad.yaml'), 'version: 1\nrules:\n  - nonsense: true\n');
    const bad = await gatehouse(['policy', 'check', path.join(pkg.dir, 'bad.yaml')]);
    assert.notEqual(bad.code, 0, 'a bad policy passed the check');
  });

  test('gatehouse start binds its listener and stops on SIGTERM', async () => {
    // The backend port is closed: binding the listener does not wait for a backend.
    const [listenPort, brokerPort, backendPort] = await freePorts(3);
    const config = path.join(pkg.dir, 'gatehouse.yaml');
    fs.writeFileSync(
      config,
      [
        'backend:',
        `  bootstrapServers: ["127.0.0.1:${backendPort}"]`,
        'listeners:',
        '  - name: plain',
        `    bind: "127.0.0.1:${listenPort}"`,
        '    plaintext: true',
        `    routing: { brokerPorts: { 1: ${brokerPort} } }`,
        'authorization: { mode: off }',
        '',
      ].join('\n'),
    );
    // `started` comes after `listener_bound`, once the signal handlers are in place.
    const gateway = await startUntilLog(pkg.bin, ['start', '-c', config], (line) => line.event === 'started', {
      cwd: pkg.dir,
      env: plainNodeEnv(),
      timeoutMs: 60_000,
    });
    try {
      const bound = gateway.lines.find((line) => line.event === 'listener_bound');
      assert.equal(bound?.address, `127.0.0.1:${listenPort}`);
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(listenPort, '127.0.0.1', () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', reject);
      });
    } finally {
      assert.equal(await gateway.stop(), 0);
    }
  });
});
