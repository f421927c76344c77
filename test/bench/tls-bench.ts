// Throughput through the gateway's TLS listener (client certificates required) vs straight to the
// broker over PLAINTEXT, measured in the same run with Kafka's own kafka-producer-perf-test and
// kafka-consumer-perf-test (the Java client, security.protocol=SSL with PKCS#12 stores made by the
// project's certificate tool), plus the gateway's CPU-seconds per GB moved. A plaintext listener of
// the same gateway process is measured too, so that the cost of TLS shows apart from the cost of proxying.
// The TLS figures include the client's own TLS work: that is what moving a client to TLS costs.
//   node --import tsx test/bench/tls-bench.ts [--records N] [--record-size B] [--rounds N] [--min-version TLSv1.2|TLSv1.3]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startGatewayProcess } from '../harness/gateway.ts';
import { startKafka } from '../harness/kafka.ts';
import { createTestPki, javaSslProperties, STORE_PASSWORD } from '../harness/pki.ts';
import { freePorts } from '../harness/ports.ts';
import {
  bestOfRounds,
  cpuSecondsPerGb,
  FULL_JIT,
  perfTools,
  printThroughputRatios,
  writeClientProperties,
  type PerfTarget,
} from './perf-tools.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    'record-size': { type: 'string', default: '1000' },
    /** Rounds per path; each path keeps its best (on a small shared machine, more rounds steady the figures). */
    rounds: { type: 'string', default: '2' },
    /** The listener's lowest TLS version; clients negotiate the highest both sides have (TLS 1.3 with Java 17). */
    'min-version': { type: 'string', default: 'TLSv1.2' },
  },
});
const workload = { records: Number(values.records), recordSize: Number(values['record-size']) };

const pki = createTestPki();
pki.client('bench-client');
const stores = pki.ca.bundle('bench-client', { password: STORE_PASSWORD });
const sslConfig = writeClientProperties(path.join(pki.dir, 'bench-ssl.properties'), javaSslProperties(stores));

const cluster = await startKafka({ version: '4', brokers: 1, jvmOptions: FULL_JIT });
const [tlsPort, tlsBroker, plainPort, plainBroker] = await freePorts(4);
const mtls = {
  certificate: pki.file(pki.server.certFile),
  key: pki.file(pki.server.keyFile),
  minVersion: values['min-version'],
  clientAuth: 'required',
  clientCa: pki.file('ca/ca.crt'),
  principalMappingRules: 'RULE:^CN=([^,]+),O=.*$/$1/L,DEFAULT',
};
const gw = await startGatewayProcess({
  backendBootstrap: cluster.bootstrap,
  maxBrokers: 1,
  extraConfig: { log: { level: 'warn' } },
  listeners: [
    { name: 'mtls', bind: `127.0.0.1:${tlsPort}`, tls: mtls, routing: { brokerPorts: { 1: tlsBroker } } },
    { name: 'plain', bind: `127.0.0.1:${plainPort}`, plaintext: true, routing: { brokerPorts: { 1: plainBroker } } },
  ],
});
const targets: Record<'direct' | 'gateway-plain' | 'gateway-tls', PerfTarget> = {
  direct: { bootstrap: cluster.bootstrap },
  'gateway-plain': { bootstrap: `127.0.0.1:${plainPort}` },
  'gateway-tls': { bootstrap: `127.0.0.1:${tlsPort}`, configFile: sslConfig },
};
const tools = perfTools(workload);
const javaVersion = spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr.split('\n')[0];

console.log(
  `Kafka ${cluster.version}, 1 broker; ${workload.records} records of ${workload.recordSize} B (${((workload.records * workload.recordSize) / 1e6).toFixed(0)} MB) per run; ` +
    `gateway TLS listener: client certificate required (RSA 2048), minVersion ${values['min-version']}; clients: ${javaVersion}`,
);
// Warm-up every path (JIT in the tools, the broker and the gateway; TLS session set-up).
for (const target of Object.values(targets)) await tools.produce(target, 'warmup');

const results = await bestOfRounds({
  tools,
  targets,
  rounds: Number(values.rounds),
  gatewayPid: gw.process.pid,
  throughGateway: (name) => name !== 'direct',
});
const cpuPerGb = (name: keyof typeof targets) => cpuSecondsPerGb(results[name], workload).toFixed(2);
console.log('\nresult');
printThroughputRatios('gateway TLS/direct PLAINTEXT', results['gateway-tls'], results.direct);
printThroughputRatios('gateway plaintext/direct, for reference', results['gateway-plain'], results.direct);
printThroughputRatios('gateway TLS/gateway plaintext: the cost of TLS', results['gateway-tls'], results['gateway-plain']);
console.log(`  gateway CPU: ${cpuPerGb('gateway-tls')} CPU-seconds per GB moved over TLS (${cpuPerGb('gateway-plain')} over plaintext)`);

await gw.stop();
await cluster.stop();
pki.cleanup();
