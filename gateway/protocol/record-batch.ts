// Building and reading whole magic-v2 record batches, for the gateway's own small backend client (the
// managed-ACL topic). The data path never uses this: it only peeks batch headers (records.ts). Only
// uncompressed batches are built and read — the ACL topic is created with compression.type=uncompressed,
// so the broker stores it that way whatever a writer sent.
import { ProtocolError } from './errors.ts';
import { Reader } from './reader.ts';
import { BATCH_HEADER_SIZE, BATCH_OVERHEAD, Compression, readBatchHeader } from './records.ts';
import { Writer } from './writer.ts';

export interface RecordToWrite {
  readonly key: Buffer | null;
  /** null is a tombstone. */
  readonly value: Buffer | null;
}

export interface ReadRecord {
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export interface ReadBatches {
  /** Records at or after `fromOffset`, in offset order (control batches skipped). */
  readonly records: ReadRecord[];
  /**
   * The offset to fetch next: one past the last complete batch (which, on a compacted topic, may lie past
   * its last surviving record), or `fromOffset` when no complete batch was present.
   */
  readonly nextOffset: bigint;
}

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32C (Castagnoli), the checksum of magic-v2 batches. */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC32C_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Byte offset of the attributes field: the CRC covers everything from here to the end of the batch. */
const CRC_START = 21;

/** One uncompressed, non-transactional, non-idempotent batch of `records` (base offset 0, as producers send). */
export function encodeRecordBatch(records: readonly RecordToWrite[], timestampMs: number = Date.now()): Buffer {
  if (records.length === 0) throw new ProtocolError('invalid-value', 'a record batch needs at least one record');
  const w = new Writer(BATCH_HEADER_SIZE + 64 * records.length);
  w.pos = BATCH_HEADER_SIZE;
  const one = new Writer(64);
  records.forEach((r, i) => {
    one.pos = 0;
    one.int8(0); // attributes
    one.varlong(0n); // timestamp delta
    one.varint(i); // offset delta
    writeVarBytes(one, r.key);
    writeVarBytes(one, r.value);
    one.unsignedVarint(0); // no headers
    const body = one.finish();
    w.varint(body.length);
    w.raw(body);
  });
  const out = w.finish();
  out.writeBigInt64BE(0n, 0); // base offset (the broker assigns offsets)
  out.writeInt32BE(out.length - BATCH_OVERHEAD, 8);
  out.writeInt32BE(-1, 12); // partition leader epoch
  out.writeInt8(2, 16); // magic
  out.writeInt16BE(0, 21); // attributes: no compression, CreateTime, not transactional, not control
  out.writeInt32BE(records.length - 1, 23); // last offset delta
  out.writeBigInt64BE(BigInt(timestampMs), 27);
  out.writeBigInt64BE(BigInt(timestampMs), 35);
  out.writeBigInt64BE(-1n, 43); // producer id: none (not idempotent)
  out.writeInt16BE(-1, 51);
  out.writeInt32BE(-1, 53);
  out.writeInt32BE(records.length, 57);
  out.writeUInt32BE(crc32c(out, CRC_START), 17);
  return Buffer.from(out); // a copy sized to the batch, not the writer's larger buffer
}

function writeVarBytes(w: Writer, b: Buffer | null): void {
  if (b === null) {
    w.varint(-1);
    return;
  }
  w.varint(b.length);
  w.raw(b);
}

/**
 * Reads the records of the complete batches in `buf` (a Fetch partition's `records`), skipping those
 * before `fromOffset` (a fetch may start inside a batch) and control batches. A trailing partial batch is
 * left for the next fetch. Throws ProtocolError on a bad CRC, a compressed or pre-v2 batch, or records
 * that do not fit their batch.
 */
export function readRecordBatches(buf: Buffer | null, fromOffset: bigint): ReadBatches {
  const records: ReadRecord[] = [];
  let nextOffset = fromOffset;
  if (buf === null) return { records, nextOffset };
  let p = 0;
  while (buf.length - p >= BATCH_OVERHEAD) {
    const batchLength = buf.readInt32BE(p + 8);
    const size = BATCH_OVERHEAD + batchLength;
    if (batchLength < 0) throw new ProtocolError('invalid-value', `negative batch length ${batchLength}`);
    if (size > buf.length - p) break; // partial batch at the end: fetched again next time
    if (size < BATCH_HEADER_SIZE) throw new ProtocolError('invalid-value', `batch of ${size} bytes is shorter than its header`);
    const header = readBatchHeader(buf, p, p + size);
    if (header === null) throw new ProtocolError('invalid-value', `record batch magic ${buf.readInt8(p + 16)} is not supported (only v2)`);
    if (crc32c(buf, p + CRC_START, p + size) !== header.crc) throw new ProtocolError('invalid-value', 'record batch CRC mismatch');
    const { baseOffset, compression } = header;
    const batchEnd = baseOffset + BigInt(header.lastOffsetDelta) + 1n;
    if (!header.control && batchEnd > fromOffset) {
      if (compression !== Compression.none) {
        throw new ProtocolError('invalid-value', `compressed record batch (codec ${compression}) is not supported here`);
      }
      readRecords(new Reader(buf, p + BATCH_HEADER_SIZE, p + size), baseOffset, header.recordCount, fromOffset, records);
    }
    if (batchEnd > nextOffset) nextOffset = batchEnd;
    p += size;
  }
  return { records, nextOffset };
}

function readRecords(r: Reader, baseOffset: bigint, count: number, fromOffset: bigint, into: ReadRecord[]): void {
  for (let i = 0; i < count; i++) {
    const length = r.varint();
    if (length < 0 || length > r.remaining) throw new ProtocolError('invalid-value', `record length ${length} does not fit its batch`);
    const end = r.pos + length;
    r.int8(); // attributes (unused)
    r.varlong(); // timestamp delta
    const offset = baseOffset + BigInt(r.varint());
    const key = readVarBytes(r);
    const value = readVarBytes(r);
    r.pos = end; // headers are not used
    if (offset >= fromOffset) into.push({ offset, key, value });
  }
}

function readVarBytes(r: Reader): Buffer | null {
  const n = r.varint();
  if (n < 0) return null;
  return r.view(n);
}
