// Differential cases of the topic APIs: produce, fetch, offsets, metadata, topic administration.
// Bodies name topics both by name and by id; `fit` keeps whichever the version carries.
import {
  type ApiCases,
  type CaseSpec,
  type SideInfo,
  T,
  UNKNOWN_TOPIC_ID,
  ZERO_UUID,
  createdTopic,
  idOf,
  recordsFor,
  uncreatableTopic,
} from './catalogue-world.ts';

type Parts = readonly [topic: string, partitions: readonly number[]];
const p0 = (topic: string): Parts => [topic, [0]];
const list = (parts: readonly Parts[]): string => parts.map(([t]) => t).join(' + ');

// ---- Produce (0)

const produceBody = (v: number, parts: readonly Parts[], opts: { acks?: number; transactionalId?: string | null } = {}) => {
  const transactional = !!opts.transactionalId;
  return (side: SideInfo) => ({
    transactionalId: opts.transactionalId ?? null,
    acks: opts.acks ?? -1,
    timeoutMs: 30000,
    topicData: parts.map(([t, ps]) => ({
      name: t,
      topicId: idOf(side, t),
      partitionData: ps.map((index) => ({ index, records: recordsFor(v, `diff record for ${t}`, transactional) })),
    })),
  });
};
const PRODUCED = [
  'responses[].partitionResponses[].baseOffset',
  'responses[].partitionResponses[].logAppendTimeMs',
  'responses[].partitionResponses[].logStartOffset',
];

export const produce: ApiCases = (v) => {
  const allowed: Parts[] = [[T.allowed, [0, 1]]];
  const denied: Parts[] = [p0(T.denied), p0(T.missing)];
  const partial: Parts[] = [p0(T.allowed), p0(T.denied)];
  const cases: CaseSpec[] = [
    { scenario: 'allowed', what: list(allowed), body: produceBody(v, allowed), mutates: true, ignore: PRODUCED },
    { scenario: 'denied', what: list(denied), body: produceBody(v, denied) },
    { scenario: 'partial', what: list(partial), body: produceBody(v, partial), mutates: true, ignore: PRODUCED },
    // A broker closes the connection when an acks=0 produce has any partition error (spec §2.1.7).
    { scenario: 'denied', what: `acks=0 to ${T.denied} (connection closed)`, body: produceBody(v, [p0(T.denied)], { acks: 0 }) },
  ];
  // The transactional check covers the whole request (53 everywhere) before any topic check.
  if (v >= 3) {
    cases.push({
      scenario: 'denied',
      what: `transactional batch under tx.denied to ${T.allowed}`,
      body: produceBody(v, [p0(T.allowed)], { transactionalId: 'tx.denied' }),
    });
  }
  return cases;
};

// ---- Fetch (1)

const fetchBody =
  (parts: readonly Parts[], replicaId = -1) =>
  (side: SideInfo) => ({
    clusterId: null,
    replicaId,
    replicaState: { replicaId, replicaEpoch: -1n },
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1, // no fetch session: every case stands alone
    topics: parts.map(([t, ps]) => ({
      topic: t,
      topicId: idOf(side, t),
      partitions: ps.map((partition) => ({
        partition,
        currentLeaderEpoch: -1,
        fetchOffset: 0n,
        lastFetchedEpoch: -1,
        logStartOffset: -1n,
        partitionMaxBytes: 1 << 16,
      })),
    })),
    forgottenTopicsData: [],
    rackId: '',
  });
const FETCHED = ['responses[].partitions[].records', 'responses[].partitions[].abortedTransactions'];
/** A replica id no broker has: the follower path is taken, and the broker refuses the replica after authorization. */
const NO_SUCH_REPLICA = 9999;

export const fetch: ApiCases = () => {
  const allowed: Parts[] = [[T.allowed, [0, 1]], p0(T.readonly)];
  const denied: Parts[] = [p0(T.denied), p0(T.describe), p0(T.missing)];
  const partial: Parts[] = [p0(T.allowed), p0(T.denied)];
  return [
    { scenario: 'allowed', what: list(allowed), body: fetchBody(allowed), ignore: FETCHED },
    { scenario: 'denied', what: list(denied), body: fetchBody(denied) },
    { scenario: 'partial', what: list(partial), body: fetchBody(partial), ignore: FETCHED },
    // Follower fetch: CLUSTER_ACTION on the cluster; denied → 29 on every partition, even allowed topics.
    { scenario: 'denied', what: `follower fetch of ${list(partial)}`, body: fetchBody(partial, NO_SUCH_REPLICA), ignore: FETCHED },
    {
      scenario: 'allowed',
      what: `follower fetch of ${list(partial)}`,
      principal: 'carol',
      body: fetchBody(partial, NO_SUCH_REPLICA),
      ignore: FETCHED,
    },
  ];
};

// ---- ListOffsets (2)

const listOffsetsBody = (parts: readonly Parts[]) => () => ({
  replicaId: -1,
  isolationLevel: 0,
  topics: parts.map(([name, ps]) => ({
    name,
    partitions: ps.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 })),
  })),
  timeoutMs: 30000,
});
const LISTED = ['topics[].partitions[].offset', 'topics[].partitions[].oldStyleOffsets', 'topics[].partitions[].leaderEpoch'];

export const listOffsets: ApiCases = () => {
  const allowed: Parts[] = [[T.allowed, [0, 1]], p0(T.describe)];
  const denied: Parts[] = [p0(T.denied), p0(T.missing)];
  const partial: Parts[] = [p0(T.allowed), p0(T.denied)];
  return [
    { scenario: 'allowed', what: list(allowed), body: listOffsetsBody(allowed), ignore: LISTED },
    { scenario: 'denied', what: list(denied), body: listOffsetsBody(denied) },
    { scenario: 'partial', what: list(partial), body: listOffsetsBody(partial), ignore: LISTED },
  ];
};

// ---- Metadata (3)

/**
 * Listings of all topics may show a topic another case auto-created a moment ago, before the harness
 * learnt its id (auto-creation completes after the Metadata answer): names are compared, ids are not.
 */
const LISTED_TOPIC_IDS = ['topics[].topicId'];

type MetadataTopics = { names: string[] } | { ids: string[] } | 'all';
const metadataBody =
  (v: number, topics: MetadataTopics, autoCreate = false) =>
  (side: SideInfo) => ({
    topics:
      topics === 'all'
        ? v === 0
          ? []
          : null
        : 'names' in topics
          ? topics.names.map((name) => ({ topicId: ZERO_UUID, name }))
          : topics.ids.map((t) => ({ topicId: t === UNKNOWN_TOPIC_ID ? t : idOf(side, t), name: null })),
    allowAutoTopicCreation: autoCreate,
    includeClusterAuthorizedOperations: true,
    includeTopicAuthorizedOperations: true,
  });

export const metadata: ApiCases = (v) => {
  const cases: CaseSpec[] = [
    { scenario: 'allowed', what: `${T.allowed} + ${T.describe}`, body: metadataBody(v, { names: [T.allowed, T.describe] }) },
    { scenario: 'denied', what: `${T.denied} + ${T.missing}`, body: metadataBody(v, { names: [T.denied, T.missing] }) },
    { scenario: 'partial', what: `${T.allowed} + ${T.denied}`, body: metadataBody(v, { names: [T.allowed, T.denied] }) },
    {
      scenario: 'partial',
      what: 'all topics (filtered to what alice may describe)',
      body: metadataBody(v, 'all'),
      ignore: LISTED_TOPIC_IDS,
    },
    { scenario: 'allowed', what: 'all topics', principal: 'carol', body: metadataBody(v, 'all'), ignore: LISTED_TOPIC_IDS },
  ];
  // Auto-creation: v0–3 always ask for it; v4+ only with AllowAutoTopicCreation. Alice holds CREATE on the prefix.
  const auto = createdTopic('metadata-auto', v);
  cases.push({ scenario: 'allowed', what: `auto-create ${auto}`, body: metadataBody(v, { names: [auto] }, true), mutates: true });
  const noCreate = uncreatableTopic('metadata-auto', v);
  cases.push({
    scenario: 'denied',
    what: `auto-create ${noCreate} (no DESCRIBE, so no CREATE either)`,
    body: metadataBody(v, { names: [noCreate] }, true),
  });
  // v12+: topics by id (v10–11 refuse ids with 42, nothing to authorize).
  if (v >= 12) {
    cases.push(
      { scenario: 'allowed', what: `by id: ${T.allowed}`, body: metadataBody(v, { ids: [T.allowed] }) },
      { scenario: 'denied', what: `by id: ${T.denied}`, body: metadataBody(v, { ids: [T.denied] }) },
      {
        scenario: 'partial',
        what: `by id: ${T.allowed} + ${T.denied} + an unknown id`,
        body: metadataBody(v, { ids: [T.allowed, T.denied, UNKNOWN_TOPIC_ID] }),
      },
    );
  }
  return cases;
};

// ---- CreateTopics (19)

/** A created topic's id is each cluster's own (validate-only answers a fresh random one): never comparable. */
const NEW_TOPIC_IDS = ['topics[].topicId'];

const createTopicsBody =
  (names: readonly string[], validateOnly = false) =>
  () => ({
    topics: names.map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })),
    timeoutMs: 30000,
    validateOnly,
  });

/** The setup case's body: every topic later mutating cases need (`CaseSpec.needsTopics`). */
export const createTopicsSetupBody = (names: readonly string[]) => createTopicsBody(names);
export const CREATED_TOPIC_IDS = NEW_TOPIC_IDS;

export const createTopics: ApiCases = (v) => {
  const mine = createdTopic('createtopics', v);
  const notMine = uncreatableTopic('createtopics', v);
  const partial = [createdTopic('createtopics-partial', v), uncreatableTopic('createtopics-partial', v)];
  const cases: CaseSpec[] = [
    { scenario: 'allowed', what: mine, body: createTopicsBody([mine]), mutates: true, ignore: NEW_TOPIC_IDS },
    { scenario: 'denied', what: `${notMine} + ${T.denied}`, body: createTopicsBody([notMine, T.denied]), ignore: NEW_TOPIC_IDS },
    { scenario: 'partial', what: partial.join(' + '), body: createTopicsBody(partial), mutates: true, ignore: NEW_TOPIC_IDS },
  ];
  // CREATE on the cluster authorizes every topic; ValidateOnly (v1+) keeps the cluster unchanged.
  if (v >= 1) {
    const carols = uncreatableTopic('createtopics-carol', v);
    cases.push({
      scenario: 'allowed',
      what: `${carols} (validate only)`,
      principal: 'carol',
      body: createTopicsBody([carols], true),
      ignore: NEW_TOPIC_IDS,
    });
  }
  return cases;
};

// ---- DeleteTopics (20)

type DeleteRef = { name: string } | { id: string };
const deleteTopicsBody = (refs: readonly DeleteRef[]) => (side: SideInfo) => ({
  topicNames: refs.flatMap((r) => ('name' in r ? [r.name] : [])),
  topics: refs.map((r) =>
    'name' in r ? { name: r.name, topicId: ZERO_UUID } : { name: null, topicId: r.id === UNKNOWN_TOPIC_ID ? r.id : idOf(side, r.id) },
  ),
  timeoutMs: 30000,
});

export const deleteTopics: ApiCases = (v) => {
  const mine = createdTopic('deletetopics', v);
  const partial = createdTopic('deletetopics-partial', v);
  const cases: CaseSpec[] = [
    { scenario: 'allowed', what: mine, body: deleteTopicsBody([{ name: mine }]), mutates: true, needsTopics: [mine] },
    // Not DESCRIBE (denied, missing) and DESCRIBE-but-not-DELETE (describe) all answer 29.
    {
      scenario: 'denied',
      what: `${T.denied} + ${T.describe} + ${T.missing}`,
      body: deleteTopicsBody([{ name: T.denied }, { name: T.describe }, { name: T.missing }]),
    },
    {
      scenario: 'partial',
      what: `${partial} + ${T.denied}`,
      body: deleteTopicsBody([{ name: partial }, { name: T.denied }]),
      mutates: true,
      needsTopics: [partial],
    },
  ];
  if (v >= 6) {
    const byId = createdTopic('deletetopics-by-id', v);
    cases.push(
      // By id: the side's id of a topic created by the setup case (the harness resolves it when the case runs).
      { scenario: 'allowed', what: `by id: ${byId}`, body: deleteTopicsBody([{ id: byId }]), mutates: true, needsTopics: [byId] },
      // Not DESCRIBE → 29 with a null name (the id→name mapping is not disclosed); DESCRIBE only → 29 with the name.
      { scenario: 'denied', what: `by id: ${T.denied} + ${T.describe}`, body: deleteTopicsBody([{ id: T.denied }, { id: T.describe }]) },
      {
        scenario: 'partial',
        what: `by id: ${T.denied} + an unknown id`,
        body: deleteTopicsBody([{ id: T.denied }, { id: UNKNOWN_TOPIC_ID }]),
      },
    );
  }
  return cases;
};

// ---- DeleteRecords (21)

const deleteRecordsBody = (topics: readonly string[]) => () => ({
  topics: topics.map((name) => ({ name, partitions: [{ partitionIndex: 0, offset: -1n }] })), // -1: up to the high watermark
  timeoutMs: 30000,
});

export const deleteRecords: ApiCases = (v) => {
  const mine = createdTopic('deleterecords', v);
  const partial = createdTopic('deleterecords-partial', v);
  return [
    { scenario: 'allowed', what: mine, body: deleteRecordsBody([mine]), mutates: true, needsTopics: [mine] },
    { scenario: 'denied', what: `${T.denied} + ${T.readonly} + ${T.missing}`, body: deleteRecordsBody([T.denied, T.readonly, T.missing]) },
    {
      scenario: 'partial',
      what: `${partial} + ${T.denied}`,
      body: deleteRecordsBody([partial, T.denied]),
      mutates: true,
      needsTopics: [partial],
    },
  ];
};

// ---- OffsetForLeaderEpoch (23)

const offsetForLeaderEpochBody = (topics: readonly string[]) => () => ({
  replicaId: -1,
  topics: topics.map((topic) => ({ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] })),
});

export const offsetForLeaderEpoch: ApiCases = () => [
  { scenario: 'allowed', what: `${T.allowed} + ${T.describe}`, body: offsetForLeaderEpochBody([T.allowed, T.describe]) },
  { scenario: 'denied', what: `${T.denied} + ${T.missing}`, body: offsetForLeaderEpochBody([T.denied, T.missing]) },
  { scenario: 'partial', what: `${T.allowed} + ${T.denied}`, body: offsetForLeaderEpochBody([T.allowed, T.denied]) },
  // CLUSTER_ACTION on the cluster lets every topic through (the follower path).
  { scenario: 'allowed', what: `${T.denied} (cluster action)`, principal: 'carol', body: offsetForLeaderEpochBody([T.denied]) },
];

// ---- CreatePartitions (37)

const createPartitionsBody =
  (topics: readonly string[], validateOnly = false) =>
  () => ({
    topics: topics.map((name) => ({ name, count: 2, assignments: null })),
    timeoutMs: 30000,
    validateOnly,
  });

export const createPartitions: ApiCases = (v) => {
  const mine = createdTopic('createpartitions', v);
  const partial = createdTopic('createpartitions-partial', v);
  return [
    { scenario: 'allowed', what: mine, body: createPartitionsBody([mine]), mutates: true, needsTopics: [mine] },
    { scenario: 'denied', what: `${T.denied} + ${T.describe} (validate only)`, body: createPartitionsBody([T.denied, T.describe], true) },
    {
      scenario: 'partial',
      what: `${partial} + ${T.denied}`,
      body: createPartitionsBody([partial, T.denied]),
      mutates: true,
      needsTopics: [partial],
    },
  ];
};

// ---- DescribeProducers (61)

const describeProducersBody = (topics: readonly string[]) => () => ({ topics: topics.map((name) => ({ name, partitionIndexes: [0] })) });
const PRODUCERS = ['topics[].partitions[].activeProducers'];

export const describeProducers: ApiCases = () => [
  { scenario: 'allowed', what: `${T.allowed} + ${T.readonly}`, body: describeProducersBody([T.allowed, T.readonly]), ignore: PRODUCERS },
  // READ is needed: DESCRIBE alone (diff.describe) is denied.
  {
    scenario: 'denied',
    what: `${T.denied} + ${T.describe} + ${T.missing}`,
    body: describeProducersBody([T.denied, T.describe, T.missing]),
  },
  { scenario: 'partial', what: `${T.allowed} + ${T.denied}`, body: describeProducersBody([T.allowed, T.denied]), ignore: PRODUCERS },
];

// ---- DescribeTopicPartitions (75)

const describeTopicPartitionsBody = (topics: readonly string[]) => () => ({
  topics: topics.map((name) => ({ name })),
  responsePartitionLimit: 2000,
  cursor: null,
});

export const describeTopicPartitions: ApiCases = () => [
  { scenario: 'allowed', what: `${T.allowed} + ${T.describe}`, body: describeTopicPartitionsBody([T.allowed, T.describe]) },
  { scenario: 'denied', what: `${T.denied} + ${T.missing}`, body: describeTopicPartitionsBody([T.denied, T.missing]) },
  { scenario: 'partial', what: `${T.allowed} + ${T.denied}`, body: describeTopicPartitionsBody([T.allowed, T.denied]) },
  {
    scenario: 'partial',
    what: 'all topics (filtered to what alice may describe)',
    body: describeTopicPartitionsBody([]),
    ignore: LISTED_TOPIC_IDS,
  },
  { scenario: 'allowed', what: 'all topics', principal: 'carol', body: describeTopicPartitionsBody([]), ignore: LISTED_TOPIC_IDS },
];
