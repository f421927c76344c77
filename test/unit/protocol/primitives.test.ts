import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError } from '../../../gateway/protocol/errors.ts';
import { Reader } from '../../../gateway/protocol/reader.ts';
import { Writer } from '../../../gateway/protocol/writer.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const written = (f: (w: Writer) => void): string => {
  const w = new Writer(1);
  f(w);
  return w.finish().toString('hex');
};
const throwsKind = (f: () => unknown, kind: string): void =>
  assert.throws(f, (e: unknown) => e instanceof ProtocolError && e.kind === kind);

test('fixed-width integers, float64, bool are big-endian and bounds-checked', () => {
  assert.equal(
    written((w) => {
      w.int8(-1);
      w.int16(-2);
      w.int32(0x01020304);
      w.uint16(0xfffe);
      w.uint32(0xfffffffe);
    }),
    'fffffe01020304fffefffffffe',
  );
  assert.equal(
    written((w) => w.int64(-2n)),
    'fffffffffffffffe',
  );
  assert.equal(
    written((w) => w.int64(5)),
    '0000000000000005',
  );
  assert.equal(
    written((w) => w.float64(1.5)),
    '3ff8000000000000',
  );
  assert.equal(
    written((w) => {
      w.bool(true);
      w.bool(false);
    }),
    '0100',
  );
  const r = new Reader(hex('fffffe01020304fffefffffffe fffffffffffffffe 3ff8000000000000 0100'));
  assert.deepEqual(
    [r.int8(), r.int16(), r.int32(), r.uint16(), r.uint32(), r.int64(), r.float64(), r.bool(), r.bool()],
    [-1, -2, 0x01020304, 0xfffe, 0xfffffffe, -2n, 1.5, true, false],
  );
  assert.equal(r.remaining, 0);
  throwsKind(() => r.int8(), 'truncated');
  throwsKind(() => new Reader(hex('000000')).int32(), 'truncated');
  throwsKind(() => new Reader(hex('00000000000000')).int64(), 'truncated');
});

test('writer rejects out-of-range and mistyped values with ProtocolError', () => {
  const w = new Writer();
  throwsKind(() => w.int8(128), 'invalid-value');
  throwsKind(() => w.int16(1.5), 'invalid-value');
  throwsKind(() => w.int32(2 ** 31), 'invalid-value');
  throwsKind(() => w.int32('1'), 'invalid-value');
  throwsKind(() => w.uint16(-1), 'invalid-value');
  throwsKind(() => w.uint32(2 ** 32), 'invalid-value');
  throwsKind(() => w.int64(2n ** 63n), 'invalid-value');
  throwsKind(() => w.int64(2 ** 60), 'invalid-value');
  throwsKind(() => w.bool(1), 'invalid-value');
  throwsKind(() => w.uuid('not-a-uuid'), 'invalid-value');
  throwsKind(() => w.uuid('AAAAAAAAAAAAAAAAAAAAAB'), 'invalid-value'); // non-canonical last character
  throwsKind(() => w.string(5, false), 'invalid-value');
  throwsKind(() => w.string('x'.repeat(40000), false), 'invalid-value');
  throwsKind(() => w.bytes('abc', true), 'invalid-value');
  assert.equal(w.pos, 0);
});

test('unsigned varints: Kafka vectors, 5-byte limit, overflow', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [16384, '808001'],
    [0xffffffff, 'ffffffff0f'],
  ];
  for (const [v, h] of cases) {
    assert.equal(
      written((w) => w.unsignedVarint(v)),
      h,
      `write ${v}`,
    );
    const r = new Reader(hex(h));
    assert.equal(r.unsignedVarint(), v, `read ${h}`);
    assert.equal(r.remaining, 0);
  }
  throwsKind(() => new Reader(hex('ffffffff1f')).unsignedVarint(), 'varint-overflow');
  throwsKind(() => new Reader(hex('ffffffffff01')).unsignedVarint(), 'varint-overflow');
  throwsKind(() => new Reader(hex('8080')).unsignedVarint(), 'truncated');
  throwsKind(() => new Writer().unsignedVarint(-1), 'invalid-value');
});

test('zig-zag varint and varlong', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-64, '7f'],
    [64, '8001'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ];
  for (const [v, h] of cases) {
    assert.equal(
      written((w) => w.varint(v)),
      h,
    );
    assert.equal(new Reader(hex(h)).varint(), v);
  }
  const longs: [bigint, string][] = [
    [0n, '00'],
    [-1n, '01'],
    [1n, '02'],
    [2n ** 63n - 1n, 'feffffffffffffffff01'],
    [-(2n ** 63n), 'ffffffffffffffffff01'],
  ];
  for (const [v, h] of longs) {
    assert.equal(
      written((w) => w.varlong(v)),
      h,
    );
    assert.equal(new Reader(hex(h)).varlong(), v);
  }
  throwsKind(() => new Reader(hex('ffffffffffffffffff02')).varlong(), 'varint-overflow');
  throwsKind(() => new Reader(hex('ffffffffffffffffffff01')).varlong(), 'varint-overflow');
});

test('strings: int16 / compact length, UTF-8 validated, lengths checked before reading', () => {
  assert.equal(
    written((w) => w.string('hé', false)),
    '000368c3a9',
  );
  assert.equal(
    written((w) => w.string('hé', true)),
    '0468c3a9',
  );
  assert.equal(
    written((w) => w.length(-1, false, false)),
    'ffff',
  );
  assert.equal(
    written((w) => w.length(-1, true, false)),
    '00',
  );
  const r = new Reader(hex('68c3a9'));
  assert.equal(r.utf8(3), 'hé');
  throwsKind(() => new Reader(hex('68c3')).utf8(2), 'invalid-utf8');
  throwsKind(() => new Reader(hex('ff')).utf8(1), 'invalid-utf8');
  throwsKind(() => new Reader(hex('ed a0 80')).utf8(3), 'invalid-utf8'); // UTF-16 surrogate
  throwsKind(() => new Reader(Buffer.alloc(100, 0xc3)).utf8(100), 'invalid-utf8');
  throwsKind(() => new Reader(hex('6162')).utf8(3), 'truncated');
  assert.equal(new Reader(Buffer.from('ü'.repeat(100))).utf8(200), 'ü'.repeat(100));
});

test('uuid: 16 bytes ↔ 22 characters base64url, as Kafka prints them', () => {
  const bytes = hex('0123456789abcdeffedcba9876543210');
  const s = new Reader(bytes).uuid();
  assert.equal(s, bytes.toString('base64url'));
  assert.equal(s.length, 22);
  assert.equal(
    written((w) => w.uuid(s)),
    bytes.toString('hex'),
  );
  assert.equal(new Reader(Buffer.alloc(16)).uuid(), 'AAAAAAAAAAAAAAAAAAAAAA');
  throwsKind(() => new Reader(Buffer.alloc(15)).uuid(), 'truncated');
});

test('bytes are views into the input, not copies', () => {
  const buf = hex('000102030405');
  const r = new Reader(buf, 1);
  const v = r.view(3);
  assert.equal(v.buffer, buf.buffer);
  assert.equal(v.byteOffset, buf.byteOffset + 1);
  assert.deepEqual([...v], [1, 2, 3]);
  throwsKind(() => r.view(3), 'truncated');
});

test('writer grows past its initial size', () => {
  const w = new Writer(1);
  for (let i = 0; i < 1000; i++) w.int32(i);
  const out = w.finish();
  assert.equal(out.length, 4000);
  assert.equal(out.readInt32BE(3996), 999);
});
