// Kafka's own perf tools (kafka-producer-perf-test, kafka-consumer-perf-test) for the benchmarks that
// compare paths to the same broker in one run: how the tools are run, how their output is read, the
// best-of-rounds loop, the ratio lines, and a process's CPU time from /proc.
import fs from 'node:fs';
import { kafkaTool } from '../harness/kafka-tools.ts';
import { expectSuccess } from '../harness/run.ts';

/** JVM options for the broker and the perf tools: full JIT (the test default stops at C1). */
export const FULL_JIT = ['-Xms256m', '-Xmx512m', '-Djava.net.preferIPv4Stack=true'];

/**
 * CPU time of a process so far, in seconds, and its minor page faults: user and system in the kernel's
 * clock ticks of 1/100 s, and `total` to the nanosecond where Linux gives each thread's run time
 * (schedstat). A 150 MB phase costs a byte pipe 12-18 ticks, so a tick either side moved a ratio by up
 * to 8 %; `total` does not. It leaves out threads that have exited (Node's threads live as long as the
 * process); without schedstat it is user + system.
 */
export function cpuTimes(pid: number): { user: number; system: number; total: number; minorFaults: number } {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const user = Number(fields[11]) / 100; // utime, stime: clock ticks of 1/100 s
  const system = Number(fields[12]) / 100;
  // minflt, every thread's: a page the process touched for the first time since it was last given back
  const minorFaults = Number(fields[7]);
  return { user, system, total: threadsRunTime(pid) ?? user + system, minorFaults };
}

/** The sum of every thread's time on a CPU (the first field of /proc/PID/task/TID/schedstat, in ns), or null. */
function threadsRunTime(pid: number): number | null {
  let ns = 0;
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread exited between the listing and the read
      }
    }
  } catch {
    return null;
  }
  return Number.isFinite(ns) && ns > 0 ? ns / 1e9 : null;
}

/** CPU time of a process so far, in seconds (cpuTimes' `total`). */
export function cpuSeconds(pid: number): number {
  return cpuTimes(pid).total;
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Writes a Java client properties file (for --producer.config / --consumer.config). */
export function writeClientProperties(file: string, props: Record<string, string>): string {
  fs.writeFileSync(
    file,
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
  return file;
}

export type ProduceResult = { recordsPerSec: number; mbPerSec: number; p50: number; p99: number };
export type ConsumeResult = { mbPerSec: number; messages: number };

/** The final summary line of kafka-producer-perf-test. */
export function parseProducer(stdout: string): ProduceResult {
  const last = stdout
    .trim()
    .split('\n')
    .filter((l) => l.includes('records sent'))
    .at(-1)!;
  const m = /([\d.]+) records\/sec \(([\d.]+) MB\/sec\).* (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th/.exec(last);
  if (!m) throw new Error(`cannot parse producer output: ${last}`);
  return { recordsPerSec: Number(m[1]), mbPerSec: Number(m[2]), p50: Number(m[3]), p99: Number(m[4]) };
}

/** The CSV line kafka-consumer-perf-test prints last (start, end, MB, MB/sec, messages, …). */
export function parseConsumer(stdout: string): ConsumeResult {
  const f = stdout
    .trim()
    .split('\n')
    .at(-1)!
    .split(',')
    .map((s) => s.trim());
  const result = { mbPerSec: Number(f[3]), messages: Number(f[4]) };
  if (!Number.isFinite(result.mbPerSec)) throw new Error(`cannot parse consumer output: ${f.join(',')}`);
  return result;
}

/** Where a perf tool connects: a bootstrap address, and a client properties file when it needs more (TLS). */
export type PerfTarget = { bootstrap: string; configFile?: string };

/** The perf tools with one workload: `records` records of `recordSize` bytes per run. */
export function perfTools(workload: { records: number; recordSize: number }) {
  const { records, recordSize } = workload;
  const options = { jvmOptions: FULL_JIT, timeoutMs: 600_000 };
  return {
    /** Produces the workload to `topic` (acks=1, linger 5 ms, 64 KiB batches); throughput -1 is unthrottled. */
    produce: async (target: PerfTarget, topic: string, throughput = -1): Promise<ProduceResult> =>
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
              String(records),
              '--record-size',
              String(recordSize),
              '--throughput',
              String(throughput),
              ...(target.configFile ? ['--producer.config', target.configFile] : []),
              '--producer-props',
              `bootstrap.servers=${target.bootstrap}`,
              'acks=1',
              'linger.ms=5',
              'batch.size=65536',
            ],
            options,
          ),
        ).stdout,
      ),
    /** Reads the workload back from `topic`. */
    consume: async (target: PerfTarget, topic: string): Promise<ConsumeResult> =>
      parseConsumer(
        expectSuccess(
          'consumer perf',
          await kafkaTool(
            '4',
            'consumer-perf-test',
            [
              '--bootstrap-server',
              target.bootstrap,
              '--topic',
              topic,
              '--messages',
              String(records),
              '--timeout',
              '120000',
              ...(target.configFile ? ['--consumer.config', target.configFile] : []),
            ],
            options,
          ),
        ).stdout,
      ),
  };
}

export type PathResult = { produce: ProduceResult; consume: ConsumeResult; /** gateway CPU-seconds during the round */ cpu: number };

/**
 * Produces then consumes the workload on every target, `rounds` times, and keeps each target's better
 * round (noise on a shared machine only ever slows a run down), printing each round as it goes.
 */
export async function bestOfRounds<Name extends string>(opts: {
  tools: ReturnType<typeof perfTools>;
  targets: Record<Name, PerfTarget>;
  rounds: number;
  gatewayPid: number;
  /** Targets that go through the gateway: their round lines show its CPU time. */
  throughGateway: (name: Name) => boolean;
}): Promise<Record<Name, PathResult>> {
  const results = {} as Record<Name, PathResult>;
  const width = Math.max(...Object.keys(opts.targets).map((n) => n.length));
  for (let round = 1; round <= opts.rounds; round++) {
    for (const [name, target] of Object.entries(opts.targets) as Array<[Name, PerfTarget]>) {
      const topic = `bench-${name}-${round}`;
      const cpu0 = cpuSeconds(opts.gatewayPid);
      const produce = await opts.tools.produce(target, topic);
      const consume = await opts.tools.consume(target, topic);
      const cpu = cpuSeconds(opts.gatewayPid) - cpu0;
      const prev = results[name];
      if (!prev || produce.mbPerSec + consume.mbPerSec > prev.produce.mbPerSec + prev.consume.mbPerSec)
        results[name] = { produce, consume, cpu };
      const cpuText = opts.throughGateway(name) ? `, gateway CPU ${cpu.toFixed(2)} s` : '';
      console.log(
        `round ${round} ${name.padEnd(width)}: produce ${produce.mbPerSec.toFixed(1)} MB/s, consume ${consume.mbPerSec.toFixed(1)} MB/s${cpuText}`,
      );
    }
  }
  return results;
}

/** The two throughput ratio lines of `path` against `baseline`, e.g. label 'gateway/direct'. */
export function printThroughputRatios(label: string, path: PathResult, baseline: PathResult): void {
  const line = (what: string, a: number, b: number) =>
    console.log(`  ${what} throughput ratio (${label}): ${(a / b).toFixed(3)}  (${a.toFixed(1)} vs ${b.toFixed(1)} MB/s)`);
  line('produce', path.produce.mbPerSec, baseline.produce.mbPerSec);
  line('consume', path.consume.mbPerSec, baseline.consume.mbPerSec);
}

/** Gateway CPU-seconds per GB it moved in a round (the workload produced and consumed through it). */
export function cpuSecondsPerGb(path: PathResult, workload: { records: number; recordSize: number }): number {
  return path.cpu / ((2 * workload.records * workload.recordSize) / 1e9);
}
