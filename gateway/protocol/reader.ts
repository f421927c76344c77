// Bounds-checked big-endian reader over a Buffer slice [pos, end). Every read checks the remaining bytes
// first and throws ProtocolError, never RangeError; lengths are checked against what is left before any
// allocation. Strings are validated as UTF-8; bytes are returned as views into the input (no copy).

import { isUtf8 } from 'node:buffer';
import { ProtocolError, truncated } from './errors.ts';

export class Reader {
  buf: Buffer;
  pos: number;
  end: number;

  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number): void {
    if (n > this.end - this.pos) throw truncated(n, this.end - this.pos);
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  float64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  bool(): boolean {
    this.need(1);
    return this.buf[this.pos++] !== 0;
  }

  /** 16 bytes as Kafka prints a Uuid: 22 characters of unpadded base64url. */
  uuid(): string {
    this.need(16);
    const s = this.buf.toString('base64url', this.pos, this.pos + 16);
    this.pos += 16;
    return s;
  }

  /** Unsigned LEB128, at most 5 bytes, value < 2^32. */
  unsignedVarint(): number {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    let value = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) throw truncated(1, 0);
      const b = buf[pos++];
      value |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return value;
      }
    }
    if (pos >= end) throw truncated(1, 0);
    const b = buf[pos++];
    if (b > 0x0f) throw new ProtocolError('varint-overflow', 'unsigned varint does not fit 32 bits');
    this.pos = pos;
    return value + b * 0x10000000;
  }

  /** Zig-zag signed 32-bit varint (record format). */
  varint(): number {
    const u = this.unsignedVarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Zig-zag signed 64-bit varint, at most 10 bytes. */
  varlong(): bigint {
    let value = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw truncated(1, 0);
      const b = this.buf[this.pos++];
      if (i === 9 && b > 0x01) throw new ProtocolError('varint-overflow', 'varlong does not fit 64 bits');
      value |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) return (value >> 1n) ^ -(value & 1n);
    }
    throw new ProtocolError('varint-overflow', 'varlong longer than 10 bytes');
  }

  /** Length prefix of a string/bytes/array: -1 means null. Compact forms store length + 1 as unsigned varint. */
  length16(): number {
    return this.int16();
  }

  compactLength(): number {
    return this.unsignedVarint() - 1;
  }

  /** `n` bytes as a UTF-8 string; invalid UTF-8 is a ProtocolError. */
  utf8(n: number): string {
    if (n > this.end - this.pos) throw truncated(n, this.end - this.pos);
    const buf = this.buf;
    const start = this.pos;
    const stop = start + n;
    this.pos = stop;
    if (n <= 64) {
      let ascii = true;
      for (let i = start; i < stop; i++) {
        if (buf[i] > 0x7f) {
          ascii = false;
          break;
        }
      }
      if (ascii) return buf.toString('latin1', start, stop);
    }
    if (!isUtf8(buf.subarray(start, stop))) throw new ProtocolError('invalid-utf8', 'string is not valid UTF-8');
    return buf.toString('utf8', start, stop);
  }

  /** `n` bytes as a view into the input buffer (zero copy). */
  view(n: number): Buffer {
    if (n > this.end - this.pos) throw truncated(n, this.end - this.pos);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
}
