import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeTxnMarkersEnforcer as enforcer } from '../../../../../gateway/authz/enforce/transactions/write-txn-markers.ts';
import type { ResponseBody } from '../../../../../gateway/protocol/index.ts';
import { requestView, roundTripResponse, testContext } from '../context.ts';
import { sampleVersions } from './sample-versions.ts';

const KEY = 27;
const marker = (producerId: bigint, topics: { name: string; partitionIndexes: number[] }[]) => ({
  producerId,
  producerEpoch: 1,
  transactionResult: true,
  topics,
  coordinatorEpoch: 3,
});
const request = (version: number) =>
  requestView(KEY, version, {
    markers: [
      marker(10n, [
        { name: 'a', partitionIndexes: [0, 1] },
        { name: 'b', partitionIndexes: [2] },
      ]),
      marker(11n, [{ name: 'a', partitionIndexes: [0] }]),
    ],
  });

test('the enforcer covers every version of the codec tables', () => {
  assert.deepEqual(enforcer.versions, { min: 0, max: 2 });
});

for (const v of sampleVersions(enforcer)) {
  test(`v${v}: ALTER on the cluster → forwarded; asked first, quietly`, () => {
    const ctx = testContext(['User:alice ALLOW ALTER CLUSTER kafka-cluster']);
    assert.deepEqual(enforcer.onRequest(request(v), ctx), { action: 'forward' });
    assert.deepEqual(ctx.asked, [{ operation: 'ALTER', type: 'CLUSTER', name: 'kafka-cluster', quiet: true }]);
  });

  test(`v${v}: CLUSTER_ACTION on the cluster → forwarded; asked second, audited`, () => {
    const ctx = testContext(['User:alice ALLOW CLUSTER_ACTION CLUSTER kafka-cluster']);
    assert.deepEqual(enforcer.onRequest(request(v), ctx), { action: 'forward' });
    assert.deepEqual(ctx.asked[1], { operation: 'CLUSTER_ACTION', type: 'CLUSTER', name: 'kafka-cluster', quiet: false });
  });

  test(`v${v}: neither → 31 in every partition of every marker, one result per producer id`, () => {
    const ctx = testContext(['User:alice ALLOW ALL TOPIC *', 'User:alice ALLOW DESCRIBE CLUSTER kafka-cluster']);
    const d = enforcer.onRequest(request(v), ctx);
    assert.equal(d.action, 'answer');
    const body = roundTripResponse(KEY, v, d.action === 'answer' ? d.body : {});
    const seen = (body.markers as ResponseBody<typeof KEY>['markers']).map((m) => ({
      producerId: m.producerId,
      topics: m.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
    }));
    assert.deepEqual(seen, [
      {
        producerId: 10n,
        topics: [
          [
            'a',
            [
              [0, 31],
              [1, 31],
            ],
          ],
          ['b', [[2, 31]]],
        ],
      },
      { producerId: 11n, topics: [['a', [[0, 31]]]] },
    ]);
  });
}
