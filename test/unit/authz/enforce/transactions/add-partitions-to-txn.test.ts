import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addPartitionsToTxnEnforcer as enforcer } from '../../../../../gateway/authz/enforce/transactions/add-partitions-to-txn.ts';
import type { Struct } from '../../../../../gateway/protocol/index.ts';
import { requestView, roundTripResponse, testContext } from '../context.ts';
import { sampleVersions } from './sample-versions.ts';

const KEY = 24;
const TX_WRITE = 'User:alice ALLOW WRITE TRANSACTIONAL_ID tx1';

const producerRequest = (version: number, topics: { name: string; partitions: number[] }[]) =>
  requestView(KEY, version, {
    v3AndBelowTransactionalId: 'tx1',
    v3AndBelowProducerId: 5n,
    v3AndBelowProducerEpoch: 0,
    v3AndBelowTopics: topics,
  });

function answered(d: ReturnType<typeof enforcer.onRequest>, version: number): Struct {
  assert.equal(d.action, 'answer');
  return roundTripResponse(KEY, version, d.action === 'answer' ? d.body : {});
}

/** topic → partition → error code, as a client reads the v0–3 answer. */
function codes(body: Struct): Record<string, Record<number, number>> {
  const out: Record<string, Record<number, number>> = {};
  for (const t of body.resultsByTopicV3AndBelow as {
    name: string;
    resultsByPartition: { partitionIndex: number; partitionErrorCode: number }[];
  }[]) {
    out[t.name] = Object.fromEntries(t.resultsByPartition.map((p) => [p.partitionIndex, p.partitionErrorCode]));
  }
  return out;
}

test('the enforcer covers every version of the codec tables', () => {
  assert.deepEqual(enforcer.versions, { min: 0, max: 5 });
});

describe('v0–3 (producers)', () => {
  for (const v of sampleVersions(enforcer, 0, 3)) {
    test(`v${v}: WRITE on the transactional id and every topic → forwarded, no memo`, () => {
      const ctx = testContext([TX_WRITE, 'User:alice ALLOW WRITE TOPIC a', 'User:alice ALLOW WRITE TOPIC b']);
      const d = enforcer.onRequest(
        producerRequest(v, [
          { name: 'a', partitions: [0, 1] },
          { name: 'b', partitions: [0] },
        ]),
        ctx,
      );
      assert.deepEqual(d, { action: 'forward' });
      assert.deepEqual(
        ctx.asked.map((q) => `${q.operation} ${q.type} ${q.name}`),
        ['WRITE TRANSACTIONAL_ID tx1', 'WRITE TOPIC a', 'WRITE TOPIC b'],
      );
    });

    test(`v${v}: no WRITE on the transactional id → 53 in every requested partition, topics not asked`, () => {
      const ctx = testContext(['User:alice ALLOW WRITE TOPIC *']);
      const body = answered(
        enforcer.onRequest(
          producerRequest(v, [
            { name: 'a', partitions: [0, 1] },
            { name: 'b', partitions: [2] },
          ]),
          ctx,
        ),
        v,
      );
      assert.deepEqual(codes(body), { a: { 0: 53, 1: 53 }, b: { 2: 53 } });
      assert.equal(body.throttleTimeMs, 0);
      assert.equal(ctx.asked.length, 1);
    });

    test(`v${v}: one denied topic → its partitions 29, every other partition 55, answered locally`, () => {
      const ctx = testContext([TX_WRITE, 'User:alice ALLOW WRITE TOPIC a']);
      const body = answered(
        enforcer.onRequest(
          producerRequest(v, [
            { name: 'a', partitions: [0, 1] },
            { name: 'secret', partitions: [0, 3] },
          ]),
          ctx,
        ),
        v,
      );
      assert.deepEqual(codes(body), { a: { 0: 55, 1: 55 }, secret: { 0: 29, 3: 29 } });
    });
  }

  test('internal topics are never authorized, not even by ALLOW ALL, and never asked about', () => {
    const ctx = testContext([TX_WRITE, 'User:alice ALLOW ALL TOPIC *']);
    const body = answered(
      enforcer.onRequest(
        producerRequest(3, [
          { name: 'a', partitions: [0] },
          { name: '__consumer_offsets', partitions: [7] },
          { name: '__transaction_state', partitions: [1] },
          { name: '__share_group_state', partitions: [2] },
        ]),
        ctx,
      ),
      3,
    );
    assert.deepEqual(codes(body), {
      a: { 0: 55 },
      __consumer_offsets: { 7: 29 },
      __transaction_state: { 1: 29 },
      __share_group_state: { 2: 29 },
    });
    assert.deepEqual(
      ctx.asked.map((q) => q.name),
      ['tx1', 'a'],
    );
  });

  test('a topic named twice is asked about once and answered as one result', () => {
    const ctx = testContext([TX_WRITE]);
    const body = answered(
      enforcer.onRequest(
        producerRequest(1, [
          { name: 'x', partitions: [0] },
          { name: 'x', partitions: [1, 0] },
        ]),
        ctx,
      ),
      1,
    );
    assert.deepEqual(codes(body), { x: { 0: 29, 1: 29 } });
    assert.equal(ctx.asked.filter((q) => q.name === 'x').length, 1);
  });
});

describe('v4–5 (brokers verifying partitions)', () => {
  const brokerRequest = (version: number) =>
    requestView(KEY, version, {
      transactions: [
        { transactionalId: 'tx1', producerId: 5n, producerEpoch: 0, verifyOnly: true, topics: [{ name: 'a', partitions: [0] }] },
      ],
    });

  for (const v of [4, 5]) {
    test(`v${v}: CLUSTER_ACTION → forwarded; no transactional id or topic question`, () => {
      const ctx = testContext(['User:alice ALLOW CLUSTER_ACTION CLUSTER kafka-cluster']);
      assert.deepEqual(enforcer.onRequest(brokerRequest(v), ctx), { action: 'forward' });
      assert.deepEqual(ctx.asked, [{ operation: 'CLUSTER_ACTION', type: 'CLUSTER', name: 'kafka-cluster', quiet: false }]);
    });

    test(`v${v}: no CLUSTER_ACTION → top-level 31, no results`, () => {
      const ctx = testContext([TX_WRITE, 'User:alice ALLOW WRITE TOPIC *']);
      const body = answered(enforcer.onRequest(brokerRequest(v), ctx), v);
      assert.equal(body.errorCode, 31);
      assert.deepEqual(body.resultsByTransaction, []);
    });
  }
});
