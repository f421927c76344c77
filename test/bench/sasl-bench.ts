// What SASL costs at the gateway, against one real broker, every path measured in the same run:
//   1. connection set-up: N connections per path (sequentially, then C at a time), each doing what a
//      client does before its first useful request — connect (TCP, or TCP + a full TLS handshake),
//      ApiVersions, SaslHandshake and SaslAuthenticate round trips, one Metadata request for a topic, close.
//      Paths: the broker's own PLAINTEXT listener (direct), the gateway's PLAINTEXT and SSL listeners
//      without SASL, and its SASL_PLAINTEXT and SASL_SSL listeners with each mechanism: PLAIN,
//      SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER (a JWT signed once, as a client caches its token) and
//      GSSAPI against a real MIT KDC, twice: reusing the service ticket in the client's credential cache
//      (a real client's usual case: one ticket per ticket lifetime) and with a new service ticket per
//      connection (the client's first connection). Prints connections/s, p50/p99 set-up time, the ratios to
//      direct and to the same transport without SASL, and the gateway's CPU time per connection. The clients
//      run in this process on the same cores, and their own work is in the times as a real client's would be
//      (a SCRAM client derives its key with PBKDF2 on every login: ~2 ms for SHA-256 and ~5 ms for SHA-512 at
//      4096 iterations here, which caps those rows before the gateway does); the CPU column is the gateway's alone.
//   2. steady state after authentication: Kafka's perf tools (the Java client, SCRAM-SHA-512 by default)
//      produce and consume through the SASL_PLAINTEXT and SASL_SSL listeners and through the same gateway's
//      PLAINTEXT and SSL listeners without SASL (and direct, for reference); prints the throughput ratios
//      (target ≥ 0.95× of the listener without SASL) and the gateway's CPU-seconds per GB for each path.
// One gateway process serves every listener (authorization off on all of them), so its CPU time is its own.
//   node --import tsx test/bench/sasl-bench.ts [--connections 200] [--records 300000]
//     [--concurrency 1,8] [--setup-rounds 3] [--max-batch-seconds 10] [--rounds 3] [--record-size 1000]
//     [--mechanisms PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER,GSSAPI] [--steady-mechanism SCRAM-SHA-512]
//     [--steady-paths direct,gateway-plaintext,sasl-plaintext,gateway-ssl,sasl-ssl] [--parts setup,steady] [--no-warmup]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SASL_MECHANISM_NAMES, type SaslMechanismName } from '../../gateway/common/sasl-mechanism-names.ts';
import { startGatewayProcess, type GatewayProcess } from '../harness/gateway.ts';
import { startKafka, type KafkaCluster } from '../harness/kafka.ts';
import { startKdc, type Kdc } from '../harness/kdc.ts';
import { createTestPki } from '../harness/pki.ts';
import { freePorts } from '../harness/ports.ts';
import { javaSaslClient } from '../harness/sasl/jaas.ts';
import { cpuSeconds, FULL_JIT, perfTools, writeClientProperties, type PerfTarget } from './perf-tools.ts';
import { createTopic, quantile, runSetupBatch, type SetupBatch, type SetupPath } from './sasl/connection-setup.ts';
import {
  kdcServiceTicketRequests,
  kerberosClient,
  OAUTH_AUDIENCE,
  OAUTH_ISSUER,
  writeCredentialStore,
  writeJwksAndToken,
} from './sasl/fixtures.ts';
import { gssapiClient, oauthbearerClient, plainClient, scramClient, type SaslClient } from './sasl/sasl-clients.ts';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '200' },
    /** Connections in flight at once, one batch per value; GSSAPI with a new ticket per connection runs only at 1. */
    concurrency: { type: 'string', default: '1,8' },
    'setup-rounds': { type: 'string', default: '3' },
    /** No connection of a batch starts after this many seconds (PLAIN's scrypt makes its batches slow). */
    'max-batch-seconds': { type: 'string', default: '10' },
    records: { type: 'string', default: '300000' },
    'record-size': { type: 'string', default: '1000' },
    /** Steady-state rounds; every path runs in each (order reversed every other round). */
    rounds: { type: 'string', default: '3' },
    mechanisms: { type: 'string', default: SASL_MECHANISM_NAMES.join(',') },
    'steady-mechanism': { type: 'string', default: 'SCRAM-SHA-512' },
    'steady-paths': { type: 'string', default: 'direct,gateway-plaintext,sasl-plaintext,gateway-ssl,sasl-ssl' },
    parts: { type: 'string', default: 'setup,steady' },
    /** Skip the warm-up connections and produce runs (for a quick check that the benchmark runs). */
    'no-warmup': { type: 'boolean', default: false },
  },
});

const list = (s: string) => s.split(',').filter(Boolean);
const connections = Number(values.connections);
const concurrencies = list(values.concurrency).map(Number);
const setupRounds = Number(values['setup-rounds']);
const maxBatchMs = Number(values['max-batch-seconds']) * 1000;
const workload = { records: Number(values.records), recordSize: Number(values['record-size']) };
const parts = list(values.parts);
const warmup = !values['no-warmup'];

const mechanisms = list(values.mechanisms) as SaslMechanismName[];
for (const m of mechanisms) if (!SASL_MECHANISM_NAMES.includes(m)) throw new Error(`unknown mechanism ${m}`);
const PASSWORD_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
type PasswordMechanism = (typeof PASSWORD_MECHANISMS)[number];
const steadyMechanism = values['steady-mechanism'] as PasswordMechanism;
if (!PASSWORD_MECHANISMS.includes(steadyMechanism)) throw new Error(`--steady-mechanism must be one of ${PASSWORD_MECHANISMS.join(', ')}`);
const STEADY_PATHS = ['direct', 'gateway-plaintext', 'sasl-plaintext', 'gateway-ssl', 'sasl-ssl'] as const;
type SteadyPath = (typeof STEADY_PATHS)[number];
const steadyPaths = list(values['steady-paths']) as SteadyPath[];
for (const p of steadyPaths) if (!STEADY_PATHS.includes(p)) throw new Error(`unknown steady path ${p}; known: ${STEADY_PATHS.join(', ')}`);

const USER = 'bench';
const PASSWORD = 'sasl-bench-password';
/** SCRAM iterations of the stored credentials (the gateway stores keys; the client derives them per login). */
const SCRAM_ITERATIONS = 4096;
const SETUP_TOPIC = 'sasl-bench.setup';

async function main(): Promise<void> {
  const pki = createTestPki();
  stops.push(() => pki.cleanup());
  const caFile = pki.file('ca/ca.crt');
  const tlsCa = fs.readFileSync(caFile);

  const credentialsFile = path.join(dir, 'users.yaml');
  await writeCredentialStore(credentialsFile, USER, PASSWORD, SCRAM_ITERATIONS);
  const jwksFile = path.join(dir, 'jwks.json');
  const token = await writeJwksAndToken(jwksFile, USER);

  let kdc: Kdc | null = null;
  let kerberos: Awaited<ReturnType<typeof kerberosClient>> | null = null;
  if (mechanisms.includes('GSSAPI')) {
    const started = await startKdc();
    kdc = started;
    stops.push(() => started.stop());
    kerberos = await kerberosClient(started, USER, dir);
  }

  const cluster: KafkaCluster = await startKafka({ version: '4', brokers: 1, jvmOptions: FULL_JIT });
  stops.push(() => cluster.stop());

  const gateway = await startBenchGateway(cluster, { credentialsFile, jwksFile, kdc }, pki);
  stops.push(() => gateway.gw.stop());
  const gatewayPid = gateway.gw.process.pid;
  console.log(
    `Kafka ${cluster.version}, 1 broker; ${os.cpus().length} cores; gateway pid ${gatewayPid}, authorization off; ` +
      `SASL user ${USER} (SCRAM ${SCRAM_ITERATIONS} iterations, PLAIN scrypt), ${kerberos ? `Kerberos ${kerberos.principal}` : 'no KDC'}`,
  );

  if (parts.includes('setup')) await setupPart(cluster, gateway, tlsCa, token, kdc, kerberos, gatewayPid);
  if (parts.includes('steady')) await steadyPart(cluster, gateway, caFile, gatewayPid);
}

type BenchGateway = { gw: GatewayProcess; bind: Record<'plaintext' | 'ssl' | 'saslPlaintext' | 'saslSsl', string> };

/** One gateway process with four listeners in front of the broker: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL. */
async function startBenchGateway(
  cluster: KafkaCluster,
  files: { credentialsFile: string; jwksFile: string; kdc: Kdc | null },
  pki: ReturnType<typeof createTestPki>,
): Promise<BenchGateway> {
  const ports = await freePorts(8);
  const bind = {
    plaintext: `127.0.0.1:${ports[0]}`,
    ssl: `127.0.0.1:${ports[1]}`,
    saslPlaintext: `127.0.0.1:${ports[2]}`,
    saslSsl: `127.0.0.1:${ports[3]}`,
  };
  const tls = { certificate: pki.file(pki.server.certFile), key: pki.file(pki.server.keyFile) };
  const routing = (i: number) => ({ brokerPorts: { 1: ports[4 + i] } });
  const sasl = { mechanisms };
  const { kdc } = files;
  const gw = await startGatewayProcess({
    backendBootstrap: cluster.bootstrap,
    maxBrokers: 1,
    extraConfig: {
      log: { level: 'warn' },
      authorization: { mode: 'off' },
      authentication: {
        credentials: { file: files.credentialsFile },
        oauthbearer: { jwks: { file: files.jwksFile }, issuer: OAUTH_ISSUER, audience: [OAUTH_AUDIENCE], algorithms: ['RS256'] },
        ...(kdc && {
          gssapi: {
            keytab: kdc.service.keytab,
            servicePrincipal: kdc.service.principal,
            principalToLocalRules: ['DEFAULT'],
            krb5Config: kdc.env.KRB5_CONFIG,
          },
        }),
      },
    },
    listeners: [
      { name: 'plaintext', bind: bind.plaintext, plaintext: true, routing: routing(0) },
      { name: 'ssl', bind: bind.ssl, tls, routing: routing(1) },
      {
        name: 'sasl-plaintext',
        bind: bind.saslPlaintext,
        plaintext: true,
        sasl: { ...sasl, allowPlainWithoutTls: true },
        routing: routing(2),
      },
      { name: 'sasl-ssl', bind: bind.saslSsl, tls, sasl, routing: routing(3) },
    ],
  });
  return { gw, bind };
}

function saslClientFor(
  mechanism: SaslMechanismName,
  token: string,
  kerberos: { cache: string; tgtOnlyCache: string } | null,
  tickets: 'reuse' | 'new-ticket',
): SaslClient {
  switch (mechanism) {
    case 'PLAIN':
      return plainClient(USER, PASSWORD);
    case 'SCRAM-SHA-256':
    case 'SCRAM-SHA-512':
      return scramClient(mechanism, USER, PASSWORD);
    case 'OAUTHBEARER':
      return oauthbearerClient(token);
    case 'GSSAPI':
      return gssapiClient('kafka', 'localhost', { file: tickets === 'reuse' ? kerberos!.cache : kerberos!.tgtOnlyCache, tickets });
  }
}

type SetupRow = SetupPath & {
  gatewayPid: number | null;
  sequentialOnly: boolean;
  /** The same gateway's listener with the same transport and no SASL (null for the no-SASL rows). */
  withoutSasl: SetupRow | null;
};

async function setupPart(
  cluster: KafkaCluster,
  gateway: BenchGateway,
  tlsCa: Buffer,
  token: string,
  kdc: Kdc | null,
  kerberos: { cache: string; tgtOnlyCache: string } | null,
  gatewayPid: number,
): Promise<void> {
  const direct = { hostPort: cluster.bootstrap };
  await createTopic(direct, SETUP_TOPIC);
  const row = (
    name: string,
    target: SetupPath['target'],
    sasl: SaslClient | null,
    withoutSasl: SetupRow | null = null,
    sequentialOnly = false,
  ): SetupRow => ({ name, target, sasl, gatewayPid: target === direct ? null : gatewayPid, sequentialOnly, withoutSasl });
  const gatewayPlaintext = row('gateway PLAINTEXT', { hostPort: gateway.bind.plaintext }, null);
  const gatewaySsl = row('gateway SSL', { hostPort: gateway.bind.ssl, tlsCa }, null);
  const rows: SetupRow[] = [row('direct PLAINTEXT', direct, null), gatewayPlaintext, gatewaySsl];
  for (const [protocol, target, withoutSasl] of [
    ['SASL_PLAINTEXT', { hostPort: gateway.bind.saslPlaintext }, gatewayPlaintext],
    ['SASL_SSL', { hostPort: gateway.bind.saslSsl, tlsCa }, gatewaySsl],
  ] as const) {
    for (const m of mechanisms) {
      const name = `${protocol} ${m}${m === 'GSSAPI' ? ' (ticket reused)' : ''}`;
      rows.push(row(name, target, saslClientFor(m, token, kerberos, 'reuse'), withoutSasl));
      if (m === 'GSSAPI')
        rows.push(row(`${protocol} GSSAPI (new ticket)`, target, saslClientFor(m, token, kerberos, 'new-ticket'), withoutSasl, true));
    }
  }

  console.log(
    `\n1. connection set-up: ${connections} connections per path and concurrency (${concurrencies.join(', ')}) or as many as start in ` +
      `${maxBatchMs / 1000} s, ${setupRounds} rounds; ` +
      `each: connect, ApiVersions v3, [SaslHandshake v1, SaslAuthenticate v2 …], Metadata v12 for one topic, close (a full TLS handshake each time)`,
  );
  if (warmup)
    for (const r of rows)
      await runSetupBatch(r, {
        connections: Math.min(20, connections),
        concurrency: 1,
        topic: SETUP_TOPIC,
        gatewayPid: null,
        maxMs: 2_000,
      });

  const results = new Map<string, SetupBatch[]>();
  const key = (r: SetupRow, c: number) => `${r.name}|${c}`;
  const width = Math.max(...rows.map((r) => r.name.length));
  for (let round = 1; round <= setupRounds; round++) {
    for (const c of concurrencies) {
      const order = round % 2 === 1 ? rows : [...rows].reverse();
      for (const r of order) {
        if (r.sequentialOnly && c > 1) continue;
        const tgs0 = kdc && r.sasl?.mechanism === 'GSSAPI' ? kdcServiceTicketRequests(kdc) : null;
        const batch = await runSetupBatch(r, {
          connections,
          concurrency: c,
          topic: SETUP_TOPIC,
          gatewayPid: r.gatewayPid,
          maxMs: maxBatchMs,
        });
        results.set(key(r, c), [...(results.get(key(r, c)) ?? []), batch]);
        const kdcText = tgs0 === null ? '' : `; KDC service-ticket requests: ${kdcServiceTicketRequests(kdc!) - tgs0}`;
        console.log(
          `round ${round} c=${c} ${r.name.padEnd(width)}: ${rate(batch).toFixed(0).padStart(5)} conn/s (${batch.connections} connections), p50 ${quantile(batch.setupMs, 0.5).toFixed(2)} ms, ` +
            `p99 ${quantile(batch.setupMs, 0.99).toFixed(2)} ms${cpuText(batch)}${kdcText}`,
        );
      }
    }
  }

  for (const c of concurrencies) {
    console.log(
      `\nconnection set-up, concurrency ${c}: median over ${setupRounds} rounds (min–max); ×direct and ×no-SASL (the same transport's listener without SASL) are medians of the per-round ratios`,
    );
    const header = ['path', 'conn/s', '×direct', '×no-SASL', 'p50 ms', 'p99 ms', 'gateway CPU ms/conn'];
    const ratio = (r: SetupRow, to: SetupRow) => {
      const base = results.get(key(to, c))!;
      return median(results.get(key(r, c))!.map((b, i) => rate(b) / rate(base[i]))).toFixed(3);
    };
    const table = rows
      .filter((r) => !(r.sequentialOnly && c > 1))
      .map((r) => {
        const batches = results.get(key(r, c))!;
        const pooled = batches.flatMap((b) => b.setupMs).sort((a, b) => a - b);
        return [
          r.name,
          spread(batches.map(rate), 0),
          ratio(r, rows[0]),
          r.withoutSasl ? ratio(r, r.withoutSasl) : '-',
          quantile(pooled, 0.5).toFixed(2),
          quantile(pooled, 0.99).toFixed(2),
          r.gatewayPid === null ? '-' : spread(batches.map(cpuMsPerConnection), 2),
        ];
      });
    printTable('setup', header, table);
  }
}

const rate = (b: SetupBatch) => b.connections / (b.wallMs / 1000);
const cpuMsPerConnection = (b: SetupBatch) => ((b.gatewayCpu ?? NaN) * 1000) / b.connections;
const cpuText = (b: SetupBatch) => (b.gatewayCpu === null ? '' : `, gateway CPU ${cpuMsPerConnection(b).toFixed(2)} ms/conn`);

async function steadyPart(cluster: KafkaCluster, gateway: BenchGateway, caFile: string, gatewayPid: number): Promise<void> {
  const login = { mechanism: steadyMechanism, username: USER, password: PASSWORD };
  const sslProperties = writeClientProperties(path.join(dir, 'ssl.properties'), {
    'security.protocol': 'SSL',
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': caFile,
  });
  const all: Record<SteadyPath, PerfTarget> = {
    direct: { bootstrap: cluster.bootstrap },
    'gateway-plaintext': { bootstrap: gateway.bind.plaintext },
    'sasl-plaintext': {
      bootstrap: gateway.bind.saslPlaintext,
      configFile: javaSaslClient(dir, 'sasl-bench-plaintext', { login, transport: { protocol: 'SASL_PLAINTEXT' } }).propertiesFile,
    },
    'gateway-ssl': { bootstrap: gateway.bind.ssl, configFile: sslProperties },
    'sasl-ssl': {
      bootstrap: gateway.bind.saslSsl,
      configFile: javaSaslClient(dir, 'sasl-bench-ssl', { login, transport: { protocol: 'SASL_SSL', caFile } }).propertiesFile,
    },
  };
  const tools = perfTools(workload);
  const gb = (workload.records * workload.recordSize) / 1e9;
  const rounds = Number(values.rounds);
  console.log(
    `\n2. steady state: Kafka's perf tools, ${workload.records} records of ${workload.recordSize} B (${(gb * 1e3).toFixed(0)} MB) ` +
      `produced then consumed per path and round, ${rounds} rounds (order reversed every other round); SASL paths log in with ${steadyMechanism}`,
  );
  // Warm-up, produce and consume on every path: the tools', the broker's and the gateway's JIT.
  if (warmup) {
    for (const p of steadyPaths) {
      await tools.produce(all[p], `sasl-bench.warmup.${p}`);
      await tools.consume(all[p], `sasl-bench.warmup.${p}`);
    }
  }
  /** One phase's throughput and the gateway's CPU-seconds per GB moved in it (NaN for direct). */
  const measure = async (p: SteadyPath, run: () => Promise<{ mbPerSec: number }>) => {
    const cpu0 = cpuSeconds(gatewayPid);
    const { mbPerSec } = await run();
    return { mbPerSec, cpuPerGb: p === 'direct' ? NaN : (cpuSeconds(gatewayPid) - cpu0) / gb };
  };
  type Phase = Awaited<ReturnType<typeof measure>>;
  const results = Object.fromEntries(steadyPaths.map((p) => [p, [] as Array<Record<SteadyPhase, Phase>>])) as Record<
    SteadyPath,
    Array<Record<SteadyPhase, Phase>>
  >;
  const width = Math.max(...steadyPaths.map((p) => p.length));
  for (let round = 1; round <= rounds; round++) {
    for (const p of round % 2 === 1 ? steadyPaths : [...steadyPaths].reverse()) {
      const topic = `sasl-bench.${p}.${round}`;
      const produce = await measure(p, () => tools.produce(all[p], topic));
      const consume = await measure(p, () => tools.consume(all[p], topic));
      results[p].push({ produce, consume });
      const cpu = (x: Phase) => (p === 'direct' ? '' : ` [gateway ${x.cpuPerGb.toFixed(2)} CPU-s/GB]`);
      console.log(
        `round ${round} ${p.padEnd(width)}: produce ${produce.mbPerSec.toFixed(1).padStart(6)} MB/s${cpu(produce)}; ` +
          `consume ${consume.mbPerSec.toFixed(1).padStart(6)} MB/s${cpu(consume)}`,
      );
    }
  }

  console.log(
    `\nsteady state: median over ${rounds} rounds (min–max); ratios are medians of the per-round ratios (paths of a round ran back to back)`,
  );
  const header = ['path', 'produce MB/s', 'consume MB/s', 'produce CPU-s/GB', 'consume CPU-s/GB'];
  const table = steadyPaths.map((p) => {
    const of = (phase: SteadyPhase, f: (x: Phase) => number, digits: number) =>
      p === 'direct' && f === cpuOf
        ? '-'
        : spread(
            results[p].map((r) => f(r[phase])),
            digits,
          );
    return [p, of('produce', mbOf, 1), of('consume', mbOf, 1), of('produce', cpuOf, 2), of('consume', cpuOf, 2)];
  });
  printTable('steady', header, table);
  const ratios = (a: SteadyPath, b: SteadyPath, phase: SteadyPhase, f: (x: Phase) => number) =>
    results[a].map((r, i) => f(r[phase]) / f(results[b][i][phase]));
  const has = (p: SteadyPath) => steadyPaths.includes(p);
  for (const [sasl, plain, label] of [
    ['sasl-plaintext', 'gateway-plaintext', `SASL_PLAINTEXT ${steadyMechanism} / gateway PLAINTEXT`],
    ['sasl-ssl', 'gateway-ssl', `SASL_SSL ${steadyMechanism} / gateway SSL`],
  ] as const) {
    if (!has(sasl) || !has(plain)) continue;
    for (const phase of ['produce', 'consume'] as const) {
      const throughput = ratios(sasl, plain, phase, mbOf);
      const m = median(throughput);
      console.log(
        `  steady target ${phase} (${label}) ≥ 0.95: ${spread(throughput, 3)} ${m >= 0.95 ? 'met' : `NOT MET (${m.toFixed(4)})`}`,
      );
      console.log(`  gateway CPU/GB ratio ${phase} (${label}): ${spread(ratios(sasl, plain, phase, cpuOf), 3)}`);
    }
  }
  if (has('direct')) {
    for (const p of steadyPaths.filter((x) => x !== 'direct')) {
      const vs = (phase: SteadyPhase) => spread(ratios(p, 'direct', phase, mbOf), 3);
      console.log(`  ${p} / direct, for reference: produce ${vs('produce')}, consume ${vs('consume')}`);
    }
  }
}

type SteadyPhase = 'produce' | 'consume';
const mbOf = (x: { mbPerSec: number }) => x.mbPerSec;
const cpuOf = (x: { cpuPerGb: number }) => x.cpuPerGb;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** "median (min–max)", or the one value. */
function spread(xs: number[], digits: number): string {
  const m = median(xs).toFixed(digits);
  return xs.length === 1 ? m : `${m} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
}

/** A table whose rows start with `tag` (so a test can find every row). */
function printTable(tag: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  console.log(`  ${''.padEnd(tag.length)}  ${header.map((h, i) => h.padEnd(widths[i])).join('  ')}`);
  for (const r of rows) console.log(`  ${tag}  ${r.map((c, i) => c.padEnd(widths[i])).join('  ')}`);
}

// Ctrl-C, or a test's timeout: leave through process.exit so the harness's exit hook kills the broker,
// KDC and gateway this process started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(1));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-sasl-bench-'));
const stops: Array<() => Promise<void> | void> = [() => fs.rmSync(dir, { recursive: true, force: true })];
try {
  await main();
} finally {
  for (const stop of stops.reverse()) await stop();
}
