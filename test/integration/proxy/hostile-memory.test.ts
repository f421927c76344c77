// What one hostile connection can make the gateway hold, measured on the real gateway process (its
// RSS, from /proc) in front of a scripted backend:
// - one pending Fetch, then a flood of 14-byte ApiVersions v999 requests from a client that never reads:
//   local answers take in-flight slots too, so the connection is closed at maxInFlightRequests;
// - the same flood with nothing pending: the gateway stops reading the client once its unread answers
//   pass maxQueuedResponseBytes, holds no more, and delivers every answer once the client reads;
// - a frame that declares 100 MB and arrives one byte per TLS record costs about one byte per byte.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, test } from 'node:test';
import { API_KEY, versionRange } from '../../../gateway/protocol/index.ts';
import { startGatewayProcess, type GatewayProcess } from '../../harness/gateway.ts';
import { createTestPki, type TestPki } from '../../harness/pki.ts';
import { freePorts } from '../../harness/ports.ts';
import { startScriptedBackend, type ScriptedBackend } from '../../harness/scripted-backend.ts';
import { connectRaw, requestV1 } from './raw-client.ts';

const MiB = 1024 * 1024;
const QUEUED_BUDGET = MiB;

let backend: ScriptedBackend;
let gw: GatewayProcess;
let pki: TestPki;
let plainPort = 0;
let tlsPort = 0;

before(async () => {
  backend = await startScriptedBackend();
  pki = createTestPki();
  const [plain, plainBroker, secure, secureBroker] = await freePorts(4);
  [plainPort, tlsPort] = [plain, secure];
  gw = await startGatewayProcess({
    backendBootstrap: backend.bootstrap,
    maxBrokers: 1,
    extraConfig: { limits: { maxQueuedResponseBytes: QUEUED_BUDGET } },
    listeners: [
      { name: 'plain', bind: `127.0.0.1:${plain}`, plaintext: true, routing: { brokerPorts: { 1: plainBroker } } },
      {
        name: 'secure',
        bind: `127.0.0.1:${secure}`,
        tls: { certificate: pki.file(pki.server.certFile), key: pki.file(pki.server.keyFile) },
        routing: { brokerPorts: { 1: secureBroker } },
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await backend?.close();
  pki?.cleanup();
});

/** The gateway process's resident memory in bytes. */
function rss(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${gw.process.pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/** Samples RSS every 50 ms until stopped; returns the peak. */
function watchPeak(): { stop: () => number } {
  let peak = rss();
  const timer = setInterval(() => (peak = Math.max(peak, rss())), 50);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, rss());
    },
  };
}

/** `count` ApiVersions requests at a version above the gateway's, 14 bytes each (null client id). */
function tooNewFlood(count: number, firstCorrelationId: number): Buffer {
  const version = versionRange(API_KEY.ApiVersions)!.max + 1;
  const out = Buffer.alloc(14 * count);
  for (let i = 0; i < count; i++) {
    const at = 14 * i;
    out.writeInt32BE(10, at);
    out.writeInt16BE(API_KEY.ApiVersions, at + 4);
    out.writeInt16BE(version, at + 6);
    out.writeInt32BE(firstCorrelationId + i, at + 8);
    out.writeInt16BE(-1, at + 12);
  }
  return out;
}

/** Fetch v4 for no topics: the scripted backend holds it as long as told. */
function fetchV4(correlationId: number): Buffer {
  const body = Buffer.alloc(21);
  body.writeInt32BE(-1, 0);
  body.writeInt32BE(30_000, 4);
  body.writeInt32BE(1, 8);
  body.writeInt32BE(MiB, 12);
  body.writeInt32BE(0, 17);
  const payload = requestV1(API_KEY.Fetch, 4, correlationId, body);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

const closes = (reason: string) => gw.logs().filter((l) => l.event === 'connection_close' && l.reason === reason).length;

async function stillServing(): Promise<void> {
  const conn = await connectRaw(`127.0.0.1:${plainPort}`);
  conn.send(requestV1(API_KEY.ApiVersions, 0, 99));
  assert.equal((await conn.next())?.readInt32BE(0), 99, 'the gateway still serves other clients');
  conn.end();
}

test('one pending Fetch, then 300k ApiVersions v999 from a client that never reads: closed for in-flight overflow, memory bounded', async (t) => {
  backend.fetchDelayMs = Infinity;
  const overflowsBefore = closes('in-flight-overflow');
  const before = rss();
  const peak = watchPeak();
  const socket = net.connect({ host: '127.0.0.1', port: plainPort });
  socket.on('error', () => undefined);
  socket.pause(); // never reads
  socket.write(fetchV4(1));
  socket.write(tooNewFlood(300_000, 2));
  try {
    await gw.waitForLog(
      (l) => l.event === 'connection_close' && l.reason === 'in-flight-overflow' && closes('in-flight-overflow') > overflowsBefore,
      30_000,
    );
  } finally {
    socket.destroy();
    backend.fetchDelayMs = 0;
  }
  const grew = peak.stop() - before;
  t.diagnostic(`gateway RSS peak growth ${(grew / MiB).toFixed(1)} MiB`);
  assert.ok(grew < 40 * MiB, `gateway RSS grew ${(grew / MiB).toFixed(1)} MiB for a 4.2 MB flood (unbounded: ~270 MB)`);
  await stillServing();
});

test('a flood from a client that never reads stops being read at the answer budget, and every answer arrives once it reads', async (t) => {
  const COUNT = 1_200_000; // 16.8 MB of requests, 24 MB of answers: far more than the kernel's socket buffers hold
  const overflowsBefore = closes('in-flight-overflow');
  const before = rss();
  const peak = watchPeak();
  const socket = net.connect({ host: '127.0.0.1', port: plainPort });
  await new Promise((r) => socket.once('connect', r));
  socket.pause();
  // In pieces, so the client's unsent byte count shows how far the gateway has read.
  const flood = tooNewFlood(COUNT, 1);
  for (let at = 0; at < flood.length; at += 14 * 1024) socket.write(flood.subarray(at, at + 14 * 1024));
  // Let the gateway take what it will: the client's unsent bytes stop shrinking once it is no longer read.
  let unsent = socket.writableLength;
  for (let stable = 0; stable < 10;) {
    await new Promise((r) => setTimeout(r, 200));
    stable = socket.writableLength === unsent ? stable + 1 : 0;
    unsent = socket.writableLength;
  }
  const grew = peak.stop() - before;
  t.diagnostic(`gateway RSS peak growth ${(grew / MiB).toFixed(1)} MiB; ${unsent} request bytes the gateway did not read`);
  assert.ok(
    unsent > flood.length / 2,
    `the gateway stopped reading the client: ${unsent} of ${flood.length} request bytes could not be sent`,
  );
  // Reading stops at the budget; what RSS still gains is the garbage of the ~200k answers the kernel's socket buffers took.
  assert.ok(grew < 100 * MiB, `gateway RSS grew ${(grew / MiB).toFixed(1)} MiB while the client read nothing`);
  assert.equal(socket.destroyed, false, 'backpressure, not a close');

  // The client reads now: every request is answered, in order.
  let answers = 0;
  let expected = 1;
  let pending: Buffer = Buffer.alloc(0);
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed after ${answers} answers`)));
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let at = 0;
      while (pending.length - at >= 4 && pending.length - at >= 4 + pending.readInt32BE(at)) {
        const correlationId = pending.readInt32BE(at + 4);
        if (correlationId !== expected) return reject(new Error(`answer ${correlationId}, expected ${expected}`));
        expected++;
        answers++;
        at += 4 + pending.readInt32BE(at);
      }
      pending = pending.subarray(at);
      if (answers === COUNT) resolve();
    });
    socket.resume();
  });
  socket.destroy();
  assert.equal(answers, COUNT);
  assert.equal(closes('in-flight-overflow'), overflowsBefore, 'nothing was closed for it');
});

test('a 100 MB frame arriving one byte per TLS record costs the gateway about one byte per byte', async (t) => {
  // Four connections at once (the records are made faster that way), each with a frame declared 100 MB
  // that comes one byte per TLS record, then 16 bytes per record for a finer reading of the cost.
  const CONNECTIONS = 4;
  const ONE_BYTE_RECORDS = 128 * 1024; // per connection (unbounded: ~636 B resident each)
  const SIXTEEN_BYTE_RECORDS = 192 * 1024; // per connection: 3 MiB (unbounded: ~40 B per byte)
  const ca = fs.readFileSync(pki.file('ca/ca.crt'));
  const senders = await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const socket = tls.connect({ host: '127.0.0.1', port: tlsPort, servername: 'localhost', ca });
      socket.on('error', () => undefined);
      await new Promise((r) => socket.once('secureConnect', r));
      // Each write waits for the previous one: otherwise Node would merge them into bigger records.
      const write = (bytes: Buffer) =>
        new Promise<void>((resolve, reject) => socket.write(bytes, (err) => (err ? reject(err) : resolve())));
      // A first request, as a real client sends (a connection that never completes one is closed at the deadline).
      const first = requestV1(API_KEY.ApiVersions, 0, 1);
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(first.length);
      await write(Buffer.concat([prefix, first]));
      const size = Buffer.alloc(4);
      size.writeInt32BE(100_000_000);
      await write(size);
      const records = async (count: number, bytes: Buffer) => {
        for (let i = 0; i < count; i++) await write(bytes);
      };
      return { socket, records };
    }),
  );
  const phase = async (count: number, recordBytes: number) => {
    const record = Buffer.alloc(recordBytes, 0x61);
    await Promise.all(senders.map((s) => s.records(count, record)));
    await new Promise((r) => setTimeout(r, 500));
  };
  // Warm-up: under a stream of small records the gateway's heap grows once to its working size; that
  // jump is not buffered bytes. What grows after it is.
  await phase(25_000, 1);
  const base = rss();
  let started = Date.now();
  await phase(ONE_BYTE_RECORDS, 1);
  const afterOnes = rss();
  const oneBytes = CONNECTIONS * ONE_BYTE_RECORDS;
  t.diagnostic(
    `1-byte records: RSS ${((afterOnes - base) / MiB).toFixed(2)} MiB for ${oneBytes} bytes in ${oneBytes} records (${Date.now() - started} ms)`,
  );
  started = Date.now();
  await phase(SIXTEEN_BYTE_RECORDS, 16);
  const afterSixteens = rss();
  const sixteenBytes = CONNECTIONS * SIXTEEN_BYTE_RECORDS * 16;
  const perByte = (afterSixteens - base) / (oneBytes + sixteenBytes);
  t.diagnostic(
    `16-byte records: RSS ${((afterSixteens - afterOnes) / MiB).toFixed(2)} MiB for ${sixteenBytes} bytes; overall ${perByte.toFixed(2)} B per buffered byte (${Date.now() - started} ms)`,
  );
  assert.ok(
    senders.every((s) => !s.socket.destroyed && !s.socket.readableEnded),
    'the frames are still being held, not refused',
  );
  for (const s of senders) s.socket.destroy();
  // RSS moves by a few MiB on its own (garbage collection), which is why the bound allows 8 MiB of slack.
  assert.ok(afterOnes - base < 2 * oneBytes + 8 * MiB, `${((afterOnes - base) / MiB).toFixed(2)} MiB for ${oneBytes} one-byte records`);
  assert.ok(perByte < 2, `${perByte.toFixed(2)} B of RSS per buffered byte`);
  await stillServing();
});
