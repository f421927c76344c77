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
