// A forward-only cursor over a frame as the chunks it arrived in, for walkers that must not join a large
// frame (response walks, the Produce authorization walk). Reads that straddle two chunks are assembled
// byte by byte; every read past the end is a ProtocolError.
import { ProtocolError, truncated } from './errors.ts';
import { TextCache } from './text-cache.ts';

/** One table per encoding, shared by every cursor (a process serves the same topics on all its connections). */
const TEXTS = { utf8: new TextCache('utf8'), base64url: new TextCache('base64url') };

/** A forward-only cursor over a list of chunks; reads that straddle two chunks are assembled byte by byte. */
export class ChunkCursor {
  private part = 0;
  private buf: Buffer;
  private pos: number;
  /** Bytes left in the whole input. */
  left: number;
  /** Bytes in the whole input (so the offset reached is total - left). */
  readonly total: number;

  constructor(
    private readonly parts: readonly Buffer[],
    offset: number,
  ) {
    let total = 0;
    for (const p of parts) total += p.length;
    if (!Number.isInteger(offset) || offset < 0 || offset > total) {
      throw new ProtocolError('invalid-length', `offset ${offset} outside the ${total}-byte input`);
    }
    this.total = total;
    this.left = total - offset;
    this.buf = parts[0] ?? Buffer.alloc(0);
    this.pos = offset;
    this.settle();
  }

  /** Moves past exhausted chunks (only while bytes are left, so the index never runs off the list). */
  private settle(): void {
    while (this.pos >= this.buf.length && this.left > 0) {
      this.pos -= this.buf.length;
      this.buf = this.parts[++this.part];
    }
  }

  private need(n: number): void {
    if (n > this.left) throw truncated(n, this.left);
  }

  skip(n: number): void {
    this.need(n);
    this.left -= n;
    this.pos += n;
    this.settle();
  }

  /** The next `n` bytes: a view when one chunk holds them, else a copy. */
  take(n: number): Buffer {
    this.need(n);
    if (this.buf.length - this.pos >= n) {
      const b = this.buf.subarray(this.pos, this.pos + n);
      this.skip(n);
      return b;
    }
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.u8();
    return out;
  }

  u8(): number {
    this.need(1);
    const b = this.buf[this.pos++];
    this.left--;
    this.settle();
    return b;
  }

  int8(): number {
    return (this.u8() << 24) >> 24;
  }

  int16(): number {
    if (this.buf.length - this.pos >= 2) {
      const v = this.buf.readInt16BE(this.pos);
      this.skip(2);
      return v;
    }
    return this.int(2);
  }

  int32(): number {
    if (this.buf.length - this.pos >= 4) {
      const v = this.buf.readInt32BE(this.pos);
      this.skip(4);
      return v;
    }
    return this.int(4);
  }

  /** A big-endian signed integer of `n` bytes, assembled byte by byte when it straddles two chunks. */
  private int(n: number): number {
    this.need(n);
    if (this.buf.length - this.pos >= n) {
      const v = this.buf.readIntBE(this.pos, n);
      this.skip(n);
      return v;
    }
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.u8();
    return v >= 2 ** (8 * n - 1) ? v - 2 ** (8 * n) : v;
  }

  /** Unsigned LEB128, at most 5 bytes, value < 2^32 (as Reader.unsignedVarint). */
  unsignedVarint(): number {
    let value = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const b = this.u8();
      value |= (b & 0x7f) << shift;
      if (b < 0x80) return value >>> 0;
    }
    const b = this.u8();
    if (b > 0x0f) throw new ProtocolError('varint-overflow', 'unsigned varint does not fit 32 bits');
    return (value >>> 0) + b * 0x10000000;
  }

  /** The byte `ahead` bytes past the current position, without moving (caller checked it is there). */
  byteAhead(ahead: number): number {
    let part = this.part;
    let at = this.pos + ahead;
    while (at >= this.parts[part].length) at -= this.parts[part++].length;
    return this.parts[part][at];
  }
  /** `n` bytes as text or base64url: a view when one chunk holds them, else a small copy. */
  text(n: number, encoding: 'utf8' | 'base64url'): string {
    this.need(n);
    if (this.buf.length - this.pos >= n) {
      const s = TEXTS[encoding].text(this.buf, this.pos, this.pos + n);
      this.skip(n);
      return s;
    }
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.u8();
    return out.toString(encoding);
  }
}
