// Differential cases of the transaction APIs. Producer ids differ between clusters, so allowed cases use a
// producer id no cluster issued (NO_PRODUCER): both coordinators refuse it after authorization, and that
// error (not the state) is what is compared.
import { type ApiCases, type CaseSpec, G, NO_PRODUCER, T, TX, createdTopic } from './catalogue-world.ts';

const PRODUCER = ['producerId', 'producerEpoch'];

// ---- InitProducerId (22)

export const initProducerId: ApiCases = () => {
  const body = (transactionalId: string | null) => () => ({
    transactionalId,
    transactionTimeoutMs: 60000,
    producerId: -1n,
    producerEpoch: -1,
    enable2Pc: false,
    keepPreparedTxn: false,
  });
  return [
    { scenario: 'allowed', what: TX.allowed, body: body(TX.allowed), mutates: true, ignore: PRODUCER },
    { scenario: 'denied', what: TX.denied, body: body(TX.denied) },
    // Idempotent producer: IDEMPOTENT_WRITE on the cluster, or WRITE on any topic (alice writes diff.allowed).
    { scenario: 'allowed', what: 'idempotent (no transactional id)', body: body(null), mutates: true, ignore: PRODUCER },
  ];
};

// ---- AddPartitionsToTxn (24)

export const addPartitionsToTxn: ApiCases = (v) => {
  const topicsOf = (topics: readonly string[]) => topics.map((name) => ({ name, partitions: [0] }));
  const body = (transactionalId: string, topics: readonly string[]) => () => ({
    v3AndBelowTransactionalId: transactionalId,
    v3AndBelowProducerId: NO_PRODUCER.id,
    v3AndBelowProducerEpoch: NO_PRODUCER.epoch,
    v3AndBelowTopics: topicsOf(topics),
    transactions: [
      { transactionalId, producerId: NO_PRODUCER.id, producerEpoch: NO_PRODUCER.epoch, verifyOnly: true, topics: topicsOf(topics) },
    ],
  });
  if (v >= 4) {
    // Broker-to-coordinator batches: CLUSTER_ACTION on the cluster, else 31 at the top level.
    return [
      { scenario: 'allowed', what: `${TX.allowed}: ${T.allowed} (verify only)`, principal: 'carol', body: body(TX.allowed, [T.allowed]) },
      { scenario: 'denied', what: `${TX.allowed}: ${T.allowed} (verify only)`, body: body(TX.allowed, [T.allowed]) },
    ];
  }
  return [
    { scenario: 'allowed', what: `${TX.allowed}: ${T.allowed}`, body: body(TX.allowed, [T.allowed]) },
    { scenario: 'denied', what: `${TX.denied}: ${T.allowed}`, body: body(TX.denied, [T.allowed]) },
    // A denied topic fails the transaction: 29 there, 55 on every other partition.
    { scenario: 'partial', what: `${TX.allowed}: ${T.allowed} + ${T.denied}`, body: body(TX.allowed, [T.allowed, T.denied]) },
  ];
};

// ---- AddOffsetsToTxn (25), EndTxn (26)

export const addOffsetsToTxn: ApiCases = () => {
  const body = (transactionalId: string, groupId: string) => () => ({
    transactionalId,
    producerId: NO_PRODUCER.id,
    producerEpoch: NO_PRODUCER.epoch,
    groupId,
  });
  return [
    { scenario: 'allowed', what: `${TX.allowed} + ${G.allowed}`, body: body(TX.allowed, G.allowed) },
    { scenario: 'denied', what: `${TX.denied} + ${G.allowed}`, body: body(TX.denied, G.allowed) },
    { scenario: 'denied', what: `${TX.allowed} + ${G.denied}`, body: body(TX.allowed, G.denied) },
  ];
};

export const endTxn: ApiCases = () => {
  const body = (transactionalId: string) => () => ({
    transactionalId,
    producerId: NO_PRODUCER.id,
    producerEpoch: NO_PRODUCER.epoch,
    committed: false,
  });
  return [
    { scenario: 'allowed', what: TX.allowed, body: body(TX.allowed), ignore: PRODUCER },
    { scenario: 'denied', what: TX.denied, body: body(TX.denied) },
  ];
};

// ---- WriteTxnMarkers (27): ALTER or CLUSTER_ACTION on the cluster; 31 in every partition when denied.

export const writeTxnMarkers: ApiCases = (v) => {
  const body = (topics: readonly string[]) => () => ({
    markers: [
      {
        producerId: NO_PRODUCER.id,
        producerEpoch: NO_PRODUCER.epoch,
        transactionResult: false,
        topics: topics.map((name) => ({ name, partitionIndexes: [0] })),
        coordinatorEpoch: 0,
        transactionVersion: 0,
      },
    ],
  });
  // The allowed case writes an abort marker: into a topic of its own.
  const mine = createdTopic('writetxnmarkers', v);
  return [
    { scenario: 'allowed', what: mine, principal: 'carol', body: body([mine]), mutates: true, needsTopics: [mine] },
    { scenario: 'denied', what: `${T.allowed} + ${T.denied}`, body: body([T.allowed, T.denied]) },
  ];
};

// ---- TxnOffsetCommit (28)

export const txnOffsetCommit: ApiCases = () => {
  const body = (transactionalId: string, groupId: string, topics: readonly string[]) => () => ({
    transactionalId,
    groupId,
    producerId: NO_PRODUCER.id,
    producerEpoch: NO_PRODUCER.epoch,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: topics.map((name) => ({
      name,
      partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: '' }],
    })),
  });
  return [
    { scenario: 'allowed', what: `${TX.allowed} + ${G.allowed}: ${T.allowed}`, body: body(TX.allowed, G.allowed, [T.allowed]) },
    { scenario: 'denied', what: `${TX.denied} + ${G.allowed}: ${T.allowed}`, body: body(TX.denied, G.allowed, [T.allowed]) },
    { scenario: 'denied', what: `${TX.allowed} + ${G.denied}: ${T.allowed}`, body: body(TX.allowed, G.denied, [T.allowed]) },
    {
      scenario: 'partial',
      what: `${TX.allowed} + ${G.allowed}: ${T.allowed} + ${T.denied}`,
      body: body(TX.allowed, G.allowed, [T.allowed, T.denied]),
    },
  ];
};

// ---- DescribeTransactions (65), ListTransactions (66)

const STATE = ['transactionStates[].producerId', 'transactionStates[].producerEpoch', 'transactionStates[].transactionStartTimeMs'];

export const describeTransactions: ApiCases = () => {
  const body = (transactionalIds: string[]) => () => ({ transactionalIds });
  return [
    { scenario: 'allowed', what: TX.allowed, body: body([TX.allowed]), ignore: STATE },
    { scenario: 'denied', what: TX.denied, body: body([TX.denied]) },
    { scenario: 'partial', what: `${TX.allowed} + ${TX.denied}`, body: body([TX.allowed, TX.denied]), ignore: STATE },
  ];
};

export const listTransactions: ApiCases = () => {
  const body = () => ({ stateFilters: [], producerIdFilters: [], durationFilter: -1n, transactionalIdPattern: null });
  const ignore = ['transactionStates[].producerId'];
  // Never an error: states whose transactional id the caller may not describe are left out.
  return [
    { scenario: 'partial', what: 'all transactions (filtered to what alice may describe)', body, ignore },
    { scenario: 'allowed', what: 'all transactions', principal: 'carol', body, ignore },
  ] satisfies CaseSpec[];
};
