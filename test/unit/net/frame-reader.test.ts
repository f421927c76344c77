import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameReader, FrameTooLargeError } from '../../../gateway/net/frame-reader.ts';

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
  assert.deepEqual(frames.map((f) => f.payload.toString()), ['one', 'two', 'three']);
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

test('a frame spanning chunks comes out as views of its pieces; raw and payload join them only when asked', () => {
  const stream = Buffer.concat([frame('x'.repeat(50)), frame('after')]);
  const chunks = [stream.subarray(0, 2), stream.subarray(2, 20), stream.subarray(20, 40), stream.subarray(40)];
  const reader = new FrameReader(() => 100);
  const frames = chunks.flatMap((c) => reader.push(c));
  assert.equal(frames.length, 2);
  const [big, small] = frames;
  assert.equal(big.size, 50);
  assert.equal(big.parts.length, 4);
  assert.deepEqual(Buffer.concat(big.parts as Buffer[]), frame('x'.repeat(50)));
  for (const [i, part] of big.parts.entries()) assert.equal(part.buffer, chunks[i].buffer, `piece ${i} is a view`);
  assert.equal(big.head(3).toString(), 'xxx', 'head copies only what it returns when the first piece is short');
  assert.equal(big.head(1000).length, 50, 'head stops at the frame end');
  assert.deepEqual(big.raw, frame('x'.repeat(50)));
  assert.equal(big.raw, big.raw, 'joined once');
  assert.equal(big.payload.toString(), 'x'.repeat(50));
  assert.equal(small.parts.length, 1);
  assert.equal(small.payload.toString(), 'after');
  assert.equal(small.head(2).buffer, chunks[3].buffer, 'a head inside the first piece is a view');
  assert.equal(reader.pendingBytes, 0);
});

test('many frames over many tiny chunks: pieces keep their order and nothing is lost', () => {
  const payloads = Array.from({ length: 40 }, (_, i) => String(i).repeat(i));
  const stream = Buffer.concat(payloads.map(frame));
  const reader = new FrameReader(() => 1000);
  const got: string[] = [];
  for (let i = 0; i < stream.length; i += 3) for (const f of reader.push(stream.subarray(i, i + 3))) got.push(Buffer.concat(f.parts as Buffer[]).subarray(4).toString());
  assert.deepEqual(got, payloads);
  assert.equal(reader.pendingBytes, 0);
});
