// ShareFetch (78) and ShareAcknowledge (79): null group 42, READ group → top-level 30, topics by id
// (unknown → resolve, then 100), READ per topic → 29 per partition; ShareFetch answers re-checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareAcknowledge } from '../../../../../gateway/authz/enforce/groups/share-acknowledge.ts';
import { shareFetch } from '../../../../../gateway/authz/enforce/groups/share-fetch.ts';
import { answered, decide, forwardedWithoutMemo, rewritten, afterResponse } from './helpers.ts';

const ID_A = 'AAAAAAAAAAAAAAAAAAAAAQ';
const ID_B = 'AAAAAAAAAAAAAAAAAAAAAg';
const ID_GONE = 'AAAAAAAAAAAAAAAAAAAAAw';
const topicIds = { [ID_A]: 'a', [ID_B]: 'b' };
const ack = { firstOffset: 0n, lastOffset: 1n, acknowledgeTypes: [1] };

const fetchRequest = (version: number, ids: string[], groupId: string | null = 'sg') => ({
  groupId,
  memberId: 'm',
  shareSessionEpoch: 1,
  maxWaitMs: 500,
  minBytes: 1,
  ...(version >= 1 ? { maxRecords: 500, batchSize: 500 } : {}),
  topics: ids.map((topicId) => ({
    topicId,
    partitions: [
      { partitionIndex: 0, ...(version === 0 ? { partitionMaxBytes: 1024 } : {}), acknowledgementBatches: topicId === ID_B ? [ack] : [] },
    ],
  })),
  forgottenTopicsData: [],
});
const fetched = (topicId: string) => ({
  topicId,
  partitions: [
    {
      partitionIndex: 0,
      errorCode: 0,
      acknowledgeErrorCode: 0,
      currentLeader: { leaderId: 1, leaderEpoch: 0 },
      records: Buffer.from('records'),
      acquiredRecords: [{ firstOffset: 0n, lastOffset: 0n, deliveryCount: 1 }],
    },
  ],
});
type Out = { topicId: string; partitions: { errorCode: number; acknowledgeErrorCode: number; records: Buffer | null }[] };

for (const version of [0, 1, 2]) {
  test(`ShareFetch v${version}: null group → 42; group denied → top-level 30 and no partitions`, () => {
    assert.equal(
      answered(shareFetch, version, decide(shareFetch, version, fetchRequest(version, [ID_A], null), []).decision).errorCode,
      42,
    );
    const body = answered(
      shareFetch,
      version,
      decide(shareFetch, version, fetchRequest(version, [ID_A]), ['User:alice ALLOW READ TOPIC a'], { topicIds }).decision,
    );
    assert.deepEqual([body.errorCode, body.responses], [30, []]);
  });

  test(`ShareFetch v${version}: topic b denied → stripped; merged back with 29 (ack error too); a session topic losing READ comes back with 29, no records`, () => {
    const acls = ['User:alice ALLOW READ GROUP sg', 'User:alice ALLOW READ TOPIC a'];
    const { decision, ctx } = decide(shareFetch, version, fetchRequest(version, [ID_A, ID_B]), acls, { topicIds });
    const { body, memo } = rewritten(shareFetch, version, decision);
    assert.deepEqual(
      body.topics.map((t: { topicId: string }) => t.topicId),
      [ID_A],
    );
    // The backend also returns b: a partition the share session already held.
    const merged = afterResponse(shareFetch, version, { errorCode: 0, responses: [fetched(ID_A), fetched(ID_B)] }, memo, ctx);
    assert.deepEqual(
      merged.responses.map((t: Out) => [
        t.topicId,
        t.partitions[0].errorCode,
        t.partitions[0].acknowledgeErrorCode,
        t.partitions[0].records?.length ?? 0,
      ]),
      [
        [ID_A, 0, 0, 7],
        [ID_B, 29, 29, 0],
      ],
    );
  });

  test(`ShareFetch v${version}: all allowed → forwarded with a memo so session partitions are re-checked`, () => {
    const acls = ['User:alice ALLOW READ GROUP sg', 'User:alice ALLOW READ TOPIC *'];
    const { decision } = decide(shareFetch, version, fetchRequest(version, [ID_A]), acls, { topicIds });
    assert.equal(decision.action, 'forward');
    assert.notEqual((decision as { memo?: unknown }).memo, undefined);
  });
}

test('ShareFetch v2: unknown id → resolved first, then 100 in its partitions', () => {
  const acls = ['User:alice ALLOW READ GROUP sg', 'User:alice ALLOW READ TOPIC *'];
  assert.deepEqual(decide(shareFetch, 2, fetchRequest(2, [ID_A, ID_GONE]), acls, { topicIds }).decision, {
    action: 'resolve-topic-ids',
    topicIds: [ID_GONE],
  });
  const { decision, ctx } = decide(shareFetch, 2, fetchRequest(2, [ID_A, ID_GONE]), acls, { topicIds, topicIdsResolved: true });
  const { memo } = rewritten(shareFetch, 2, decision);
  const merged = afterResponse(shareFetch, 2, { errorCode: 0, responses: [fetched(ID_A)] }, memo, ctx);
  assert.deepEqual(
    merged.responses.map((t: Out) => [t.topicId, t.partitions[0].errorCode]),
    [
      [ID_A, 0],
      [ID_GONE, 100],
    ],
  );
});

const ackRequest = (ids: string[]) => ({
  groupId: 'sg',
  memberId: 'm',
  shareSessionEpoch: 2,
  topics: ids.map((topicId) => ({ topicId, partitions: [{ partitionIndex: 3, acknowledgementBatches: [ack] }] })),
});

for (const version of [0, 1, 2]) {
  test(`ShareAcknowledge v${version}: allowed → forward; group denied → 30; topic denied → 29 merged`, () => {
    const acls = ['User:alice ALLOW READ GROUP sg', 'User:alice ALLOW READ TOPIC a'];
    forwardedWithoutMemo(decide(shareAcknowledge, version, ackRequest([ID_A]), acls, { topicIds }).decision);
    assert.equal(
      answered(shareAcknowledge, version, decide(shareAcknowledge, version, ackRequest([ID_A]), [], { topicIds }).decision).errorCode,
      30,
    );
    const { decision, ctx } = decide(shareAcknowledge, version, ackRequest([ID_A, ID_B]), acls, { topicIds });
    const { body, memo } = rewritten(shareAcknowledge, version, decision);
    assert.equal(body.topics.length, 1);
    const backend = {
      errorCode: 0,
      responses: [{ topicId: ID_A, partitions: [{ partitionIndex: 3, errorCode: 0, currentLeader: { leaderId: 1, leaderEpoch: 0 } }] }],
    };
    const merged = afterResponse(shareAcknowledge, version, backend, memo, ctx);
    assert.deepEqual(
      merged.responses.map((t: { topicId: string; partitions: { partitionIndex: number; errorCode: number }[] }) => [
        t.topicId,
        t.partitions[0].partitionIndex,
        t.partitions[0].errorCode,
      ]),
      [
        [ID_A, 3, 0],
        [ID_B, 3, 29],
      ],
    );
  });
}

test('ShareAcknowledge: a top-level error from the backend — v1 still lists the denied topic, v2 lists nothing (as 4.3 does)', () => {
  const acls = ['User:alice ALLOW READ GROUP sg', 'User:alice ALLOW READ TOPIC a'];
  const sessionError = { errorCode: 122, responses: [] };
  const ids = (version: number) => {
    const { decision, ctx } = decide(shareAcknowledge, version, ackRequest([ID_A, ID_B]), acls, { topicIds });
    const { memo } = rewritten(shareAcknowledge, version, decision);
    return afterResponse(shareAcknowledge, version, sessionError, memo, ctx).responses.map((t) => [
      t.topicId,
      t.partitions[0].currentLeader.leaderId,
    ]);
  };
  assert.deepEqual(ids(1), [[ID_B, 0]]);
  assert.deepEqual(ids(2), []);
});
