// Counting the user records of a `records` field on the data path, read through a ChunkCursor so a
// frame that arrived in many chunks is never joined: only the few header bytes of each batch are read
// (batchLength, magic, attributes, recordCount; spec §6), as records.ts's countRecords reads them from
// one Buffer. Bad batch bytes only stop the count; framing is the caller's to check.
import type { ChunkCursor } from './chunk-cursor.ts';

/** Bytes of a magic-v2 batch header (spec §6). */
export const BATCH_HEADER_SIZE = 61;
/** Offset (8) + batchLength (4): the part of a batch not counted in batchLength. */
export const BATCH_OVERHEAD = 12;
/** Where the magic byte sits, and the low byte of the int16 attributes. */
export const MAGIC_AT = 16;
export const ATTRIBUTES_LOW_AT = 22;
const RECORD_COUNT_AT = 57;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;

function int32Ahead(c: ChunkCursor, at: number): number {
  return (c.byteAhead(at) << 24) | (c.byteAhead(at + 1) << 16) | (c.byteAhead(at + 2) << 8) | c.byteAhead(at + 3) | 0;
}

/**
 * User records in the next `length` bytes (complete non-control v2 batches' recordCount, one per legacy
 * message; a partial trailing batch, as Fetch answers may end with, is not counted), then skips them.
 * The caller has checked that `length` bytes are there.
 */
export function skipRecordsCounting(c: ChunkCursor, length: number): number {
  let records = 0;
  let at = 0;
  while (length - at >= BATCH_OVERHEAD) {
    const batchLength = int32Ahead(c, at + 8);
    const size = BATCH_OVERHEAD + batchLength;
    if (batchLength < 0 || size > length - at || size <= MAGIC_AT) break;
    const magic = c.byteAhead(at + MAGIC_AT);
    if (magic === 2) {
      if (size < BATCH_HEADER_SIZE) break;
      if ((c.byteAhead(at + ATTRIBUTES_LOW_AT) & ATTR_CONTROL) === 0) records += Math.max(int32Ahead(c, at + RECORD_COUNT_AT), 0);
    } else if (magic === 0 || magic === 1) {
      records++;
    } else {
      break;
    }
    at += size;
  }
  if (length > 0) c.skip(length);
  return records;
}
