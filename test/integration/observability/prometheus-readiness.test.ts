// What an SRE sees: a real Prometheus server scrapes a gateway under a real workload and finds the
// denials the test provoked, exactly; /readyz turns unready within a stated time when the backend dies
// and ready again when it returns; /status says what is in force, including a refused policy reload.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { GATEHOUSE_VERSION } from '../../../gateway/version.ts';
import { httpGet, type GatewayProcess } from '../../harness/gateway.ts';
import { startPolicyBed, type PolicyBed } from '../../harness/policy-bed.ts';
import { startPrometheus, type PrometheusServer } from '../../harness/prometheus.ts';
import { kcat } from '../../harness/kcat.ts';
import { produceOnce } from '../../harness/raw-produce.ts';

const POLICY = `version: 1
rules:
  - id: alice-writes-ok
    allow: [WRITE, DESCRIBE, READ]
    principals: [User:alice]
    resources: [{ topic: ok }]
`;
const HEALTH_CHECK_INTERVAL_MS = 500;
const UNREADY_AFTER_FAILED_CHECKS = 2;
/** Denied Produce requests the test sends; Prometheus must count exactly these. */
const DENIED_PRODUCES = 7;
/** Records the test produces to `ok` (and reads back with kcat); the per-topic series must count exactly these. */
const PRODUCED_RECORDS = 5;

let bed: PolicyBed;
let gw: GatewayProcess;
let prometheus: PrometheusServer;
let policyFile: string;
let bootstrap: string;

before(async () => {
  bed = await startPolicyBed({
    kafka: '4',
    topics: ['ok', 'no'],
    policy: POLICY,
    backend: {
      connectTimeoutMs: 2_000,
      healthCheckIntervalMs: HEALTH_CHECK_INTERVAL_MS,
      unreadyAfterFailedChecks: UNREADY_AFTER_FAILED_CHECKS,
    },
  });
  ({ gw, policyFile, bootstrap } = bed);
  prometheus = await startPrometheus({ targets: [`127.0.0.1:${gw.adminPort}`] });
});
after(async () => {
  await prometheus?.stop();
  await bed?.stop();
});

function producer() {
  return new Kafka({
    clientId: 'observability',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 200 },
  }).producer();
}

/** Milliseconds until /readyz answers `status` (polled every 50 ms), failing after `limitMs`. */
async function msUntilReadyz(status: number, limitMs: number): Promise<{ ms: number; body: string }> {
  const started = Date.now();
  for (;;) {
    const r = await httpGet(gw.adminPort, '/readyz');
    if (r.status === status) return { ms: Date.now() - started, body: r.body };
    if (Date.now() - started > limitMs) throw new Error(`/readyz still ${r.status} after ${limitMs} ms: ${r.body}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a real Prometheus scrapes the gateway and counts exactly the denied Produce requests the test sent', async () => {
  const p = producer();
  await p.connect();
  await p.send({ topic: 'ok', messages: [{ value: 'allowed' }] });
  await p.send({ topic: 'ok', messages: Array.from({ length: PRODUCED_RECORDS - 1 }, (_, i) => ({ value: `batch-${i}` })) });
  await p.disconnect();
  const consumed = await kcat(['-C', '-b', bootstrap, '-t', 'ok', '-o', 'beginning', '-e', '-q']);
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.equal(consumed.stdout.trim().split('\n').length, PRODUCED_RECORDS, 'kcat reads back what was produced');
  const port = Number(bootstrap.split(':')[1]);
  for (let i = 0; i < DENIED_PRODUCES; i++)
    assert.deepEqual(await produceOnce(port, 9, -1, ['no']), [['no', [29]]], 'TOPIC_AUTHORIZATION_FAILED');

  await prometheus.waitFor('up{job="gatehouse"}', (s) => s.length === 1 && s[0].value === 1);
  const denied = await prometheus.waitFor(
    'sum(gatehouse_authz_decisions_total{api="Produce",decision="denied",resource_type="TOPIC",operation="WRITE"})',
    (s) => s.length === 1 && s[0].value >= DENIED_PRODUCES,
  );
  assert.equal(denied[0].value, DENIED_PRODUCES, 'Prometheus counts exactly the denials provoked');
  const allowed = await prometheus.query('gatehouse_authz_decisions_total{api="Produce",decision="allowed"}');
  assert.deepEqual(
    allowed.map((s) => s.metric.rule),
    ['alice-writes-ok'],
    'allowed produce requests carry the rule that allowed them',
  );
  assert.ok(allowed[0].value >= 1);
  const ready = await prometheus.query('gatehouse_backend_ready');
  assert.equal(ready[0]?.value, 1);
  const identities = await prometheus.query('gatehouse_client_identities_total{listener="plain",method="ip"}');
  assert.ok((identities[0]?.value ?? 0) >= DENIED_PRODUCES, `identities ${JSON.stringify(identities)}`);
  // Requests by API and version, the latency of forwarded ones, bytes by direction.
  const produces = await prometheus.query('gatehouse_requests_total{api="Produce",version="9"}');
  assert.ok((produces[0]?.value ?? 0) >= DENIED_PRODUCES, `Produce v9 requests ${JSON.stringify(produces)}`);
  const latency = await prometheus.query('gatehouse_request_duration_seconds_count{api="Metadata"}');
  assert.ok((latency[0]?.value ?? 0) >= 1, `Metadata latency count ${JSON.stringify(latency)}`);
  const p99 = await prometheus.query('histogram_quantile(0.99, sum by (le) (gatehouse_upstream_duration_seconds_bucket{api="Metadata"}))');
  assert.ok(p99.length === 1 && p99[0].value > 0 && p99[0].value <= 10, `Metadata upstream p99 ${JSON.stringify(p99)}`);
  for (const direction of ['client_in', 'client_out', 'backend_in', 'backend_out']) {
    const bytes = await prometheus.query(`gatehouse_bytes_total{listener="plain",direction="${direction}"}`);
    assert.ok((bytes[0]?.value ?? 0) > 0, `${direction} bytes ${JSON.stringify(bytes)}`);
  }
  // Records and bytes by topic: exactly what was produced (the denied topic carries nothing), and read back.
  const produced = await prometheus.query('gatehouse_produced_records_total');
  assert.deepEqual(
    produced.map((s) => [s.metric.topic, s.value]),
    [['ok', PRODUCED_RECORDS]],
    'produced records by topic',
  );
  const producedBytes = await prometheus.query('gatehouse_produced_bytes_total{topic="ok"}');
  assert.ok((producedBytes[0]?.value ?? 0) > PRODUCED_RECORDS * 'batch-0'.length, `produced bytes ${JSON.stringify(producedBytes)}`);
  const fetched = await prometheus.query('gatehouse_fetched_records_total{topic="ok"}');
  assert.ok((fetched[0]?.value ?? 0) >= PRODUCED_RECORDS, `fetched records ${JSON.stringify(fetched)}`);
  const fetchedBytes = await prometheus.query('gatehouse_fetched_bytes_total{topic="ok"}');
  assert.ok((fetchedBytes[0]?.value ?? 0) >= (producedBytes[0]?.value ?? Infinity), `fetched bytes ${JSON.stringify(fetchedBytes)}`);
  // The process metrics come with every scrape (CPU, memory, event-loop lag).
  const cpu = await prometheus.query('process_cpu_seconds_total{job="gatehouse"}');
  assert.ok(cpu.length === 1 && cpu[0].value > 0, `process_cpu_seconds_total ${JSON.stringify(cpu)}`);
  const lag = await prometheus.query('nodejs_eventloop_lag_seconds{job="gatehouse"}');
  assert.equal(lag.length, 1);
});

type Status = {
  version: string;
  ready: boolean;
  backend: { reachable: boolean };
  listeners: Array<{ name: string; tls: boolean; ports: Record<string, number>; brokersKnown: number[] }>;
  policy: { version: number; files: string[]; lastError: { file: string; line: number; message: string } | null };
};

async function status(): Promise<Status> {
  return JSON.parse((await httpGet(gw.adminPort, '/status')).body) as Status;
}

/** Polls /status until `accept` holds (policy files reload after a quiet time), failing after 10 s. */
async function statusUntil(accept: (s: Status) => boolean): Promise<Status> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const s = await status();
    if (accept(s)) return s;
    if (Date.now() > deadline) throw new Error(`/status not as expected within 10 s: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('/status says what is in force; a broken policy is refused there with file and line, and the gateway stays ready', async () => {
  const before = await status();
  assert.equal(before.version, GATEHOUSE_VERSION);
  assert.equal(before.ready, true);
  assert.deepEqual(
    before.listeners.map((l) => [l.name, l.tls, l.ports.bootstrap, l.brokersKnown]),
    [['plain', false, Number(bootstrap.split(':')[1]), [1]]],
  );
  assert.ok(before.policy.version >= 1);
  assert.equal(before.policy.lastError, null);

  fs.writeFileSync(policyFile, `${POLICY}  - id: broken\n    allow: [WRITE]\n    principals: [alice]\n    resources: [{ topic: x }]\n`);
  const after = await statusUntil((s) => s.policy.lastError !== null);
  assert.equal(after.policy.version, before.policy.version, 'the last good policy stays in force');
  assert.equal(after.policy.lastError?.file, policyFile);
  assert.equal(after.policy.lastError?.line, 9, 'the line of `principals: [alice]`');
  assert.match(after.policy.lastError?.message ?? '', /principal/i);
  assert.equal((await httpGet(gw.adminPort, '/readyz')).status, 200, 'a refused reload does not make the gateway unready');
  fs.writeFileSync(policyFile, POLICY);
  const restored = await statusUntil((s) => s.policy.lastError === null);
  await gw.waitForLog((l) => l.decision === 'policy_loaded' && l.trigger === 'file change');
  // The audit trail (stdout here) has the start, the refusal with its place, and the reload.
  const audit = gw.logs().filter((l) => typeof l.decision === 'string' && String(l.decision).startsWith('policy_'));
  assert.deepEqual(
    audit.map((l) => [l.decision, l.trigger]),
    [
      ['policy_loaded', 'start'],
      ['policy_reload_failed', 'file change'],
      ['policy_loaded', 'file change'],
    ],
  );
  assert.match(String(audit[1].error), new RegExp(`^${policyFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9:`));
  assert.equal(audit[2].version, restored.policy.version);
});

test('the backend dies: /readyz turns unready within the stated time, and ready again when it returns', async () => {
  const broker = bed.cluster.brokers[0];
  // Stated in the README: unready after unreadyAfterFailedChecks failed checks, healthCheckIntervalMs apart.
  const limitMs = HEALTH_CHECK_INTERVAL_MS * (UNREADY_AFTER_FAILED_CHECKS + 1) + 2_000;
  await broker.kill();
  const down = await msUntilReadyz(503, limitMs);
  assert.match(down.body, /backend/);
  const log = await gw.waitForLog((l) => l.event === 'backend_unreachable');
  assert.equal(log.failedChecks, UNREADY_AFTER_FAILED_CHECKS);
  await prometheus.waitFor('gatehouse_backend_ready', (s) => s.length === 1 && s[0].value === 0);
  const outage = await status();
  assert.deepEqual([outage.ready, outage.backend.reachable], [false, false]);
  // /healthz is about the process, which is fine: a liveness probe must not restart it for the backend's outage.
  assert.equal((await httpGet(gw.adminPort, '/healthz')).status, 200);

  await broker.restart();
  const up = await msUntilReadyz(200, 30_000);
  await gw.waitForLog((l) => l.event === 'backend_ready' && l.recovered === true);
  await prometheus.waitFor('gatehouse_backend_ready', (s) => s.length === 1 && s[0].value === 1);
  console.log(`readyz: unready ${down.ms} ms after the broker was killed (limit ${limitMs} ms); ready ${up.ms} ms after it listened again`);
  // Clients get through again.
  const p = producer();
  await p.connect();
  await p.send({ topic: 'ok', messages: [{ value: 'after the outage' }] });
  await p.disconnect();
});
