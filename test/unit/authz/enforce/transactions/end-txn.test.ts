import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endTxnEnforcer as enforcer } from '../../../../../gateway/authz/enforce/transactions/end-txn.ts';
import { requestView, roundTripResponse, testContext } from '../context.ts';
import { sampleVersions } from './sample-versions.ts';

const KEY = 26;
const request = (version: number) =>
  requestView(KEY, version, { transactionalId: 'tx1', producerId: 5n, producerEpoch: 0, committed: true });

test('the enforcer covers every version of the codec tables', () => {
  assert.deepEqual(enforcer.versions, { min: 0, max: 5 });
});

for (const v of sampleVersions(enforcer)) {
  test(`v${v}: WRITE on the transactional id → forwarded, no memo`, () => {
    const ctx = testContext(['User:alice ALLOW WRITE TRANSACTIONAL_ID tx1']);
    assert.deepEqual(enforcer.onRequest(request(v), ctx), { action: 'forward' });
    assert.deepEqual(ctx.asked, [{ operation: 'WRITE', type: 'TRANSACTIONAL_ID', name: 'tx1', quiet: false }]);
  });

  test(`v${v}: without it → 53 at the top level (v5: producer id and epoch −1)`, () => {
    const ctx = testContext(['User:alice ALLOW DESCRIBE TRANSACTIONAL_ID tx1']);
    const d = enforcer.onRequest(request(v), ctx);
    assert.equal(d.action, 'answer');
    const body = roundTripResponse(KEY, v, d.action === 'answer' ? d.body : {});
    assert.equal(body.errorCode, 53);
    assert.equal(body.throttleTimeMs, 0);
    if (v >= 5) assert.deepEqual([body.producerId, body.producerEpoch], [-1n, -1]);
  });
}
