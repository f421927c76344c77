// Throughput and CPU per GB with one gateway process and with `workers: 2`, next to direct, in the same
// run: several producers at once (then as many consumers), since one connection is served by one worker.
//   node --import tsx test/bench/workers-bench.ts [--clients 4] [--records 100000] [--record-size 1000] [--rounds 2]
//
// The gateway's CPU is that of its whole process tree (the primary accepts connections and hands them
// to the workers; the workers do the rest). On a machine with fewer free cores than the workers need,
// a second worker cannot add throughput: the "cores busy" column says how much was left.
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { startGatewayProcess, type GatewayProcess } from '../harness/gateway.ts';
import { startKafka } from '../harness/kafka.ts';
import { cpuSeconds, FULL_JIT, perfTools, type PerfTarget } from './perf-tools.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '4' },
    records: { type: 'string', default: '100000' },
    'record-size': { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '2' },
  },
});
const clients = Number(values.clients);
const workload = { records: Number(values.records), recordSize: Number(values['record-size']) };
const rounds = Number(values.rounds);
const gbPerPhase = (clients * workload.records * workload.recordSize) / 1e9;

/** CPU seconds of a process and its children (a gateway's primary and workers), from /proc. */
function treeCpuSeconds(pid: number): number {
  let total = cpuSeconds(pid);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.split(') ')[1].split(' ')[1]) === pid) total += cpuSeconds(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** CPU seconds the whole machine has been busy (every state but idle and iowait). */
function machineBusySeconds(): number {
  const [, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  return (ticks.slice(0, 8).reduce((a, b) => a + b, 0) - ticks[3] - ticks[4]) / 100;
}

const cluster = await startKafka({ version: '4', brokers: 1, jvmOptions: FULL_JIT });
const gateway = (workers: number) =>
  startGatewayProcess({ backendBootstrap: cluster.bootstrap, maxBrokers: 1, extraConfig: { workers, log: { level: 'warn' } } });
const gateways: Record<'one process' | 'workers: 2', GatewayProcess> = {
  'one process': await gateway(1),
  'workers: 2': await gateway(2),
};
const targets: Record<string, PerfTarget & { pid: number | null }> = {
  direct: { bootstrap: cluster.bootstrap, pid: null },
  ...Object.fromEntries(Object.entries(gateways).map(([name, gw]) => [name, { bootstrap: gw.bootstrap, pid: gw.process.pid }])),
};
const tools = perfTools(workload);

type Phase = { mbPerSec: number; cpu: number; busyCores: number };
/** All clients at once; throughput is the bytes they moved over the wall time of the slowest. */
async function phase(
  target: PerfTarget & { pid: number | null },
  run: (topic: string) => Promise<unknown>,
  topics: string[],
): Promise<Phase> {
  const [t0, c0, m0] = [performance.now(), target.pid === null ? 0 : treeCpuSeconds(target.pid), machineBusySeconds()];
  await Promise.all(topics.map(run));
  const seconds = (performance.now() - t0) / 1000;
  return {
    mbPerSec: (gbPerPhase * 1e3) / seconds,
    cpu: target.pid === null ? 0 : treeCpuSeconds(target.pid) - c0,
    busyCores: (machineBusySeconds() - m0) / seconds,
  };
}

console.log(
  `Kafka ${cluster.version}, 1 broker; ${clients} producers then ${clients} consumers at once, ${workload.records} records of ${workload.recordSize} B each; ${os.cpus().length} cores; ${rounds} rounds`,
);
const best: Record<string, { produce: Phase; consume: Phase }> = {};
for (const [name, target] of Object.entries(targets)) await tools.produce(target, `warmup-${name.replace(/\W/g, '')}`);
for (let round = 1; round <= rounds; round++) {
  for (const [name, target] of Object.entries(targets)) {
    const topics = Array.from({ length: clients }, (_, i) => `bench-${name.replace(/\W/g, '')}-${round}-${i}`);
    const produce = await phase(target, (t) => tools.produce(target, t), topics);
    const consume = await phase(target, (t) => tools.consume(target, t), topics);
    const prev = best[name];
    if (!prev || produce.mbPerSec + consume.mbPerSec > prev.produce.mbPerSec + prev.consume.mbPerSec) best[name] = { produce, consume };
    const cpu = (p: Phase) => (target.pid === null ? '' : `, gateway ${(p.cpu / gbPerPhase).toFixed(2)} CPU-s/GB`);
    console.log(
      `round ${round} ${name.padEnd(11)}: produce ${produce.mbPerSec.toFixed(1)} MB/s (${produce.busyCores.toFixed(2)} cores busy${cpu(produce)}); ` +
        `consume ${consume.mbPerSec.toFixed(1)} MB/s (${consume.busyCores.toFixed(2)} cores busy${cpu(consume)})`,
    );
  }
}

console.log('\nresult (best round of each)');
const ratio = (a: string, b: string, what: 'produce' | 'consume') =>
  `${(best[a][what].mbPerSec / best[b][what].mbPerSec).toFixed(3)} (${best[a][what].mbPerSec.toFixed(1)} vs ${best[b][what].mbPerSec.toFixed(1)} MB/s)`;
for (const name of Object.keys(gateways)) {
  console.log(`${name}:`);
  console.log(`  produce ${name}/direct ${ratio(name, 'direct', 'produce')}; consume ${ratio(name, 'direct', 'consume')}`);
  console.log(
    `  gateway CPU: produce ${(best[name].produce.cpu / gbPerPhase).toFixed(2)}, consume ${(best[name].consume.cpu / gbPerPhase).toFixed(2)} CPU-s per GB`,
  );
}
console.log(
  `workers: 2 / one process: produce ${ratio('workers: 2', 'one process', 'produce')}; consume ${ratio('workers: 2', 'one process', 'consume')}`,
);

for (const gw of Object.values(gateways)) await gw.stop();
await cluster.stop();
