import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Struct,
  decodeRequestFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  peekApiKey,
  peekApiVersion,
  peekCorrelationId,
  peekProduce,
  peekProduceAcks,
  peekRequestHeader,
  peekResponseCorrelationId,
  requestHeaderVersion,
} from '../../../gateway/protocol/index.ts';
import { peekProduceByDecoding } from '../../../gateway/protocol/peek.ts';
import { allApiVersions, buildBatch, generateMessage, prng, randomUuid } from './support.ts';

test('peekRequestHeader agrees with the full header decode for every api and version', () => {
  const rng = prng(3);
  for (const { apiKey, version } of allApiVersions()) {
    const hv = requestHeaderVersion(apiKey, version);
    const clientId = hv === 0 ? '' : rng() < 0.3 ? null : `client-${apiKey}-ü`;
    const header = { requestApiKey: apiKey, requestApiVersion: version, correlationId: -(apiKey * 1000 + version) | 0, clientId };
    const frame = encodeRequestFrame(header, generateMessage(rng, apiKey, version, 'request', 'defaults'));
    assert.deepEqual(peekRequestHeader(frame), { apiKey, apiVersion: version, correlationId: header.correlationId, clientId });
    assert.deepEqual(decodeRequestFrame(frame).header, header);
    assert.equal(peekApiKey(frame), apiKey);
    assert.equal(peekApiVersion(frame), version);
    assert.equal(peekCorrelationId(frame), header.correlationId);
  }
});

test('peekRequestHeader works for api keys the tables do not know', () => {
  const frame = Buffer.from('03e7000500000009000378797a', 'hex');
  assert.deepEqual(peekRequestHeader(frame), { apiKey: 999, apiVersion: 5, correlationId: 9, clientId: 'xyz' });
});

test('peekResponseCorrelationId', () => {
  const frame = encodeResponseFrame({ correlationId: 77 }, { errorCode: 0, apiKeys: [] }, 18, 3);
  assert.equal(peekResponseCorrelationId(frame), 77);
});

function produceBody(rng: () => number, version: number): Struct {
  return {
    transactionalId: version >= 3 ? (rng() < 0.5 ? null : 'tx-1') : null,
    acks: [-1, 0, 1][Math.floor(rng() * 3)],
    timeoutMs: 30000,
    topicData: [0, 1, 2].map((t) => ({
      name: version <= 12 ? `topic-${t}` : '',
      topicId: version >= 13 ? randomUuid(rng) : 'AAAAAAAAAAAAAAAAAAAAAA',
      partitionData: [0, 1].map((p) => ({
        index: p,
        records: t === 2 && p === 1 ? null : Buffer.concat([buildBatch({ records: 3 + p }), Buffer.alloc(p * 10, 0xff)]),
      })),
    })),
  };
}

test('peekProduce: acks, transactional id, topics and record positions for Produce v0–13', () => {
  const rng = prng(11);
  for (let version = 0; version <= 13; version++) {
    const body = produceBody(rng, version);
    const frame = encodeRequestFrame({ requestApiKey: 0, requestApiVersion: version, correlationId: 5, clientId: 'p' }, body);
    const peek = peekProduce(frame);
    assert.equal(peek.apiVersion, version);
    assert.equal(peek.correlationId, 5);
    assert.equal(peek.acks, body.acks);
    assert.equal(peek.timeoutMs, 30000);
    assert.equal(peek.transactionalId, body.transactionalId);
    assert.equal(peekProduceAcks(frame), body.acks);
    assert.deepEqual(peekProduceByDecoding(frame), peek, `v${version}: the hand-written walk and the table-driven decoder agree`);
    const decoded = decodeRequestFrame(frame).body;
    assert.equal(peek.topics.length, 3);
    peek.topics.forEach((t, i) => {
      const d = (decoded.topicData as Struct[])[i];
      assert.equal(t.name, version <= 12 ? d.name : null);
      assert.equal(t.topicId, version >= 13 ? d.topicId : null);
      t.partitions.forEach((p, j) => {
        const partition = (d.partitionData as Struct[])[j];
        const records = partition.records as Buffer | null;
        assert.equal(p.index, partition.index);
        if (records === null) assert.equal(p.recordsLength, -1);
        else {
          assert.equal(p.recordsLength, records.length);
          assert.equal(records.buffer, frame.buffer, 'records are a view into the frame, not a copy');
          assert.equal(records.byteOffset, frame.byteOffset + p.recordsOffset);
          assert.ok(frame.subarray(p.recordsOffset, p.recordsOffset + p.recordsLength).equals(records));
        }
      });
    });
  }
});

test('peekProduce never reads record bytes (garbage records peek fine)', () => {
  const garbage = Buffer.alloc(4096, 0xff);
  const frame = encodeRequestFrame(
    { requestApiKey: 0, requestApiVersion: 9, correlationId: 1, clientId: null },
    { transactionalId: null, acks: 0, timeoutMs: 1, topicData: [{ name: 't', partitionData: [{ index: 0, records: garbage }] }] },
  );
  const peek = peekProduce(frame);
  assert.equal(peek.acks, 0);
  assert.equal(peek.topics[0].partitions[0].recordsLength, 4096);
});
