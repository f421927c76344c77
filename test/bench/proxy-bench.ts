// Throughput and latency through the gateway vs direct, measured in the same run with Kafka's own
// kafka-producer-perf-test and kafka-consumer-perf-test, plus the gateway's CPU-seconds per GB moved.
//   node --import tsx test/bench/proxy-bench.ts [--records N] [--record-size B] [--rounds R] [--gateway-cpu-prof DIR]
//     [--gateway-node-args="--flag ..."] [--without-launcher-flags]
//
// Every phase (produce, consume) of every round is run direct and through the gateway, one after the
// other on the same broker. For each it prints the throughput, the gateway's CPU time (and per GB it
// moved) and how many of the machine's cores were busy, so a gateway that competes with the broker and
// the tools for CPU shows up as such. The result keeps each path's better round: noise on a shared
// machine only ever slows a run down.
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { startGatewayProcess } from '../harness/gateway.ts';
import { startKafka } from '../harness/kafka.ts';
import { kafkaTool } from '../harness/kafka-tools.ts';
import { expectSuccess } from '../harness/run.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    'record-size': { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    /** Write a V8 CPU profile of the gateway process into this folder (when it stops). */
    'gateway-cpu-prof': { type: 'string' },
    /** Extra node flags for the gateway process, space-separated (to compare V8 heap settings). */
    'gateway-node-args': { type: 'string', default: '' },
    /** Start the gateway without the node flags of its launcher line (see gateway/gatehouse.mjs). */
    'without-launcher-flags': { type: 'boolean', default: false },
  },
});
const records = Number(values.records);
const recordSize = Number(values['record-size']);
const rounds = Number(values.rounds);
const gbPerPhase = (records * recordSize) / 1e9;
const FULL_JIT = ['-Xms256m', '-Xmx512m', '-Djava.net.preferIPv4Stack=true'];

/** CPU seconds a process has used (user + system, from /proc; clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds the whole machine has been busy (every state but idle and iowait). */
function machineBusySeconds(): number {
  const [, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - ticks[3] - ticks[4]) / 100;
}

type Usage = { seconds: number; gatewayCpu: number; busyCores: number };
/** Runs `fn` and reports its wall time, the gateway's CPU time and the machine's busy cores meanwhile. */
async function measured<T>(gatewayPid: number, fn: () => Promise<T>): Promise<T & Usage> {
  const [t0, g0, m0] = [performance.now(), cpuSeconds(gatewayPid), machineBusySeconds()];
  const result = await fn();
  const seconds = (performance.now() - t0) / 1000;
  return { ...result, seconds, gatewayCpu: cpuSeconds(gatewayPid) - g0, busyCores: (machineBusySeconds() - m0) / seconds };
}

type ProduceResult = { recordsPerSec: number; mbPerSec: number; p50: number; p99: number };
function parseProducer(stdout: string, steadyState: boolean): ProduceResult {
  // With --warmup-records the tool adds a summary of the steady state (after the warm-up): use that one.
  const totals = stdout.trim().split('\n').filter((l) => l.includes('records sent'));
  const last = steadyState ? totals.find((l) => /steady.state/i.test(l)) : totals.at(-1);
  if (!last) throw new Error(`no ${steadyState ? 'steady-state ' : ''}summary in the producer's output:\n${stdout}`);
  const m = /([\d.]+) records\/sec \(([\d.]+) MB\/sec\).* (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th/.exec(last);
  if (!m) throw new Error(`cannot parse producer output: ${last}`);
  return { recordsPerSec: Number(m[1]), mbPerSec: Number(m[2]), p50: Number(m[3]), p99: Number(m[4]) };
}

const cluster = await startKafka({ version: '4', brokers: 1, jvmOptions: FULL_JIT });
const profDir = values['gateway-cpu-prof'];
const gw = await startGatewayProcess({
  backendBootstrap: cluster.bootstrap,
  maxBrokers: 1,
  extraConfig: { log: { level: 'warn' } },
  withoutLauncherFlags: values['without-launcher-flags'],
  nodeArgs: [...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []), ...values['gateway-node-args'].split(' ').filter(Boolean)],
});
const targets = { direct: cluster.bootstrap, gateway: gw.bootstrap } as const;
type Path = keyof typeof targets;

const produce = async (bootstrap: string, topic: string, throughput = -1, count = records, warmup = 0) =>
  parseProducer(
    expectSuccess('producer perf', await kafkaTool('4', 'producer-perf-test', [
      '--topic', topic, '--num-records', String(count), '--record-size', String(recordSize), '--throughput', String(throughput),
      ...(warmup > 0 ? ['--warmup-records', String(warmup)] : []),
      '--producer-props', `bootstrap.servers=${bootstrap}`, 'acks=1', 'linger.ms=5', 'batch.size=65536',
    ], { jvmOptions: FULL_JIT, timeoutMs: 600_000 })).stdout,
    warmup > 0,
  );
const consume = async (bootstrap: string, topic: string) => {
  const out = expectSuccess('consumer perf', await kafkaTool('4', 'consumer-perf-test', [
    '--bootstrap-server', bootstrap, '--topic', topic, '--messages', String(records), '--timeout', '120000',
  ], { jvmOptions: FULL_JIT, timeoutMs: 600_000 })).stdout;
  const f = out.trim().split('\n').at(-1)!.split(',').map((s) => s.trim());
  return { mbPerSec: Number(f[3]), messages: Number(f[4]) };
};

const pid = gw.process.pid;
console.log(`Kafka ${cluster.version}, 1 broker; ${records} records of ${recordSize} B (${(gbPerPhase * 1e3).toFixed(0)} MB) per run; ${os.cpus().length} cores; ${rounds} rounds`);
// Warm-up both paths (JIT in the tools, the broker and the gateway).
await produce(targets.direct, 'warmup');
await produce(targets.gateway, 'warmup');

type Round = { round: number; produce: ProduceResult & Usage; consume: { mbPerSec: number } & Usage };
const all: Record<Path, Round[]> = { direct: [], gateway: [] };
const fmt = (u: Usage, name: Path) =>
  name === 'direct'
    ? `${u.busyCores.toFixed(2)} cores busy`
    : `${u.busyCores.toFixed(2)} cores busy, ${(u.gatewayCpu / u.seconds).toFixed(2)} of them the gateway: ${u.gatewayCpu.toFixed(2)} CPU-s, ${(u.gatewayCpu / gbPerPhase).toFixed(2)}/GB`;
for (let round = 1; round <= rounds; round++) {
  for (const name of Object.keys(targets) as Path[]) {
    const topic = `bench-${name}-${round}`;
    const p = await measured(pid, () => produce(targets[name], topic));
    const c = await measured(pid, () => consume(targets[name], topic));
    all[name].push({ round, produce: p, consume: c });
    console.log(`round ${round} ${name.padEnd(7)}: produce ${p.mbPerSec.toFixed(1).padStart(5)} MB/s [${fmt(p, name)}]; consume ${c.mbPerSec.toFixed(1).padStart(5)} MB/s [${fmt(c, name)}]`);
  }
}
const best = (name: Path) => all[name].reduce((a, b) => (b.produce.mbPerSec + b.consume.mbPerSec > a.produce.mbPerSec + a.consume.mbPerSec ? b : a));
const d = best('direct');
const g = best('gateway');
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const meanOf = (name: Path, f: (r: Round) => number) => mean(all[name].map(f));

// Latency at half of the direct path's saturation rate: runs of LATENCY_SECONDS whose first
// WARMUP_SECONDS are left out (the tool's JIT and connection set-up otherwise are the p99), alternating
// paths; the median run of each path is reported.
const LATENCY_RUNS = 3;
const LATENCY_SECONDS = 20;
const WARMUP_SECONDS = 5;
const half = Math.round(d.produce.recordsPerSec / 2);
const latency: Record<Path, ProduceResult[]> = { direct: [], gateway: [] };
for (let run = 1; run <= LATENCY_RUNS; run++) {
  for (const name of Object.keys(targets) as Path[]) {
    const r = await produce(targets[name], `latency-${name}-${run}`, half, half * LATENCY_SECONDS, half * WARMUP_SECONDS);
    latency[name].push(r);
    console.log(`latency run ${run} ${name.padEnd(7)}: p50 ${r.p50} ms, p99 ${r.p99} ms`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const latDirect = { p50: median(latency.direct.map((r) => r.p50)), p99: median(latency.direct.map((r) => r.p99)) };
const latGateway = { p50: median(latency.gateway.map((r) => r.p50)), p99: median(latency.gateway.map((r) => r.p99)) };
const pairedRatios = (f: (r: Round) => number) => all.gateway.map((g, i) => f(g) / f(all.direct[i]));

console.log(`\nresult (best round of each path: direct round ${d.round}, gateway round ${g.round})`);
console.log(`  produce throughput ratio (gateway/direct): ${(g.produce.mbPerSec / d.produce.mbPerSec).toFixed(3)}  (${g.produce.mbPerSec.toFixed(1)} vs ${d.produce.mbPerSec.toFixed(1)} MB/s)`);
console.log(`  consume throughput ratio (gateway/direct): ${(g.consume.mbPerSec / d.consume.mbPerSec).toFixed(3)}  (${g.consume.mbPerSec.toFixed(1)} vs ${d.consume.mbPerSec.toFixed(1)} MB/s)`);
console.log(
  `  median of the per-round ratios (each round runs direct, then the gateway): produce ${median(pairedRatios((r) => r.produce.mbPerSec)).toFixed(3)}, ` +
    `consume ${median(pairedRatios((r) => r.consume.mbPerSec)).toFixed(3)}`,
);
console.log(`  producer latency at ${half} rec/s (half of direct saturation; median of ${LATENCY_RUNS} runs of ${LATENCY_SECONDS} s, first ${WARMUP_SECONDS} s left out): p50 ${latDirect.p50} → ${latGateway.p50} ms, p99 ${latDirect.p99} → ${latGateway.p99} ms (added p99 ${latGateway.p99 - latDirect.p99} ms)`);
console.log(`  gateway CPU: ${((g.produce.gatewayCpu + g.consume.gatewayCpu) / (2 * gbPerPhase)).toFixed(2)} CPU-seconds per GB moved (produce ${(g.produce.gatewayCpu / gbPerPhase).toFixed(2)}, consume ${(g.consume.gatewayCpu / gbPerPhase).toFixed(2)})`);
console.log(`  gateway CPU, mean of all rounds: produce ${(meanOf('gateway', (r) => r.produce.gatewayCpu) / gbPerPhase).toFixed(2)}, consume ${(meanOf('gateway', (r) => r.consume.gatewayCpu) / gbPerPhase).toFixed(2)} CPU-s/GB`);
console.log(
  `  machine cores busy, mean of all rounds (direct → gateway): produce ${meanOf('direct', (r) => r.produce.busyCores).toFixed(2)} → ${meanOf('gateway', (r) => r.produce.busyCores).toFixed(2)}, ` +
    `consume ${meanOf('direct', (r) => r.consume.busyCores).toFixed(2)} → ${meanOf('gateway', (r) => r.consume.busyCores).toFixed(2)} of ${os.cpus().length}`,
);

await gw.stop();
await cluster.stop();
