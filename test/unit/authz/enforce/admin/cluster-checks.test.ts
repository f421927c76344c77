// The single-CLUSTER-check table: for every row and every version the codec holds, a principal with the
// operation is forwarded untouched (no memo), and one without it gets the API's whole-request denial,
// checked in the bytes a client decodes (error code and placement, echoed items, messages).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLUSTER_CHECK_ENFORCERS } from '../../../../../gateway/authz/enforce/admin/cluster-checks.ts';
import type { AnyEnforcer, RequestDecision } from '../../../../../gateway/authz/enforce/enforcer.ts';
import { type ResponseBody, type Struct, type TypedApiKey, apiName, versionRange } from '../../../../../gateway/protocol/index.ts';
import { applyResponse, requestView, testContext } from '../context.ts';
import { answered } from './typed.ts';

const DIR_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
const CUSTOM = /^Request \w+\(apiVersion=\d+, clientId=test-client, correlationId=7\) needs (ALTER|DESCRIBE|CLUSTER_ACTION) permission\.$/;
const DEFAULT_31 = 'Cluster authorization failed.';

type Key = 34 | 35 | 43 | 45 | 46 | 48 | 49 | 50 | 51 | 55 | 57 | 64 | 74 | 80 | 81 | 83 | 84 | 85 | 86 | 87;
type Row<K extends Key> = {
  op: string;
  request: Struct;
  /** when the request's fields differ by version */
  requestAt?: (version: number) => Struct;
  check: (res: ResponseBody<K>, version: number) => void;
};

const every = <T>(items: T[], f: (x: T) => void) => {
  assert.ok(items.length > 0, 'nothing to check');
  items.forEach(f);
};

const ROWS: { [K in Key]: Row<K> } = {
  34: {
    op: 'ALTER',
    request: {
      dirs: [
        {
          path: '/d1',
          topics: [
            { name: 'a', partitions: [0, 1] },
            { name: 'b', partitions: [2] },
          ],
        },
        { path: '/d2', topics: [{ name: 'a', partitions: [3] }] },
      ],
    },
    check: (res) => {
      assert.deepEqual(
        res.results.map((r) => [r.topicName, r.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
        [
          [
            'a',
            [
              [0, 31],
              [1, 31],
            ],
          ],
          ['b', [[2, 31]]],
          ['a', [[3, 31]]],
        ],
      );
    },
  },
  35: {
    op: 'DESCRIBE',
    request: { topics: [{ topic: 'a', partitions: [0] }] },
    check: (res, v) => {
      assert.deepEqual(res.results, []);
      // v0–2 have no top-level error: the empty answer is the whole denial.
      assert.equal(res.errorCode, v >= 3 ? 31 : 0);
    },
  },
  43: {
    op: 'ALTER',
    request: { electionType: 0, topicPartitions: [{ topic: 'a', partitions: [0, 1] }], timeoutMs: 1000 },
    check: (res, v) => {
      assert.equal(res.errorCode, v >= 1 ? 31 : 0);
      assert.equal(res.replicaElectionResults[0].topic, 'a');
      every(res.replicaElectionResults[0].partitionResult, (p) => {
        assert.equal(p.errorCode, 31);
        assert.match(p.errorMessage ?? '', CUSTOM);
      });
      assert.deepEqual(
        res.replicaElectionResults[0].partitionResult.map((p) => p.partitionId),
        [0, 1],
      );
    },
  },
  45: {
    op: 'ALTER',
    request: { timeoutMs: 1000, topics: [{ name: 'a', partitions: [{ partitionIndex: 4, replicas: [1, 2] }] }] },
    check: (res) => {
      assert.equal(res.errorCode, 31);
      assert.match(res.errorMessage ?? '', CUSTOM);
      assert.equal(res.responses[0].name, 'a');
      every(res.responses[0].partitions, (p) => {
        assert.equal(p.partitionIndex, 4);
        assert.equal(p.errorCode, 31);
        assert.match(p.errorMessage ?? '', CUSTOM);
      });
    },
  },
  46: {
    op: 'DESCRIBE',
    request: { timeoutMs: 1000, topics: [{ name: 'a', partitionIndexes: [0, 1] }] },
    check: (res) => {
      assert.equal(res.errorCode, 31);
      assert.match(res.errorMessage ?? '', CUSTOM);
      assert.deepEqual(res.topics[0].partitions, [
        { partitionIndex: 0, replicas: [], addingReplicas: [], removingReplicas: [] },
        { partitionIndex: 1, replicas: [], addingReplicas: [], removingReplicas: [] },
      ]);
    },
  },
  48: {
    op: 'DESCRIBE_CONFIGS',
    request: { components: [{ entityType: 'user', matchType: 0, match: 'bob' }], strict: false },
    check: (res) => {
      assert.equal(res.errorCode, 31);
      assert.equal(res.errorMessage, null);
      assert.equal(res.entries, null);
    },
  },
  49: {
    op: 'ALTER_CONFIGS',
    request: {
      entries: [
        { entity: [{ entityType: 'user', entityName: 'bob' }], ops: [{ key: 'producer_byte_rate', value: 1, remove: false }] },
        { entity: [{ entityType: 'client-id', entityName: null }], ops: [] },
      ],
      validateOnly: false,
    },
    check: (res) => {
      assert.deepEqual(
        res.entries.map((e) => [e.errorCode, e.errorMessage, e.entity]),
        [
          [31, DEFAULT_31, [{ entityType: 'user', entityName: 'bob' }]],
          [31, DEFAULT_31, [{ entityType: 'client-id', entityName: null }]],
        ],
      );
    },
  },
  50: {
    op: 'DESCRIBE',
    request: { users: [{ name: 'bob' }, { name: 'carol' }] },
    check: (res) => {
      assert.equal(res.errorCode, 31);
      assert.equal(res.errorMessage, null);
      assert.deepEqual(res.results, [
        { user: '', errorCode: 31, errorMessage: null, credentialInfos: [] },
        { user: '', errorCode: 31, errorMessage: null, credentialInfos: [] },
      ]);
    },
  },
  51: {
    op: 'ALTER',
    request: {
      deletions: [{ name: 'zed', mechanism: 1 }],
      upsertions: [
        { name: 'amy', mechanism: 1, iterations: 4096, salt: Buffer.from('s'), saltedPassword: Buffer.from('p') },
        { name: 'zed', mechanism: 2, iterations: 4096, salt: Buffer.from('s'), saltedPassword: Buffer.from('p') },
      ],
    },
    check: (res) => {
      assert.deepEqual(
        res.results.map((r) => [r.user, r.errorCode]),
        [
          ['amy', 31],
          ['zed', 31],
        ],
      );
      every(res.results, (r) => assert.match(r.errorMessage ?? '', CUSTOM));
    },
  },
  55: {
    op: 'DESCRIBE',
    request: { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] },
    check: (res, v) => {
      assert.equal(res.errorCode, 31);
      if (v >= 2) assert.equal(res.errorMessage, DEFAULT_31);
      assert.deepEqual(res.topics, []);
    },
  },
  57: {
    op: 'ALTER',
    request: {
      timeoutMs: 1000,
      featureUpdates: [{ feature: 'metadata.version', maxVersionLevel: 20, allowDowngrade: false, upgradeType: 1 }],
      validateOnly: false,
    },
    check: (res, v) => {
      assert.equal(res.errorCode, 31);
      assert.match(res.errorMessage ?? '', CUSTOM);
      if (v <= 1) assert.deepEqual(res.results, []);
    },
  },
  64: {
    op: 'ALTER',
    request: { brokerId: 3 },
    check: (res) => {
      assert.equal(res.errorCode, 31);
      assert.match(res.errorMessage ?? '', CUSTOM);
    },
  },
  74: {
    op: 'DESCRIBE_CONFIGS',
    request: {},
    requestAt: (v) => (v >= 1 ? { resourceTypes: [16] } : {}),
    check: (res) => {
      assert.equal(res.errorCode, 31);
      assert.deepEqual(res.configResources, []);
    },
  },
  80: {
    op: 'ALTER',
    request: {
      clusterId: 'c',
      timeoutMs: 1000,
      voterId: 1,
      voterDirectoryId: DIR_ID,
      listeners: [{ name: 'CONTROLLER', host: 'h', port: 9093 }],
      ackWhenCommitted: true,
    },
    check: (res) => {
      assert.equal(res.errorCode, 31);
      assert.equal(res.errorMessage, DEFAULT_31);
    },
  },
  81: {
    op: 'ALTER',
    request: { clusterId: 'c', voterId: 1, voterDirectoryId: DIR_ID },
    check: (res) => {
      assert.equal(res.errorCode, 31);
      assert.equal(res.errorMessage, DEFAULT_31);
    },
  },
  83: shareStateRow(DEFAULT_31),
  84: shareStateRow(DEFAULT_31),
  85: shareStateRow(DEFAULT_31),
  86: shareStateRow(DEFAULT_31),
  87: shareStateRow(DEFAULT_31),
};

/** Share-state RPCs: every requested (topic id, partition) comes back with 31 (and the text where the API has one). */
function shareStateRow<K extends 83 | 84 | 85 | 86 | 87>(message: string | null): Row<K> {
  return {
    op: 'CLUSTER_ACTION',
    request: { groupId: 'g', topics: [{ topicId: DIR_ID, partitions: [{ partition: 0 }, { partition: 3 }] }] },
    check: (res) => {
      const results = (
        res as {
          results: Array<{ topicId: string; partitions: Array<{ partition: number; errorCode: number; errorMessage: string | null }> }>;
        }
      ).results;
      assert.deepEqual(
        results.map((r) => [r.topicId, r.partitions.map((p) => [p.partition, p.errorCode, p.errorMessage])]),
        [
          [
            DIR_ID,
            [
              [0, 31, message],
              [3, 31, message],
            ],
          ],
        ],
      );
    },
  };
}

function decide(e: AnyEnforcer, version: number, body: Struct, acls: string[]) {
  const ctx = testContext(acls);
  const decision = e.onRequest(requestView(e.apiKey as TypedApiKey, version, body), ctx) as RequestDecision;
  return { decision, ctx };
}

test('the table covers exactly the single-cluster-check APIs, each at every version of the codec', () => {
  assert.deepEqual(
    CLUSTER_CHECK_ENFORCERS.map((e) => e.apiKey),
    Object.keys(ROWS).map(Number),
  );
  for (const e of CLUSTER_CHECK_ENFORCERS) assert.deepEqual(e.versions, versionRange(e.apiKey), apiName(e.apiKey));
});

for (const e of CLUSTER_CHECK_ENFORCERS as readonly AnyEnforcer[]) {
  const row = ROWS[e.apiKey as Key] as Row<Key>;
  const name = apiName(e.apiKey as number);
  test(`${name} (${e.apiKey}): allowed with ${row.op} on the cluster → forwarded, no memo`, () => {
    for (let v = e.versions.min; v <= e.versions.max; v++) {
      const { decision, ctx } = decide(e, v, row.requestAt?.(v) ?? row.request, [`User:alice ALLOW ${row.op} CLUSTER kafka-cluster`]);
      assert.deepEqual(decision, { action: 'forward' }, `v${v}`);
      assert.deepEqual(ctx.asked, [{ operation: row.op, type: 'CLUSTER', name: 'kafka-cluster', quiet: false }]);
    }
  });
  test(`${name} (${e.apiKey}): denied → the whole-request error where a broker puts it, every version`, () => {
    for (let v = e.versions.min; v <= e.versions.max; v++) {
      // Rights on every other resource do not help: only the cluster operation counts.
      const { decision } = decide(e, v, row.requestAt?.(v) ?? row.request, [
        'User:alice ALLOW ALL TOPIC *',
        'User:bob ALLOW ALL CLUSTER kafka-cluster',
      ]);
      row.check(answered(e.apiKey, v, decision) as never, v);
    }
  });
}

test('ElectLeaders with a null partition list (all partitions) is denied with no per-partition results', () => {
  const e = CLUSTER_CHECK_ENFORCERS.find((x) => x.apiKey === 43) as AnyEnforcer;
  const { decision } = decide(e, 2, { electionType: 0, topicPartitions: null, timeoutMs: 1000 }, []);
  const res = answered(43, 2, decision);
  assert.equal(res.errorCode, 31);
  assert.deepEqual(res.replicaElectionResults, []);
});

test('DescribeUserScramCredentials for all users (null list) is denied at the top level with no results', () => {
  const e = CLUSTER_CHECK_ENFORCERS.find((x) => x.apiKey === 50) as AnyEnforcer;
  const { decision } = decide(e, 0, { users: null }, []);
  const res = answered(50, 0, decision);
  assert.equal(res.errorCode, 31);
  assert.deepEqual(res.results, []);
});

test('ListPartitionReassignments for all reassignments (null topics) is denied with no topics', () => {
  const e = CLUSTER_CHECK_ENFORCERS.find((x) => x.apiKey === 46) as AnyEnforcer;
  const { decision } = decide(e, 0, { timeoutMs: 1000, topics: null }, []);
  const res = answered(46, 0, decision);
  assert.equal(res.errorCode, 31);
  assert.deepEqual(res.topics, []);
});

test('a super user passes the cluster check without any ACL', () => {
  const e = CLUSTER_CHECK_ENFORCERS.find((x) => x.apiKey === 64) as AnyEnforcer;
  const ctx = testContext([], { superUsers: ['User:alice'] });
  assert.deepEqual(e.onRequest(requestView(64, 0, { brokerId: 1 }), ctx), { action: 'forward' });
});

test('listings a cluster permission shows whole leave out the managed ACL topic (ListConfigResources, DescribeLogDirs, ElectLeaders, ListPartitionReassignments)', () => {
  const admin = ['User:alice ALLOW DESCRIBE_CONFIGS CLUSTER kafka-cluster', 'User:alice ALLOW DESCRIBE CLUSTER kafka-cluster'];
  const ctx = testContext(admin, { reservedTopics: ['__gatehouse_acls'] });
  const list = CLUSTER_CHECK_ENFORCERS.find((x) => x.apiKey === 74) as AnyEnforcer;
  const listDecision = list.onRequest(requestView(74, 1, { resourceTypes: [] }), ctx);
  assert.deepEqual(listDecision, { action: 'forward', memo: true });
  const listed = applyResponse(
    list,
    1,
    {
      errorCode: 0,
      configResources: [
        { resourceName: 'orders', resourceType: 2 },
        { resourceName: '__gatehouse_acls', resourceType: 2 },
        { resourceName: '__gatehouse_acls', resourceType: 16 },
      ],
    },
    true,
    ctx,
  ) as { configResources: Array<{ resourceName: string; resourceType: number }> };
  assert.deepEqual(
    listed.configResources.map((r) => [r.resourceName, r.resourceType]),
    [
      ['orders', 2],
      ['__gatehouse_acls', 16],
    ],
    'only the TOPIC resource of that name goes (a client-metrics resource may share the name)',
  );

  const logDirs = CLUSTER_CHECK_ENFORCERS.find((x) => x.apiKey === 35) as AnyEnforcer;
  const dirsDecision = logDirs.onRequest(requestView(35, 4, { topics: null }), ctx);
  assert.deepEqual(dirsDecision, { action: 'forward', memo: true });
  const dirs = applyResponse(
    logDirs,
    4,
    {
      errorCode: 0,
      results: [
        {
          errorCode: 0,
          logDir: '/data',
          topics: [
            { name: '__gatehouse_acls', partitions: [] },
            { name: 'orders', partitions: [] },
          ],
          totalBytes: -1n,
          usableBytes: -1n,
        },
      ],
    },
    true,
    ctx,
  ) as { results: Array<{ topics: Array<{ name: string }> }> };
  assert.deepEqual(
    dirs.results[0].topics.map((t) => t.name),
    ['orders'],
  );

  const alter = testContext(['User:alice ALLOW ALTER CLUSTER kafka-cluster', 'User:alice ALLOW DESCRIBE CLUSTER kafka-cluster'], {
    reservedTopics: ['__gatehouse_acls'],
  });
  const elect = CLUSTER_CHECK_ENFORCERS.find((x) => x.apiKey === 43) as AnyEnforcer;
  assert.deepEqual(elect.onRequest(requestView(43, 2, { electionType: 0, topicPartitions: null, timeoutMs: 1000 }), alter), {
    action: 'forward',
    memo: true,
  });
  const elected = applyResponse(
    elect,
    2,
    {
      errorCode: 0,
      replicaElectionResults: [
        { topic: '__gatehouse_acls', partitionResult: [{ partitionId: 0, errorCode: 0, errorMessage: null }] },
        { topic: 'orders', partitionResult: [{ partitionId: 0, errorCode: 0, errorMessage: null }] },
      ],
    },
    true,
    alter,
  ) as { replicaElectionResults: Array<{ topic: string }> };
  assert.deepEqual(
    elected.replicaElectionResults.map((r) => r.topic),
    ['orders'],
  );
  const reassignments = CLUSTER_CHECK_ENFORCERS.find((x) => x.apiKey === 46) as AnyEnforcer;
  const listedReassignments = applyResponse(
    reassignments,
    0,
    {
      errorCode: 0,
      errorMessage: null,
      topics: [
        { name: '__gatehouse_acls', partitions: [] },
        { name: 'orders', partitions: [] },
      ],
    },
    true,
    alter,
  ) as { topics: Array<{ name: string }> };
  assert.deepEqual(
    listedReassignments.topics.map((t) => t.name),
    ['orders'],
  );

  // Without reserved topics (mode without a managed topic) nothing is decoded: a plain forward.
  assert.deepEqual(list.onRequest(requestView(74, 1, { resourceTypes: [] }), testContext(admin)), { action: 'forward' });
});
