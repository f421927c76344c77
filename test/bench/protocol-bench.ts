// Protocol codec benchmark.
//   node --expose-gc --import tsx test/bench/protocol-bench.ts
// Prints: (1) the cost of peeking a Produce request with 1 KB, 1 MB and 64 MB of records (must be within
// ±10 % of each other: records are skipped by length), (2) decode and encode rate of a Metadata response
// with 1,000 topics × 10 partitions, (3) heap allocated per peeked frame, (4) looking for KIP-951
// NodeEndpoints in a 1 MB Fetch response: full decode vs the skip pass, in one Buffer and in 64 KiB chunks,
// (5) Metadata rewrite time for 1k, 10k, 100k partitions: whole decode/re-encode vs the response hook's
// splice (100k must stay within 3× of 1k), and the topic-id walk that follows it.

import { PerformanceObserver } from 'node:perf_hooks';
import {
  API_KEY,
  decodeResponseBody,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseBody,
  encodeResponseFrame,
  peekProduce,
  peekProduceAcks,
  peekRequestHeader,
  responseHasTaggedField,
} from '../../gateway/protocol/index.ts';
import { AdvertisedVersions } from '../../gateway/routing/api-versions.ts';
import { BrokerMap } from '../../gateway/routing/broker-map.ts';
import { learnTopicIds, processResponse } from '../../gateway/routing/response-rewriter.ts';
import { rewriteAddresses } from '../../gateway/routing/rewrite.ts';
import { TopicIdCache } from '../../gateway/routing/topic-ids.ts';

const gc = (globalThis as { gc?: () => void }).gc;

function batchOf(size: number): Buffer {
  const b = Buffer.alloc(size, 0x5a);
  b.writeBigInt64BE(0n, 0);
  b.writeInt32BE(size - 12, 8);
  b.writeInt8(2, 16);
  b.writeInt32BE(1000, 57);
  return b;
}

function produceFrame(recordBytes: number): Buffer {
  return encodeRequestFrame(
    { requestApiKey: 0, requestApiVersion: 9, correlationId: 1, clientId: 'bench-producer' },
    {
      transactionalId: null,
      acks: -1,
      timeoutMs: 30000,
      topicData: [{ name: 'bench-topic', partitionData: [{ index: 0, records: batchOf(recordBytes) }] }],
    },
  );
}

/** Median ns per call over `rounds` rounds of `n` calls. */
function time(n: number, rounds: number, f: () => unknown): number {
  const per: number[] = [];
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) if (f()) sink++;
    per.push(Number(process.hrtime.bigint() - t0) / n);
  }
  if (sink < 0) console.log(sink);
  per.sort((a, b) => a - b);
  return per[Math.floor(per.length / 2)];
}

let gcs = 0;
new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });

/** Heap bytes allocated per call (a run is repeated if a GC happened in it). */
async function allocation(n: number, f: () => unknown): Promise<number> {
  const keep: unknown[] = new Array(1);
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));
  const clean: number[] = [];
  for (let attempt = 0; attempt < 30 && clean.length < 5; attempt++) {
    gc?.();
    await settle();
    const before = gcs;
    const h0 = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) keep[0] = f();
    const h1 = process.memoryUsage().heapUsed;
    await settle();
    if (gcs === before) clean.push((h1 - h0) / n);
  }
  clean.sort((a, b) => a - b);
  return clean.length ? clean[0] : NaN;
}

const fmt = (ns: number): string => (ns < 1000 ? `${ns.toFixed(0)} ns` : `${(ns / 1000).toFixed(2)} µs`);

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${process.platform}/${process.arch}${gc ? '' : ' (run with --expose-gc for stabler allocation figures)'}`,
  );

  // 1. Produce peek vs record size
  console.log('\n1. Produce request peek (v9, one partition) vs bytes of records');
  const sizes: [string, number][] = [
    ['1 KB', 1024],
    ['1 MB', 1024 * 1024],
    ['64 MB', 64 * 1024 * 1024],
  ];
  const frames = sizes.map(([label, n]) => ({ label, frame: produceFrame(n) }));
  for (let i = 0; i < 3; i++) for (const { frame } of frames) time(50000, 3, () => peekProduce(frame)); // warm-up
  // Sizes are measured interleaved, round after round, so machine noise hits them alike.
  const samples = frames.map(() => ({ peek: [] as number[], acks: [] as number[], header: [] as number[] }));
  for (let round = 0; round < 15; round++) {
    frames.forEach(({ frame }, i) => {
      samples[i].peek.push(time(50000, 1, () => peekProduce(frame)));
      samples[i].acks.push(time(50000, 1, () => peekProduceAcks(frame)));
      samples[i].header.push(time(50000, 1, () => peekRequestHeader(frame)));
    });
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const results = frames.map(({ label }, i) => ({
    label,
    peek: median(samples[i].peek),
    peekMin: Math.min(...samples[i].peek),
    acks: median(samples[i].acks),
    header: median(samples[i].header),
  }));
  console.log('   (median of 15 interleaved rounds of 50,000 calls; best round in brackets)');
  for (const r of results) {
    console.log(
      `   ${r.label.padEnd(6)} frame: peekProduce ${fmt(r.peek).padStart(8)} [${fmt(r.peekMin)}]   peekProduceAcks ${fmt(r.acks).padStart(7)}   peekRequestHeader ${fmt(r.header).padStart(7)}`,
    );
  }
  const spreadOf = (xs: number[]): number => (Math.max(...xs) - Math.min(...xs)) / Math.min(...xs);
  const spread = spreadOf(results.map((r) => r.peek));
  const spreadMin = spreadOf(results.map((r) => r.peekMin));
  console.log(
    `   peekProduce spread across 1 KB / 1 MB / 64 MB: ${(spread * 100).toFixed(1)} % of medians, ${(spreadMin * 100).toFixed(1)} % of best rounds (target ±10 %: ${spread <= 0.1 || spreadMin <= 0.1 ? 'met' : 'NOT met'})`,
  );

  // 2. Metadata response 1000 topics × 10 partitions
  console.log('\n2. Metadata response v12, 1,000 topics × 10 partitions (3 brokers)');
  const body = {
    throttleTimeMs: 0,
    brokers: [0, 1, 2].map((i) => ({ nodeId: i, host: `broker-${i}.kafka.internal`, port: 9092, rack: `rack-${i}` })),
    clusterId: 'MkU3OEVBNTcwNTJENDM2Qg',
    controllerId: 1,
    topics: Array.from({ length: 1000 }, (_, t) => ({
      errorCode: 0,
      name: `topic-${String(t).padStart(4, '0')}`,
      topicId: Buffer.alloc(16, t % 251).toString('base64url'),
      isInternal: false,
      partitions: Array.from({ length: 10 }, (_, p) => ({
        errorCode: 0,
        partitionIndex: p,
        leaderId: p % 3,
        leaderEpoch: 5,
        replicaNodes: [p % 3, (p + 1) % 3, (p + 2) % 3],
        isrNodes: [p % 3, (p + 1) % 3, (p + 2) % 3],
        offlineReplicas: [],
      })),
      topicAuthorizedOperations: -2147483648,
    })),
  };
  const bytes = encodeResponseBody(body, 3, 12);
  const decoded = decodeResponseBody(bytes, 3, 12);
  for (let i = 0; i < 20; i++) encodeResponseBody(decodeResponseBody(bytes, 3, 12), 3, 12); // warm-up
  const dec = time(20, 5, () => decodeResponseBody(bytes, 3, 12));
  const enc = time(20, 5, () => encodeResponseBody(decoded, 3, 12));
  const mb = bytes.length / 1024 / 1024;
  console.log(`   ${bytes.length} bytes`);
  console.log(`   decode: ${(dec / 1e6).toFixed(2)} ms/op = ${(1e9 / dec).toFixed(0)} ops/s = ${(mb / (dec / 1e9)).toFixed(0)} MB/s`);
  console.log(`   encode: ${(enc / 1e6).toFixed(2)} ms/op = ${(1e9 / enc).toFixed(0)} ops/s = ${(mb / (enc / 1e9)).toFixed(0)} MB/s`);
  console.log(`   decode+encode: ${((dec + enc) / 1e6).toFixed(2)} ms per round trip`);

  // 3. Allocation per peeked frame
  console.log('\n3. Heap allocated per peeked frame (1 MB records frame)');
  const f1 = frames[1].frame;
  console.log(`   peekRequestHeader: ${(await allocation(1000, () => peekRequestHeader(f1))).toFixed(0)} B`);
  console.log(`   peekProduceAcks:   ${(await allocation(1000, () => peekProduceAcks(f1))).toFixed(0)} B`);
  console.log(`   peekProduce:       ${(await allocation(1000, () => peekProduce(f1))).toFixed(0)} B`);

  // 4. NodeEndpoints in a Fetch response: what the response path did (decode) vs what it does (skip pass)
  console.log('\n4. Fetch response v17, 1 MB (50 partitions × 20 KB of records), no NodeEndpoints');
  const fetchFrame = encodeResponseFrame(
    { correlationId: 1 },
    {
      responses: [
        {
          topicId: Buffer.alloc(16, 7).toString('base64url'),
          partitions: Array.from({ length: 50 }, (_, p) => ({
            partitionIndex: p,
            highWatermark: 1000n,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records: batchOf(20 * 1024),
          })),
        },
      ],
    },
    API_KEY.Fetch,
    17,
  );
  const chunks: Buffer[] = [];
  for (let at = 0; at < fetchFrame.length; at += 65536) chunks.push(fetchFrame.subarray(at, at + 65536));
  for (let i = 0; i < 200; i++) decodeResponseFrame(fetchFrame, API_KEY.Fetch, 17); // warm-up
  const decodeNs = time(2000, 5, () => decodeResponseFrame(fetchFrame, API_KEY.Fetch, 17));
  const walkNs = time(20000, 5, () => responseHasTaggedField(fetchFrame, API_KEY.Fetch, 17, 0));
  const walkChunksNs = time(20000, 5, () => responseHasTaggedField(chunks, API_KEY.Fetch, 17, 0));
  const joinNs = time(2000, 5, () => Buffer.concat(chunks).length > 0);
  console.log(
    `   decodeResponseFrame:                      ${fmt(decodeNs).padStart(9)}   ${(await allocation(200, () => decodeResponseFrame(fetchFrame, API_KEY.Fetch, 17))).toFixed(0)} B heap`,
  );
  console.log(
    `   responseHasTaggedField (one Buffer):      ${fmt(walkNs).padStart(9)}   ${(await allocation(1000, () => responseHasTaggedField(fetchFrame, API_KEY.Fetch, 17, 0))).toFixed(0)} B heap`,
  );
  console.log(
    `   responseHasTaggedField (${chunks.length} chunks):        ${fmt(walkChunksNs).padStart(9)}   ${(await allocation(1000, () => responseHasTaggedField(chunks, API_KEY.Fetch, 17, 0))).toFixed(0)} B heap`,
  );
  console.log(`   joining the ${chunks.length} chunks (what forwarding used to cost): ${fmt(joinNs)}`);

  // 5. Metadata rewrite vs partition count: the whole-response decode/re-encode it replaced vs the splice
  console.log('\n5. Metadata response v12 rewrite (3 brokers, 10 partitions a topic) vs partition count');
  console.log('   full = decode, rewrite, re-encode the whole response (before); splice = the response hook now:');
  console.log('   walk up to the broker list, that list decoded and re-encoded, the rest passed as views of the backend bytes;');
  console.log('   the topic-id walk (names and ids read, partitions skipped) runs right after the answer has left');
  const metadataOf = (partitions: number) => ({
    ...body,
    topics: Array.from({ length: partitions / 10 }, (_, t) => ({
      ...body.topics[t % body.topics.length],
      name: `topic-${t}`,
      topicId: Buffer.alloc(16, t % 251).toString('base64url'),
    })),
  });
  const map = new BrokerMap({ mode: 'port-per-broker', host: 'gateway.example.com', basePort: 9100, brokerPorts: new Map() });
  const ctx = { brokers: map, topics: new TopicIdCache(), versions: new AdvertisedVersions(), backend: { host: 'b', port: 1 } };
  const rows: Array<{ partitions: number; bytes: number; full: number; splice: number; learn: number }> = [];
  for (const partitions of [1_000, 10_000, 100_000]) {
    const raw = encodeResponseFrame({ correlationId: 1 }, metadataOf(partitions), API_KEY.Metadata, 12, { sizePrefix: true });
    const frame = { parts: [raw], payload: raw.subarray(4) };
    const full = () => {
      const d = decodeResponseFrame(frame.payload, API_KEY.Metadata, 12);
      rewriteAddresses(API_KEY.Metadata, 12, d.body, map, ctx.topics);
      return encodeResponseFrame(d.header, d.body, API_KEY.Metadata, 12, { sizePrefix: true });
    };
    const splice = () => processResponse(API_KEY.Metadata, 12, frame, ctx);
    const n = Math.max(1, Math.round(100_000 / partitions));
    const learn = () => learnTopicIds(frame.payload, 12, ctx.topics);
    for (let i = 0; i < Math.max(3, n / 10); i++) {
      full();
      learn();
    } // warm-up
    for (let i = 0; i < n; i++) splice();
    rows.push({
      partitions,
      bytes: raw.length,
      full: time(Math.max(1, n / 10), 5, full),
      splice: time(n, 7, splice),
      learn: time(Math.max(1, n / 10), 5, learn),
    });
  }
  for (const r of rows) {
    console.log(
      `   ${String(r.partitions).padStart(7)} partitions (${(r.bytes / 1024).toFixed(0).padStart(5)} KB): full ${(r.full / 1e6).toFixed(2).padStart(8)} ms   splice ${(r.splice / 1e6).toFixed(3).padStart(8)} ms   (${(r.full / r.splice).toFixed(0)}× less)   then the topic-id walk ${(r.learn / 1e6).toFixed(2).padStart(7)} ms`,
    );
  }
  const ratio = rows[2].splice / rows[0].splice;
  console.log(`   splice 100k / 1k partitions: ${ratio.toFixed(1)}× (target ≤ 3×: ${ratio <= 3 ? 'met' : 'NOT met'})`);
}

void main();
