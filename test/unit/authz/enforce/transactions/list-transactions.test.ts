import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listTransactionsEnforcer as enforcer } from '../../../../../gateway/authz/enforce/transactions/list-transactions.ts';
import type { ResponseBody } from '../../../../../gateway/protocol/index.ts';
import { applyResponse, requestView, testContext } from '../context.ts';
import { sampleVersions } from './sample-versions.ts';

const KEY = 66;

test('the enforcer covers every version of the codec tables', () => {
  assert.deepEqual(enforcer.versions, { min: 0, max: 2 });
});

for (const v of sampleVersions(enforcer)) {
  test(`v${v}: forwarded; the answer keeps only the transactions the principal may DESCRIBE`, () => {
    // WRITE implies DESCRIBE (§1.2).
    const ctx = testContext(['User:alice ALLOW DESCRIBE TRANSACTIONAL_ID app. PREFIXED', 'User:alice ALLOW WRITE TRANSACTIONAL_ID mine']);
    const d = enforcer.onRequest(requestView(KEY, v, { stateFilters: ['Ongoing'], producerIdFilters: [] }), ctx);
    assert.equal(d.action, 'forward');
    assert.ok(d.action === 'forward' && d.memo !== undefined, 'a memo: the answer must be filtered');
    assert.equal(ctx.asked.length, 0, 'nothing is asked about the request');
    const backend = {
      throttleTimeMs: 0,
      errorCode: 0,
      unknownStateFilters: [],
      transactionStates: [
        { transactionalId: 'app.1', producerId: 1n, transactionState: 'Ongoing' },
        { transactionalId: 'other', producerId: 2n, transactionState: 'Ongoing' },
        { transactionalId: 'mine', producerId: 3n, transactionState: 'Ongoing' },
      ],
    };
    const merged = applyResponse(enforcer, v, backend, d.action === 'forward' ? d.memo : undefined, ctx);
    assert.deepEqual(
      (merged.transactionStates as ResponseBody<66>['transactionStates']).map((s) => s.transactionalId),
      ['app.1', 'mine'],
    );
    assert.equal(merged.errorCode, 0);
    assert.ok(ctx.asked.every((q) => q.quiet && q.operation === 'DESCRIBE' && q.type === 'TRANSACTIONAL_ID'));
    assert.equal(ctx.asked.length, 3);
  });
}

test('nothing describable → an empty list, never an error', () => {
  const ctx = testContext([]);
  const d = enforcer.onRequest(requestView(KEY, 2, { stateFilters: [], producerIdFilters: [] }), ctx);
  const backend = {
    throttleTimeMs: 0,
    errorCode: 0,
    unknownStateFilters: [],
    transactionStates: [{ transactionalId: 't', producerId: 1n, transactionState: 'Ongoing' }],
  };
  const merged = applyResponse(enforcer, 2, backend, d.action === 'forward' ? d.memo : undefined, ctx);
  assert.deepEqual(merged.transactionStates, []);
  assert.equal(merged.errorCode, 0);
});
