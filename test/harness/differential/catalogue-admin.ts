// Differential cases of the administrative and connection-level APIs: configs, ACLs, tokens, quotas,
// quorum and cluster operations. Cluster-level operations are denied as alice and allowed as carol (ALL on
// the cluster); allowed mutations are validate-only or aimed at things that do not exist, so the clusters
// stay as they were.
import { type ApiCases, type CaseSpec, RES, type SideInfo, T, UNKNOWN_TOPIC_ID, ZERO_UUID, createdTopic } from './catalogue-world.ts';

/** A case pair for an API that needs one operation on the cluster: denied as alice, allowed as carol. */
const clusterPair = (what: string, body: CaseSpec['body'], extra: Partial<CaseSpec> = {}): CaseSpec[] => [
  { scenario: 'allowed', what, principal: 'carol', body, ...extra },
  { scenario: 'denied', what, body, ...extra },
];

// ---- SaslHandshake (17), ApiVersions (18), SaslAuthenticate (36): no authorization.

export const saslHandshake: ApiCases = () => [
  // On a listener without SASL a broker answers the handshake itself (ILLEGAL_SASL_STATE), after TLS.
  { scenario: 'allowed', what: 'PLAIN on an mTLS listener', body: () => ({ mechanism: 'PLAIN' }) },
];

export const apiVersions: ApiCases = () => [
  {
    scenario: 'allowed',
    what: 'client software gatehouse-diff 1.0',
    body: () => ({ clientSoftwareName: 'gatehouse-diff', clientSoftwareVersion: '1.0' }),
    // The gateway advertises the broker's ranges capped to the versions it enforces; the features epoch is a metadata offset.
    ignore: ['apiKeys', 'finalizedFeaturesEpoch'],
  },
];

export const saslAuthenticate: ApiCases = () => [
  { scenario: 'allowed', what: 'PLAIN bytes on an mTLS listener', body: () => ({ authBytes: Buffer.from('\0alice\0not-a-password') }) },
];

// ---- DescribeAcls (29), CreateAcls (30), DeleteAcls (31)
// The gateway serves them from its policy (the world's ACLs are YAML rules there) and its managed store
// (the default, kafka); the secured broker from its authorizer. The probe ACL is created and deleted
// again, so the world's ACLs stay as they were for later cases. The full kafka-acls sequence (every
// filter kind, removals) is compared in test/integration/differential/acls-differential.test.ts.

const ACL_PROBE = { resourceType: RES.TOPIC, resourceName: 'diff.acl-probe', principal: 'User:dave' };
const ANY = 1;
const MATCH = 2;
const READ = 3;
const ALLOW = 3;
const LITERAL = 3;
const PREFIXED = 4;

const aclFilter = (over: Record<string, unknown>) => () => ({
  resourceTypeFilter: ANY,
  resourceNameFilter: null,
  patternTypeFilter: ANY,
  principalFilter: null,
  hostFilter: null,
  operation: ANY,
  permissionType: ANY,
  ...over,
});

export const describeAcls: ApiCases = () => [
  ...clusterPair(
    `ACLs of topic ${T.allowed}`,
    aclFilter({ resourceTypeFilter: RES.TOPIC, resourceNameFilter: T.allowed, patternTypeFilter: LITERAL }),
  ),
  // The YAML rules expanded: ALL on literal names, the prefixed diff.created., the wildcard * of carol.
  { scenario: 'allowed', what: 'every ACL', principal: 'carol', body: aclFilter({}) },
  {
    scenario: 'allowed',
    what: 'ACLs that apply to topic diff.created.x (MATCH)',
    principal: 'carol',
    body: aclFilter({ resourceTypeFilter: RES.TOPIC, resourceNameFilter: 'diff.created.x', patternTypeFilter: MATCH }),
  },
  {
    scenario: 'allowed',
    what: "alice's prefixed ACLs",
    principal: 'carol',
    body: aclFilter({ patternTypeFilter: PREFIXED, principalFilter: 'User:alice' }),
  },
];

export const createAcls: ApiCases = () => [
  {
    scenario: 'allowed',
    what: 'User:dave READ on diff.acl-probe',
    principal: 'carol',
    body: () => ({
      creations: [{ ...ACL_PROBE, resourcePatternType: LITERAL, host: '*', operation: READ, permissionType: ALLOW }],
    }),
    mutates: true,
  },
  {
    scenario: 'denied',
    what: 'User:dave READ on diff.acl-probe',
    body: () => ({ creations: [{ ...ACL_PROBE, resourcePatternType: LITERAL, host: '*', operation: READ, permissionType: ALLOW }] }),
  },
  // Validation (spec §1.9): a CLUSTER ACL must name kafka-cluster; a pattern type must be LITERAL or PREFIXED.
  {
    scenario: 'allowed',
    what: 'invalid creations (CLUSTER named other, pattern MATCH)',
    principal: 'carol',
    body: () => ({
      creations: [
        {
          resourceType: 4,
          resourceName: 'other',
          principal: 'User:dave',
          resourcePatternType: LITERAL,
          host: '*',
          operation: READ,
          permissionType: ALLOW,
        },
        { ...ACL_PROBE, resourcePatternType: MATCH, host: '*', operation: READ, permissionType: ALLOW },
      ],
    }),
  },
];

export const deleteAcls: ApiCases = () => {
  const body = () => ({
    filters: [
      {
        resourceTypeFilter: ACL_PROBE.resourceType,
        resourceNameFilter: ACL_PROBE.resourceName,
        patternTypeFilter: LITERAL,
        principalFilter: ACL_PROBE.principal,
        hostFilter: null,
        operation: ANY,
        permissionType: ANY,
      },
    ],
  });
  return [
    { scenario: 'denied', what: "User:dave's ACLs on diff.acl-probe", body },
    { scenario: 'allowed', what: "User:dave's ACLs on diff.acl-probe", principal: 'carol', body, mutates: true },
  ];
};

// ---- DescribeConfigs (32)

type ConfigRes = { type: number; name: (side: SideInfo) => string; keys: string[] | null };
const topicRes = (name: string, keys = ['cleanup.policy', 'retention.ms']): ConfigRes => ({ type: RES.TOPIC, name: () => name, keys });
const brokerRes = (keys: string[]): ConfigRes => ({ type: RES.BROKER, name: (side) => String(side.brokerId), keys });
const groupRes = (name: string): ConfigRes => ({ type: RES.CONFIG_GROUP, name: () => name, keys: null });

const describeConfigsBody = (resources: readonly ConfigRes[]) => (side: SideInfo) => ({
  resources: resources.map((r) => ({ resourceType: r.type, resourceName: r.name(side), configurationKeys: r.keys })),
  includeSynonyms: false,
  includeDocumentation: false,
});

export const describeConfigs: ApiCases = () => [
  { scenario: 'allowed', what: `topic ${T.allowed}`, body: describeConfigsBody([topicRes(T.allowed)]) },
  // Topic without DESCRIBE_CONFIGS (29, also when DESCRIBE is allowed) and the broker (31).
  {
    scenario: 'denied',
    what: `topics ${T.denied} + ${T.describe}, broker`,
    body: describeConfigsBody([topicRes(T.denied), topicRes(T.describe), brokerRes(['log.retention.hours'])]),
  },
  { scenario: 'denied', what: `group g.denied`, body: describeConfigsBody([groupRes('g.denied')]) },
  // Order is defined: authorized results first, then the denied ones.
  { scenario: 'partial', what: `topics ${T.denied} + ${T.allowed}`, body: describeConfigsBody([topicRes(T.denied), topicRes(T.allowed)]) },
  {
    scenario: 'allowed',
    what: `broker + topic ${T.denied}`,
    principal: 'carol',
    body: describeConfigsBody([brokerRes(['log.retention.hours']), topicRes(T.denied)]),
  },
];

// ---- AlterConfigs (33), IncrementalAlterConfigs (44)

type AlterRes = { type: number; name: (side: SideInfo) => string; config: [name: string, value: string] };
const alterTopic = (name: string): AlterRes => ({ type: RES.TOPIC, name: () => name, config: ['retention.ms', '3600000'] });
/** The cluster-wide broker default (name ""), as `kafka-configs --entity-default` alters it. */
const alterBrokerDefault: AlterRes = { type: RES.BROKER, name: () => '', config: ['log.retention.ms', '604800000'] };
/**
 * This broker's own configs: legacy AlterConfigs replaces the whole set, and replacing the cluster default
 * fails validation on 4.x ("min.insync.replicas cannot be removed while ELR is enabled").
 */
const alterThisBroker: AlterRes = { type: RES.BROKER, name: (side) => String(side.brokerId), config: ['log.cleaner.threads', '1'] };
const alterBrokerLogger: AlterRes = { type: RES.BROKER_LOGGER, name: (side) => String(side.brokerId), config: ['root', 'INFO'] };

const alterConfigsBody = (resources: readonly AlterRes[], validateOnly: boolean) => (side: SideInfo) => ({
  resources: resources.map((r) => ({
    resourceType: r.type,
    resourceName: r.name(side),
    configs: [{ name: r.config[0], configOperation: 0, value: r.config[1] }], // SET (incremental only)
  })),
  validateOnly,
});

const alterCases = (api: string, v: number, brokerResources: readonly AlterRes[]): CaseSpec[] => {
  const mine = createdTopic(api, v);
  const partial = createdTopic(`${api}-partial`, v);
  return [
    { scenario: 'allowed', what: `topic ${mine}`, body: alterConfigsBody([alterTopic(mine)], false), mutates: true, needsTopics: [mine] },
    // Denied resources are validate-only, so a wrongly allowed request would still change nothing.
    {
      scenario: 'denied',
      what: `topic ${T.denied}, ${brokerResources.length > 1 ? 'broker default, broker logger' : 'broker'} (validate only)`,
      body: alterConfigsBody([alterTopic(T.denied), ...brokerResources], true),
    },
    {
      scenario: 'partial',
      what: `topics ${partial} + ${T.denied}`,
      body: alterConfigsBody([alterTopic(partial), alterTopic(T.denied)], false),
      mutates: true,
      needsTopics: [partial],
    },
    {
      scenario: 'allowed',
      what: `topic ${T.denied}, ${brokerResources.length > 1 ? 'broker default, broker logger' : 'broker'} (validate only)`,
      principal: 'carol',
      body: alterConfigsBody([alterTopic(T.denied), ...brokerResources], true),
    },
  ];
};

export const alterConfigs: ApiCases = (v) => alterCases('alterconfigs', v, [alterThisBroker]);
// BROKER_LOGGER is handled by the receiving broker: ALTER_CONFIGS on the cluster (legacy AlterConfigs refuses it).
export const incrementalAlterConfigs: ApiCases = (v) => alterCases('incrementalalterconfigs', v, [alterBrokerDefault, alterBrokerLogger]);

// ---- Log dirs: AlterReplicaLogDirs (34), DescribeLogDirs (35)

export const alterReplicaLogDirs: ApiCases = () =>
  clusterPair(`${T.allowed}-0 to a directory that is not a log dir`, () => ({
    dirs: [{ path: 'not-a-log-dir', topics: [{ name: T.allowed, partitions: [0] }] }],
  }));

export const describeLogDirs: ApiCases = () =>
  clusterPair(`${T.allowed}-0`, () => ({ topics: [{ topic: T.allowed, partitions: [0] }] }), {
    // Paths and sizes are the machine's, not the authorization's.
    ignore: [
      'results[].logDir',
      'results[].topics[].partitions[].partitionSize',
      'results[].topics[].partitions[].offsetLag',
      'results[].totalBytes',
      'results[].usableBytes',
    ],
  });

// ---- CreatePartitions lives with the topics; delegation tokens (38–41)
// Neither cluster enables tokens (no secret key): brokers answer every caller with the same token error, so
// carol ("allowed": owner of her own token) and alice (another owner, v3+) are both compared.

export const createDelegationToken: ApiCases = (v) => [
  {
    scenario: 'allowed',
    what: 'own token',
    principal: 'carol',
    body: () => ({ ownerPrincipalType: null, ownerPrincipalName: null, renewers: [], maxLifetimeMs: -1n }),
  },
  {
    scenario: 'denied',
    what: v >= 3 ? 'token owned by User:bob' : 'own token',
    body: () => ({ ownerPrincipalType: 'User', ownerPrincipalName: 'bob', renewers: [], maxLifetimeMs: -1n }),
  },
];

const hmac = Buffer.from('not-a-token-hmac');
export const renewDelegationToken: ApiCases = () => clusterPair('unknown token', () => ({ hmac, renewPeriodMs: -1n }));
export const expireDelegationToken: ApiCases = () => clusterPair('unknown token', () => ({ hmac, expiryTimePeriodMs: -1n }));
export const describeDelegationToken: ApiCases = () => clusterPair('all tokens', () => ({ owners: null }));

// ---- ElectLeaders (43), AlterPartitionReassignments (45), ListPartitionReassignments (46)

export const electLeaders: ApiCases = () =>
  clusterPair(`preferred leader of ${T.allowed}-0`, () => ({
    electionType: 0,
    topicPartitions: [{ topic: T.allowed, partitions: [0] }],
    timeoutMs: 30000,
  }));

export const alterPartitionReassignments: ApiCases = () =>
  clusterPair(`cancel (none in progress) ${T.allowed}-0`, () => ({
    timeoutMs: 30000,
    allowReplicationFactorChange: true,
    topics: [{ name: T.allowed, partitions: [{ partitionIndex: 0, replicas: null }] }],
  }));

export const listPartitionReassignments: ApiCases = () => clusterPair('all', () => ({ timeoutMs: 30000, topics: null }));

// ---- Quotas and SCRAM credentials (48–51)

export const describeClientQuotas: ApiCases = () =>
  clusterPair('all user quotas', () => ({ components: [{ entityType: 'user', matchType: 2, match: null }], strict: false }));

export const alterClientQuotas: ApiCases = () =>
  clusterPair('User:dave producer_byte_rate (validate only)', () => ({
    entries: [{ entity: [{ entityType: 'user', entityName: 'dave' }], ops: [{ key: 'producer_byte_rate', value: 1024, remove: false }] }],
    validateOnly: true,
  }));

export const describeUserScramCredentials: ApiCases = () => clusterPair('User:dave', () => ({ users: [{ name: 'dave' }] }));

export const alterUserScramCredentials: ApiCases = () =>
  clusterPair("delete dave's SCRAM-SHA-256 (none exists)", () => ({ deletions: [{ name: 'dave', mechanism: 1 }], upsertions: [] }));

// ---- DescribeQuorum (55), UpdateFeatures (57), DescribeCluster (60), UnregisterBroker (64)

export const describeQuorum: ApiCases = () =>
  clusterPair('__cluster_metadata-0', () => ({ topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] }), {
    // Raft state (epochs, offsets, voters, timestamps) is each cluster's own; the error codes are compared.
    ignore: [
      'topics[].partitions[].leaderId',
      'topics[].partitions[].leaderEpoch',
      'topics[].partitions[].highWatermark',
      'topics[].partitions[].currentVoters',
      'topics[].partitions[].observers',
      'nodes',
    ],
  });

export const updateFeatures: ApiCases = () =>
  clusterPair('unknown feature diff.no-such-feature (validate only from v1)', () => ({
    timeoutMs: 30000,
    featureUpdates: [{ feature: 'diff.no-such-feature', maxVersionLevel: 1, allowDowngrade: false, upgradeType: 1 }],
    validateOnly: true,
  }));

export const describeCluster: ApiCases = () => {
  const body = () => ({ includeClusterAuthorizedOperations: true, endpointType: 1, includeFencedBrokers: false });
  // No check on brokers; DESCRIBE on the cluster only decides the bitfield (0 when denied).
  return clusterPair('with cluster authorized operations', body);
};

export const unregisterBroker: ApiCases = () => clusterPair('broker 9999 (not registered)', () => ({ brokerId: 9999 }));

// ---- Telemetry (71, 72): no authorization; advertised only when the broker has a telemetry reporter.

export const getTelemetrySubscriptions: ApiCases = () => [
  {
    scenario: 'allowed',
    what: 'new client',
    body: () => ({ clientInstanceId: ZERO_UUID }),
    ignore: ['clientInstanceId', 'subscriptionId'],
  },
];

export const pushTelemetry: ApiCases = () => [
  {
    scenario: 'allowed',
    what: 'empty metrics of an unknown client',
    body: () => ({
      clientInstanceId: UNKNOWN_TOPIC_ID,
      subscriptionId: 0,
      terminating: false,
      compressionType: 0,
      metrics: Buffer.alloc(0),
    }),
  },
];

// ---- ListConfigResources (74), Raft voters (80, 81)

export const listConfigResources: ApiCases = () => clusterPair('all types', () => ({ resourceTypes: [] }));

/** A voter that does not exist: nothing to add or remove, the controller refuses after authorization. */
const NO_SUCH_VOTER = { voterId: 9999, voterDirectoryId: UNKNOWN_TOPIC_ID };

export const addRaftVoter: ApiCases = () =>
  clusterPair('voter 9999', () => ({
    clusterId: null,
    timeoutMs: 1000,
    ...NO_SUCH_VOTER,
    listeners: [{ name: 'CONTROLLER', host: 'localhost', port: 1 }],
    ackWhenCommitted: true,
  }));

export const removeRaftVoter: ApiCases = () => clusterPair('voter 9999', () => ({ clusterId: null, ...NO_SUCH_VOTER }));
