// FrameReader throughput by arrival pattern: what the data path pays to cut frames from chunks.
// Big chunks must stay views (no copy); small chunks are copied into blocks (bounded memory per byte),
// which must not make the common patterns slower. Usage: node --import tsx test/bench/frame-reader-bench.ts
import { FrameReader } from '../../gateway/net/frame-reader.ts';

function frameOf(size: number): Buffer {
  const f = Buffer.alloc(4 + size, 0x61);
  f.writeInt32BE(size, 0);
  return f;
}

/** The stream cut into chunks of `chunk` bytes (fresh Buffers, as a socket delivers them). */
function chunked(stream: Buffer, chunk: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < stream.length; at += chunk) out.push(Buffer.from(stream.subarray(at, at + chunk)));
  return out;
}

const patterns: Array<{ label: string; chunks: Buffer[] }> = [
  {
    label: '1 MB frames in 64 KiB chunks (TCP Produce)',
    chunks: chunked(Buffer.concat(Array.from({ length: 32 }, () => frameOf(1 << 20))), 64 * 1024),
  },
  {
    label: '1 MB frames in 16 KiB chunks (TLS records)',
    chunks: chunked(Buffer.concat(Array.from({ length: 32 }, () => frameOf(1 << 20))), 16 * 1024),
  },
  {
    label: '1 MB frames in 1448 B chunks (one TCP segment per read)',
    chunks: chunked(Buffer.concat(Array.from({ length: 8 }, () => frameOf(1 << 20))), 1448),
  },
  {
    label: '1 MB frames in 512 B chunks (copied into blocks)',
    chunks: chunked(Buffer.concat(Array.from({ length: 4 }, () => frameOf(1 << 20))), 512),
  },
  { label: '200 B frames, one per chunk (Fetch/Metadata requests)', chunks: Array.from({ length: 100_000 }, () => frameOf(196)) },
  {
    label: '200 B frames split in two chunks',
    chunks: Array.from({ length: 100_000 }, () => frameOf(196)).flatMap((f) => [
      Buffer.from(f.subarray(0, 60)),
      Buffer.from(f.subarray(60)),
    ]),
  },
];

for (const { label, chunks } of patterns) {
  const bytes = chunks.reduce((n, c) => n + c.length, 0);
  const runs: number[] = [];
  for (let round = 0; round < 7; round++) {
    const reader = new FrameReader(() => 1 << 30);
    let frames = 0;
    const t0 = process.hrtime.bigint();
    for (const c of chunks) frames += reader.push(c).length;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (frames === 0) throw new Error('no frames');
    runs.push(ms);
  }
  runs.sort((a, b) => a - b);
  const median = runs[3];
  console.log(
    `${label.padEnd(58)} ${(bytes / 1e6 / (median / 1000)).toFixed(0).padStart(7)} MB/s  ${((median * 1e6) / chunks.length).toFixed(0).padStart(5)} ns/chunk`,
  );
}
