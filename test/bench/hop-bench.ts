// The hop alone: its CPU time per Produce request when nothing else competes for the machine. The Kafka
// benchmarks (authz-bench, proxy-bench) share two cores between the broker's JVM, the perf tools' JVM and
// the hop; this one replaces both JVMs with a stand-in in this process, so each path sees the same
// requests at the same pace and the hop's own cost is what moves:
//   - a stand-in broker answering ApiVersions, Metadata (one broker, one topic) and Produce with fixed
//     answers made by the project's codec (enough for the gateway's start-up probe, health checks and
//     topic lookups; not a broker, and not evidence that anything works);
//   - a stand-in producer sending Produce v12 requests of one 64 KiB record batch, each in one write,
//     at most 5 in flight (the Java producer's default), optionally at a fixed rate.
// Paths: pipe (tcp-pipe.ts), frame-pipe (tcp-pipe.ts --frames: framing only), acl-off (the gateway with
// `authorization: { mode: off }`) and acl-on (a 1,000-rule policy whose last rules allow the producer).
// With --pin (Linux `taskset`), each hop runs on CPU 1 and this process on CPU 0. With --busy-neighbour
// too, a process looping over 64 MB of memory shares CPU 1 during the rounds, so a hop never sleeps
// between requests (paced requests otherwise wake it from idle each time).
// Every round runs every path on a new connection (the order alternates); the summary gives medians
// of the hop's CPU per request, its user and system parts, and each path's ratio to the pipe.
//   node --import tsx test/bench/hop-bench.ts [--requests N] [--rounds R] [--warmup N] [--rate R/s] [--pin] [--busy-neighbour]
//     [--paths pipe,frame-pipe,acl-off,acl-on] [--gateway-node-args FLAGS]
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FrameReader } from '../../gateway/net/frame-reader.ts';
import { API_KEY, decodeRequestFrame, encodeRequestFrame, encodeResponseFrame, type Struct } from '../../gateway/protocol/index.ts';
import { startGatewayProcess } from '../harness/gateway.ts';
import { freePorts, waitForPort } from '../harness/ports.ts';
import { startServerProcess } from '../harness/processes.ts';
import { cpuTimes, median } from './perf-tools.ts';
import { generatePolicyYaml } from './policy-generator.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '20000' },
    /** Requests per second (0: as fast as answers come back). */
    rate: { type: 'string', default: '0' },
    pin: { type: 'boolean', default: false },
    'busy-neighbour': { type: 'boolean', default: false },
    paths: { type: 'string', default: 'pipe,frame-pipe,acl-off,acl-on' },
    /** More node flags for the gateway processes (e.g. `--cpu-prof --cpu-prof-dir=DIR`), space-separated. */
    'gateway-node-args': { type: 'string', default: '' },
  },
});
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);
const RATE = Number(values.rate);
const IN_FLIGHT = 5;
const TOPIC = 'hop-bench.orders';
const PRINCIPAL = 'User:bench';
const BATCH_BYTES = 64 * 1024;
const ALL_PATHS = ['pipe', 'frame-pipe', 'acl-off', 'acl-on'] as const;
type PathName = (typeof ALL_PATHS)[number];
const paths = values.paths.split(',').filter(Boolean) as PathName[];
for (const p of paths) if (!ALL_PATHS.includes(p)) throw new Error(`unknown path ${p}; known: ${ALL_PATHS.join(', ')}`);

const benchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-hop-bench-'));

// ---- the stand-in broker: one per hop, each advertising the address its clients must come back to.

const API_RANGES = [
  { apiKey: API_KEY.Produce, minVersion: 3, maxVersion: 12 },
  { apiKey: API_KEY.Metadata, minVersion: 0, maxVersion: 12 },
  { apiKey: API_KEY.ApiVersions, minVersion: 0, maxVersion: 3 },
];
const TOPIC_ID = 'q83vEjRWeJq83vEjRWeJqw';

function answer(apiKey: number, request: Struct, advertisedPort: number): Struct | null {
  switch (apiKey) {
    case API_KEY.ApiVersions:
      return {
        errorCode: 0,
        apiKeys: API_RANGES,
        throttleTimeMs: 0,
        supportedFeatures: [],
        finalizedFeaturesEpoch: -1n,
        finalizedFeatures: [],
      };
    case API_KEY.Metadata: {
      const asked = (request.topics as Array<{ name: string | null }> | null) ?? [];
      return {
        throttleTimeMs: 0,
        brokers: [{ nodeId: 1, host: '127.0.0.1', port: advertisedPort, rack: null }],
        clusterId: 'hop-bench',
        controllerId: 1,
        topics: asked.map((t) => {
          const known = t.name === TOPIC || t.name === null;
          return {
            errorCode: known ? 0 : 3,
            name: t.name ?? TOPIC,
            topicId: TOPIC_ID,
            isInternal: false,
            partitions: known
              ? [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }]
              : [],
            topicAuthorizedOperations: -2147483648,
          };
        }),
      };
    }
    case API_KEY.Produce:
      return {
        responses: [
          {
            name: TOPIC,
            partitionResponses: [
              { index: 0, errorCode: 0, baseOffset: 0n, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null },
            ],
          },
        ],
        throttleTimeMs: 0,
      };
    default:
      return null;
  }
}

async function standInBroker(advertisedPort: () => number): Promise<{ port: number; close: () => void }> {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const reader = new FrameReader(() => 2 * BATCH_BYTES);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        const head = frame.head(8);
        const [apiKey, version, correlationId] = [head.readInt16BE(0), head.readInt16BE(2), head.readInt32BE(4)];
        // Produce answers do not depend on the request: it is not decoded (the stand-in stays cheap).
        const request = apiKey === API_KEY.Produce ? {} : decodeRequestFrame(frame.payload).body;
        const body = answer(apiKey, request, advertisedPort());
        if (body === null) return socket.destroy();
        socket.write(encodeResponseFrame({ correlationId }, body, apiKey, version, { sizePrefix: true }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

// ---- the hops

type Hop = { pid: number; port: number; stop: () => Promise<void> };

async function startPipe(frames: boolean): Promise<Hop> {
  const [port] = await freePorts(1);
  const broker = await standInBroker(() => port);
  const pipe = startServerProcess({
    name: frames ? 'frame-pipe' : 'tcp-pipe',
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      fileURLToPath(new URL('./tcp-pipe.ts', import.meta.url)),
      String(port),
      `127.0.0.1:${broker.port}`,
      ...(frames ? ['--frames'] : []),
    ],
    logFile: path.join(benchDir, frames ? 'frame-pipe.log' : 'pipe.log'),
  });
  await waitForPort(port, '127.0.0.1', 30_000);
  return { pid: pipe.pid, port, stop: async () => (await pipe.stop(), broker.close()) };
}

async function startGateway(authorization: Record<string, unknown>): Promise<Hop> {
  const [port, brokerPort] = await freePorts(2);
  const broker = await standInBroker(() => broker.port);
  const gateway = await startGatewayProcess({
    backendBootstrap: `127.0.0.1:${broker.port}`,
    maxBrokers: 1,
    extraConfig: { log: { level: 'warn' }, authorization },
    nodeArgs: values['gateway-node-args'].split(' ').filter(Boolean),
    listeners: [
      {
        name: 'bench',
        bind: `127.0.0.1:${port}`,
        plaintext: true,
        routing: { brokerPorts: { 1: brokerPort } },
        network: { identities: { '127.0.0.1/32': PRINCIPAL } },
      },
    ],
  });
  return { pid: gateway.process.pid, port, stop: async () => (await gateway.stop(), broker.close()) };
}

const policyFile = path.join(benchDir, 'policy.yaml');
fs.writeFileSync(
  policyFile,
  generatePolicyYaml({ principal: PRINCIPAL, topicPrefix: 'hop-bench.', groupPrefix: 'hop-bench-', rules: 1000 }),
);
const starters: Record<PathName, () => Promise<Hop>> = {
  pipe: () => startPipe(false),
  'frame-pipe': () => startPipe(true),
  'acl-off': () => startGateway({ mode: 'off' }),
  // No managed-ACL store: its polling of the backend is not part of a request's cost.
  'acl-on': () => startGateway({ policies: [policyFile], managedAcls: { store: 'none' } }),
};
const hops = {} as Record<PathName, Hop>;
for (const p of paths) hops[p] = await starters[p]();
if (values['busy-neighbour'] && !values.pin) throw new Error("--busy-neighbour needs --pin (it shares the hops' core)");
if (values.pin) {
  execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  for (const p of paths) execFileSync('taskset', ['-a', '-p', '-c', '1', String(hops[p].pid)], { stdio: 'ignore' });
}

// ---- the stand-in producer

const batch = Buffer.alloc(BATCH_BYTES, 0x61);
batch.writeBigInt64BE(0n, 0); // base offset
batch.writeInt32BE(BATCH_BYTES - 12, 8); // batch length
batch.writeInt8(2, 16); // magic
batch.writeInt32BE(63, 57); // record count
const request = encodeRequestFrame(
  { requestApiKey: API_KEY.Produce, requestApiVersion: 12, correlationId: 0, clientId: 'hop-bench' },
  { transactionalId: null, acks: 1, timeoutMs: 30_000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch }] }] },
  { sizePrefix: true },
);
const CORRELATION_ID_AT = 4 + 4;

/** Sends `n` Produce requests on a new connection and waits for every answer. */
async function produce(port: number, n: number): Promise<void> {
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const reader = new FrameReader(() => 1024 * 1024);
  const start = performance.now();
  let sent = 0;
  let answered = 0;
  await new Promise<void>((resolve, reject) => {
    const due = () => (RATE > 0 ? Math.floor(((performance.now() - start) * RATE) / 1000) + 1 : n);
    const send = () => {
      const until = Math.min(n, due());
      while (sent < until && sent - answered < IN_FLIGHT) {
        const frame = Buffer.from(request); // a fresh buffer per request, as a client writes one
        frame.writeInt32BE(sent, CORRELATION_ID_AT);
        socket.write(frame);
        sent++;
      }
    };
    const pacer = RATE > 0 ? setInterval(send, 1) : null;
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      answered += reader.push(chunk).length;
      if (answered < n) return send();
      if (pacer) clearInterval(pacer);
      resolve();
    });
    send();
  });
  socket.destroy();
}

/**
 * A process's read and write system calls so far (/proc/PID/io: every read, recv, write, send, writev…) and
 * its minor page faults (/proc/PID/stat).
 */
function kernelCounters(pid: number): { reads: number; writes: number; faults: number } {
  const io = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
  return {
    reads: Number(/^syscr: (\d+)/m.exec(io)?.[1] ?? NaN),
    writes: Number(/^syscw: (\d+)/m.exec(io)?.[1] ?? NaN),
    faults: cpuTimes(pid).minorFaults,
  };
}

type Round = { user: number; system: number };
const results = Object.fromEntries(paths.map((p) => [p, [] as Round[]])) as Record<PathName, Round[]>;
console.log(
  `${REQUESTS} Produce requests of ${BATCH_BYTES / 1024} KiB per round and path, ${IN_FLIGHT} in flight, ` +
    `${RATE > 0 ? `${RATE}/s` : 'unpaced'}; ${ROUNDS} rounds; ${os.cpus().length} cores${values.pin ? '; hops pinned to CPU 1' : ''}` +
    `${values['busy-neighbour'] ? ', with a busy neighbour there' : ''}`,
);
for (const p of paths) await produce(hops[p].port, Number(values.warmup));
const neighbour = values['busy-neighbour']
  ? spawn(
      'taskset',
      ['-c', '1', process.execPath, '-e', 'const a = new Float64Array(8e6); for (;;) for (let i = 0; i < a.length; i += 8) a[i]++;'],
      { stdio: 'ignore' },
    )
  : null;
// It loops for ever: it must not outlive this process, whatever ends it.
process.on('exit', () => neighbour?.kill());
const width = Math.max(...paths.map((p) => p.length));
for (let round = 1; round <= ROUNDS; round++) {
  for (const p of round % 2 === 1 ? paths : [...paths].reverse()) {
    const countersBefore = kernelCounters(hops[p].pid);
    const before = cpuTimes(hops[p].pid);
    const started = performance.now();
    await produce(hops[p].port, REQUESTS);
    const seconds = (performance.now() - started) / 1000;
    const after = cpuTimes(hops[p].pid);
    const counters = kernelCounters(hops[p].pid);
    const r = { user: after.user - before.user, system: after.system - before.system };
    results[p].push(r);
    const mbPerSec = (REQUESTS * BATCH_BYTES) / 1e6 / seconds;
    console.log(
      `round ${round} ${p.padEnd(width)}: ${mbPerSec.toFixed(0).padStart(5)} MB/s; hop CPU ${(r.user + r.system).toFixed(2)} s ` +
        `(user ${r.user.toFixed(2)}, system ${r.system.toFixed(2)}) = ${(((r.user + r.system) * 1e6) / REQUESTS).toFixed(1)} µs per request, ` +
        `${((counters.reads - countersBefore.reads) / REQUESTS).toFixed(2)} reads, ${((counters.writes - countersBefore.writes) / REQUESTS).toFixed(2)} writes, ` +
        `${((counters.faults - countersBefore.faults) / REQUESTS).toFixed(2)} page faults`,
    );
  }
}
neighbour?.kill();
for (const p of paths) await hops[p].stop();
fs.rmSync(benchDir, { recursive: true, force: true });

const perRequest = (s: number) => ((s * 1e6) / REQUESTS).toFixed(1);
console.log(`\nsummary: median over ${ROUNDS} rounds of the hop's CPU per request (µs); ratios are round by round`);
for (const p of paths) {
  const total = results[p].map((r) => r.user + r.system);
  const vsPipe =
    paths.includes('pipe') && p !== 'pipe'
      ? `  ÷ pipe ${median(total.map((t, i) => t / (results.pipe[i].user + results.pipe[i].system))).toFixed(3)}`
      : '';
  console.log(
    `  ${p.padEnd(width)}  ${perRequest(median(total)).padStart(6)} µs  (user ${perRequest(median(results[p].map((r) => r.user)))}, ` +
      `system ${perRequest(median(results[p].map((r) => r.system)))})${vsPipe}`,
  );
}
