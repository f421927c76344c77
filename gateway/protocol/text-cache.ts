// Topic names and ids come again in request after request. Turning their bytes into a string is a call
// into C++ and a new string every time, whose hash each Map lookup after it (the topic-id table, the
// connection's decision cache, the per-topic metrics) then computes again. A small table of the texts
// last seen, checked byte by byte, answers most of them with the string it made before.

/** Slots in a table (a power of two); a text's slot is a hash of its bytes. */
const SLOTS = 256;
/** Longer texts are not kept (topic names are at most 249 bytes, ids 16). */
export const MAX_CACHED_TEXT_BYTES = 255;

export class TextCache {
  private readonly bytes: Array<Buffer | undefined> = new Array<Buffer | undefined>(SLOTS).fill(undefined);
  private readonly texts: string[] = new Array<string>(SLOTS).fill('');

  constructor(private readonly encoding: 'utf8' | 'base64url') {}

  /** `buf[start, end)` as text: the same string as `buf.toString(encoding, start, end)`. */
  text(buf: Buffer, start: number, end: number): string {
    const n = end - start;
    if (n > MAX_CACHED_TEXT_BYTES) return buf.toString(this.encoding, start, end);
    let hash = n;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i], 0x01000193);
    const slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
    const known = this.bytes[slot];
    if (known !== undefined && known.length === n && sameBytes(known, buf, start)) return this.texts[slot];
    const text = buf.toString(this.encoding, start, end);
    // A copy: the chunk the bytes came from is the client's request, kept no longer than it.
    this.bytes[slot] = Buffer.from(buf.subarray(start, end));
    this.texts[slot] = text;
    return text;
  }
}

function sameBytes(known: Buffer, buf: Buffer, start: number): boolean {
  for (let i = 0; i < known.length; i++) if (known[i] !== buf[start + i]) return false;
  return true;
}
