import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeTransactionsEnforcer as enforcer } from '../../../../../gateway/authz/enforce/transactions/describe-transactions.ts';
import type { ResponseBody } from '../../../../../gateway/protocol/index.ts';
import { applyResponse, requestView, roundTripResponse, testContext } from '../context.ts';

const KEY = 65;
type States = ResponseBody<typeof KEY>['transactionStates'];
const V = 0;
const request = (ids: string[]) => requestView(KEY, V, { transactionalIds: ids });
const state = (id: string, topics: string[]) => ({
  errorCode: 0,
  transactionalId: id,
  transactionState: 'Ongoing',
  transactionTimeoutMs: 60000,
  transactionStartTimeMs: 1700000000000n,
  producerId: 9n,
  producerEpoch: 2,
  topics: topics.map((topic) => ({ topic, partitions: [0, 1] })),
});

test('the enforcer covers every version of the codec tables', () => {
  assert.deepEqual(enforcer.versions, { min: 0, max: 0 });
});

test('every id describable → forwarded with a memo: the topics inside the states are filtered (quietly)', () => {
  const ctx = testContext(['User:alice ALLOW DESCRIBE TRANSACTIONAL_ID *', 'User:alice ALLOW DESCRIBE TOPIC a']);
  const d = enforcer.onRequest(request(['t1', 't2']), ctx);
  assert.equal(d.action, 'forward');
  if (d.action !== 'forward') return;
  const merged = applyResponse(
    enforcer,
    V,
    { throttleTimeMs: 0, transactionStates: [state('t1', ['a', 'secret']), state('t2', ['secret'])] },
    d.memo,
    ctx,
  );
  const states = merged.transactionStates as States;
  assert.deepEqual(
    states.map((s) => [s.transactionalId, s.topics.map((t) => t.topic)]),
    [
      ['t1', ['a']],
      ['t2', []],
    ],
  );
  assert.equal(states[0].transactionState, 'Ongoing');
  assert.deepEqual(
    ctx.asked.filter((q) => q.type === 'TOPIC'),
    [
      { operation: 'DESCRIBE', type: 'TOPIC', name: 'a', quiet: true },
      { operation: 'DESCRIBE', type: 'TOPIC', name: 'secret', quiet: true },
    ],
  );
  // The per-id checks are audited.
  assert.ok(ctx.asked.filter((q) => q.type === 'TRANSACTIONAL_ID').every((q) => !q.quiet));
});

test('some ids denied → rewritten without them; 53 entries merged back in request order', () => {
  const ctx = testContext(['User:alice ALLOW DESCRIBE TRANSACTIONAL_ID t2', 'User:alice ALLOW DESCRIBE TOPIC *']);
  const d = enforcer.onRequest(request(['t1', 't2', 't3']), ctx);
  assert.equal(d.action, 'rewrite');
  if (d.action !== 'rewrite') return;
  assert.deepEqual(requestView(KEY, V, d.body).body().transactionalIds, ['t2']);
  const merged = applyResponse(enforcer, V, { throttleTimeMs: 0, transactionStates: [state('t2', ['a'])] }, d.memo, ctx);
  const states = merged.transactionStates as States;
  assert.deepEqual(
    states.map((s) => [s.transactionalId, s.errorCode]),
    [
      ['t1', 53],
      ['t2', 0],
      ['t3', 53],
    ],
  );
  assert.deepEqual(states[0], {
    errorCode: 53,
    transactionalId: 't1',
    transactionState: '',
    transactionTimeoutMs: 0,
    transactionStartTimeMs: 0n,
    producerId: 0n,
    producerEpoch: 0,
    topics: [],
  });
});

test('every id denied → answered locally with 53 entries in request order', () => {
  const ctx = testContext(['User:alice ALLOW DESCRIBE TOPIC *']);
  const d = enforcer.onRequest(request(['t1', 't2']), ctx);
  assert.equal(d.action, 'answer');
  const body = roundTripResponse(KEY, V, d.action === 'answer' ? d.body : {});
  assert.deepEqual(
    (body.transactionStates as States).map((s) => [s.transactionalId, s.errorCode, s.topics.length]),
    [
      ['t1', 53, 0],
      ['t2', 53, 0],
    ],
  );
  assert.equal(body.throttleTimeMs, 0);
});

test('a state the backend returns for an id that was not authorized is not passed on', () => {
  const ctx = testContext(['User:alice ALLOW DESCRIBE TRANSACTIONAL_ID t1', 'User:alice ALLOW DESCRIBE TOPIC *']);
  const d = enforcer.onRequest(request(['t1', 'other']), ctx);
  assert.equal(d.action, 'rewrite');
  if (d.action !== 'rewrite') return;
  const merged = applyResponse(
    enforcer,
    V,
    { throttleTimeMs: 0, transactionStates: [state('other', ['a']), state('t1', ['a'])] },
    d.memo,
    ctx,
  );
  assert.deepEqual(
    (merged.transactionStates as States).map((s) => [s.transactionalId, s.errorCode]),
    [
      ['t1', 0],
      ['other', 53],
    ],
  );
});

test('no ids → forwarded untouched, no memo', () => {
  const ctx = testContext([]);
  assert.deepEqual(enforcer.onRequest(request([]), ctx), { action: 'forward' });
});
