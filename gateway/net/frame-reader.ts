// Cuts a TCP byte stream into Kafka frames (4-byte big-endian size, then that many bytes).
// The size is checked against the cap before anything is buffered; chunks are kept as a list and
// joined once per frame, and a frame that lies inside one chunk is a view of it (no copy).

export class FrameTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(size < 0 ? `negative frame size ${size}` : `frame of ${size} bytes exceeds the limit of ${limit} bytes`);
    this.name = 'FrameTooLargeError';
  }
}

export type Frame = {
  /** The whole frame including its size prefix: what is forwarded when nothing changes. */
  raw: Buffer;
  /** The bytes after the size prefix: what the codec reads. */
  payload: Buffer;
};

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** `limit` is read for every frame, so it can grow once a client has authenticated. */
  constructor(private readonly limit: () => number) {}

  /** Bytes held for an incomplete frame (for memory accounting). */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Adds a chunk and returns every frame it completes. Throws FrameTooLargeError. */
  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    if (this.buffered === 0) {
      // Fast path: frames inside this chunk are views of it.
      let offset = 0;
      while (chunk.length - offset >= 4) {
        const size = this.check(chunk.readInt32BE(offset));
        if (chunk.length - offset - 4 < size) break;
        const raw = chunk.subarray(offset, offset + 4 + size);
        frames.push({ raw, payload: raw.subarray(4) });
        offset += 4 + size;
      }
      if (offset < chunk.length) this.keep(chunk.subarray(offset));
      return frames;
    }
    this.keep(chunk);
    for (;;) {
      if (this.buffered < 4) return frames;
      const size = this.check(this.peekSize());
      if (this.buffered < 4 + size) return frames;
      const raw = this.take(4 + size);
      frames.push({ raw, payload: raw.subarray(4) });
      if (this.buffered === 0) return frames;
    }
  }

  private check(size: number): number {
    const limit = this.limit();
    if (size < 0 || size > limit) throw new FrameTooLargeError(size, limit);
    return size;
  }

  private keep(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    // The size prefix alone must be checked as soon as it is complete, before more is buffered.
    if (this.buffered >= 4) this.check(this.peekSize());
  }

  private peekSize(): number {
    const first = this.chunks[0];
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.chunks, 4);
    return head.readInt32BE(0);
  }

  /** Removes `n` bytes from the front of the buffered chunks, joining only when they span chunks. */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0];
        const use = Math.min(c.length, n - filled);
        c.copy(out, filled, 0, use);
        filled += use;
        if (use === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(use);
      }
    }
    this.buffered -= n;
    return out;
  }
}
