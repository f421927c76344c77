// Soak: real producers and consumers through the gateway for a bounded time while the gateway is
// attacked, its server certificate is replaced, and a broker is killed and restarted. At the end it
// prints what was acknowledged against what was consumed (the target: every acknowledged message
// consumed; redeliveries counted apart), errors by kind, how the gateway ended each hostile connection,
// the gateway's RSS at start, peak and end, and the gateway's own counters from /metrics.
//   node --import tsx test/bench/soak.ts [--minutes N] [--rate MSG_PER_S] [--java-rate MSG_PER_S]
//     [--broker-restarts N] [--cert-reload-seconds S] [--direct]
//
// --direct is the baseline: the same traffic straight to the brokers (plaintext), while the gateway
// still runs and is probed; a loss seen with --direct too is not the gateway's.
// Set-up: Kafka 4 with 3 brokers (topics with replication factor 3 and min.insync.replicas 2, so one
// broker can be down without losing acknowledged writes); the gateway as its own process with a TLS
// listener (client certificates required), a plaintext listener, and a plaintext listener that expects
// a PROXY header (hostile probes only). Traffic: two kafkajs idempotent producers (acks=all; one on each
// of TLS and plaintext), Kafka's Java perf producer over TLS, and a kafkajs consumer group with one
// member on each listener. Probes go to 127.0.0.1 only and are bounded in connections, bytes and time.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Admin, Consumer } from 'kafkajs';
import { startGatewayProcess } from '../harness/gateway.ts';
import { startKafka, type KafkaBroker } from '../harness/kafka.ts';
import {
  createTestPki,
  installServerCertificate,
  issueLocalhostServer,
  javaSslProperties,
  presentedSerial,
  STORE_PASSWORD,
} from '../harness/pki.ts';
import { freePorts } from '../harness/ports.ts';
import { cpuSeconds, writeClientProperties } from './perf-tools.ts';
import { ACTIVE_PROBES, HOLDING_PROBES, tlsDribbleProbe, type Probe, type ProbeTargets } from './soak-probes.ts';
import {
  DeliveryLedger,
  errorKind,
  kafkaClient,
  readWholeTopic,
  runJavaPerfProducer,
  runProducer,
  startConsumer,
  Tally,
} from './soak-workload.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    /** kafkajs messages per second, split between the TLS and the plaintext producer. */
    rate: { type: 'string', default: '200' },
    /** Records per second of the Java perf producer (0: leave it out). */
    'java-rate': { type: 'string', default: '50' },
    /** Broker kills and restarts during the run; default 1 below 5 minutes, else 2. */
    'broker-restarts': { type: 'string' },
    'cert-reload-seconds': { type: 'string', default: '60' },
    direct: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const javaRate = Number(values['java-rate']);
const brokerRestarts = values['broker-restarts'] === undefined ? (minutes < 5 ? 1 : 2) : Number(values['broker-restarts']);
const certReloadMs = Number(values['cert-reload-seconds']) * 1000;
if (!(minutes > 0) || !(rate > 0) || !(javaRate >= 0) || !(brokerRestarts >= 0) || !(certReloadMs >= 5_000)) {
  throw new Error('usage: soak.ts [--minutes N>0] [--rate N>0] [--java-rate N>=0] [--broker-restarts N>=0] [--cert-reload-seconds N>=5]');
}

const TOPIC = 'soak';
const TOPIC_PARTITIONS = 6;
const JAVA_TOPIC = 'soak-java';
/** Empty on purpose: a Fetch on it waits at the broker (the flood probe's pending request). */
const PROBE_TOPIC = 'soak-probe';
const GROUP = 'soak';
const END_WAIT_MS = 120_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
let t0 = Date.now();
const at = () => `t=${((Date.now() - t0) / 1000).toFixed(0)}s`;
const say = (line: string) => console.log(`${at()} ${line}`);

// Whatever goes wrong in a client library's background work is tallied, not fatal: the soak reports it.
const scriptErrors = new Tally();
process.on('unhandledRejection', (err) => scriptErrors.add(`unhandled rejection: ${errorKind(err)}`));
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130); // the harness's exit hook kills the brokers and the gateway
  interrupted = true;
  say('interrupted: ending the run early and reporting (Ctrl-C again to quit at once)');
});

// --- PKI: the server certificate lives in a folder the soak replaces files in, as a deployment tool would.
const pki = createTestPki();
const live = path.join(pki.dir, 'live');
fs.mkdirSync(live);
installServerCertificate(pki, 'gateway', live);
const clientCert = pki.client('soak-client');
const stores = pki.ca.bundle('soak-client', { password: STORE_PASSWORD });
const javaSslConfig = writeClientProperties(path.join(pki.dir, 'soak-ssl.properties'), javaSslProperties(stores));
const clientTls = {
  ca: fs.readFileSync(pki.file('ca/ca.crt')),
  cert: fs.readFileSync(clientCert.cert),
  key: fs.readFileSync(clientCert.key),
};

// --- Kafka and the gateway.
console.log(
  `soak: ${minutes} min; kafkajs ${rate} msg/s, Java perf producer ${javaRate} msg/s; ${brokerRestarts} broker restart(s); certificate reload every ${certReloadMs / 1000} s`,
);
const cluster = await startKafka({ version: '4', brokers: 3 });
const ports = await freePorts(12);
const listenerPorts = (i: number) => ports.slice(i * 4, i * 4 + 4); // bootstrap, then node ids 1..3
const routing = (i: number) => ({
  brokerPorts: Object.fromEntries(
    listenerPorts(i)
      .slice(1)
      .map((p, n) => [n + 1, p]),
  ),
});
const [tlsPorts, plainPorts, proxyPorts] = [0, 1, 2].map(listenerPorts);
const gw = await startGatewayProcess({
  backendBootstrap: cluster.bootstrap,
  extraConfig: { log: { level: 'info' }, limits: { shutdownDrainMs: 5_000 } },
  listeners: [
    {
      name: 'mtls',
      bind: `127.0.0.1:${tlsPorts[0]}`,
      tls: {
        certificate: path.join(live, 'server.crt'),
        key: path.join(live, 'server.key'),
        clientAuth: 'required',
        clientCa: pki.file('ca/ca.crt'),
      },
      routing: routing(0),
    },
    { name: 'plain', bind: `127.0.0.1:${plainPorts[0]}`, plaintext: true, routing: routing(1) },
    {
      name: 'proxied',
      bind: `127.0.0.1:${proxyPorts[0]}`,
      plaintext: true,
      proxyProtocol: { trustedSources: ['127.0.0.1/32'] },
      routing: routing(2),
    },
  ],
});
const gwPid = gw.process.pid;
let stopping = false;
const gatewayExit = { exited: false, code: null as number | null, at: '' };
void gw.process.exited.then((code) => {
  if (stopping) return;
  Object.assign(gatewayExit, { exited: true, code, at: at() });
  say(`GATEWAY EXITED with code ${code}`);
});
console.log(
  `Kafka ${cluster.version} ×3 at ${cluster.bootstrap}; gateway pid ${gwPid}: mtls :${tlsPorts[0]}, plain :${plainPorts[0]}, proxied :${proxyPorts[0]} (PROXY header required; probes only)`,
);

// --- RSS of the gateway, every second.
const readRssKb = (): number | null => {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${gwPid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null; // the process is gone
  }
};
const rss = { start: readRssKb() ?? 0, peak: 0, peakAt: '', peakDuring: '', end: 0 };
let activeProbe = '(between active probes)';
const rssPeakByProbe = new Map<string, number>();
const sampler = setInterval(() => {
  const kb = readRssKb();
  if (kb === null) return;
  if (kb > rss.peak) Object.assign(rss, { peak: kb, peakAt: at(), peakDuring: activeProbe });
  rssPeakByProbe.set(activeProbe, Math.max(rssPeakByProbe.get(activeProbe) ?? 0, kb));
}, 1_000);
const cpuAtStart = cpuSeconds(gwPid);

// --- Topics (created through the gateway).
const direct = values.direct;
const plainKafka = kafkaClient({ clientId: 'soak-plain', bootstrap: direct ? cluster.bootstrap : `127.0.0.1:${plainPorts[0]}` });
const tlsKafka = direct
  ? kafkaClient({ clientId: 'soak-direct-2', bootstrap: cluster.bootstrap })
  : kafkaClient({ clientId: 'soak-tls', bootstrap: `127.0.0.1:${tlsPorts[0]}`, ssl: { ...clientTls, servername: 'localhost' } });
if (direct)
  console.log('--direct: producers and consumers connect straight to the brokers (the baseline); the gateway only sees the probes');
const admin: Admin = plainKafka.admin();
await admin.connect();
const durable = [{ name: 'min.insync.replicas', value: '2' }];
await admin.createTopics({
  waitForLeaders: true,
  topics: [
    { topic: TOPIC, numPartitions: TOPIC_PARTITIONS, replicationFactor: 3, configEntries: durable },
    { topic: JAVA_TOPIC, numPartitions: 3, replicationFactor: 3, configEntries: durable },
    { topic: PROBE_TOPIC, numPartitions: 1, replicationFactor: 3 },
  ],
});
const leaderOf = async (topic: string, partition: number): Promise<number> =>
  (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.find((p) => p.partitionId === partition)!.leader;

// --- The run.
const durationMs = minutes * 60_000;
t0 = Date.now();
const end = t0 + durationMs;
const stopped = () => Date.now() >= end || interrupted || gatewayExit.exited;
const sleepUntil = async (t: number) => {
  while (!stopped() && Date.now() < t) await sleep(Math.min(500, t - Date.now()));
};
rss.start = readRssKb() ?? rss.start;

const ledger = new DeliveryLedger();
const javaReceived = new Map<string, number>();
const producerErrors = new Tally();
const consumerErrors = new Tally();
const consumerEvents = new Tally();
const consumers: Consumer[] = [];
for (const [name, kafka] of [
  [direct ? 'consumer-direct-2' : 'consumer-tls', tlsKafka],
  [direct ? 'consumer-direct-1' : 'consumer-plain', plainKafka],
] as const) {
  consumers.push(
    await startConsumer({
      kafka,
      name,
      groupId: GROUP,
      topics: [TOPIC, JAVA_TOPIC],
      errors: consumerErrors,
      events: consumerEvents,
      onValue: (topic, value) => (topic === TOPIC ? ledger.receive(value) : javaReceived.set(value, (javaReceived.get(value) ?? 0) + 1)),
    }),
  );
}
const producers = [
  runProducer({
    kafka: tlsKafka,
    name: direct ? 'producer-direct-2' : 'producer-tls',
    topic: TOPIC,
    partitions: TOPIC_PARTITIONS,
    perSecond: rate / 2,
    ledger,
    errors: producerErrors,
    stopped,
  }),
  runProducer({
    kafka: plainKafka,
    name: direct ? 'producer-direct-1' : 'producer-plain',
    topic: TOPIC,
    partitions: TOPIC_PARTITIONS,
    perSecond: rate / 2,
    ledger,
    errors: producerErrors,
    stopped,
  }),
];
const javaRun =
  javaRate > 0
    ? runJavaPerfProducer({
        bootstrap: direct ? cluster.bootstrap : `127.0.0.1:${tlsPorts[0]}`,
        configFile: direct
          ? writeClientProperties(path.join(pki.dir, 'soak-plain.properties'), { 'security.protocol': 'PLAINTEXT' })
          : javaSslConfig,
        topic: JAVA_TOPIC,
        perSecond: javaRate,
        seconds: durationMs / 1000,
      })
    : null;
say('traffic started');

// (a) Hostile probes: one lane of short, hard probes one after another, one lane of connections held open.
const probeTargets: ProbeTargets = {
  plaintextPorts: plainPorts,
  tlsPorts,
  proxyPorts,
  client: clientTls,
  pendingFetchTarget: async () => {
    const leader = await leaderOf(PROBE_TOPIC, 0);
    return { port: plainPorts[leader], topic: PROBE_TOPIC };
  },
};
const probeEndings = new Map<string, Tally>();
const gatewayCloseMs = new Map<string, number[]>();
let dribbleRecords = 0;
async function probeLane(probes: Probe[], tracksRss: boolean): Promise<void> {
  while (!stopped()) {
    for (const probe of probes) {
      if (stopped()) break;
      if (Date.now() + probe.maxMs > end) continue; // so 'open at probe end' never means 'cut short by the run's end'
      if (tracksRss) activeProbe = probe.name;
      const endings = probeEndings.get(probe.name) ?? probeEndings.set(probe.name, new Tally()).get(probe.name)!;
      try {
        for (const o of await probe.run(probeTargets, end)) {
          endings.add(o.ending);
          if (o.ending === 'closed by gateway' || o.ending === 'reset by gateway')
            (gatewayCloseMs.get(probe.name) ?? gatewayCloseMs.set(probe.name, []).get(probe.name)!).push(o.ms);
        }
      } catch (err) {
        endings.add(`probe failed: ${(err as Error).message.slice(0, 80)}`);
      }
      if (probe === tlsDribbleProbe) dribbleRecords += tlsDribbleProbe.lastRecords();
      if (tracksRss) activeProbe = '(between active probes)';
      await sleep(1_000);
    }
    await sleep(1_000);
  }
}
const lanes = [probeLane(ACTIVE_PROBES, true), probeLane(HOLDING_PROBES, false)];

// (b) Certificate reloads: a newly issued server certificate renamed into place, then SIGHUP.
const certReloads: string[] = [];
const certTask = (async () => {
  for (let n = 1, next = t0 + Math.min(30_000, certReloadMs); next < end - 5_000; n++, next += certReloadMs) {
    await sleepUntil(next);
    if (stopped()) break;
    const name = `server-r${n}`;
    issueLocalhostServer(pki, name);
    const serial = installServerCertificate(pki, name, live);
    const sent = Date.now();
    process.kill(gwPid, 'SIGHUP');
    let served = false;
    while (!served && Date.now() - sent < 15_000) {
      served = (await presentedSerial(tlsPorts[0], pki).catch(() => '')) === serial;
      if (!served) await sleep(100);
    }
    const line = served
      ? `${name}: served to new connections ${Date.now() - sent} ms after SIGHUP`
      : `${name}: NOT served within 15 s of SIGHUP`;
    certReloads.push(line);
    say(`certificate reload ${line}`);
  }
})();

// (c) Policy reloads: nothing to reload yet.
const POLICY_NOTE =
  'skipped: the gateway config (gateway/config/schema.ts) has no policy section; the gateway does not load ACL policies on traffic yet';
say(`policy reloads ${POLICY_NOTE}`);

// (d) Broker restarts: the leader of partition 0 is killed (SIGKILL), restarted 10 s later, and the
// soak waits for every replica to be back in sync before it would kill another.
const restarts: string[] = [];
const isrFull = async () => {
  const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC, JAVA_TOPIC] });
  return topics.every((t) => t.partitions.every((p) => p.isr.length === 3));
};
const restartTask = (async () => {
  for (let i = 1; i <= brokerRestarts; i++) {
    await sleepUntil(t0 + (durationMs * i) / (brokerRestarts + 1));
    if (stopped()) break;
    let broker: KafkaBroker | undefined;
    try {
      const leader = await leaderOf(TOPIC, 0);
      broker = cluster.brokers.find((b) => b.nodeId === leader)!;
      const killedAt = Date.now();
      await broker.kill();
      say(`broker ${broker.nodeId} killed (leader of ${TOPIC}-0)`);
      await sleep(10_000);
      await broker.restart();
      const upAfter = (Date.now() - killedAt) / 1000;
      say(`broker ${broker.nodeId} restarted, port open ${upAfter.toFixed(0)} s after the kill`);
      let inSync = false;
      while (!inSync && Date.now() - killedAt < 300_000) {
        inSync = await isrFull().catch(() => false);
        if (!inSync) await sleep(2_000);
      }
      const line =
        `broker ${broker.nodeId}: killed at ${((killedAt - t0) / 1000).toFixed(0)} s, port open after ${upAfter.toFixed(0)} s, ` +
        (inSync
          ? `every replica in sync after ${((Date.now() - killedAt) / 1000).toFixed(0)} s`
          : 'replicas NOT back in sync within 300 s');
      restarts.push(line);
      say(line);
    } catch (err) {
      restarts.push(`restart ${i} failed: ${(err as Error).message}`);
      if (broker && !broker.running()) await broker.restart().catch(() => undefined);
    }
  }
})();

// Progress every 30 s.
const progress = setInterval(() => {
  const kb = readRssKb();
  say(
    `acknowledged ${ledger.acked.size}, received ${ledger.received.size}, java received ${javaReceived.size}; gateway RSS ${kb === null ? '-' : mb(kb)}; producer errors ${producerErrors.total}, consumer errors ${consumerErrors.total}`,
  );
}, 30_000);

// --- Wind down: probes and reloads end at the deadline, producers stop, consumers catch up.
await Promise.all([...lanes, certTask, restartTask]);
const producerTotals = await Promise.all(producers);
say(`producers stopped; waiting for the Java producer${javaRun ? '' : ' (none)'} and for the consumers to catch up`);
const java = javaRun ? await javaRun : null;
const javaDistinctBelow = (n: number) => {
  let missing = 0;
  for (let i = 0; i < n; i++) if (!javaReceived.has(String(i))) missing++;
  return missing;
};
const caughtUp = () => ledger.lost().length === 0 && (!java || java.acked === null || javaDistinctBelow(java.acked) === 0);
const waitStarted = Date.now();
while (!caughtUp() && Date.now() - waitStarted < END_WAIT_MS && !gatewayExit.exited) await sleep(1_000);
const caughtUpAfter = ((Date.now() - waitStarted) / 1000).toFixed(0);
clearInterval(progress);
await sleep(2_000); // let a redelivery show
await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
await admin.disconnect().catch(() => undefined);
clearInterval(sampler);
rss.end = readRssKb() ?? 0;
const cpuUsed = !gatewayExit.exited ? cpuSeconds(gwPid) - cpuAtStart : NaN;
// A loss is only half a finding: read the topic again, straight from the brokers and through the gateway,
// to tell a message missing from the log from one the consumer group skipped.
const lostBeforeReadback = ledger.lost();
const readback: string[] = [];
if (lostBeforeReadback.length > 0) {
  for (const [via, kafka] of [
    ['straight from the brokers', kafkaClient({ clientId: 'soak-readback', bootstrap: cluster.bootstrap })],
    ['through the gateway (plain)', plainKafka],
  ] as const) {
    if (via.startsWith('through') && gatewayExit.exited) continue;
    const all = await readWholeTopic(kafka, TOPIC).catch((e: Error) => (readback.push(`${via}: read failed: ${e.message}`), undefined));
    if (all === undefined) continue;
    if (all === null) readback.push(`${via}: did not reach the end offsets in time`);
    else
      readback.push(
        `${via}: ${lostBeforeReadback.filter((v) => all.has(v)).length} of the ${lostBeforeReadback.length} are in the topic (${all.size} distinct values read)`,
      );
  }
}
const metrics = !gatewayExit.exited ? await gw.metrics().catch((e: Error) => `# metrics unavailable: ${e.message}`) : '# gateway exited';

// --- Report.
const print = (title: string, tally: Tally, indent = '  ') => {
  console.log(`${title}${tally.total === 0 ? ' none' : ''}`);
  for (const [kind, n] of tally.entries()) console.log(`${indent}${n.toString().padStart(6)}  ${kind}`);
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const lost = ledger.lost();
console.log(
  `\n===== soak report${direct ? ' (--direct: traffic straight to the brokers)' : ''}: ${minutes} min (${((Date.now() - t0) / 1000).toFixed(0)} s with wind-down), Kafka ${cluster.version} ×3, RF 3, min.insync.replicas 2`,
);
console.log(`gateway process: ${gatewayExit.exited ? `EXITED with code ${gatewayExit.code} at ${gatewayExit.at}` : 'running throughout'}`);
console.log(
  `kafkajs (topic ${TOPIC}): sent ${producerTotals.reduce((a, p) => a + p.sent, 0)}, acknowledged ${ledger.acked.size}, acknowledged and consumed ${ledger.acked.size - lost.length}`,
);
console.log(
  `  LOST (acknowledged, never consumed): ${lost.length}${lost.length ? ` e.g. ${lost.slice(0, 5).join(', ')}` : ''}; duplicates (redelivered): ${ledger.duplicates()}; consumed but never acknowledged: ${ledger.unacknowledgedReceived()}`,
);
if (java) {
  const missing = java.acked === null ? null : javaDistinctBelow(java.acked);
  const dups = [...javaReceived.values()].reduce((a, n) => a + n - 1, 0);
  console.log(
    `Java perf producer (topic ${JAVA_TOPIC}${direct ? '' : ', over TLS'}): acknowledged ${java.acked ?? 'unknown (tool did not finish cleanly)'}, distinct consumed ${javaReceived.size}, duplicates ${dups}; ` +
      (missing === null
        ? 'loss unknown'
        : `values 0..${java.acked! - 1} never consumed: ${missing}${java.errors.total > 0 ? ' (some records failed, so some of these may not have been acknowledged)' : ' (no record failed: this is the loss)'}`),
  );
}
for (const line of readback) console.log(`  the lost ones, read again from the beginning by a fresh group ${line}`);
console.log(
  `consumers ${caughtUp() ? `caught up ${caughtUpAfter} s after the producers stopped` : `did NOT catch up within ${END_WAIT_MS / 1000} s`}`,
);
print('producer errors by kind:', producerErrors);
if (java) print('Java producer errors by kind:', java.errors);
print('consumer errors by kind:', consumerErrors);
print('consumer group events:', consumerEvents);
print('soak script errors:', scriptErrors);
console.log('hostile probes: how the gateway ended each connection (ms: median/max time to the gateway closing it)');
for (const [probe, endings] of probeEndings) {
  const ms = gatewayCloseMs.get(probe) ?? [];
  console.log(
    `  ${probe}: ${endings.total} connections${ms.length ? `; closed by the gateway after ${median(ms)}/${Math.max(...ms)} ms` : ''}${probe === tlsDribbleProbe.name ? `; ${dribbleRecords} one-byte TLS records sent in all` : ''}`,
  );
  for (const [ending, n] of endings.entries()) console.log(`    ${n.toString().padStart(6)}  ${ending}`);
}
console.log(`certificate reloads: ${certReloads.length === 0 ? 'none (run too short)' : ''}`);
for (const line of certReloads) console.log(`  ${line}`);
console.log(`policy reloads: ${POLICY_NOTE}`);
console.log(`broker restarts: ${restarts.length === 0 ? 'none' : ''}`);
for (const line of restarts) console.log(`  ${line}`);
console.log(
  `gateway RSS: start ${mb(rss.start)}, peak ${mb(rss.peak)} (${rss.peakAt}, during probe: ${rss.peakDuring}), end ${mb(rss.end)}; CPU ${cpuUsed.toFixed(1)} s`,
);
console.log('  peak RSS while each active probe ran:');
for (const [probe, kb] of rssPeakByProbe) console.log(`    ${mb(kb).padStart(7)}  ${probe}`);
const logLines = fs
  .readFileSync(gw.logFile, 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('{'));
const levels = new Tally();
for (const l of logLines) levels.add(String((JSON.parse(l) as { level?: unknown }).level));
console.log(
  `gateway log: ${logLines.length} lines, ${(fs.statSync(gw.logFile).size / 1e6).toFixed(1)} MB; by pino level: ${levels
    .entries()
    .map(([l, n]) => `${l}=${n}`)
    .join(' ')} (kept: ${gw.logFile})`,
);
console.log('gateway counters (/metrics, every nonzero gatehouse_*_total, and open connections):');
for (const line of metrics.split('\n')) {
  if (line.startsWith('#')) continue;
  if (/^gatehouse_\w+_total\{/.test(line) && Number(line.split(' ').at(-1)) > 0) console.log(`  ${line}`);
  else if (line.startsWith('gatehouse_connections_active')) console.log(`  ${line}`);
}

stopping = true;
await gw.stop();
await cluster.stop();
pki.cleanup();
process.exit(0); // client libraries may leave timers behind; the run is over
