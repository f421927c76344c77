// Cuts a TCP byte stream into Kafka frames (4-byte big-endian size, then that many bytes).
// The size is checked against the cap before anything is buffered. Big chunks are kept as a list and
// never joined here: a frame that lies inside one chunk is a view of it, one that spans chunks is the list
// of views of its pieces (`parts`), which can be written on as they are. `raw` and `payload` join them,
// once, only for a caller that needs the frame as one Buffer.
// Many small chunks are the exception: each Buffer costs hundreds of bytes of its own, so a peer sending
// one byte per TLS record would otherwise make every buffered byte cost ~600. Once a few pieces are held,
// further small ones are copied into append-only blocks, so memory stays near one byte per buffered byte
// (a frame that arrives in a handful of pieces, the common case, is never copied).

import { emptyObjectArray } from '../common/object-array.ts';

export class FrameTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(size < 0 ? `negative frame size ${size}` : `frame of ${size} bytes exceeds the limit of ${limit} bytes`);
    this.name = 'FrameTooLargeError';
  }
}

export class Frame {
  private joined: Buffer | null;
  private body: Buffer | null = null;

  constructor(
    /** The whole frame including its size prefix, as views of the chunks it arrived in, in order. */
    readonly parts: readonly Buffer[],
    /** Bytes after the size prefix. */
    readonly size: number,
  ) {
    this.joined = parts.length === 1 ? parts[0] : null;
  }

  /** The whole frame including its size prefix as one Buffer (joined on first use when it spans chunks). */
  get raw(): Buffer {
    return (this.joined ??= Buffer.concat(this.parts, 4 + this.size));
  }

  /** The bytes after the size prefix as one Buffer: what the codec reads. */
  get payload(): Buffer {
    return (this.body ??= this.raw.subarray(4));
  }

  /**
   * The first `n` bytes after the size prefix (all of them when the frame is shorter), as one Buffer:
   * a view when the first chunk holds them, else a copy of just those bytes.
   */
  head(n: number): Buffer {
    const want = 4 + Math.min(n, this.size);
    const first = this.parts[0];
    if (first.length >= want) return first.subarray(4, want);
    if (this.joined) return this.joined.subarray(4, want);
    return Buffer.concat(this.parts, want).subarray(4);
  }
}

/**
 * Chunks shorter than this may be copied into a block rather than kept: a copy this small costs less than
 * the chunk itself (~600 B of overhead), and a kept chunk at least this long costs under 1.6 B per byte.
 */
export const SMALL_CHUNK_BYTES = 1024;
/** Pieces held as they arrived before small ones are copied (bounds the per-chunk overhead to a few KB). */
export const ZERO_COPY_PIECES = 16;
/** Blocks for small chunks grow with what the frame in progress still needs, up to this size. */
const MIN_BLOCK_BYTES = 256;
const MAX_BLOCK_BYTES = 64 * 1024;

export class FrameReader {
  /** Buffered chunks; those before `first` are consumed. */
  private chunks = emptyObjectArray<Buffer>();
  private first = 0;
  private buffered = 0;
  /** The block small chunks are copied into; bytes before `blockUsed` are written once and never changed. */
  private block: Buffer | null = null;
  private blockUsed = 0;
  /** Whether the last entry of `chunks` is the view of `block` ending at `blockUsed` (so it can grow in place). */
  private lastIsBlock = false;

  /** `limit` is read for every frame, so it can grow once a client has authenticated. */
  constructor(private readonly limit: () => number) {}

  /** Bytes held for an incomplete frame (for memory accounting). */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Adds a chunk and returns every frame it completes. Throws FrameTooLargeError. */
  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    if (chunk.length === 0) return frames;
    if (this.buffered === 0) {
      // Fast path: frames inside this chunk are views of it.
      let offset = 0;
      while (chunk.length - offset >= 4) {
        const size = this.check(chunk.readInt32BE(offset));
        if (chunk.length - offset - 4 < size) break;
        // A chunk that is exactly one frame (the common case for requests and small answers) needs no view.
        const end = offset + 4 + size;
        frames.push(new Frame([offset === 0 && end === chunk.length ? chunk : chunk.subarray(offset, end)], size));
        offset += 4 + size;
      }
      if (offset < chunk.length) this.keep(offset === 0 ? chunk : chunk.subarray(offset));
      return frames;
    }
    this.keep(chunk);
    for (;;) {
      if (this.buffered < 4) return frames;
      const size = this.check(this.peekSize());
      if (this.buffered < 4 + size) return frames;
      frames.push(new Frame(this.take(4 + size), size));
      if (this.buffered === 0) return frames;
    }
  }

  private check(size: number): number {
    const limit = this.limit();
    if (size < 0 || size > limit) throw new FrameTooLargeError(size, limit);
    return size;
  }

  private keep(chunk: Buffer): void {
    if (chunk.length < SMALL_CHUNK_BYTES && (this.lastIsBlock || this.chunks.length - this.first >= ZERO_COPY_PIECES)) {
      this.copyIntoBlock(chunk);
    } else {
      this.chunks.push(chunk);
      this.lastIsBlock = false;
    }
    this.buffered += chunk.length;
    // The size prefix alone must be checked as soon as it is complete, before more is buffered.
    if (this.buffered >= 4) this.check(this.peekSize());
  }

  private copyIntoBlock(chunk: Buffer): void {
    let from = 0;
    while (from < chunk.length) {
      if (this.block === null || this.blockUsed === this.block.length) this.newBlock(chunk.length - from);
      const block = this.block!;
      const n = Math.min(chunk.length - from, block.length - this.blockUsed);
      chunk.copy(block, this.blockUsed, from, from + n);
      const last = this.chunks.length - 1;
      if (this.lastIsBlock && last >= this.first) {
        const view = this.chunks[last];
        this.chunks[last] = block.subarray(this.blockUsed - view.length, this.blockUsed + n);
      } else {
        this.chunks.push(block.subarray(this.blockUsed, this.blockUsed + n));
        this.lastIsBlock = true;
      }
      this.blockUsed += n;
      from += n;
    }
  }

  /** Sized by what the frame in progress still needs (known once its size prefix is in), within bounds. */
  private newBlock(atLeast: number): void {
    let need = atLeast;
    if (this.buffered >= 4) need = Math.max(need, 4 + this.peekSize() - this.buffered);
    this.block = Buffer.allocUnsafe(Math.min(MAX_BLOCK_BYTES, Math.max(MIN_BLOCK_BYTES, need)));
    this.blockUsed = 0;
    this.lastIsBlock = false;
  }

  private peekSize(): number {
    const first = this.chunks[this.first];
    if (first.length >= 4) return first.readInt32BE(0);
    let size = 0;
    for (let i = this.first, got = 0; got < 4; i++) {
      const c = this.chunks[i];
      for (let j = 0; j < c.length && got < 4; j++, got++) size = (size << 8) | c[j];
    }
    return size;
  }

  /** Removes `n` bytes from the front of the buffered chunks, as views (never copied). */
  private take(n: number): Buffer[] {
    const parts: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const c = this.chunks[this.first];
      if (c.length <= left) {
        parts.push(c);
        left -= c.length;
        this.first++;
      } else {
        parts.push(c.subarray(0, left));
        this.chunks[this.first] = c.subarray(left);
        left = 0;
      }
    }
    this.buffered -= n;
    if (this.first === this.chunks.length) {
      // Nothing buffered: let go of the block too (frames already cut keep their views of it alive).
      this.chunks = [];
      this.first = 0;
      this.block = null;
      this.lastIsBlock = false;
    } else if (this.first > 64 && this.first * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
    return parts;
  }
}
