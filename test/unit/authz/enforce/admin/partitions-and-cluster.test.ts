// CreatePartitions (37): ALTER per topic, 29 with a null message, duplicates left to the backend.
// DescribeCluster (60): no authorization; the cluster bitfield is the gateway's when requested.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPartitions } from '../../../../../gateway/authz/enforce/admin/create-partitions.ts';
import { describeCluster } from '../../../../../gateway/authz/enforce/admin/describe-cluster.ts';
import type { RequestDecision } from '../../../../../gateway/authz/enforce/enforcer.ts';
import type { Struct } from '../../../../../gateway/protocol/index.ts';
import { requestView, testContext } from '../context.ts';
import { answered, merged, rewritten } from './typed.ts';

const partitions = (...names: string[]) => ({
  topics: names.map((name) => ({ name, count: 6, assignments: null })),
  timeoutMs: 1000,
  validateOnly: false,
});

function decide37(version: number, acls: string[], body: Struct) {
  const ctx = testContext(acls);
  return { ctx, decision: createPartitions.onRequest(requestView(37, version, body), ctx) as RequestDecision };
}

test('CreatePartitions: allowed → forward; denied → 29, message null; every version', () => {
  for (const v of [0, 2, 3]) {
    assert.deepEqual(decide37(v, ['User:alice ALLOW ALTER TOPIC *'], partitions('a', 'b')).decision, { action: 'forward' });
    const { decision } = decide37(v, ['User:alice ALLOW READ TOPIC *'], partitions('a', 'b'));
    assert.equal(decision.action, 'answer', `v${v}`);
    const res = answered(37, v, decision);
    assert.deepEqual(
      res.results.map((r) => [r.name, r.errorCode, r.errorMessage]),
      [
        ['a', 29, null],
        ['b', 29, null],
      ],
    );
  }
});

test('CreatePartitions: partial → stripped and appended; duplicates stay for the backend, unasked', () => {
  const { ctx, decision } = decide37(3, ['User:alice ALLOW ALTER TOPIC a'], partitions('a', 'b', 'd', 'd'));
  assert.equal(decision.action, 'rewrite');
  assert.deepEqual(
    rewritten(37, decision).topics.map((t) => t.name),
    ['a', 'd', 'd'],
  );
  assert.ok(!ctx.asked.some((q) => q.name === 'd'));
  const backend = {
    results: [
      { name: 'd', errorCode: 42, errorMessage: 'Duplicate topic name.' },
      { name: 'a', errorCode: 0, errorMessage: null },
    ],
  };
  const res = merged(createPartitions, 3, backend, decision);
  assert.deepEqual(
    res.results.map((r) => [r.name, r.errorCode]),
    [
      ['d', 42],
      ['a', 0],
      ['b', 29],
    ],
  );
});

const clusterAnswer = (clusterAuthorizedOperations: number, errorCode = 0) => ({
  errorCode,
  errorMessage: null,
  clusterId: 'c1',
  controllerId: 1,
  brokers: [{ brokerId: 1, host: 'h', port: 9092, rack: null, isFenced: false }],
  clusterAuthorizedOperations,
});
const EVERY_CLUSTER_BIT = 0b1111111100000;

function decide60(version: number, acls: string[], include: boolean) {
  const ctx = testContext(acls);
  const body = { includeClusterAuthorizedOperations: include, endpointType: 1, includeFencedBrokers: false };
  return { ctx, decision: describeCluster.onRequest(requestView(60, version, body), ctx) as RequestDecision };
}

test('DescribeCluster: not requested → forwarded untouched, nothing asked', () => {
  for (const v of [0, 1, 2]) {
    const { ctx, decision } = decide60(v, [], false);
    assert.deepEqual(decision, { action: 'forward' });
    assert.deepEqual(ctx.asked, []);
  }
});

test('DescribeCluster: requested with DESCRIBE on the cluster → the principal bitfield replaces the backend one', () => {
  for (const v of [0, 1, 2]) {
    const { decision } = decide60(
      v,
      ['User:alice ALLOW DESCRIBE CLUSTER kafka-cluster', 'User:alice ALLOW ALTER_CONFIGS CLUSTER kafka-cluster'],
      true,
    );
    assert.equal(decision.action, 'forward');
    const res = merged(describeCluster, v, clusterAnswer(EVERY_CLUSTER_BIT), decision);
    // DESCRIBE (8), DESCRIBE_CONFIGS (10, implied by ALTER_CONFIGS), ALTER_CONFIGS (11)
    assert.equal(res.clusterAuthorizedOperations, (1 << 8) | (1 << 10) | (1 << 11));
    assert.equal(res.brokers.length, 1);
  }
});

test('DescribeCluster: requested without DESCRIBE on the cluster → 0, never an error', () => {
  const { decision } = decide60(2, ['User:alice ALLOW ALTER_CONFIGS CLUSTER kafka-cluster'], true);
  const res = merged(describeCluster, 2, clusterAnswer(EVERY_CLUSTER_BIT), decision);
  assert.equal(res.clusterAuthorizedOperations, 0);
  assert.equal(res.errorCode, 0);
});

test('DescribeCluster: a backend error answer keeps its INT_MIN', () => {
  const { decision } = decide60(1, ['User:alice ALLOW DESCRIBE CLUSTER kafka-cluster'], true);
  const res = merged(describeCluster, 1, clusterAnswer(-2147483648, 114), decision);
  assert.equal(res.clusterAuthorizedOperations, -2147483648);
});
