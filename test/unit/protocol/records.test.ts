// Record-batch header peeking and counting (spec §6, Appendix A item 51).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  countFetchRecords,
  countProduceRecords,
  countRecords,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  isTransactional,
  readBatchHeader,
} from '../../../gateway/protocol/index.ts';
import { buildBatch } from './support.ts';

test('item 51: recordsCount 10, batchLength 500 → 10 records, 512 bytes', () => {
  const batch = buildBatch({ records: 10, payload: 500 - 49 });
  assert.equal(batch.readInt32BE(8), 500);
  const c = countRecords(batch);
  assert.equal(c.records, 10);
  assert.equal(c.bytes, 512);
  assert.equal(c.batches, 1);
  assert.equal(c.truncatedBytes, 0);
  assert.equal(c.malformed, false);
});

test('item 51: a truncated trailing batch is not counted', () => {
  const blob = Buffer.concat([buildBatch({ records: 4 }), buildBatch({ records: 7, payload: 100 }).subarray(0, 90)]);
  const c = countRecords(blob);
  assert.equal(c.batches, 1);
  assert.equal(c.records, 4);
  assert.equal(c.bytes, 71);
  assert.equal(c.truncatedBytes, 90);
  // Fewer than 12 bytes left: also a partial batch.
  assert.equal(countRecords(Buffer.concat([buildBatch(), Buffer.alloc(5)])).truncatedBytes, 5);
});

test('item 51: a control batch is not counted as user records', () => {
  const blob = Buffer.concat([buildBatch({ records: 5, attributes: 0x10 }), buildBatch({ records: 1, attributes: 0x30 })]);
  const c = countRecords(blob);
  assert.equal(c.records, 5);
  assert.equal(c.controlBatches, 1);
  assert.equal(c.controlRecords, 1);
  assert.equal(c.batches, 2);
  assert.equal(c.bytes, 142);
  assert.ok(isTransactional(c));
  assert.equal(isTransactional(countRecords(buildBatch())), false);
});

test('batch header fields, compression and flags without decompressing', () => {
  const b = buildBatch({ records: 3, attributes: 0x04 | 0x08 | 0x10, producerId: 42n });
  const h = readBatchHeader(b)!;
  assert.equal(h.magic, 2);
  assert.equal(h.batchLength, b.length - 12);
  assert.equal(h.compression, 4);
  assert.equal(h.timestampType, 1);
  assert.equal(h.transactional, true);
  assert.equal(h.control, false);
  assert.equal(h.producerId, 42n);
  assert.equal(h.producerEpoch, -1);
  assert.equal(h.recordCount, 3);
  assert.equal(h.lastOffsetDelta, 2);
  assert.equal(readBatchHeader(b.subarray(0, 60)), null);
  assert.equal(readBatchHeader(buildBatch({ magic: 1 })), null);
});

test('legacy (magic 0/1) message sets count one message each; bad input never throws', () => {
  const legacy = Buffer.alloc(12 + 30);
  legacy.writeInt32BE(30, 8);
  legacy.writeInt8(1, 16);
  const c = countRecords(Buffer.concat([legacy, buildBatch({ records: 2 })]));
  assert.equal(c.legacyMessages, 1);
  assert.equal(c.records, 3);
  assert.equal(c.batches, 2);
  const neg = Buffer.alloc(20);
  neg.writeInt32BE(-5, 8);
  assert.equal(countRecords(neg).malformed, true);
  const short = buildBatch();
  short.writeInt32BE(20, 8); // v2 batch shorter than its header
  assert.equal(countRecords(short.subarray(0, 32)).malformed, true);
  assert.deepEqual(countRecords(null).batches, 0);
  assert.deepEqual(countRecords(Buffer.alloc(0), 5, 2).batches, 0);
  assert.deepEqual(countRecords('x' as never).batches, 0);
});

test('counts per topic-partition of a Produce request and a Fetch response', () => {
  const produce = encodeRequestFrame(
    { requestApiKey: 0, requestApiVersion: 9, correlationId: 1, clientId: 'c' },
    {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [
        {
          name: 'a',
          partitionData: [
            { index: 0, records: buildBatch({ records: 10, payload: 451 }) },
            { index: 1, records: null },
          ],
        },
        { name: 'b', partitionData: [{ index: 3, records: Buffer.concat([buildBatch({ records: 2 }), buildBatch({ records: 3 })]) }] },
      ],
    },
  );
  const pc = countProduceRecords(produce).map(({ topic, partition, records, bytes }) => ({ topic, partition, records, bytes }));
  assert.deepEqual(pc, [
    { topic: 'a', partition: 0, records: 10, bytes: 512 },
    { topic: 'a', partition: 1, records: 0, bytes: 0 },
    { topic: 'b', partition: 3, records: 5, bytes: 142 },
  ]);

  const fetchFrame = encodeResponseFrame(
    { correlationId: 2 },
    {
      responses: [
        {
          topic: 'a',
          partitions: [
            {
              partitionIndex: 0,
              highWatermark: 10n,
              records: Buffer.concat([buildBatch({ records: 4 }), buildBatch({ records: 9 }).subarray(0, 40)]),
            },
          ],
        },
      ],
    },
    1,
    11,
  );
  const { body } = decodeResponseFrame(fetchFrame, 1, 11);
  const fc = countFetchRecords(body);
  assert.equal(fc.length, 1);
  assert.equal(fc[0].topic, 'a');
  assert.equal(fc[0].records, 4);
  assert.equal(fc[0].truncatedBytes, 40);
});
