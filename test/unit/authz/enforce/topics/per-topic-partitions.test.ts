// ListOffsets, OffsetForLeaderEpoch, DeleteRecords, DescribeProducers: one operation per topic, 29 in every
// requested partition of a denied topic with the §2.4 defaults, at the oldest, a middle and the newest version.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnyEnforcer } from '../../../../../gateway/authz/enforce/enforcer.ts';
import { deleteRecordsEnforcer } from '../../../../../gateway/authz/enforce/topics/delete-records.ts';
import { describeProducersEnforcer } from '../../../../../gateway/authz/enforce/topics/describe-producers.ts';
import { listOffsetsEnforcer } from '../../../../../gateway/authz/enforce/topics/list-offsets.ts';
import { offsetForLeaderEpochEnforcer } from '../../../../../gateway/authz/enforce/topics/offset-for-leader-epoch.ts';
import type { RequestBody, ResponseBody, Struct, TypedApiKey } from '../../../../../gateway/protocol/index.ts';
import { applyResponse, requestView, roundTripResponse, testContext } from '../context.ts';

/** What the assertions read of a response, whichever API it is. */
interface TopicView {
  name: string;
  partitions: { index: number; errorCode: number; defaults: unknown[] }[];
}

interface Case {
  enforcer: AnyEnforcer;
  versions: number[];
  operation: string;
  request(topics: [string, number[]][]): Struct;
  /** The backend's answer for allowed topics. */
  backend(topics: [string, number[]][]): Struct;
  /** The topic names of a request as the backend decodes it. */
  namesOf(request: Struct): string[];
  /** The topics of a decoded response, with the §2.4 fields of each partition. */
  view(response: Struct): TopicView[];
  /** The §2.4 defaults a denied partition carries. */
  expectedDefaults: unknown[];
}

const cases: Record<string, Case> = {
  ListOffsets: {
    enforcer: listOffsetsEnforcer,
    versions: [0, 5, 11],
    operation: 'DESCRIBE',
    request: (topics) => ({
      replicaId: -1,
      isolationLevel: 0,
      topics: topics.map(([name, ps]) => ({ name, partitions: ps.map((partitionIndex) => ({ partitionIndex, timestamp: -1n })) })),
    }),
    backend: (topics) => ({
      topics: topics.map(([name, ps]) => ({ name, partitions: ps.map((partitionIndex) => ({ partitionIndex, errorCode: 0 })) })),
    }),
    namesOf: (r) => (r as RequestBody<2>).topics.map((t) => t.name),
    view: (r) =>
      (r as ResponseBody<2>).topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          index: p.partitionIndex,
          errorCode: p.errorCode,
          defaults: [p.timestamp, p.offset, p.leaderEpoch],
        })),
      })),
    expectedDefaults: [-1n, -1n, -1],
  },
  OffsetForLeaderEpoch: {
    enforcer: offsetForLeaderEpochEnforcer,
    versions: [0, 2, 4],
    operation: 'DESCRIBE',
    request: (topics) => ({
      replicaId: -1,
      topics: topics.map(([topic, ps]) => ({ topic, partitions: ps.map((partition) => ({ partition, leaderEpoch: 3 })) })),
    }),
    backend: (topics) => ({
      topics: topics.map(([topic, ps]) => ({
        topic,
        partitions: ps.map((partition) => ({ errorCode: 0, partition, leaderEpoch: 3, endOffset: 9n })),
      })),
    }),
    namesOf: (r) => (r as RequestBody<23>).topics.map((t) => t.topic),
    view: (r) =>
      (r as ResponseBody<23>).topics.map((t) => ({
        name: t.topic,
        partitions: t.partitions.map((p) => ({ index: p.partition, errorCode: p.errorCode, defaults: [p.leaderEpoch, p.endOffset] })),
      })),
    expectedDefaults: [-1, -1n],
  },
  DeleteRecords: {
    enforcer: deleteRecordsEnforcer,
    versions: [0, 1, 2],
    operation: 'DELETE',
    request: (topics) => ({
      topics: topics.map(([name, ps]) => ({ name, partitions: ps.map((partitionIndex) => ({ partitionIndex, offset: 5n })) })),
      timeoutMs: 1000,
    }),
    backend: (topics) => ({
      throttleTimeMs: 0,
      topics: topics.map(([name, ps]) => ({
        name,
        partitions: ps.map((partitionIndex) => ({ partitionIndex, lowWatermark: 5n, errorCode: 0 })),
      })),
    }),
    namesOf: (r) => (r as RequestBody<21>).topics.map((t) => t.name),
    view: (r) =>
      (r as ResponseBody<21>).topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ index: p.partitionIndex, errorCode: p.errorCode, defaults: [p.lowWatermark] })),
      })),
    expectedDefaults: [-1n],
  },
  DescribeProducers: {
    enforcer: describeProducersEnforcer,
    versions: [0],
    operation: 'READ',
    request: (topics) => ({ topics: topics.map(([name, partitionIndexes]) => ({ name, partitionIndexes })) }),
    backend: (topics) => ({
      throttleTimeMs: 0,
      topics: topics.map(([name, ps]) => ({
        name,
        partitions: ps.map((partitionIndex) => ({ partitionIndex, errorCode: 0, activeProducers: [] })),
      })),
    }),
    namesOf: (r) => (r as RequestBody<61>).topics.map((t) => t.name),
    view: (r) =>
      (r as ResponseBody<61>).topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          index: p.partitionIndex,
          errorCode: p.errorCode,
          defaults: [p.errorMessage, p.activeProducers.length],
        })),
      })),
    expectedDefaults: ['Topic authorization failed.', 0],
  },
};

const allow = (c: Case, topic: string): string => `User:alice ALLOW ${c.operation} TOPIC ${topic}`;

for (const [api, c] of Object.entries(cases)) {
  test(`${api}: all allowed → forward without memo`, () => {
    for (const v of c.versions) {
      const ctx = testContext([allow(c, 'a'), allow(c, 'b')]);
      const d = c.enforcer.onRequest(
        requestView(
          c.enforcer.apiKey,
          v,
          c.request([
            ['a', [0]],
            ['b', [1]],
          ]),
        ),
        ctx,
      );
      assert.deepEqual(d, { action: 'forward' }, `v${v}`);
      assert.deepEqual(
        ctx.asked.filter((q) => q.type === 'TOPIC').map((q) => `${q.operation} ${q.name}`),
        [`${c.operation} a`, `${c.operation} b`],
      );
    }
  });

  test(`${api}: all denied → answered locally, 29 in every partition with the §2.4 defaults`, () => {
    for (const v of c.versions) {
      const ctx = testContext([allow(c, 'other')]);
      const d = c.enforcer.onRequest(requestView(c.enforcer.apiKey, v, c.request([['a', [0, 2]]])), ctx);
      assert.equal(d.action, 'answer', `v${v}`);
      const res = c.view(roundTripResponse(c.enforcer.apiKey as number, v, (d as { body: Struct }).body));
      assert.deepEqual(
        res.map((t) => [t.name, t.partitions.map((p) => [p.index, p.errorCode, ...p.defaults])]),
        [
          [
            'a',
            [
              [0, 29, ...c.expectedDefaults],
              [2, 29, ...c.expectedDefaults],
            ],
          ],
        ],
      );
    }
  });

  test(`${api}: partial → denied topic stripped upstream, appended after the backend's topics`, () => {
    for (const v of c.versions) {
      const ctx = testContext([allow(c, 'a')]);
      const d = c.enforcer.onRequest(
        requestView(
          c.enforcer.apiKey,
          v,
          c.request([
            ['b', [1]],
            ['a', [0]],
          ]),
        ),
        ctx,
      );
      assert.equal(d.action, 'rewrite', `v${v}`);
      const rw = d as { body: Struct; memo: unknown };
      assert.deepEqual(c.namesOf(requestView(c.enforcer.apiKey as TypedApiKey, v, rw.body).body()), ['a']);
      const res = c.view(applyResponse(c.enforcer, v, c.backend([['a', [0]]]), rw.memo, ctx));
      assert.deepEqual(
        res.map((t) => [t.name, t.partitions.map((p) => [p.index, p.errorCode])]),
        [
          ['a', [[0, 0]]],
          ['b', [[1, 29]]],
        ],
      );
    }
  });
}

test('OffsetForLeaderEpoch: CLUSTER_ACTION on the cluster (asked quietly, first) lets every topic through', () => {
  const ctx = testContext(['User:alice ALLOW CLUSTER_ACTION CLUSTER kafka-cluster']);
  const d = offsetForLeaderEpochEnforcer.onRequest(requestView(23, 4, cases.OffsetForLeaderEpoch.request([['a', [0]]])), ctx);
  assert.deepEqual(d, { action: 'forward' });
  assert.deepEqual(ctx.asked, [{ operation: 'CLUSTER_ACTION', type: 'CLUSTER', name: 'kafka-cluster', quiet: true }]);
});

test('DescribeProducers: an invalid topic name is left to the backend (its validation error comes first)', () => {
  const ctx = testContext([]);
  const d = describeProducersEnforcer.onRequest(requestView(61, 0, cases.DescribeProducers.request([['bad name!', [0]]])), ctx);
  assert.deepEqual(d, { action: 'forward' });
  assert.equal(ctx.asked.length, 0);
});
