// Produce enforcer: the chunk-aware peek agrees with the decoder, and allowed / denied / partial / transactional
// / acks=0 / topic-id cases give the broker's decisions, codes and §2.4 defaults as a client decodes them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { produceEnforcer } from '../../../../../gateway/authz/enforce/topics/produce.ts';
import { authPeekByDecoding, peekProduceForAuthorization } from '../../../../../gateway/protocol/peek.ts';
import { ProtocolError, type Struct } from '../../../../../gateway/protocol/index.ts';
import { requestView, testContext } from '../context.ts';
import { answered, merged, sent } from './typed.ts';
import { buildBatch } from '../../../protocol/support.ts';

const PRODUCE = 0;
const VERSIONS = [3, 9, 13]; // oldest a 4.x broker serves with magic-v2 batches, first flexible, topic ids
const ID_A = 'AAAAAAAAAAAAAAAAAAAAAQ';
const ID_B = 'AAAAAAAAAAAAAAAAAAAAAg';
const ID_UNKNOWN = 'AAAAAAAAAAAAAAAAAAAAAw';
const IDS = { [ID_A]: 'a', [ID_B]: 'b' };

/** A record batch of `size` bytes whose header says magic 2 and, when asked, transactional. */
function batch(transactional = false, size = 1024): Buffer {
  const b = Buffer.alloc(size, 0x61);
  b.writeBigInt64BE(0n, 0);
  b.writeInt32BE(size - 12, 8);
  b.writeInt8(2, 16);
  b.writeInt16BE(transactional ? 0x10 : 0, 21);
  return b;
}

function body(
  version: number,
  topics: [string, number[]][],
  opts: { acks?: number; txn?: string | null; transactional?: boolean } = {},
): Struct {
  return {
    transactionalId: opts.txn ?? null,
    acks: opts.acks ?? -1,
    timeoutMs: 1000,
    topicData: topics.map(([t, parts]) => ({
      name: version >= 13 ? '' : t,
      topicId: version >= 13 ? t : undefined,
      partitionData: parts.map((index) => ({ index, records: batch(opts.transactional) })),
    })),
  };
}

const topicRef = (v: number, name: 'a' | 'b'): string => (v >= 13 ? (name === 'a' ? ID_A : ID_B) : name);

test('chunk-aware peek agrees with the decoder at every chunk size, and finds the transactional bit', () => {
  for (const v of [0, 3, 9, 12, 13]) {
    for (const transactional of [false, true]) {
      const b = body(
        v,
        [
          [topicRef(v, 'a'), [0, 1]],
          [topicRef(v, 'b'), [2]],
        ],
        { txn: v >= 3 ? 'tx' : null, transactional: transactional && v >= 3 },
      );
      const whole = requestView(PRODUCE, v, b);
      const reference = authPeekByDecoding(whole.payload);
      for (const chunkSize of [1, 7, 64, undefined]) {
        const peek = peekProduceForAuthorization(requestView(PRODUCE, v, b, { chunkSize }).parts);
        assert.deepEqual(peek, reference, `v${v} chunk ${chunkSize}`);
      }
      assert.equal(reference.transactional, transactional && v >= 3);
      assert.deepEqual(
        reference.topics.map((t) => t.name ?? t.topicId),
        [topicRef(v, 'a'), topicRef(v, 'b')],
      );
    }
  }
});

test('chunk-aware peek refuses a truncated frame with a ProtocolError', () => {
  const parts = requestView(PRODUCE, 9, body(9, [['a', [0]]]), { chunkSize: 7 }).parts;
  const cut = parts.slice(0, parts.length - 3);
  assert.throws(() => peekProduceForAuthorization(cut), ProtocolError);
});

test('all allowed: forward without memo, one WRITE question per topic', () => {
  for (const v of VERSIONS) {
    const ctx = testContext(['User:alice ALLOW WRITE TOPIC a', 'User:alice ALLOW WRITE TOPIC b'], { topicIds: IDS });
    const d = produceEnforcer.onRequest(
      requestView(
        PRODUCE,
        v,
        body(v, [
          [topicRef(v, 'a'), [0]],
          [topicRef(v, 'b'), [0, 1]],
        ]),
        { chunkSize: 7 },
      ),
      ctx,
    );
    assert.deepEqual(d, { action: 'forward' }, `v${v}`);
    assert.deepEqual(
      ctx.asked.map((q) => `${q.operation} ${q.type} ${q.name}`),
      ['WRITE TOPIC a', 'WRITE TOPIC b'],
    );
  }
});

test('all denied: answered locally with 29 in every partition and the §2.4 defaults', () => {
  for (const v of VERSIONS) {
    const ctx = testContext(['User:alice ALLOW READ TOPIC a'], { topicIds: IDS });
    const d = produceEnforcer.onRequest(requestView(PRODUCE, v, body(v, [[topicRef(v, 'a'), [0, 1]]])), ctx);
    assert.equal(d.action, 'answer', `v${v}`);
    const res = answered(PRODUCE, v, d);
    assert.equal(res.responses.length, 1);
    const t = res.responses[0];
    if (v >= 13) assert.equal(t.topicId, ID_A);
    else assert.equal(t.name, 'a');
    assert.deepEqual(
      t.partitionResponses.map((p) => [
        p.index,
        p.errorCode,
        p.baseOffset,
        p.logAppendTimeMs,
        p.logStartOffset,
        p.recordErrors.length,
        p.errorMessage,
      ]),
      [
        [0, 29, -1n, -1n, -1n, 0, null],
        [1, 29, -1n, -1n, -1n, 0, null],
      ],
    );
  }
});

test('partial: denied topics stripped upstream and merged after the backend answer', () => {
  for (const v of VERSIONS) {
    const ctx = testContext(['User:alice ALLOW WRITE TOPIC a'], { topicIds: IDS });
    const d = produceEnforcer.onRequest(
      requestView(
        PRODUCE,
        v,
        body(v, [
          [topicRef(v, 'a'), [0]],
          [topicRef(v, 'b'), [3]],
        ]),
      ),
      ctx,
    );
    assert.equal(d.action, 'rewrite', `v${v}`);
    const again = sent(PRODUCE, v, d);
    assert.deepEqual(
      again.topicData.map((t) => (v >= 13 ? t.topicId : t.name)),
      [topicRef(v, 'a')],
    );
    // The rewritten request still encodes, records untouched.
    assert.equal(again.topicData[0].partitionData[0].records!.length, 1024);
    const backend = {
      responses: [{ name: 'a', topicId: ID_A, partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 42n }] }],
      throttleTimeMs: 0,
    };
    const res = merged(produceEnforcer, v, backend, d, ctx);
    assert.deepEqual(
      res.responses.map((t) => [v >= 13 ? t.topicId : t.name, t.partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset])]),
      [
        [topicRef(v, 'a'), [[0, 0, 42n]]],
        [topicRef(v, 'b'), [[3, 29, -1n]]],
      ],
    );
  }
});

test('transactional first batch: WRITE on the transactional id first; denied → 53 in every partition', () => {
  for (const v of VERSIONS) {
    const ctx = testContext(['User:alice ALLOW WRITE TOPIC a', 'User:alice ALLOW WRITE TOPIC b'], { topicIds: IDS });
    const req = requestView(
      PRODUCE,
      v,
      body(
        v,
        [
          [topicRef(v, 'a'), [0]],
          [topicRef(v, 'b'), [1, 2]],
        ],
        { txn: 'tx', transactional: true },
      ),
      { chunkSize: 7 },
    );
    const d = produceEnforcer.onRequest(req, ctx);
    assert.equal(d.action, 'answer');
    const res = answered(PRODUCE, v, d);
    assert.deepEqual(
      res.responses.flatMap((t) => t.partitionResponses.map((p) => p.errorCode)),
      [53, 53, 53],
    );
    assert.deepEqual(ctx.asked[0], { operation: 'WRITE', type: 'TRANSACTIONAL_ID', name: 'tx', quiet: false });
    // Allowed transactional id: topics decide.
    const ok = testContext(
      ['User:alice ALLOW WRITE TRANSACTIONAL_ID tx', 'User:alice ALLOW WRITE TOPIC a', 'User:alice ALLOW WRITE TOPIC b'],
      { topicIds: IDS },
    );
    assert.deepEqual(produceEnforcer.onRequest(req, ok), { action: 'forward' });
    // A non-transactional batch does not look at the transactional id at all.
    const plain = requestView(PRODUCE, v, body(v, [[topicRef(v, 'a'), [0]]], { txn: 'tx' }));
    const c3 = testContext(['User:alice ALLOW WRITE TOPIC a'], { topicIds: IDS });
    assert.deepEqual(produceEnforcer.onRequest(plain, c3), { action: 'forward' });
    assert.equal(c3.asked.filter((q) => q.type === 'TRANSACTIONAL_ID').length, 0);
  }
});

test('acks=0 with any denial closes the connection; all allowed forwards', () => {
  for (const v of VERSIONS) {
    const ctx = testContext(['User:alice ALLOW WRITE TOPIC a'], { topicIds: IDS });
    const partial = requestView(
      PRODUCE,
      v,
      body(
        v,
        [
          [topicRef(v, 'a'), [0]],
          [topicRef(v, 'b'), [0]],
        ],
        { acks: 0 },
      ),
    );
    assert.equal(produceEnforcer.onRequest(partial, ctx).action, 'close');
    const txn = requestView(PRODUCE, v, body(v, [[topicRef(v, 'a'), [0]]], { acks: 0, txn: 'tx', transactional: true }));
    assert.equal(produceEnforcer.onRequest(txn, ctx).action, 'close');
    const ok = requestView(PRODUCE, v, body(v, [[topicRef(v, 'a'), [0]]], { acks: 0 }));
    assert.deepEqual(produceEnforcer.onRequest(ok, ctx), { action: 'forward', noAnswer: true });
  }
});

test('v13 unknown topic id: resolved first, then 100 before authorization', () => {
  const ctx = testContext(['User:alice ALLOW WRITE TOPIC a'], { topicIds: IDS });
  const b = body(13, [
    [ID_A, [0]],
    [ID_UNKNOWN, [0, 1]],
  ]);
  assert.deepEqual(produceEnforcer.onRequest(requestView(PRODUCE, 13, b), ctx), { action: 'resolve-topic-ids', topicIds: [ID_UNKNOWN] });
  const d = produceEnforcer.onRequest(requestView(PRODUCE, 13, b, { topicIdsResolved: true }), ctx);
  assert.equal(d.action, 'rewrite');
  const res = merged(produceEnforcer, 13, { responses: [], throttleTimeMs: 0 }, d, ctx);
  assert.deepEqual(
    res.responses.map((t) => [t.topicId, t.partitionResponses.map((p) => p.errorCode)]),
    [[ID_UNKNOWN, [100, 100]]],
  );
  assert.equal(ctx.asked.filter((q) => q.name !== 'a').length, 0, 'the unknown id is never authorized');
});

test('the peek counts records from batch headers and bytes per topic; only forwarded topics are reported as produced', () => {
  for (const v of VERSIONS) {
    const b = body(v, [
      [topicRef(v, 'a'), [0, 1]],
      [topicRef(v, 'b'), [3]],
    ]);
    // Two partitions of `a`: 4 + (2 + 3) records; `b`: one batch of 7 records (a control batch adds none).
    const batches = [Buffer.concat([buildBatch({ records: 4 })]), Buffer.concat([buildBatch({ records: 2 }), buildBatch({ records: 3 })])];
    const topicData = b.topicData as Struct[];
    (topicData[0].partitionData as Struct[]).forEach((p, i) => (p.records = batches[i]));
    (topicData[1].partitionData as Struct[])[0].records = Buffer.concat([
      buildBatch({ records: 7, payload: 100 }),
      buildBatch({ records: 1, attributes: 0x20 }),
    ]);
    const reference = authPeekByDecoding(requestView(PRODUCE, v, b).payload);
    assert.deepEqual(
      reference.topics.map((t) => [t.records, t.bytes]),
      [
        [9, 71 + 142],
        [7, 161 + 71],
      ],
      `v${v}`,
    );
    assert.deepEqual(peekProduceForAuthorization(requestView(PRODUCE, v, b, { chunkSize: 5 }).parts), reference, `v${v} chunked`);

    const produced: Array<[string, number, number]> = [];
    const ctx = {
      ...testContext(['User:alice ALLOW WRITE TOPIC a'], { topicIds: IDS }),
      produced: (...c: [string, number, number]) => void produced.push(c),
    };
    assert.equal(produceEnforcer.onRequest(requestView(PRODUCE, v, b), ctx).action, 'rewrite');
    assert.deepEqual(produced, [['a', 9, 213]], `v${v}: the denied topic is not counted`);
  }
});
