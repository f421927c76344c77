import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameReader, FrameTooLargeError, SMALL_CHUNK_BYTES, ZERO_COPY_PIECES } from '../../../gateway/net/frame-reader.ts';

const frame = (payload: string) => {
  const body = Buffer.from(payload);
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length);
  body.copy(out, 4);
  return out;
};

test('frames inside one chunk come out as views of it, without copying', () => {
  const chunk = Buffer.concat([frame('one'), frame('two'), frame('three')]);
  const frames = new FrameReader(() => 100).push(chunk);
  assert.deepEqual(
    frames.map((f) => f.payload.toString()),
    ['one', 'two', 'three'],
  );
  assert.equal(frames[1].raw.buffer, chunk.buffer, 'a view of the input, not a copy');
  assert.deepEqual(frames[0].raw, frame('one'));
});

test('a stream cut at every possible byte gives the same frames', () => {
  const stream = Buffer.concat([frame('alpha'), frame(''), frame('gamma-gamma')]);
  for (let size = 1; size <= stream.length; size++) {
    const reader = new FrameReader(() => 100);
    const got: string[] = [];
    for (let i = 0; i < stream.length; i += size) for (const f of reader.push(stream.subarray(i, i + size))) got.push(f.payload.toString());
    assert.deepEqual(got, ['alpha', '', 'gamma-gamma'], `chunk size ${size}`);
    assert.equal(reader.pendingBytes, 0);
  }
});

test('an oversized or negative size is refused from the prefix alone, even split over chunks', () => {
  const big = Buffer.alloc(4);
  big.writeInt32BE(101);
  assert.throws(() => new FrameReader(() => 100).push(big), FrameTooLargeError);
  const reader = new FrameReader(() => 100);
  reader.push(big.subarray(0, 2));
  assert.throws(() => reader.push(big.subarray(2)), FrameTooLargeError);
  const negative = Buffer.from([0xff, 0xff, 0xff, 0xfe]);
  assert.throws(() => new FrameReader(() => 100).push(negative), /negative frame size/);
});

test('the limit is read per frame, so it can change after authentication', () => {
  let limit = 4;
  const reader = new FrameReader(() => limit);
  assert.equal(reader.push(frame('tiny')).length, 1);
  assert.throws(() => reader.push(frame('bigger')), FrameTooLargeError);
  limit = 100;
  assert.equal(new FrameReader(() => limit).push(frame('bigger')).length, 1);
});

test('a frame spanning big chunks comes out as views of its pieces; raw and payload join them only when asked', () => {
  const K = SMALL_CHUNK_BYTES;
  const stream = Buffer.concat([frame('x'.repeat(3 * K)), frame('after')]);
  const chunks = [stream.subarray(0, K), stream.subarray(K, 2 * K), stream.subarray(2 * K)];
  const reader = new FrameReader(() => 4 * K);
  const frames = chunks.flatMap((c) => reader.push(c));
  assert.equal(frames.length, 2);
  const [big, small] = frames;
  assert.equal(big.size, 3 * K);
  assert.equal(big.parts.length, 3);
  assert.deepEqual(Buffer.concat(big.parts as Buffer[]), frame('x'.repeat(3 * K)));
  for (const [i, part] of big.parts.entries()) assert.equal(part.buffer, chunks[i].buffer, `piece ${i} is a view`);
  assert.equal(big.head(3).toString(), 'xxx');
  assert.equal(big.head(10 * K).length, 3 * K, 'head stops at the frame end');
  assert.deepEqual(big.raw, frame('x'.repeat(3 * K)));
  assert.equal(big.raw, big.raw, 'joined once');
  assert.equal(big.payload.toString(), 'x'.repeat(3 * K));
  assert.equal(small.parts.length, 1);
  assert.equal(small.payload.toString(), 'after');
  assert.equal(small.head(2).buffer, chunks[2].buffer, 'a head inside the first piece is a view');
  assert.equal(reader.pendingBytes, 0);
});

test('a frame in a few small pieces is not copied', () => {
  const whole = frame('z'.repeat(300));
  const cuts = [whole.subarray(0, 2), whole.subarray(2, 100), whole.subarray(100, 200), whole.subarray(200)];
  const reader = new FrameReader(() => 1000);
  const [f] = cuts.flatMap((c) => reader.push(c));
  assert.equal(f.parts.length, 4);
  for (const [i, part] of f.parts.entries()) assert.equal(part.buffer, cuts[i].buffer, `piece ${i} is a view`);
});

test('head copies only what it returns when the first piece is short', () => {
  const K = SMALL_CHUNK_BYTES;
  const whole = frame('y'.repeat(2 * K));
  const reader = new FrameReader(() => 4 * K);
  assert.deepEqual(reader.push(whole.subarray(0, 6)), []);
  const [f] = reader.push(whole.subarray(6));
  assert.equal(f.parts.length, 2);
  assert.equal(f.head(3).toString(), 'yyy');
  assert.equal(f.head(3).length, 3);
});

test('small chunks are copied into a few blocks, so a frame sent one byte at a time costs about one byte per byte', () => {
  const payload = Buffer.alloc(300_000, 0x7a);
  const stream = frame(payload.toString());
  const reader = new FrameReader(() => 1 << 20);
  const frames = [];
  for (let i = 0; i < stream.length; i++) frames.push(...reader.push(stream.subarray(i, i + 1)));
  assert.equal(frames.length, 1);
  const [f] = frames;
  assert.deepEqual(f.payload, payload);
  // The first pieces as they came, then one per 64 KiB block, not one per byte; the blocks hold no more
  // than the frame (plus one block's slack).
  assert.ok(f.parts.length <= ZERO_COPY_PIECES + 7, `${f.parts.length} pieces`);
  const backing = new Set(f.parts.map((p) => p.buffer).filter((b) => b !== stream.buffer)); // the first pieces are views of the input
  const held = [...backing].reduce((n, b) => n + b.byteLength, 0);
  assert.ok(held <= stream.length + 64 * 1024, `${held} bytes held for a ${stream.length}-byte frame`);
  assert.equal(reader.pendingBytes, 0);
});

test('small and big chunks mixed: bytes and order survive, big chunks stay views, small ones share blocks', () => {
  const K = SMALL_CHUNK_BYTES;
  const payloads = ['a'.repeat(10), 'b'.repeat(3 * K + 7), '', 'c'.repeat(K - 1), 'd'.repeat(5 * K)];
  const stream = Buffer.concat(payloads.map(frame));
  // Alternating tiny and big pieces, the worst mix for a block that is closed too early.
  const cuts: Buffer[] = [];
  for (let at = 0, i = 0; at < stream.length; i++) {
    const n = i % 2 === 0 ? 1 : K;
    cuts.push(stream.subarray(at, at + n));
    at += n;
  }
  const reader = new FrameReader(() => 1 << 20);
  const got = cuts.flatMap((c) => reader.push(c));
  assert.deepEqual(
    got.map((f) => f.payload.toString()),
    payloads,
  );
  const bigViews = got.flatMap((f) => f.parts).filter((p) => cuts.some((c) => c.length === K && c.buffer === p.buffer));
  assert.ok(bigViews.length > 0, 'big chunks are passed on as views');
  assert.equal(reader.pendingBytes, 0);
});

test('many frames over many tiny chunks: pieces keep their order and nothing is lost', () => {
  const payloads = Array.from({ length: 40 }, (_, i) => String(i).repeat(i));
  const stream = Buffer.concat(payloads.map(frame));
  const reader = new FrameReader(() => 1000);
  const got: string[] = [];
  for (let i = 0; i < stream.length; i += 3)
    for (const f of reader.push(stream.subarray(i, i + 3))) got.push(Buffer.concat(f.parts).subarray(4).toString());
  assert.deepEqual(got, payloads);
  assert.equal(reader.pendingBytes, 0);
});
