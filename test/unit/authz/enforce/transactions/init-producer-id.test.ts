import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { initProducerIdEnforcer as enforcer } from '../../../../../gateway/authz/enforce/transactions/init-producer-id.ts';
import { requestView, roundTripResponse, testContext } from '../context.ts';
import { sampleVersions } from './sample-versions.ts';

const KEY = 22;
const request = (version: number, transactionalId: string | null, enable2Pc = false) =>
  requestView(KEY, version, { transactionalId, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1, enable2Pc });

test('the enforcer covers every version of the codec tables', () => {
  assert.deepEqual(enforcer.versions, { min: 0, max: 6 });
});

describe('transactional producer', () => {
  for (const v of sampleVersions(enforcer)) {
    test(`v${v}: WRITE on the transactional id → forwarded untouched, no memo`, () => {
      const ctx = testContext(['User:alice ALLOW WRITE TRANSACTIONAL_ID tx1']);
      assert.deepEqual(enforcer.onRequest(request(v, 'tx1'), ctx), { action: 'forward' });
      assert.deepEqual(ctx.asked, [{ operation: 'WRITE', type: 'TRANSACTIONAL_ID', name: 'tx1', quiet: false }]);
    });

    test(`v${v}: no WRITE on the transactional id → 53, producer id and epoch −1`, () => {
      const ctx = testContext(['User:alice ALLOW DESCRIBE TRANSACTIONAL_ID tx1', 'User:alice ALLOW ALL CLUSTER kafka-cluster']);
      const d = enforcer.onRequest(request(v, 'tx1'), ctx);
      assert.equal(d.action, 'answer');
      const body = roundTripResponse(KEY, v, d.action === 'answer' ? d.body : {});
      assert.equal(body.errorCode, 53);
      assert.equal(body.producerId, -1n);
      assert.equal(body.producerEpoch, -1);
      assert.equal(body.throttleTimeMs, 0);
      if (v >= 6) {
        assert.equal(body.ongoingTxnProducerId, -1n);
        assert.equal(body.ongoingTxnProducerEpoch, -1);
      }
    });
  }

  test('v6 two-phase commit also needs TWO_PHASE_COMMIT on the transactional id', () => {
    const writeOnly = testContext(['User:alice ALLOW WRITE TRANSACTIONAL_ID tx1']);
    const d = enforcer.onRequest(request(6, 'tx1', true), writeOnly);
    assert.equal(d.action === 'answer' && roundTripResponse(KEY, 6, d.body).errorCode, 53);
    assert.deepEqual(
      writeOnly.asked.map((q) => q.operation),
      ['WRITE', 'TWO_PHASE_COMMIT'],
    );
    const both = testContext(['User:alice ALLOW WRITE TRANSACTIONAL_ID tx1', 'User:alice ALLOW TWO_PHASE_COMMIT TRANSACTIONAL_ID tx1']);
    assert.deepEqual(enforcer.onRequest(request(6, 'tx1', true), both), { action: 'forward' });
  });

  test('TWO_PHASE_COMMIT is not asked when WRITE is already denied, nor without Enable2Pc', () => {
    const ctx = testContext([]);
    enforcer.onRequest(request(6, 'tx1', true), ctx);
    assert.deepEqual(
      ctx.asked.map((q) => q.operation),
      ['WRITE'],
    );
    const plain = testContext(['User:alice ALLOW WRITE TRANSACTIONAL_ID tx1']);
    assert.deepEqual(enforcer.onRequest(request(6, 'tx1', false), plain), { action: 'forward' });
    assert.equal(plain.asked.length, 1);
  });
});

describe('idempotent producer (no transactional id)', () => {
  for (const v of sampleVersions(enforcer)) {
    test(`v${v}: IDEMPOTENT_WRITE on the cluster → forwarded; asked first and quietly`, () => {
      const ctx = testContext(['User:alice ALLOW IDEMPOTENT_WRITE CLUSTER kafka-cluster']);
      assert.deepEqual(enforcer.onRequest(request(v, null), ctx), { action: 'forward' });
      assert.deepEqual(ctx.asked, [{ operation: 'IDEMPOTENT_WRITE', type: 'CLUSTER', name: 'kafka-cluster', quiet: true }]);
    });

    test(`v${v}: WRITE on one topic is enough (KIP-679)`, () => {
      const ctx = testContext(['User:alice ALLOW WRITE TOPIC orders']);
      assert.deepEqual(enforcer.onRequest(request(v, null), ctx), { action: 'forward' });
      assert.deepEqual(
        ctx.asked.map((q) => q.operation),
        ['IDEMPOTENT_WRITE', 'ANY-OF-TYPE'],
      );
      assert.deepEqual(ctx.asked[1], { operation: 'ANY-OF-TYPE', type: 'TOPIC', name: 'WRITE', quiet: false });
    });

    test(`v${v}: neither → 31, producer id and epoch −1`, () => {
      // READ implies DESCRIBE only; "authorize by resource type" uses no implication (§1.7).
      const ctx = testContext(['User:alice ALLOW READ TOPIC orders', 'User:alice ALLOW WRITE TRANSACTIONAL_ID *']);
      const d = enforcer.onRequest(request(v, null), ctx);
      assert.equal(d.action, 'answer');
      const body = roundTripResponse(KEY, v, d.action === 'answer' ? d.body : {});
      assert.deepEqual([body.errorCode, body.producerId, body.producerEpoch], [31, -1n, -1]);
    });
  }

  test('a DENY on every topic wins over an ALLOW on one (§1.7)', () => {
    const ctx = testContext(['User:alice ALLOW WRITE TOPIC orders', 'User:alice DENY WRITE TOPIC *']);
    const d = enforcer.onRequest(request(4, null), ctx);
    assert.equal(d.action === 'answer' && roundTripResponse(KEY, 4, d.body).errorCode, 31);
  });
});
