// Growable big-endian writer. Values are range-checked; anything that cannot be written raises
// ProtocolError('invalid-value'), never RangeError.

import { ProtocolError } from './errors.ts';

const UUID_RE = /^[A-Za-z0-9_-]{21}[AQgw]$/;

const invalid = (what: string, v: unknown): ProtocolError =>
  new ProtocolError('invalid-value', `${what} expected, got ${describeValue(v)}`);

export function describeValue(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Buffer.isBuffer(v)) return `Buffer(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (v === null || typeof v !== 'object') return String(v);
  return 'object';
}

export class Writer {
  buf: Buffer;
  pos: number;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
    this.pos = 0;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** The bytes written so far (a view of the internal buffer). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  int8(v: unknown): void {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -128 || v > 127) throw invalid('int8', v);
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  int16(v: unknown): void {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -32768 || v > 32767) throw invalid('int16', v);
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }

  uint16(v: unknown): void {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff) throw invalid('uint16', v);
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  int32(v: unknown): void {
    if (typeof v !== 'number' || (v | 0) !== v) throw invalid('int32', v);
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }

  uint32(v: unknown): void {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw invalid('uint32', v);
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }

  /** int64 as a bigint; a safe-integer number is accepted too. */
  int64(v: unknown): void {
    let b: bigint;
    if (typeof v === 'bigint') b = v;
    else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
    else throw invalid('int64', v);
    if (b < -0x8000000000000000n || b > 0x7fffffffffffffffn) throw invalid('int64', v);
    this.ensure(8);
    this.buf.writeBigInt64BE(b, this.pos);
    this.pos += 8;
  }

  float64(v: unknown): void {
    if (typeof v !== 'number') throw invalid('float64', v);
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  bool(v: unknown): void {
    if (typeof v !== 'boolean') throw invalid('bool', v);
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  uuid(v: unknown): void {
    if (typeof v !== 'string' || !UUID_RE.test(v)) throw invalid('uuid (22 characters base64url)', v);
    this.ensure(16);
    this.buf.write(v, this.pos, 16, 'base64url');
    this.pos += 16;
  }

  unsignedVarint(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw invalid('unsigned varint', v);
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  varint(v: number): void {
    if ((v | 0) !== v) throw invalid('varint', v);
    this.unsignedVarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  varlong(v: bigint): void {
    if (typeof v !== 'bigint' || v < -0x8000000000000000n || v > 0x7fffffffffffffffn) throw invalid('varlong', v);
    let u = v >= 0n ? v << 1n : (-v << 1n) - 1n;
    this.ensure(10);
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  /** A length prefix: int16 / int32 (-1 = null) or, compact, unsigned varint of length + 1 (0 = null). */
  length(n: number, compact: boolean, wide: boolean): void {
    if (compact) this.unsignedVarint(n + 1);
    else if (wide) this.int32(n);
    else this.int16(n);
  }

  string(v: unknown, compact: boolean): void {
    if (typeof v !== 'string') throw invalid('string', v);
    const n = Buffer.byteLength(v, 'utf8');
    if (!compact && n > 0x7fff) throw new ProtocolError('invalid-value', `string of ${n} bytes exceeds 32767`);
    this.length(n, compact, false);
    this.ensure(n);
    this.buf.write(v, this.pos, n, 'utf8');
    this.pos += n;
  }

  bytes(v: unknown, compact: boolean): void {
    if (!(v instanceof Uint8Array)) throw invalid('bytes (Buffer)', v);
    this.length(v.length, compact, true);
    this.raw(v);
  }

  raw(v: Uint8Array): void {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }
}
