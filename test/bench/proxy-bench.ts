// Throughput and latency through the gateway vs direct, measured in the same run with Kafka's own
// kafka-producer-perf-test and kafka-consumer-perf-test, plus the gateway's CPU-seconds per GB moved.
//   node --import tsx test/bench/proxy-bench.ts [--records N] [--record-size B] [--rounds R] [--gateway-cpu-prof DIR]
//     [--gateway-node-args="--flag ..."] [--without-launcher-flags]
//
// Three paths to one broker: direct; a Node byte pipe that parses nothing (tcp-pipe.ts: what one more
// hop costs on this machine, whatever the proxy does); the gateway. Every phase (produce, consume) of
// every round runs on each path, one after the other. For each it prints the throughput, the hop's CPU
// time (and per GB moved) and how many of the machine's cores were busy, so a hop that competes with the
// broker and the tools for CPU shows up as such. Ratios are given for the best round of each path (noise
// on a shared machine only ever slows a run down) and as the median of the per-round ratios.
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGatewayProcess } from '../harness/gateway.ts';
import { startKafka } from '../harness/kafka.ts';
import { kafkaTool } from '../harness/kafka-tools.ts';
import { freePorts, waitForPort } from '../harness/ports.ts';
import { startServerProcess } from '../harness/processes.ts';
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

type Usage = { seconds: number; hopCpu: number; busyCores: number };
/** Runs `fn` and reports its wall time, the CPU time of the hop's process (if any) and the machine's busy cores meanwhile. */
async function measured<T>(hopPid: number | null, fn: () => Promise<T>): Promise<T & Usage> {
  const hopCpu = () => (hopPid === null ? 0 : cpuSeconds(hopPid));
  const [t0, g0, m0] = [performance.now(), hopCpu(), machineBusySeconds()];
  const result = await fn();
  const seconds = (performance.now() - t0) / 1000;
  return { ...result, seconds, hopCpu: hopCpu() - g0, busyCores: (machineBusySeconds() - m0) / seconds };
}

type ProduceResult = { recordsPerSec: number; mbPerSec: number; p50: number; p99: number };
function parseProducer(stdout: string, steadyState: boolean): ProduceResult {
  // With --warmup-records the tool adds a summary of the steady state (after the warm-up): use that one.
  const totals = stdout
    .trim()
    .split('\n')
    .filter((l) => l.includes('records sent'));
  const last = steadyState ? totals.find((l) => /steady.state/i.test(l)) : totals.at(-1);
  if (!last) throw new Error(`no ${steadyState ? 'steady-state ' : ''}summary in the producer's output:\n${stdout}`);
  const m = /([\d.]+) records\/sec \(([\d.]+) MB\/sec\).* (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th/.exec(last);
  if (!m) throw new Error(`cannot parse producer output: ${last}`);
  return { recordsPerSec: Number(m[1]), mbPerSec: Number(m[2]), p50: Number(m[3]), p99: Number(m[4]) };
}

// The broker has a second listener advertised at the pipe's port, so clients that bootstrap through the
// pipe stay on it while direct clients use the broker's own listener.
const [pipePort, pipeListenerPort] = await freePorts(2);
const cluster = await startKafka({
  version: '4',
  brokers: 1,
  jvmOptions: FULL_JIT,
  extraListener: () => ({ name: 'PIPED', port: pipeListenerPort, advertisedPort: pipePort }),
});
const benchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-'));
const pipe = startServerProcess({
  name: 'tcp-pipe',
  command: process.execPath,
  args: ['--import', 'tsx', fileURLToPath(new URL('./tcp-pipe.ts', import.meta.url)), String(pipePort), `127.0.0.1:${pipeListenerPort}`],
  logFile: path.join(benchDir, 'pipe.log'),
});
await waitForPort(pipePort, '127.0.0.1', 30_000);
const profDir = values['gateway-cpu-prof'];
const gw = await startGatewayProcess({
  backendBootstrap: cluster.bootstrap,
  maxBrokers: 1,
  extraConfig: { log: { level: 'warn' } },
  withoutLauncherFlags: values['without-launcher-flags'],
  nodeArgs: [...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []), ...values['gateway-node-args'].split(' ').filter(Boolean)],
});
/** Each path and the process that is the extra hop on it (whose CPU time is counted). */
const paths = {
  direct: { bootstrap: cluster.bootstrap, pid: null },
  pipe: { bootstrap: `127.0.0.1:${pipePort}`, pid: pipe.pid },
  gateway: { bootstrap: gw.bootstrap, pid: gw.process.pid },
} as const;
type Path = keyof typeof paths;
const PATHS = Object.keys(paths) as Path[];

const produce = async (bootstrap: string, topic: string, throughput = -1, count = records, warmup = 0) =>
  parseProducer(
    expectSuccess(
      'producer perf',
      await kafkaTool(
        '4',
        'producer-perf-test',
        [
          '--topic',
          topic,
          '--num-records',
          String(count),
          '--record-size',
          String(recordSize),
          '--throughput',
          String(throughput),
          ...(warmup > 0 ? ['--warmup-records', String(warmup)] : []),
          '--producer-props',
          `bootstrap.servers=${bootstrap}`,
          'acks=1',
          'linger.ms=5',
          'batch.size=65536',
        ],
        { jvmOptions: FULL_JIT, timeoutMs: 600_000 },
      ),
    ).stdout,
    warmup > 0,
  );
const consume = async (bootstrap: string, topic: string) => {
  const out = expectSuccess(
    'consumer perf',
    await kafkaTool(
      '4',
      'consumer-perf-test',
      ['--bootstrap-server', bootstrap, '--topic', topic, '--messages', String(records), '--timeout', '120000'],
      { jvmOptions: FULL_JIT, timeoutMs: 600_000 },
    ),
  ).stdout;
  const f = out
    .trim()
    .split('\n')
    .at(-1)!
    .split(',')
    .map((s) => s.trim());
  return { mbPerSec: Number(f[3]), messages: Number(f[4]) };
};

console.log(
  `Kafka ${cluster.version}, 1 broker; ${records} records of ${recordSize} B (${(gbPerPhase * 1e3).toFixed(0)} MB) per run; ${os.cpus().length} cores; ${rounds} rounds`,
);
console.log('paths: direct; pipe (a Node byte pipe that parses nothing: the floor for one more hop); gateway');
// Warm-up every path (JIT in the tools, the broker, the pipe and the gateway).
for (const name of PATHS) await produce(paths[name].bootstrap, `warmup-${name}`);

type Round = { round: number; produce: ProduceResult & Usage; consume: { mbPerSec: number } & Usage };
const all: Record<Path, Round[]> = { direct: [], pipe: [], gateway: [] };
const fmt = (u: Usage, name: Path) =>
  name === 'direct'
    ? `${u.busyCores.toFixed(2)} cores busy`
    : `${u.busyCores.toFixed(2)} cores busy, ${(u.hopCpu / u.seconds).toFixed(2)} of them the ${name}: ${u.hopCpu.toFixed(2)} CPU-s, ${(u.hopCpu / gbPerPhase).toFixed(2)}/GB`;
for (let round = 1; round <= rounds; round++) {
  for (const name of PATHS) {
    const topic = `bench-${name}-${round}`;
    const p = await measured(paths[name].pid, () => produce(paths[name].bootstrap, topic));
    const c = await measured(paths[name].pid, () => consume(paths[name].bootstrap, topic));
    all[name].push({ round, produce: p, consume: c });
    console.log(
      `round ${round} ${name.padEnd(7)}: produce ${p.mbPerSec.toFixed(1).padStart(5)} MB/s [${fmt(p, name)}]; consume ${c.mbPerSec.toFixed(1).padStart(5)} MB/s [${fmt(c, name)}]`,
    );
  }
}
const best = (name: Path) =>
  all[name].reduce((a, b) => (b.produce.mbPerSec + b.consume.mbPerSec > a.produce.mbPerSec + a.consume.mbPerSec ? b : a));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const meanOf = (name: Path, f: (r: Round) => number) => mean(all[name].map(f));
const d = best('direct');

// Latency at half of the direct path's saturation rate: runs of LATENCY_SECONDS whose first
// WARMUP_SECONDS are left out (the tool's JIT and connection set-up otherwise are the p99), alternating
// paths; the median run of each path is reported.
const LATENCY_RUNS = 3;
const LATENCY_SECONDS = 20;
const WARMUP_SECONDS = 5;
const half = Math.round(d.produce.recordsPerSec / 2);
const latency: Record<Path, ProduceResult[]> = { direct: [], pipe: [], gateway: [] };
for (let run = 1; run <= LATENCY_RUNS; run++) {
  for (const name of PATHS) {
    const r = await produce(paths[name].bootstrap, `latency-${name}-${run}`, half, half * LATENCY_SECONDS, half * WARMUP_SECONDS);
    latency[name].push(r);
    console.log(`latency run ${run} ${name.padEnd(7)}: p50 ${r.p50} ms, p99 ${r.p99} ms`);
  }
}
const lat = (name: Path) => ({ p50: median(latency[name].map((r) => r.p50)), p99: median(latency[name].map((r) => r.p99)) });
/** Each round runs direct, then the pipe, then the gateway: a hop's ratio within one round, median over rounds. */
const pairedRatio = (name: Path, f: (r: Round) => number) => median(all[name].map((r, i) => f(r) / f(all.direct[i])));

console.log(`\nresult (direct's best round: ${d.round})`);
for (const name of ['pipe', 'gateway'] as const) {
  const b = best(name);
  const l = lat(name);
  const ld = lat('direct');
  console.log(`${name} (best round ${b.round}):`);
  console.log(
    `  produce throughput ratio (${name}/direct): best rounds ${(b.produce.mbPerSec / d.produce.mbPerSec).toFixed(3)} (${b.produce.mbPerSec.toFixed(1)} vs ${d.produce.mbPerSec.toFixed(1)} MB/s), median per round ${pairedRatio(name, (r) => r.produce.mbPerSec).toFixed(3)}`,
  );
  console.log(
    `  consume throughput ratio (${name}/direct): best rounds ${(b.consume.mbPerSec / d.consume.mbPerSec).toFixed(3)} (${b.consume.mbPerSec.toFixed(1)} vs ${d.consume.mbPerSec.toFixed(1)} MB/s), median per round ${pairedRatio(name, (r) => r.consume.mbPerSec).toFixed(3)}`,
  );
  console.log(
    `  producer latency at ${half} rec/s (half of direct saturation; median of ${LATENCY_RUNS} runs of ${LATENCY_SECONDS} s, first ${WARMUP_SECONDS} s left out): p50 ${ld.p50} → ${l.p50} ms, p99 ${ld.p99} → ${l.p99} ms (added p99 ${l.p99 - ld.p99} ms)`,
  );
  console.log(
    `  ${name} CPU, mean of all rounds: produce ${(meanOf(name, (r) => r.produce.hopCpu) / gbPerPhase).toFixed(2)}, consume ${(meanOf(name, (r) => r.consume.hopCpu) / gbPerPhase).toFixed(2)} CPU-s per GB moved`,
  );
  console.log(
    `  machine cores busy, mean of all rounds (direct → ${name}): produce ${meanOf('direct', (r) => r.produce.busyCores).toFixed(2)} → ${meanOf(name, (r) => r.produce.busyCores).toFixed(2)}, ` +
      `consume ${meanOf('direct', (r) => r.consume.busyCores).toFixed(2)} → ${meanOf(name, (r) => r.consume.busyCores).toFixed(2)} of ${os.cpus().length}`,
  );
}

await gw.stop();
await pipe.stop();
await cluster.stop();
fs.rmSync(benchDir, { recursive: true, force: true });
