// The record batches the backend client writes and reads (protocol/record-batch.ts): what it builds is a
// valid magic-v2 batch (the data path's header peek and CRC-32C agree), what it reads skips records
// before the asked offset, control batches and a trailing partial batch, and refuses a bad CRC or a
// compressed batch instead of guessing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32c, encodeRecordBatch, readRecordBatches } from '../../../gateway/protocol/record-batch.ts';
import { countRecords, readBatchHeader } from '../../../gateway/protocol/records.ts';

const rec = (key: string, value: string | null) => ({ key: Buffer.from(key), value: value === null ? null : Buffer.from(value) });

function at(batch: Buffer, baseOffset: bigint): Buffer {
  const b = Buffer.from(batch);
  b.writeBigInt64BE(baseOffset, 0);
  return b;
}

test('crc32c matches the standard check value', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
});

test('a built batch is a v2 batch whose header says what it holds', () => {
  const batch = encodeRecordBatch([rec('a', '1'), rec('b', null)], 1_700_000_000_000);
  const h = readBatchHeader(batch);
  assert.ok(h);
  assert.equal(h.magic, 2);
  assert.equal(h.recordCount, 2);
  assert.equal(h.lastOffsetDelta, 1);
  assert.equal(h.compression, 0);
  assert.equal(h.producerId, -1n);
  assert.equal(h.batchLength + 12, batch.length);
  assert.equal(h.crc, crc32c(batch, 21));
  assert.equal(countRecords(batch).records, 2);
  assert.throws(() => encodeRecordBatch([]), /at least one record/);
});

test('reading: keys, values and tombstones with their offsets, from the asked offset on', () => {
  const blob = Buffer.concat([at(encodeRecordBatch([rec('a', '1'), rec('b', '2')]), 5n), at(encodeRecordBatch([rec('a', null)]), 7n)]);
  const all = readRecordBatches(blob, 0n);
  assert.deepEqual(
    all.records.map((r) => [r.offset, r.key?.toString(), r.value?.toString() ?? null]),
    [
      [5n, 'a', '1'],
      [6n, 'b', '2'],
      [7n, 'a', null],
    ],
  );
  assert.equal(all.nextOffset, 8n);
  const fromSix = readRecordBatches(blob, 6n);
  assert.deepEqual(
    fromSix.records.map((r) => r.offset),
    [6n, 7n],
  );
  assert.deepEqual(readRecordBatches(null, 3n), { records: [], nextOffset: 3n });
});

test('a trailing partial batch is left for the next fetch', () => {
  const first = at(encodeRecordBatch([rec('a', '1')]), 0n);
  const second = at(encodeRecordBatch([rec('b', '2')]), 1n);
  const got = readRecordBatches(Buffer.concat([first, second.subarray(0, 30)]), 0n);
  assert.equal(got.records.length, 1);
  assert.equal(got.nextOffset, 1n);
});

test('control batches are skipped but moved past', () => {
  const control = at(encodeRecordBatch([rec('x', 'y')]), 3n);
  control.writeInt16BE(0x20, 21); // control bit
  control.writeUInt32BE(crc32c(control, 21), 17);
  const got = readRecordBatches(control, 0n);
  assert.equal(got.records.length, 0);
  assert.equal(got.nextOffset, 4n);
});

test('a bad CRC or a compressed batch is refused', () => {
  const bad = at(encodeRecordBatch([rec('a', '1')]), 0n);
  bad[bad.length - 3] ^= 0xff;
  assert.throws(() => readRecordBatches(bad, 0n), /CRC mismatch/);
  const gzip = at(encodeRecordBatch([rec('a', '1')]), 0n);
  gzip.writeInt16BE(1, 21);
  gzip.writeUInt32BE(crc32c(gzip, 21), 17);
  assert.throws(() => readRecordBatches(gzip, 0n), /compressed record batch/);
});
