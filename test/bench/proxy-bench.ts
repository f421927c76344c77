// Throughput and latency through the gateway vs direct, measured in the same run with Kafka's own
// kafka-producer-perf-test and kafka-consumer-perf-test, plus the gateway's CPU-seconds per GB moved.
//   node --import tsx test/bench/proxy-bench.ts [--records N] [--record-size B]
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { startGatewayProcess } from '../harness/gateway.ts';
import { startKafka } from '../harness/kafka.ts';
import { kafkaTool } from '../harness/kafka-tools.ts';
import { expectSuccess } from '../harness/run.ts';

const { values } = parseArgs({ options: { records: { type: 'string', default: '200000' }, 'record-size': { type: 'string', default: '1000' } } });
const records = Number(values.records);
const recordSize = Number(values['record-size']);
const FULL_JIT = ['-Xms256m', '-Xmx512m', '-Djava.net.preferIPv4Stack=true'];

function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}

type ProduceResult = { recordsPerSec: number; mbPerSec: number; p50: number; p99: number };
function parseProducer(stdout: string): ProduceResult {
  const last = stdout.trim().split('\n').filter((l) => l.includes('records sent')).at(-1)!;
  const m = /([\d.]+) records\/sec \(([\d.]+) MB\/sec\).* (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th/.exec(last);
  if (!m) throw new Error(`cannot parse producer output: ${last}`);
  return { recordsPerSec: Number(m[1]), mbPerSec: Number(m[2]), p50: Number(m[3]), p99: Number(m[4]) };
}

const cluster = await startKafka({ version: '4', brokers: 1, jvmOptions: FULL_JIT });
const gw = await startGatewayProcess({ backendBootstrap: cluster.bootstrap, maxBrokers: 1, extraConfig: { log: { level: 'warn' } } });
const targets = { direct: cluster.bootstrap, gateway: gw.bootstrap } as const;

const produce = async (bootstrap: string, topic: string, throughput = -1) =>
  parseProducer(
    expectSuccess('producer perf', await kafkaTool('4', 'producer-perf-test', [
      '--topic', topic, '--num-records', String(records), '--record-size', String(recordSize), '--throughput', String(throughput),
      '--producer-props', `bootstrap.servers=${bootstrap}`, 'acks=1', 'linger.ms=5', 'batch.size=65536',
    ], { jvmOptions: FULL_JIT, timeoutMs: 600_000 })).stdout,
  );
const consume = async (bootstrap: string, topic: string) => {
  const out = expectSuccess('consumer perf', await kafkaTool('4', 'consumer-perf-test', [
    '--bootstrap-server', bootstrap, '--topic', topic, '--messages', String(records), '--timeout', '120000',
  ], { jvmOptions: FULL_JIT, timeoutMs: 600_000 })).stdout;
  const f = out.trim().split('\n').at(-1)!.split(',').map((s) => s.trim());
  return { mbPerSec: Number(f[3]), messages: Number(f[4]) };
};

console.log(`Kafka ${cluster.version}, 1 broker; ${records} records of ${recordSize} B (${((records * recordSize) / 1e6).toFixed(0)} MB) per run`);
// Warm-up both paths (JIT in the tools, the broker and the gateway).
await produce(targets.direct, 'warmup');
await produce(targets.gateway, 'warmup');

const results: Record<string, { produce: ProduceResult; consumeMBs: number; cpu?: number }> = {};
for (const round of [1, 2]) {
  for (const [name, bootstrap] of Object.entries(targets)) {
    const topic = `bench-${name}-${round}`;
    const cpu0 = cpuSeconds(gw.process.pid);
    const p = await produce(bootstrap, topic);
    const c = await consume(bootstrap, topic);
    const cpu = cpuSeconds(gw.process.pid) - cpu0;
    const prev = results[name];
    // Keep each path's better round: noise on a shared 2-core machine only ever slows a run down.
    if (!prev || p.mbPerSec + c.mbPerSec > prev.produce.mbPerSec + prev.consumeMBs) results[name] = { produce: p, consumeMBs: c.mbPerSec, cpu };
    console.log(`round ${round} ${name.padEnd(7)}: produce ${p.mbPerSec.toFixed(1)} MB/s, consume ${c.mbPerSec.toFixed(1)} MB/s${name === 'gateway' ? `, gateway CPU ${cpu.toFixed(2)} s` : ''}`);
  }
}

// Latency at half of the direct path's saturation rate.
const half = Math.round(results.direct.produce.recordsPerSec / 2);
const latDirect = await produce(targets.direct, 'latency-direct', half);
const latGateway = await produce(targets.gateway, 'latency-gateway', half);

const gbMoved = (2 * records * recordSize) / 1e9; // produced + consumed through the gateway
const d = results.direct;
const g = results.gateway;
console.log('\nresult');
console.log(`  produce throughput ratio (gateway/direct): ${(g.produce.mbPerSec / d.produce.mbPerSec).toFixed(3)}  (${g.produce.mbPerSec.toFixed(1)} vs ${d.produce.mbPerSec.toFixed(1)} MB/s)`);
console.log(`  consume throughput ratio (gateway/direct): ${(g.consumeMBs / d.consumeMBs).toFixed(3)}  (${g.consumeMBs.toFixed(1)} vs ${d.consumeMBs.toFixed(1)} MB/s)`);
console.log(`  producer latency at ${half} rec/s (half of direct saturation): p50 ${latDirect.p50} → ${latGateway.p50} ms, p99 ${latDirect.p99} → ${latGateway.p99} ms (added p99 ${latGateway.p99 - latDirect.p99} ms)`);
console.log(`  gateway CPU: ${(g.cpu! / gbMoved).toFixed(2)} CPU-seconds per GB moved`);

await gw.stop();
await cluster.stop();
