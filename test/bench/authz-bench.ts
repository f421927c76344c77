// What enforcing a 1,000-rule policy costs: produce and consume with Kafka's perf tools against one real
// broker, in the same run, on four paths:
//   direct   — the broker's own listener;
//   pipe     — a Node byte pipe that parses nothing (tcp-pipe.ts): the floor for one more hop in Node
//              (with --pipe-frames it cuts frames and writes them as the gateway does: framing alone);
//   acl-off  — the gateway with `authorization: { mode: off }`;
//   acl-on   — the gateway with `authorization: { policies: [<generated 1,000-rule policy>] }`, whose
//              clients are allowed only by rules at the end of it (policy-generator.ts);
//   observe  — the same policy in `mode: dry-run` with `observe` on (authorization.observe): what observe
//              mode costs over plain enforcement (target ≤ 1.05 CPU per GB);
//   chain    — a third ACLs-on gateway whose backend is the byte pipe: both hops carry the same requests
//              at the same moments, so their CPU per GB compares without the pacing of two separate phases
//              (a phase's CPU per GB moves with its throughput; separate phases of the same path differ by
//              up to half);
//   chain-off — the same for the ACLs-on ÷ ACLs-off targets: an ACLs-on gateway whose backend is an
//              ACLs-off gateway of its own;
//   chain-control — the control for chain-off: an ACLs-off gateway in front of an ACLs-off gateway. The
//              two places differ by more than authorization (the front hop reads what the client wrote,
//              the one behind reads whole frames as a gateway writes them, and answers the front's
//              health checks), so chain-off's ratio is read against this one.
//   chain-pipe-front — chain the other way round: a byte pipe in front of an enforcing gateway (which
//              advertises the pipe's address, 127.0.0.2, so the client's broker connections go through it
//              too). With chain in the same run, each round also gives the geometric mean of the two
//              orders' gateway ÷ pipe ratios: what the front place costs either hop cancels out.
// Every gateway runs as its own process with the same listener (an IP identity names the clients'
// principal), so each one's CPU time is its own. Every round runs every path (the order alternates from
// round to round so no path always follows the same one) and prints its numbers; the summary gives the
// median and the spread over rounds, the gateway's and the pipe's CPU-seconds per GB, and the target ratios.
// Before the rounds every path runs --warmups produce (and consume) phases; after them each hop's CPU
// while idle is measured and printed (the gateway's timers cost it some every second; a phase's CPU
// includes them). Not between the two: 10 s idle lets V8's memory reducer run, and its GCs drop the
// shapes of per-request objects (no request is alive) and with them the optimised code of the data path,
// so the first round measured the JIT compiling it all again (--idle-before-rounds shows that cost).
// A small produce phase before each measured one (--small-records) measures what every phase pays
// whatever its size, so the summary also gives produce CPU per GB on the records alone.
//   node --import tsx test/bench/authz-bench.ts [--records N] [--record-size B] [--rounds R] [--warmups W] [--small-records N]
//     [--hop-cpu-prof DIR] [--gateway-node-args FLAGS] [--phases produce,consume] [--pipe-frames] [--idle-before-rounds]
//     [--paths direct,pipe,acl-off,acl-on,observe,chain,chain-off,chain-control,chain-pipe-front]
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { API_KEY, decodeResponseFrame, encodeRequestFrame, ErrorCode, ZERO_UUID } from '../../gateway/protocol/index.ts';
import { startGatewayProcess, type GatewayProcess } from '../harness/gateway.ts';
import { startKafka } from '../harness/kafka.ts';
import { freePorts, waitForPort } from '../harness/ports.ts';
import { startServerProcess, type ServerProcess } from '../harness/processes.ts';
import { cpuTimes, FULL_JIT, median, perfTools, type PerfTarget } from './perf-tools.ts';
import { measureProduceAuthorization } from './authz-request-cost.ts';
import { generatePolicyYaml } from './policy-generator.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '150000' },
    'record-size': { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    /**
     * Unmeasured produce (and consume) phases per path first. V8 was still compiling the gateway's code
     * after one: with --trace-opt, 87-118 ms of compiling in each of the next two produce phases (a
     * third of the phase's CPU), 4-25 ms after four.
     */
    warmups: { type: 'string', default: '3' },
    /** Write V8 CPU profiles of every hop process (the gateways and the byte pipe) into this folder (when they stop). */
    'hop-cpu-prof': { type: 'string' },
    /** Which paths to run (default all nine). */
    paths: { type: 'string', default: 'direct,pipe,acl-off,acl-on,observe,chain,chain-off,chain-control,chain-pipe-front' },
    /** More node flags for both gateway processes (e.g. `--perf-basic-prof` or `--trace-gc`), space-separated. */
    'gateway-node-args': { type: 'string', default: '' },
    /** `produce` alone skips the consume phases (e.g. for a profile of the produce path only). */
    phases: { type: 'string', default: 'produce,consume' },
    /**
     * The pipe cuts both directions into frames with the gateway's FrameReader and writes each frame as
     * the gateway does (tcp-pipe.ts --frames): what the gateway pays before it looks inside a frame.
     */
    'pipe-frames': { type: 'boolean', default: false },
    /** Measure idle CPU between the warm-up and the rounds (the memory reducer then runs just before round 1). */
    'idle-before-rounds': { type: 'boolean', default: false },
    /**
     * Records in a small produce phase before each measured produce phase (0: none). Every phase pays the
     * same fixed part whatever its size (the perf tool's JVM start with the hop idle, its connections,
     * ApiVersions, Metadata, topic creation, InitProducerId); the small phase measures it, so the summary
     * can give each hop's CPU per GB both as measured and on the records alone (big minus small).
     */
    'small-records': { type: 'string', default: '2000' },
  },
});
const workload = { records: Number(values.records), recordSize: Number(values['record-size']) };
const rounds = Number(values.rounds);
const warmups = Number(values.warmups);
const idleBeforeRounds = values['idle-before-rounds'];
const gbPerPhase = (workload.records * workload.recordSize) / 1e9;
const smallWorkload = { records: Number(values['small-records']), recordSize: workload.recordSize };
const gbPerSmallPhase = (smallWorkload.records * smallWorkload.recordSize) / 1e9;

const PRINCIPAL = 'User:bench';
const TOPIC_PREFIX = 'authz-bench.';
/** kafka-consumer-perf-test's own group ids are `perf-consumer-<random>`. */
const GROUP_PREFIX = 'perf-consumer-';
const RULES = 1000;

const ALL_PATHS = ['direct', 'pipe', 'acl-off', 'acl-on', 'observe', 'chain', 'chain-off', 'chain-control', 'chain-pipe-front'] as const;
type PathName = (typeof ALL_PATHS)[number];
const wanted = values.paths.split(',').filter(Boolean);
for (const p of wanted)
  if (!(ALL_PATHS as readonly string[]).includes(p)) throw new Error(`unknown path ${p}; known: ${ALL_PATHS.join(', ')}`);

const benchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-authz-bench-'));
const policyFile = path.join(benchDir, 'policy.yaml');
fs.writeFileSync(
  policyFile,
  generatePolicyYaml({ principal: PRINCIPAL, topicPrefix: TOPIC_PREFIX, groupPrefix: GROUP_PREFIX, rules: RULES }),
);

// Observe mode as a user runs it: the policy in dry-run (nothing refused), every question recorded.
const dryRunPolicyFile = path.join(benchDir, 'policy-dry-run.yaml');
fs.writeFileSync(dryRunPolicyFile, `${fs.readFileSync(policyFile, 'utf8')}\nmode: dry-run\n`);
const observationsFile = path.join(benchDir, 'observations.json');

const paths = ALL_PATHS.filter((p) => wanted.includes(p));
const consumes = values.phases.split(',').includes('consume');

// In process, before the broker starts: the per-request cost on its own, without the network.
const requestCosts = measureProduceAuthorization({
  principal: PRINCIPAL,
  topicPrefix: TOPIC_PREFIX,
  groupPrefix: GROUP_PREFIX,
  rules: RULES,
});
// The broker has a second listener advertised at the pipe's port, so clients that bootstrap through the
// pipe stay on it while direct clients use the broker's own listener.
const [pipePort, pipeListenerPort] = await freePorts(2);
const cluster = await startKafka({
  version: '4',
  brokers: 1,
  jvmOptions: FULL_JIT,
  extraListener: () => ({ name: 'PIPED', port: pipeListenerPort, advertisedPort: pipePort }),
});
const cpuProfArgs = values['hop-cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['hop-cpu-prof']}`] : [];
/** A byte pipe process (tcp-pipe.ts) from `listen` ([host:]port) to `target` (host:port). */
function startPipe(name: string, listen: string, target: string, extraArgs: string[] = []): ServerProcess {
  const script = fileURLToPath(new URL('./tcp-pipe.ts', import.meta.url));
  return startServerProcess({
    name,
    command: process.execPath,
    args: [...cpuProfArgs, '--import', 'tsx', script, listen, target, ...extraArgs],
    logFile: path.join(benchDir, `${name}.log`),
  });
}
const pipe = startPipe('tcp-pipe', String(pipePort), `127.0.0.1:${pipeListenerPort}`, values['pipe-frames'] ? ['--frames'] : []);
await waitForPort(pipePort, '127.0.0.1', 30_000);

/**
 * A gateway process in front of `backend` (default the broker) whose clients (from 127.0.0.1) are PRINCIPAL,
 * advertising its broker port at `advertisedHost` (default the address it binds, 127.0.0.1).
 */
async function startGateway(
  authorization: Record<string, unknown>,
  backend = cluster.bootstrap,
  advertisedHost?: string,
): Promise<GatewayProcess & { brokerPort: number }> {
  const [bootstrapPort, brokerPort] = await freePorts(2);
  const gateway = await startGatewayProcess({
    backendBootstrap: backend,
    maxBrokers: 1,
    extraConfig: { log: { level: 'warn' }, authorization },
    nodeArgs: [...cpuProfArgs, ...values['gateway-node-args'].split(' ').filter(Boolean)],
    listeners: [
      {
        name: 'bench',
        bind: `127.0.0.1:${bootstrapPort}`,
        plaintext: true,
        routing: { brokerPorts: { 1: brokerPort } },
        network: { identities: { '127.0.0.1/32': PRINCIPAL } },
        ...(advertisedHost && { advertisedHost }),
      },
    ],
  });
  return Object.assign(gateway, { brokerPort });
}
const gatewayOff = paths.includes('acl-off') ? await startGateway({ mode: 'off' }) : null;
const gatewayOn = paths.includes('acl-on') ? await startGateway({ policies: [policyFile] }) : null;
// Behind it the pipe, which the broker advertises: the gateway's broker connections go through the pipe too.
const gatewayChain = paths.includes('chain') ? await startGateway({ policies: [policyFile] }, `127.0.0.1:${pipePort}`) : null;
/** A gateway with `authorization` in front of an ACLs-off gateway of its own: [front, behind]. */
async function startChainedGateways(authorization: Record<string, unknown>): Promise<[GatewayProcess, GatewayProcess]> {
  const behind = await startGateway({ mode: 'off' });
  return [await startGateway(authorization, behind.bootstrap), behind];
}
const chainOff = paths.includes('chain-off') ? await startChainedGateways({ policies: [policyFile] }) : null;
/**
 * The byte pipe in front of an enforcing gateway: the gateway advertises PIPE_FRONT_HOST, where the pipe
 * listens on the gateway's own broker port and forwards to it (the pipe connects from 127.0.0.1, so the
 * gateway still sees PRINCIPAL).
 */
const PIPE_FRONT_HOST = '127.0.0.2';
async function startPipeFrontChain(): Promise<{ gateway: GatewayProcess; pipe: ServerProcess; bootstrap: string }> {
  const gateway = await startGateway({ policies: [policyFile] }, cluster.bootstrap, PIPE_FRONT_HOST);
  const front = startPipe('tcp-pipe-front', `${PIPE_FRONT_HOST}:${gateway.brokerPort}`, `127.0.0.1:${gateway.brokerPort}`);
  await waitForPort(gateway.brokerPort, PIPE_FRONT_HOST, 30_000);
  return { gateway, pipe: front, bootstrap: `${PIPE_FRONT_HOST}:${gateway.brokerPort}` };
}
const pipeFrontChain = paths.includes('chain-pipe-front') ? await startPipeFrontChain() : null;
const chainControl = paths.includes('chain-control') ? await startChainedGateways({ mode: 'off' }) : null;
const gatewayObserve = paths.includes('observe')
  ? await startGateway({ policies: [dryRunPolicyFile], observe: { file: observationsFile, flushIntervalSeconds: 5 } })
  : null;

/**
 * The error code the gateway at `bootstrap` gives for a topic outside the benchmark's prefix (Metadata v12):
 * TOPIC_AUTHORIZATION_FAILED shows the policy is in force, so the ACLs-on numbers are what they claim.
 */
async function metadataErrorFor(bootstrap: string, topic: string): Promise<number> {
  const [host, port] = bootstrap.split(':');
  const socket = net.connect({ host, port: Number(port) });
  try {
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const request = encodeRequestFrame(
      { requestApiKey: API_KEY.Metadata, requestApiVersion: 12, correlationId: 1, clientId: 'authz-bench' },
      { topics: [{ topicId: ZERO_UUID, name: topic }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false },
      { sizePrefix: true },
    );
    socket.write(request);
    let got = Buffer.alloc(0);
    for await (const chunk of socket) {
      got = Buffer.concat([got, chunk as Buffer]);
      if (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) break;
    }
    const { body } = decodeResponseFrame(got.subarray(4, 4 + got.readInt32BE(0)), API_KEY.Metadata, 12);
    return (body as { topics: Array<{ errorCode: number }> }).topics[0].errorCode;
  } finally {
    socket.destroy();
  }
}
const enforcing = [
  ['acl-on', gatewayOn?.bootstrap],
  ['chain', gatewayChain?.bootstrap],
  ['chain-off', chainOff?.[0].bootstrap],
  ['chain-pipe-front', pipeFrontChain?.bootstrap],
] as const;
for (const [name, bootstrap] of enforcing) {
  if (!bootstrap) continue;
  const code = await metadataErrorFor(bootstrap, 'not-for-the-bench');
  if (code !== ErrorCode.TOPIC_AUTHORIZATION_FAILED) {
    throw new Error(`the ${name} gateway answered error ${code} for a topic its policy denies: the policy is not in force`);
  }
  console.log(`${name}: a topic outside the policy gets TOPIC_AUTHORIZATION_FAILED (the policy is in force)`);
}

/** `pid`: the hop measured (null: none); `behind`: the hop behind it, measured in the same phase (the chains). */
type Target = PerfTarget & { pid: number | null; behind?: { name: string; pid: number } };
const chainedTarget = ([front, behind]: [GatewayProcess, GatewayProcess]): Target => ({
  bootstrap: front.bootstrap,
  pid: front.process.pid,
  behind: { name: 'the ACLs-off gateway', pid: behind.process.pid },
});
const targets: Record<PathName, Target | null> = {
  direct: { bootstrap: cluster.bootstrap, pid: null },
  pipe: { bootstrap: `127.0.0.1:${pipePort}`, pid: pipe.pid },
  'acl-off': gatewayOff && { bootstrap: gatewayOff.bootstrap, pid: gatewayOff.process.pid },
  'acl-on': gatewayOn && { bootstrap: gatewayOn.bootstrap, pid: gatewayOn.process.pid },
  observe: gatewayObserve && { bootstrap: gatewayObserve.bootstrap, pid: gatewayObserve.process.pid },
  chain: gatewayChain && { bootstrap: gatewayChain.bootstrap, pid: gatewayChain.process.pid, behind: { name: 'the pipe', pid: pipe.pid } },
  'chain-off': chainOff && chainedTarget(chainOff),
  'chain-control': chainControl && chainedTarget(chainControl),
  'chain-pipe-front': pipeFrontChain && {
    bootstrap: pipeFrontChain.bootstrap,
    pid: pipeFrontChain.pipe.pid,
    behind: { name: 'the enforcing gateway', pid: pipeFrontChain.gateway.process.pid },
  },
};
const tools = perfTools(workload);
const smallTools = perfTools(smallWorkload);
// For attaching a profiler or strace to one hop while the benchmark runs.
const hopList = paths.flatMap((p) => {
  const { pid, behind } = targets[p]!;
  if (pid === null) return [];
  return [`${p} pid ${pid}${behind ? ` (${behind.name} behind it pid ${behind.pid})` : ''}`];
});
console.log(`hop processes: ${hopList.join(', ')}`);

console.log(
  `Kafka ${cluster.version}, 1 broker; ${workload.records} records of ${workload.recordSize} B (${(gbPerPhase * 1e3).toFixed(0)} MB) per phase; ` +
    `${os.cpus().length} cores; ${warmups} warm-up and ${rounds} measured rounds; policy: ${RULES} rules, clients are ${PRINCIPAL}`,
);
console.log(
  `the pipe path: ${values['pipe-frames'] ? 'frames cut and written as the gateway does (tcp-pipe.ts --frames)' : 'a byte pipe (tcp-pipe.ts)'}`,
);
// The hops inherit it, and it moves their page faults and CPU (README, Performance).
console.log(`GLIBC_TUNABLES of every hop: ${process.env.GLIBC_TUNABLES ?? '(unset: glibc defaults)'}`);
console.log(
  `per-request authorization (in process, all allowed): ${requestCosts
    .map(
      (c) =>
        `Produce with ${c.topics} topics ${c.microseconds.toFixed(1)} µs (${c.firstMicroseconds.toFixed(0)} µs as a connection's first)`,
    )
    .join('; ')}`,
);

/**
 * `cpu`: the hop's CPU seconds in the phase (every thread's run time, to the ns); `user`: the part of its
 * clock ticks spent in user space (the rest is the kernel's); `faults`: its minor page faults (a hop that
 * gives freed heap back to the system and takes it again shows thousands more per phase, at more CPU).
 */
type Phase = {
  mbPerSec: number;
  cpu: number;
  user: number;
  faults: number;
  /** The chains: the CPU seconds of the hop behind the measured one, in the same phase. */
  behindCpu?: number;
};
/** `small`: the small produce phase before `produce` (absent with --small-records 0). */
type Round = { produce: Phase; consume: Phase; small?: Phase };
const results = Object.fromEntries(paths.map((p) => [p, [] as Round[]])) as Record<PathName, Round[]>;

async function phase(target: Target, run: () => Promise<{ mbPerSec: number }>): Promise<Phase> {
  const times = () => (target.pid === null ? { user: 0, system: 0, total: 0, minorFaults: 0 } : cpuTimes(target.pid));
  const behindTotal = () => (target.behind === undefined ? 0 : cpuTimes(target.behind.pid).total);
  const before = times();
  const behindBefore = behindTotal();
  const { mbPerSec } = await run();
  const after = times();
  const measured = {
    mbPerSec,
    cpu: after.total - before.total,
    user: after.user - before.user,
    faults: after.minorFaults - before.minorFaults,
  };
  return target.behind === undefined ? measured : { ...measured, behindCpu: behindTotal() - behindBefore };
}

// Warm-up, produce and consume on every path: the tools', the broker's and each hop's JIT (see --warmups).
for (let w = 1; w <= warmups; w++) {
  for (const p of paths) {
    await tools.produce(targets[p]!, `${TOPIC_PREFIX}warmup.${p}.${w}`);
    if (consumes) await tools.consume(targets[p]!, `${TOPIC_PREFIX}warmup.${p}.${w}`);
  }
}

// Idle, every hop at once: a phase's CPU includes this much per second of it (a perf tool's JVM start is
// a second or two of each phase in which no byte moves).
const IDLE_SECONDS = 10;
const hopPids = paths.flatMap((p) => (targets[p]!.pid === null ? [] : [[p, targets[p]!.pid] as const]));
async function measureIdle(when: string): Promise<void> {
  const before = hopPids.map(([, pid]) => cpuTimes(pid).total);
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  console.log(
    `idle CPU over ${IDLE_SECONDS} s ${when}: ` +
      hopPids.map(([p, pid], i) => `${p} ${(((cpuTimes(pid).total - before[i]) * 1000) / IDLE_SECONDS).toFixed(1)} ms/s`).join(', '),
  );
}
if (idleBeforeRounds) await measureIdle('after the warm-up (before the rounds)');

const width = Math.max(...paths.map((p) => p.length));
for (let round = 1; round <= rounds; round++) {
  const order = round % 2 === 1 ? paths : [...paths].reverse();
  for (const p of order) {
    const target = targets[p]!;
    const topic = `${TOPIC_PREFIX}${p}.${round}`;
    const small = smallWorkload.records > 0 ? await phase(target, () => smallTools.produce(target, `${topic}.small`)) : undefined;
    const produce = await phase(target, () => tools.produce(target, topic));
    const consume = consumes
      ? await phase(target, () => tools.consume(target, topic))
      : { mbPerSec: NaN, cpu: NaN, user: NaN, faults: NaN };
    results[p].push({ produce, consume, small });
    const behindText = (x: Phase) =>
      x.behindCpu === undefined ? '' : `; ${target.behind!.name} behind it ${(x.behindCpu / gbPerPhase).toFixed(2)}/GB`;
    const cpuText = (x: Phase) =>
      target.pid === null
        ? ''
        : ` [${x.cpu.toFixed(2)} CPU-s (user ${x.user.toFixed(2)}), ${(x.cpu / gbPerPhase).toFixed(2)}/GB, ${x.faults} page faults${behindText(x)}]`;
    const smallText = small && target.pid !== null ? `; small produce phase ${small.cpu.toFixed(3)} CPU-s` : '';
    console.log(
      `round ${round} ${p.padEnd(width)}: produce ${produce.mbPerSec.toFixed(1).padStart(6)} MB/s${cpuText(produce)}` +
        (consumes ? `; consume ${consume.mbPerSec.toFixed(1).padStart(6)} MB/s${cpuText(consume)}` : '') +
        smallText,
    );
  }
}

if (!idleBeforeRounds) await measureIdle('after the rounds');

const observedTuples = gatewayObserve ? /^gatehouse_observations (\d+)/m.exec(await gatewayObserve.metrics())?.[1] : undefined;
for (const gateway of [...(chainOff ?? []), ...(chainControl ?? [])]) await gateway.stop();
await gatewayChain?.stop();
await pipeFrontChain?.pipe.stop();
await pipeFrontChain?.gateway.stop();
await gatewayObserve?.stop();
await gatewayOn?.stop();
await gatewayOff?.stop();
await pipe.stop();
await cluster.stop();
fs.rmSync(benchDir, { recursive: true, force: true });

// ---- summary ----
/** "median (min–max)" */
const spread = (xs: number[], digits: number) =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
type Metric = (r: Round) => number;
const mbProduce: Metric = (r) => r.produce.mbPerSec;
const mbConsume: Metric = (r) => r.consume.mbPerSec;
const gbProduce: Metric = (r) => r.produce.cpu / gbPerPhase;
const gbConsume: Metric = (r) => r.consume.cpu / gbPerPhase;
const gbBoth: Metric = (r) => (r.produce.cpu + r.consume.cpu) / (2 * gbPerPhase);
/** Produce CPU per GB of the records alone: the measured phase minus the small one, per GB between them. */
const gbProduceRecords: Metric = (r) => (r.produce.cpu - r.small!.cpu) / (gbPerPhase - gbPerSmallPhase);
const smallCpu: Metric = (r) => r.small!.cpu;
/** Ratio a/b of a metric, round by round (paths in one round ran back to back): median and spread. */
const paired = (a: PathName, b: PathName, f: Metric) => results[a].map((r, i) => f(r) / f(results[b][i]));

console.log(`\nsummary: median over ${rounds} rounds (min–max); CPU is the hop's process, per GB moved in that phase`);
const withSmall = smallWorkload.records > 0;
const header = [
  'path',
  'produce MB/s',
  '×direct',
  'consume MB/s',
  '×direct',
  'produce CPU-s/GB',
  'consume CPU-s/GB',
  ...(withSmall ? ['small phase CPU-s', 'produce CPU-s/GB, records alone'] : []),
];
const rows = paths.map((p) => {
  const hop = targets[p]!.pid !== null;
  const vsDirect = (f: Metric) => (paths.includes('direct') ? median(paired(p, 'direct', f)).toFixed(3) : '-');
  return [
    p,
    spread(results[p].map(mbProduce), 1),
    vsDirect(mbProduce),
    spread(results[p].map(mbConsume), 1),
    vsDirect(mbConsume),
    hop ? spread(results[p].map(gbProduce), 2) : '-',
    hop ? spread(results[p].map(gbConsume), 2) : '-',
    ...(withSmall ? [hop ? spread(results[p].map(smallCpu), 3) : '-', hop ? spread(results[p].map(gbProduceRecords), 2) : '-'] : []),
  ];
});
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const row of [header, ...rows]) console.log('  ' + row.map((c, i) => c.padEnd(widths[i])).join('  '));

const target = (label: string, ratios: number[], limit: number, atMost: boolean) => {
  const m = median(ratios);
  const ok = atMost ? m <= limit : m >= limit;
  console.log(
    `  ${label.padEnd(44)} ${spread(ratios, 3).padEnd(24)} target ${atMost ? '≤' : '≥'} ${limit.toFixed(2)}  ${ok ? 'met' : 'NOT MET'}`,
  );
};
/** A ratio printed as `target` prints it, with no target to meet. */
const untargeted = (label: string, ratios: number[]) => console.log(`  ${label.padEnd(44)} ${spread(ratios, 3)}`);
console.log('\nratios, round by round: median (min–max)');
if (paths.includes('acl-on') && paths.includes('acl-off')) {
  target('ACLs-on CPU/GB ÷ ACLs-off, produce', paired('acl-on', 'acl-off', gbProduce), 1.1, true);
  target('ACLs-on CPU/GB ÷ ACLs-off, consume', paired('acl-on', 'acl-off', gbConsume), 1.1, true);
  target('ACLs-on CPU/GB ÷ ACLs-off, both phases', paired('acl-on', 'acl-off', gbBoth), 1.1, true);
  target('ACLs-on throughput ÷ ACLs-off, produce', paired('acl-on', 'acl-off', mbProduce), 0.97, false);
  target('ACLs-on throughput ÷ ACLs-off, consume', paired('acl-on', 'acl-off', mbConsume), 0.97, false);
}
if (paths.includes('observe') && paths.includes('acl-on')) {
  console.log(`  observe mode recorded ${observedTuples ?? '?'} (principal, operation, resource) tuples`);
  target('observe CPU/GB ÷ ACLs-on, produce', paired('observe', 'acl-on', gbProduce), 1.05, true);
  target('observe CPU/GB ÷ ACLs-on, consume', paired('observe', 'acl-on', gbConsume), 1.05, true);
  target('observe CPU/GB ÷ ACLs-on, both phases', paired('observe', 'acl-on', gbBoth), 1.05, true);
}
// The chains: the same phase, the same bytes and requests at the same moments, the front hop's CPU over
// the CPU of the hop behind it.
type Pair = (r: Round) => [front: number, behind: number];
const frontOverBehind = (p: PathName, pair: Pair) => results[p].map((r) => pair(r)[0] / pair(r)[1]);
const producePair: Pair = (r) => [r.produce.cpu, r.produce.behindCpu!];
const recordsPair: Pair = (r) => [r.produce.cpu - r.small!.cpu, r.produce.behindCpu! - r.small!.behindCpu!];
const consumePair: Pair = (r) => [r.consume.cpu, r.consume.behindCpu!];
const bothPair: Pair = (r) => [r.produce.cpu + r.consume.cpu, r.produce.behindCpu! + r.consume.behindCpu!];
if (paths.includes('chain')) {
  target('chain: produce gateway CPU ÷ pipe behind it', frontOverBehind('chain', producePair), 1.3, true);
  if (withSmall) target('chain: the same, records alone', frontOverBehind('chain', recordsPair), 1.3, true);
  if (consumes) untargeted('chain: consume gateway CPU ÷ pipe behind it', frontOverBehind('chain', consumePair));
}
if (paths.includes('chain-pipe-front')) {
  const behindOverFront = (pair: Pair) => frontOverBehind('chain-pipe-front', pair).map((x) => 1 / x);
  untargeted('chain-pipe-front: produce gateway ÷ pipe', behindOverFront(producePair));
  if (consumes) untargeted('chain-pipe-front: consume gateway ÷ pipe', behindOverFront(consumePair));
  if (paths.includes('chain')) {
    // Round by round, the two orders' ratios ran back to back: their geometric mean has the place cancelled.
    const bothOrders = (pair: Pair) => {
      const gatewayFront = frontOverBehind('chain', pair);
      return behindOverFront(pair).map((x, i) => Math.sqrt(x * gatewayFront[i]));
    };
    target('chain, both orders: produce gateway ÷ pipe', bothOrders(producePair), 1.3, true);
    if (withSmall) target('chain, both orders: records alone', bothOrders(recordsPair), 1.3, true);
    if (consumes) untargeted('chain, both orders: consume gateway ÷ pipe', bothOrders(consumePair));
  }
}
if (paths.includes('chain-off')) {
  target('chain-off: produce ACLs-on ÷ ACLs-off behind', frontOverBehind('chain-off', producePair), 1.1, true);
  if (consumes) {
    target('chain-off: consume ACLs-on ÷ ACLs-off behind', frontOverBehind('chain-off', consumePair), 1.1, true);
    target('chain-off: both phases', frontOverBehind('chain-off', bothPair), 1.1, true);
  }
}
if (paths.includes('chain-control')) {
  untargeted('chain-control: produce ACLs-off ÷ ACLs-off', frontOverBehind('chain-control', producePair));
  if (consumes) {
    untargeted('chain-control: consume ACLs-off ÷ ACLs-off', frontOverBehind('chain-control', consumePair));
    untargeted('chain-control: both phases', frontOverBehind('chain-control', bothPair));
  }
}
if (paths.includes('pipe')) {
  for (const g of ['acl-on', 'acl-off', 'observe'] as const) {
    if (!paths.includes(g)) continue;
    target(`produce ${g} CPU/GB ÷ pipe`, paired(g, 'pipe', gbProduce), 1.3, true);
    if (withSmall) target(`produce ${g} CPU/GB ÷ pipe, records alone`, paired(g, 'pipe', gbProduceRecords), 1.3, true);
    untargeted(`consume ${g} CPU/GB ÷ pipe`, paired(g, 'pipe', gbConsume));
  }
}
