import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addOffsetsToTxnEnforcer as enforcer } from '../../../../../gateway/authz/enforce/transactions/add-offsets-to-txn.ts';
import { requestView, roundTripResponse, testContext } from '../context.ts';
import { sampleVersions } from './sample-versions.ts';

const KEY = 25;
const request = (version: number) => requestView(KEY, version, { transactionalId: 'tx1', producerId: 5n, producerEpoch: 0, groupId: 'g1' });

test('the enforcer covers every version of the codec tables', () => {
  assert.deepEqual(enforcer.versions, { min: 0, max: 4 });
});

for (const v of sampleVersions(enforcer)) {
  test(`v${v}: WRITE on the transactional id and READ on the group → forwarded, no memo`, () => {
    const ctx = testContext(['User:alice ALLOW WRITE TRANSACTIONAL_ID tx1', 'User:alice ALLOW READ GROUP g1']);
    assert.deepEqual(enforcer.onRequest(request(v), ctx), { action: 'forward' });
    assert.deepEqual(
      ctx.asked.map((q) => `${q.operation} ${q.type} ${q.name}`),
      ['WRITE TRANSACTIONAL_ID tx1', 'READ GROUP g1'],
    );
  });

  test(`v${v}: no WRITE on the transactional id → 53, the group not asked`, () => {
    const ctx = testContext(['User:alice ALLOW READ GROUP g1']);
    const d = enforcer.onRequest(request(v), ctx);
    assert.equal(d.action, 'answer');
    assert.deepEqual(roundTripResponse(KEY, v, d.action === 'answer' ? d.body : {}), { throttleTimeMs: 0, errorCode: 53 });
    assert.equal(ctx.asked.length, 1);
  });

  test(`v${v}: no READ on the group → 30`, () => {
    const ctx = testContext(['User:alice ALLOW WRITE TRANSACTIONAL_ID tx1', 'User:alice ALLOW DESCRIBE GROUP g1']);
    const d = enforcer.onRequest(request(v), ctx);
    assert.deepEqual(roundTripResponse(KEY, v, d.action === 'answer' ? d.body : {}), { throttleTimeMs: 0, errorCode: 30 });
  });
}
