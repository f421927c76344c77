// The per-topic counts of a Fetch answer, read from batch headers while every other field is skipped:
// they must agree with counting the decoder's view (records.ts) at every Fetch version, in one Buffer
// or cut into small chunks (a large answer arrives in many), and refuse malformed frames.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  API_KEY,
  ProtocolError,
  countFetchRecords,
  decodeResponseFrame,
  encodeResponseFrame,
  versionRange,
  walkFetchRecords,
} from '../../../gateway/protocol/index.ts';
import { buildBatch, prng, randomUuid } from './support.ts';

type TopicCount = { topic: string; records: number; bytes: number };

function fetchAnswer(version: number): Buffer {
  const rand = prng(version);
  const partition = (index: number, records: Buffer | null) => ({
    partitionIndex: index,
    errorCode: 0,
    highWatermark: 100n,
    lastStableOffset: 100n,
    logStartOffset: 0n,
    abortedTransactions: index === 1 ? [{ producerId: 9n, firstOffset: 3n }] : null,
    preferredReadReplica: -1,
    records,
  });
  const body = {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: version >= 7 ? 7 : 0,
    responses: [
      {
        topic: 'orders',
        topicId: randomUuid(rand),
        partitions: [
          partition(0, Buffer.concat([buildBatch({ records: 4 }), buildBatch({ records: 6, payload: 300 })])),
          partition(1, null),
          // A control batch (not user records) and a partial trailing batch (not counted, its bytes are).
          partition(2, Buffer.concat([buildBatch({ records: 1, attributes: 0x20 }), buildBatch({ records: 9 }).subarray(0, 40)])),
        ],
      },
      { topic: 'payments', topicId: randomUuid(rand), partitions: [partition(0, buildBatch({ records: 11, payload: 1000 }))] },
      { topic: 'empty', topicId: randomUuid(rand), partitions: [] },
    ],
    nodeEndpoints: version >= 16 ? [{ nodeId: 1, host: 'kafka-1', port: 9092, rack: null }] : [],
  };
  return encodeResponseFrame({ correlationId: 42 }, body, API_KEY.Fetch, version);
}

/** The reference: the decoder's body, counted per partition by records.ts and summed per topic. */
function byDecoding(frame: Buffer, version: number): TopicCount[] {
  const { body } = decodeResponseFrame(frame, API_KEY.Fetch, version);
  const out: TopicCount[] = [];
  for (const t of body.responses as Array<{ topic?: string; topicId?: string; partitions: Array<{ records: Buffer | null }> }>) {
    const counts = countFetchRecords({ responses: [t] });
    out.push({
      topic: version >= 13 ? t.topicId! : t.topic!,
      records: counts.reduce((n, c) => n + c.records, 0),
      bytes: t.partitions.reduce((n, p) => n + (p.records?.length ?? 0), 0),
    });
  }
  return out;
}

function walked(frame: Buffer | Buffer[], version: number): TopicCount[] {
  const out: TopicCount[] = [];
  walkFetchRecords(frame, version, (name, topicId, records, bytes) => out.push({ topic: (name ?? topicId)!, records, bytes }));
  return out;
}

function chunks(frame: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < frame.length; i += size) out.push(frame.subarray(i, i + size));
  return out;
}

test('every Fetch version: per-topic records and bytes agree with the decoder, whole or in 7-byte chunks', () => {
  const { min, max } = versionRange(API_KEY.Fetch)!;
  for (let v = min; v <= max; v++) {
    const frame = fetchAnswer(v);
    const expected = byDecoding(frame, v);
    assert.deepEqual(
      expected.map((t) => t.records),
      [10, 11, 0],
      `Fetch v${v}: the fixture holds 10 + 11 user records`,
    );
    assert.deepEqual(walked(frame, v), expected, `Fetch v${v} whole`);
    assert.deepEqual(walked(chunks(frame, 7), v), expected, `Fetch v${v} chunked`);
  }
});

test('a truncated Fetch answer is a ProtocolError, not a wrong count', () => {
  const frame = fetchAnswer(12);
  assert.throws(() => walked(frame.subarray(0, frame.length - 1200), 12), ProtocolError);
});
