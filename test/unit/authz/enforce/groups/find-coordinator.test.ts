// FindCoordinator (10): DESCRIBE on group (30) / transactional id (53); v0–3 single answer with the
// default message, v4+ per key; key type 2 needs CLUSTER_ACTION (31 for every key), 42 before v6.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findCoordinator } from '../../../../../gateway/authz/enforce/groups/find-coordinator.ts';
import { answered, decide, forwardedWithoutMemo, rewritten, afterResponse } from './helpers.ts';

test('FindCoordinator v0: group denied → 30, NodeId −1, Host "", Port −1', () => {
  const body = answered(findCoordinator, 0, decide(findCoordinator, 0, { key: 'g' }, []).decision);
  assert.deepEqual([body.errorCode, body.nodeId, body.host, body.port], [30, -1, '', -1]);
});

test('FindCoordinator v0: allowed group → forward', () => {
  forwardedWithoutMemo(decide(findCoordinator, 0, { key: 'g' }, ['User:alice ALLOW DESCRIBE GROUP g']).decision);
});

for (const version of [1, 3]) {
  test(`FindCoordinator v${version}: transactional id denied → 53 with the default message`, () => {
    const { decision, ctx } = decide(findCoordinator, version, { key: 'tx', keyType: 1 }, ['User:alice ALLOW DESCRIBE GROUP tx']);
    const body = answered(findCoordinator, version, decision);
    assert.deepEqual(
      [body.errorCode, body.errorMessage, body.nodeId, body.host, body.port, body.throttleTimeMs],
      [53, 'Transactional Id authorization failed.', -1, '', -1, 0],
    );
    assert.deepEqual(ctx.asked, [{ operation: 'DESCRIBE', type: 'TRANSACTIONAL_ID', name: 'tx', quiet: false }]);
  });

  test(`FindCoordinator v${version}: group denied → 30 with the default message`, () => {
    const body = answered(findCoordinator, version, decide(findCoordinator, version, { key: 'g', keyType: 0 }, []).decision);
    assert.deepEqual([body.errorCode, body.errorMessage], [30, 'Group authorization failed.']);
  });
}

for (const version of [4, 6]) {
  test(`FindCoordinator v${version}: per key — denied keys answered by the gateway (empty message, as 4.3 sends), the rest asked`, () => {
    const { decision, ctx } = decide(findCoordinator, version, { keyType: 0, coordinatorKeys: ['g1', 'g2', 'g3'] }, [
      'User:alice ALLOW DESCRIBE GROUP g1',
      'User:alice ALLOW READ GROUP g3',
    ]);
    const { body, memo } = rewritten(findCoordinator, version, decision);
    assert.deepEqual(body.coordinatorKeys, ['g1', 'g3']);
    const backend = {
      coordinators: [
        { key: 'g1', nodeId: 1, host: 'b1', port: 9092, errorCode: 0, errorMessage: null },
        { key: 'g3', nodeId: 1, host: 'b1', port: 9092, errorCode: 0, errorMessage: null },
      ],
    };
    const merged = afterResponse(findCoordinator, version, backend, memo, ctx);
    assert.deepEqual(
      merged.coordinators.map(
        (c: { key: string; nodeId: number; host: string; port: number; errorCode: number; errorMessage: string | null }) => [
          c.key,
          c.errorCode,
          c.nodeId,
          c.host,
          c.port,
          c.errorMessage,
        ],
      ),
      [
        ['g1', 0, 1, 'b1', 9092, null],
        ['g3', 0, 1, 'b1', 9092, null],
        ['g2', 30, -1, '', -1, ''],
      ],
    );
  });

  test(`FindCoordinator v${version}: every key denied → answered locally; all allowed → forward`, () => {
    const body = answered(
      findCoordinator,
      version,
      decide(findCoordinator, version, { keyType: 1, coordinatorKeys: ['t1', 't2'] }, []).decision,
    );
    assert.deepEqual(
      body.coordinators.map((c: { key: string; errorCode: number }) => [c.key, c.errorCode]),
      [
        ['t1', 53],
        ['t2', 53],
      ],
    );
    const acls = ['User:alice ALLOW DESCRIBE TRANSACTIONAL_ID t', 'User:alice ALLOW WRITE TRANSACTIONAL_ID u'];
    forwardedWithoutMemo(decide(findCoordinator, version, { keyType: 1, coordinatorKeys: ['t', 'u'] }, acls).decision);
  });
}

test('FindCoordinator v6: share key type needs CLUSTER_ACTION — denied → 31 for every key', () => {
  const req = { keyType: 2, coordinatorKeys: ['g:AAAAAAAAAAAAAAAAAAAAAQ:0', 'g:AAAAAAAAAAAAAAAAAAAAAQ:1'] };
  const body = answered(findCoordinator, 6, decide(findCoordinator, 6, req, ['User:alice ALLOW ALL GROUP *']).decision);
  assert.deepEqual(
    body.coordinators.map((c) => [c.errorCode, c.errorMessage]),
    [
      [31, 'Cluster authorization failed.'],
      [31, 'Cluster authorization failed.'],
    ],
  );
  forwardedWithoutMemo(decide(findCoordinator, 6, req, ['User:alice ALLOW CLUSTER_ACTION CLUSTER kafka-cluster']).decision);
});

test('FindCoordinator v3 and v5: share key type does not exist yet → 42 without asking the policy', () => {
  const v3 = decide(findCoordinator, 3, { key: 'g:x:0', keyType: 2 }, []);
  assert.equal(answered(findCoordinator, 3, v3.decision).errorCode, 42);
  const v5 = decide(findCoordinator, 5, { keyType: 2, coordinatorKeys: ['a', 'b'] }, []);
  assert.deepEqual(
    answered(findCoordinator, 5, v5.decision).coordinators.map((c: { errorCode: number }) => c.errorCode),
    [42, 42],
  );
  assert.deepEqual([...v3.ctx.asked, ...v5.ctx.asked], []);
});
