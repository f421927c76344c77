// Record batches stay bytes: this module only peeks batch headers (magic v2, spec §6) to count records
// and bytes per topic-partition, without decompressing and without ever throwing on bad record bytes.

import { ATTR_CONTROL, ATTR_TRANSACTIONAL, BATCH_HEADER_SIZE, BATCH_OVERHEAD } from './batch-headers.ts';
import type { Struct } from './codec.ts';
import { peekProduce } from './peek.ts';

export { BATCH_HEADER_SIZE, BATCH_OVERHEAD };

export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
const ATTR_COMPRESSION = 0x07;
const ATTR_TIMESTAMP_TYPE = 0x08;
const ATTR_DELETE_HORIZON = 0x40;

export interface BatchHeader {
  baseOffset: bigint;
  /** Bytes after the batchLength field; the whole batch is batchLength + 12 bytes. */
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  /** 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  compression: number;
  /** 0 CreateTime, 1 LogAppendTime. */
  timestampType: 0 | 1;
  transactional: boolean;
  control: boolean;
  deleteHorizon: boolean;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/**
 * The magic-v2 batch header at `offset`, or null when fewer than 61 bytes remain before `end` or the
 * batch is not magic 2. Does not check that the whole batch is present (see countRecords).
 */
export function readBatchHeader(buf: Buffer, offset = 0, end = buf.length): BatchHeader | null {
  if (!Buffer.isBuffer(buf) || !(offset >= 0) || end > buf.length || end - offset < BATCH_HEADER_SIZE) return null;
  const magic = buf.readInt8(offset + 16);
  if (magic !== 2) return null;
  const attributes = buf.readInt16BE(offset + 21);
  return {
    baseOffset: buf.readBigInt64BE(offset),
    batchLength: buf.readInt32BE(offset + 8),
    partitionLeaderEpoch: buf.readInt32BE(offset + 12),
    magic,
    crc: buf.readUInt32BE(offset + 17),
    attributes,
    compression: attributes & ATTR_COMPRESSION,
    timestampType: attributes & ATTR_TIMESTAMP_TYPE ? 1 : 0,
    transactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
    control: (attributes & ATTR_CONTROL) !== 0,
    deleteHorizon: (attributes & ATTR_DELETE_HORIZON) !== 0,
    lastOffsetDelta: buf.readInt32BE(offset + 23),
    baseTimestamp: buf.readBigInt64BE(offset + 27),
    maxTimestamp: buf.readBigInt64BE(offset + 35),
    producerId: buf.readBigInt64BE(offset + 43),
    producerEpoch: buf.readInt16BE(offset + 51),
    baseSequence: buf.readInt32BE(offset + 53),
    recordCount: buf.readInt32BE(offset + 57),
  };
}

export interface RecordCounts {
  /** Complete batches (v2 and legacy). */
  batches: number;
  /** User records: recordCount of complete non-control v2 batches, plus 1 per legacy message. */
  records: number;
  /** Bytes of complete batches (12 + batchLength each), control batches included. */
  bytes: number;
  controlBatches: number;
  controlRecords: number;
  legacyMessages: number;
  /** Bytes of an incomplete trailing batch (not counted above), as fetch responses may carry. */
  truncatedBytes: number;
  /** A batch header that cannot be right (negative length, v2 batch shorter than its header): counting stopped there. */
  malformed: boolean;
  /** Attribute bits of the first v2 batch (what decides transactional Produce); -1 when there is none. */
  firstAttributes: number;
}

export function emptyCounts(): RecordCounts {
  return {
    batches: 0,
    records: 0,
    bytes: 0,
    controlBatches: 0,
    controlRecords: 0,
    legacyMessages: 0,
    truncatedBytes: 0,
    malformed: false,
    firstAttributes: -1,
  };
}

/**
 * Walks the batches of a records blob (`buf[offset..end)`, e.g. one partition's `records` field) reading
 * only batch headers. Never throws: bad input ends the walk (`malformed` / `truncatedBytes`).
 */
export function countRecords(buf: Buffer | null, offset = 0, end = buf ? buf.length : 0, into = emptyCounts()): RecordCounts {
  if (!Buffer.isBuffer(buf) || !Number.isInteger(offset) || !Number.isInteger(end) || offset < 0 || end > buf.length) {
    return into;
  }
  let p = offset;
  while (end - p >= BATCH_OVERHEAD) {
    const batchLength = buf.readInt32BE(p + 8);
    if (batchLength < 0) {
      into.malformed = true;
      break;
    }
    const size = BATCH_OVERHEAD + batchLength;
    if (size > end - p) {
      into.truncatedBytes += end - p;
      return into;
    }
    const magic = size > 16 ? buf.readInt8(p + 16) : -1;
    if (magic === 2) {
      if (size < BATCH_HEADER_SIZE) {
        into.malformed = true;
        break;
      }
      const attributes = buf.readInt16BE(p + 21);
      const count = buf.readInt32BE(p + 57);
      if (into.firstAttributes < 0) into.firstAttributes = attributes;
      if (attributes & ATTR_CONTROL) {
        into.controlBatches++;
        into.controlRecords += Math.max(count, 0);
      } else {
        into.records += Math.max(count, 0);
      }
    } else if (magic === 0 || magic === 1) {
      into.legacyMessages++;
      into.records++;
    } else {
      into.malformed = true;
      break;
    }
    into.batches++;
    into.bytes += size;
    p += size;
  }
  if (!into.malformed) into.truncatedBytes += end - p;
  return into;
}

export const isTransactional = (c: RecordCounts): boolean => c.firstAttributes >= 0 && (c.firstAttributes & ATTR_TRANSACTIONAL) !== 0;

export interface PartitionRecordCounts extends RecordCounts {
  /** Topic name, or the topic id (base64url) for versions that name topics by id. */
  topic: string;
  partition: number;
}

/** Per topic-partition counts of a Produce request frame (header peek; records are only header-peeked). */
export function countProduceRecords(frame: Buffer): PartitionRecordCounts[] {
  const out: PartitionRecordCounts[] = [];
  for (const t of peekProduce(frame).topics) {
    const topic = t.name ?? t.topicId ?? '';
    for (const p of t.partitions) {
      const c = p.recordsLength >= 0 ? countRecords(frame, p.recordsOffset, p.recordsOffset + p.recordsLength) : emptyCounts();
      out.push({ topic, partition: p.index, ...c });
    }
  }
  return out;
}

/** Per topic-partition counts of a decoded Fetch (or ShareFetch) response body. */
export function countFetchRecords(body: Struct): PartitionRecordCounts[] {
  const out: PartitionRecordCounts[] = [];
  for (const t of (body.responses ?? []) as Struct[]) {
    const topic = (t.topic as string | null | undefined) || (t.topicId as string | undefined) || '';
    for (const p of (t.partitions ?? []) as Struct[]) {
      const records = p.records as Buffer | null;
      out.push({ topic, partition: p.partitionIndex as number, ...countRecords(records) });
    }
  }
  return out;
}
