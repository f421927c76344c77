// A client that asks for a lot and reads nothing must not make the gateway buffer it all:
// backpressure stops reading the backend, so gateway memory stays near one response frame.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { FrameReader } from '../../../gateway/net/frame-reader.ts';
import { startGatewayProcess, type GatewayProcess } from '../../harness/gateway.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { kafkaTool } from '../../harness/kafka-tools.ts';
import { expectSuccess } from '../../harness/run.ts';
import { fetchV11 } from './fetch-request.ts';

const FETCH_BYTES = 8 * 1024 * 1024;
const PIPELINED = 20; // 160 MiB of answers requested at once
/** The stated bound on RSS growth while the client reads nothing. */
const RSS_GROWTH_CAP_MB = 96;

let cluster: KafkaCluster;
let gw: GatewayProcess;
before(async () => {
  cluster = await startKafka({ version: '4', brokers: 1 });
  gw = await startGatewayProcess({ backendBootstrap: cluster.bootstrap, maxBrokers: 1 });
  expectSuccess(
    'fill the topic',
    await kafkaTool('4', 'producer-perf-test', [
      '--topic',
      'bulk',
      '--num-records',
      '12000',
      '--record-size',
      '1000',
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${cluster.bootstrap}`,
      'acks=1',
      'batch.size=262144',
      'linger.ms=20',
    ]),
  );
});
after(async () => {
  await gw?.stop();
  await cluster?.stop();
});

/** A Fetch frame with its size prefix, ready for the socket. */
const fetchFrame = (correlationId: number) =>
  fetchV11({ correlationId, topic: 'bulk', offset: 0n, maxBytes: FETCH_BYTES, sizePrefix: true });

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

test(`a client that pipelines ${PIPELINED} x 8 MiB Fetches and reads nothing keeps gateway RSS growth under ${RSS_GROWTH_CAP_MB} MiB`, async () => {
  const socket = net.connect({ host: '127.0.0.1', port: gw.brokerPorts.get(1)! });
  await new Promise((r) => socket.once('connect', r));
  // Warm up (JIT, buffers) with one fetch read normally, then take the baseline.
  const reader = new FrameReader(() => 1 << 30);
  const responses: number[] = [];
  socket.on('data', (chunk: Buffer) => {
    for (const f of reader.push(chunk)) responses.push(f.payload.readInt32BE(0));
  });
  socket.write(fetchFrame(0));
  while (responses.length < 1) await new Promise((r) => setTimeout(r, 20));
  const baseline = rssMb(gw.process.pid);

  socket.pause();
  for (let i = 1; i <= PIPELINED; i++) socket.write(fetchFrame(i));
  let peak = baseline;
  for (let t = 0; t < 20; t++) {
    await new Promise((r) => setTimeout(r, 250));
    peak = Math.max(peak, rssMb(gw.process.pid));
  }
  socket.resume();
  const deadline = Date.now() + 60_000;
  while (responses.length < PIPELINED + 1 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    peak = Math.max(peak, rssMb(gw.process.pid));
  }
  socket.destroy();
  assert.deepEqual(
    responses,
    Array.from({ length: PIPELINED + 1 }, (_, i) => i),
    'every response arrives, in order',
  );
  const growth = peak - baseline;
  console.log(
    `gateway RSS: baseline ${baseline.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB, growth ${growth.toFixed(0)} MiB for ${(PIPELINED * FETCH_BYTES) / 2 ** 20} MiB requested`,
  );
  assert.ok(growth < RSS_GROWTH_CAP_MB, `RSS grew ${growth.toFixed(0)} MiB (cap ${RSS_GROWTH_CAP_MB} MiB)`);
});
