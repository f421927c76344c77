// `workers: 2`: two processes serve the same ports in front of a real broker. Connections are spread
// between them, one scrape adds up both, a policy change and SIGHUP reach both, a worker killed is
// replaced while clients keep being served, observe mode keeps one file per worker that `policy suggest`
// reads together, and SIGTERM stops every process.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseObservations } from '../../../gateway/authz/observe/observation.ts';
import { runPolicy } from '../../../gateway/commands/policy.ts';
import { httpGet, type GatewayProcess } from '../../harness/gateway.ts';
import { startPolicyBed, type PolicyBed } from '../../harness/policy-bed.ts';
import { produceOnce } from '../../harness/raw-produce.ts';

const ALLOW = `version: 1
rules:
  - id: alice-writes-orders
    allow: [WRITE]
    principals: [User:alice]
    resources: [{ topic: orders }]
`;

let bed: PolicyBed;
let gw: GatewayProcess;
let policyFile: string;
let port: number;

const observeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-workers-observe-'));
const observations = path.join(observeDir, 'observations.json');

before(async () => {
  bed = await startPolicyBed({
    kafka: '4',
    topics: ['orders'],
    policy: ALLOW,
    extraConfig: { workers: 2 },
    authorization: { observe: { file: observations, flushIntervalSeconds: 1 } },
  });
  ({ gw, policyFile, port } = bed);
});
after(async () => {
  await bed?.stop();
  fs.rmSync(observeDir, { recursive: true, force: true });
});

/** The pids that logged a line matching `predicate` (the primary's own pid excluded). */
function workerPids(predicate: (line: Record<string, unknown>) => boolean): Set<number> {
  return new Set(
    gw
      .logs()
      // Audit lines (stdout here too) carry no pid: only the processes' own log lines count.
      .filter((l) => typeof l.pid === 'number' && predicate(l))
      .map((l) => l.pid as number)
      .filter((pid) => pid !== gw.process.pid),
  );
}

function sample(metrics: string, series: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('connections are spread over both workers, and one scrape of the primary adds up both', async () => {
  const connections = 6;
  for (let i = 0; i < connections; i++) assert.deepEqual(await produceOnce(port, 9, -1, ['orders']), [['orders', [0]]]);
  await waitUntil('connection_open lines', () => gw.logs().filter((l) => l.event === 'connection_open').length >= connections);
  const pids = workerPids((l) => l.event === 'connection_open');
  assert.equal(pids.size, 2, `connections were served by ${[...pids].join(', ')}`);

  const metrics = await gw.metrics();
  assert.equal(sample(metrics, 'gatehouse_connections_total{listener="plain"}'), connections);
  assert.equal(
    sample(
      metrics,
      'gatehouse_authz_decisions_total{api="Produce",resource_type="TOPIC",operation="WRITE",decision="allowed",rule="alice-writes-orders"}',
    ),
    connections,
  );
  assert.equal(sample(metrics, 'gatehouse_workers'), 2);
  assert.equal(sample(metrics, 'gatehouse_backend_ready'), 1, 'a gauge of readiness is the worst worker, not a sum');
  assert.equal(sample(metrics, 'gatehouse_requests_total{api="Produce",version="9"}'), connections);

  const status = JSON.parse((await httpGet(gw.adminPort, '/status')).body) as {
    workersConfigured: number;
    ready: boolean;
    workers: Array<{ pid: number; status: { ready: boolean; listeners: Array<{ name: string }> } }>;
  };
  assert.equal(status.workersConfigured, 2);
  assert.equal(status.ready, true);
  assert.deepEqual(new Set(status.workers.map((w) => w.pid)), pids);
  assert.ok(status.workers.every((w) => w.status.ready && w.status.listeners[0].name === 'plain'));
});

test('observe mode: each worker keeps its own file; policy suggest reads both as one', async () => {
  const files = ['observations.worker-0.json', 'observations.worker-1.json'].map((f) => path.join(observeDir, f));
  const produced = (file: string) =>
    fs.existsSync(file)
      ? (parseObservations(file, fs.readFileSync(file, 'utf8')).entries.find((e) => e.operation === 'WRITE' && e.name === 'orders')
          ?.allowed ?? 0)
      : 0;
  // The first test's connections were spread over both workers: each has seen some of alice's writes.
  await waitUntil('both workers wrote their observations', () => files.every((f) => produced(f) > 0));
  const io = { out: '', err: '' };
  const sink = { out: (t: string) => void (io.out += t), err: (t: string) => void (io.err += t) };
  assert.equal(await runPolicy(['suggest', '--from', ...files], sink), 0, io.err);
  const total = files.reduce((n, f) => n + produced(f), 0);
  assert.match(io.out, new RegExp(`# ${total} request\\(s\\)[^]*id: alice-write\\n[^]*- topic: orders`));
});

test('a policy change and SIGHUP reach every worker', async () => {
  fs.writeFileSync(policyFile, ALLOW.replace('allow: [WRITE]', 'allow: [DESCRIBE]'));
  await waitUntil('both workers load policy version 2', () => workerPids((l) => l.component === 'policy' && l.version === 2).size === 2);
  // Round robin: four connections in a row reach both workers; each refuses now.
  for (let i = 0; i < 4; i++) assert.deepEqual(await produceOnce(port, 9, -1, ['orders']), [['orders', [29]]]);
  fs.writeFileSync(policyFile, ALLOW);
  await waitUntil('both workers load policy version 3', () => workerPids((l) => l.component === 'policy' && l.version === 3).size === 2);

  process.kill(gw.process.pid, 'SIGHUP');
  await waitUntil('both workers log the SIGHUP', () => workerPids((l) => l.event === 'signal' && l.signal === 'SIGHUP').size === 2);
});

test('a worker killed is replaced; clients keep being served and the restart is counted', async () => {
  const before = workerPids((l) => l.event === 'worker_started' || l.event === 'connection_open');
  const victim = [...workerPids((l) => l.event === 'connection_open')][0];
  process.kill(victim, 'SIGKILL');
  const exited = await gw.waitForLog((l) => l.event === 'worker_exited' && l.pid === victim, 10_000);
  assert.equal(exited.signal, 'SIGKILL');
  // Until the replacement runs, the other worker serves every new connection (a connection handed to the
  // dying worker in the instant before the primary saw it exit is lost, as with any crashed server).
  for (let i = 0; i < 2; i++) assert.deepEqual(await produceOnce(port, 9, -1, ['orders']), [['orders', [0]]]);
  const replaced = await gw.waitForLog((l) => l.event === 'worker_started' && !before.has(Number(l.pid)), 30_000);
  await waitUntil('ready with the new worker', async () => (await httpGet(gw.adminPort, '/readyz')).status === 200);
  for (let i = 0; i < 4; i++) assert.deepEqual(await produceOnce(port, 9, -1, ['orders']), [['orders', [0]]]);
  await waitUntil('the new worker served a connection', () => workerPids((l) => l.event === 'connection_open').has(Number(replaced.pid)));
  const metrics = await gw.metrics();
  assert.equal(sample(metrics, 'gatehouse_worker_restarts_total'), 1);
  assert.equal(sample(metrics, 'gatehouse_workers'), 2);
});

test('SIGTERM to the primary stops every worker, then the primary', async () => {
  const workers = workerPids((l) => l.event === 'worker_started');
  await gw.stop();
  assert.equal(await gw.process.exited, 0);
  for (const pid of workers) assert.throws(() => process.kill(pid, 0), /ESRCH/, `worker ${pid} is gone`);
  assert.ok(gw.logs().some((l) => l.event === 'stopped' && l.pid === gw.process.pid));
});
