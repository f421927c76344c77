// The differential request catalogue: for every API key a client (or, for the broker-sent keys a broker
// listener accepts, a peer broker) can send, and every version the gateway advertises, the requests that
// show authorization allowed, denied and partially denied — with bodies a real client could send, in
// the world the differential harness sets up on both clusters (see catalogue-world.ts for the names).
//
// `ignore` paths: dotted camelCase field names from the response body's root, `[]` meaning every element
// of an array, e.g. `responses[].partitions[].records`; a path names a field and everything below it.
import { API_KEY, apiName, isSupportedVersion, type Struct } from '../../../gateway/protocol/index.ts';
import * as admin from './catalogue-admin.ts';
import * as groups from './catalogue-groups.ts';
import type { CatalogueContext, ContextualApiCases } from './catalogue-groups.ts';
import * as topics from './catalogue-topics.ts';
import * as txn from './catalogue-transactions.ts';
import { type ApiCases, type CaseSpec, type Principal, type Scenario, type SideInfo, fit } from './catalogue-world.ts';

export type { Principal, Scenario, SideInfo };

export interface DiffCase {
  apiKey: number;
  version: number;
  scenario: Scenario;
  /** e.g. 'Produce v9 partial: diff.allowed + diff.denied' */
  name: string;
  principal: Principal;
  /** The request body for that side (fitted to the case's version). */
  body(side: SideInfo): Struct;
  /** Changes cluster state (run once per side, in catalogue order). */
  mutates?: boolean;
  /** Paths whose values legitimately differ and are not compared (besides the harness's global normalization). */
  ignore?: string[];
  /** When the gateway differs by design: the reason (printed in the table; the comparison still runs and reports). */
  expectedDifference?: string;
}

/**
 * Scenarios of catalogued APIs that are not compared, with the reason (each one's path is shown by the
 * enforcer's unit tests instead).
 */
export const UNCOMPARED_SCENARIOS: ReadonlyArray<{ apiKey: number; scenarios: readonly Scenario[]; reason: string }> = [
  {
    apiKey: 92,
    scenarios: ['allowed', 'partial'],
    reason: 'a 4.3.1 broker sometimes leaves an authorized DeleteShareGroupOffsets unanswered (either side, any group type)',
  },
];

/** API keys a broker listener serves that get no cases, and why (printed by the harness). */
export const SKIPPED_APIS: readonly { apiKey: number; name: string; reason: string }[] = [
  ...[4, 5, 6, 7].map((apiKey) => ({
    apiKey,
    name: apiName(apiKey) ?? String(apiKey),
    reason: 'ZooKeeper-era inter-broker API: no valid version on 4.x, never on a KRaft broker listener (spec §2.2)',
  })),
  ...[52, 53, 54, 56, 58, 59, 62, 63, 67, 70, 73, 82].map((apiKey) => ({
    apiKey,
    name: apiName(apiKey) ?? String(apiKey),
    reason: 'controller-only: a broker listener closes the connection and the gateway never advertises it (spec §2.2, §2.5)',
  })),
];

/** Catalogue order: ascending api key, except the few that destroy what earlier cases read (run last). */
const LAST: readonly number[] = [API_KEY.OffsetDelete, API_KEY.DeleteGroups];

const BUILDERS: ReadonlyMap<number, ApiCases | ContextualApiCases> = new Map<number, ApiCases | ContextualApiCases>([
  [API_KEY.Produce, topics.produce],
  [API_KEY.Fetch, topics.fetch],
  [API_KEY.ListOffsets, topics.listOffsets],
  [API_KEY.Metadata, topics.metadata],
  [API_KEY.OffsetCommit, groups.offsetCommit],
  [API_KEY.OffsetFetch, groups.offsetFetch],
  [API_KEY.FindCoordinator, groups.findCoordinator],
  [API_KEY.JoinGroup, groups.joinGroup],
  [API_KEY.Heartbeat, groups.heartbeat],
  [API_KEY.LeaveGroup, groups.leaveGroup],
  [API_KEY.SyncGroup, groups.syncGroup],
  [API_KEY.DescribeGroups, groups.describeGroups],
  [API_KEY.ListGroups, groups.listGroups],
  [API_KEY.SaslHandshake, admin.saslHandshake],
  [API_KEY.ApiVersions, admin.apiVersions],
  [API_KEY.CreateTopics, topics.createTopics],
  [API_KEY.DeleteTopics, topics.deleteTopics],
  [API_KEY.DeleteRecords, topics.deleteRecords],
  [API_KEY.InitProducerId, txn.initProducerId],
  [API_KEY.OffsetForLeaderEpoch, topics.offsetForLeaderEpoch],
  [API_KEY.AddPartitionsToTxn, txn.addPartitionsToTxn],
  [API_KEY.AddOffsetsToTxn, txn.addOffsetsToTxn],
  [API_KEY.EndTxn, txn.endTxn],
  [API_KEY.WriteTxnMarkers, txn.writeTxnMarkers],
  [API_KEY.TxnOffsetCommit, txn.txnOffsetCommit],
  [API_KEY.DescribeAcls, admin.describeAcls],
  [API_KEY.CreateAcls, admin.createAcls],
  [API_KEY.DeleteAcls, admin.deleteAcls],
  [API_KEY.DescribeConfigs, admin.describeConfigs],
  [API_KEY.AlterConfigs, admin.alterConfigs],
  [API_KEY.AlterReplicaLogDirs, admin.alterReplicaLogDirs],
  [API_KEY.DescribeLogDirs, admin.describeLogDirs],
  [API_KEY.SaslAuthenticate, admin.saslAuthenticate],
  [API_KEY.CreatePartitions, topics.createPartitions],
  [API_KEY.CreateDelegationToken, admin.createDelegationToken],
  [API_KEY.RenewDelegationToken, admin.renewDelegationToken],
  [API_KEY.ExpireDelegationToken, admin.expireDelegationToken],
  [API_KEY.DescribeDelegationToken, admin.describeDelegationToken],
  [API_KEY.DeleteGroups, groups.deleteGroups],
  [API_KEY.ElectLeaders, admin.electLeaders],
  [API_KEY.IncrementalAlterConfigs, admin.incrementalAlterConfigs],
  [API_KEY.AlterPartitionReassignments, admin.alterPartitionReassignments],
  [API_KEY.ListPartitionReassignments, admin.listPartitionReassignments],
  [API_KEY.OffsetDelete, groups.offsetDelete],
  [API_KEY.DescribeClientQuotas, admin.describeClientQuotas],
  [API_KEY.AlterClientQuotas, admin.alterClientQuotas],
  [API_KEY.DescribeUserScramCredentials, admin.describeUserScramCredentials],
  [API_KEY.AlterUserScramCredentials, admin.alterUserScramCredentials],
  [API_KEY.DescribeQuorum, admin.describeQuorum],
  [API_KEY.UpdateFeatures, admin.updateFeatures],
  [API_KEY.DescribeCluster, admin.describeCluster],
  [API_KEY.DescribeProducers, topics.describeProducers],
  [API_KEY.UnregisterBroker, admin.unregisterBroker],
  [API_KEY.DescribeTransactions, txn.describeTransactions],
  [API_KEY.ListTransactions, txn.listTransactions],
  [API_KEY.ConsumerGroupHeartbeat, groups.consumerGroupHeartbeat],
  [API_KEY.ConsumerGroupDescribe, groups.consumerGroupDescribe],
  [API_KEY.GetTelemetrySubscriptions, admin.getTelemetrySubscriptions],
  [API_KEY.PushTelemetry, admin.pushTelemetry],
  [API_KEY.ListConfigResources, admin.listConfigResources],
  [API_KEY.DescribeTopicPartitions, topics.describeTopicPartitions],
  [API_KEY.ShareGroupHeartbeat, groups.shareGroupHeartbeat],
  [API_KEY.ShareGroupDescribe, groups.shareGroupDescribe],
  [API_KEY.ShareFetch, groups.shareFetch],
  [API_KEY.ShareAcknowledge, groups.shareAcknowledge],
  [API_KEY.AddRaftVoter, admin.addRaftVoter],
  [API_KEY.RemoveRaftVoter, admin.removeRaftVoter],
  [API_KEY.InitializeShareGroupState, groups.initializeShareGroupState],
  [API_KEY.ReadShareGroupState, groups.readShareGroupState],
  [API_KEY.WriteShareGroupState, groups.writeShareGroupState],
  [API_KEY.DeleteShareGroupState, groups.deleteShareGroupState],
  [API_KEY.ReadShareGroupStateSummary, groups.readShareGroupStateSummary],
  [API_KEY.StreamsGroupHeartbeat, groups.streamsGroupHeartbeat],
  [API_KEY.StreamsGroupDescribe, groups.streamsGroupDescribe],
  [API_KEY.DescribeShareGroupOffsets, groups.describeShareGroupOffsets],
  [API_KEY.AlterShareGroupOffsets, groups.alterShareGroupOffsets],
  [API_KEY.DeleteShareGroupOffsets, groups.deleteShareGroupOffsets],
]);

/** Api keys the catalogue has cases for. */
export const CATALOGUED_API_KEYS: readonly number[] = [...BUILDERS.keys()].sort((a, b) => a - b);

export function differentialCases(opts: { apiVersions: Map<number, { min: number; max: number }> }): DiffCase[] {
  const ctx: CatalogueContext = { maxVersion: (apiKey) => opts.apiVersions.get(apiKey)?.max };
  const order = [...CATALOGUED_API_KEYS.filter((k) => !LAST.includes(k)), ...LAST];
  const cases: DiffCase[] = [];
  const needed = new Set<string>();
  for (const apiKey of order) {
    const range = opts.apiVersions.get(apiKey);
    const build = BUILDERS.get(apiKey)!;
    if (!range) continue;
    for (let v = range.min; v <= range.max; v++) {
      if (!isSupportedVersion(apiKey, v)) continue; // a version the codec cannot encode is not sent
      for (const spec of build(v, ctx)) {
        for (const t of spec.needsTopics ?? []) needed.add(t);
        cases.push(bind(apiKey, v, spec));
      }
    }
  }
  const setup = setupCase(opts.apiVersions.get(API_KEY.CreateTopics), [...needed]);
  return setup ? [setup, ...cases] : cases;
}

function bind(apiKey: number, version: number, spec: CaseSpec): DiffCase {
  const principal = spec.principal ?? 'alice';
  const c: DiffCase = {
    apiKey,
    version,
    scenario: spec.scenario,
    name: `${apiName(apiKey)} v${version} ${spec.scenario}: ${spec.what}${principal === 'alice' ? '' : ` (as ${principal})`}`,
    principal,
    body: (side) => fit(apiKey, version, spec.body(side)),
  };
  if (spec.mutates) c.mutates = true;
  if (spec.ignore) c.ignore = spec.ignore;
  if (spec.expectedDifference) c.expectedDifference = spec.expectedDifference;
  return c;
}

/** One CreateTopics (newest advertised version, alice, prefix CREATE) making every topic later mutations use. */
function setupCase(range: { min: number; max: number } | undefined, names: string[]): DiffCase | undefined {
  if (!range || names.length === 0) return undefined;
  return bind(API_KEY.CreateTopics, range.max, {
    scenario: 'allowed',
    what: `setup: ${names.length} topics for later mutating cases`,
    body: topics.createTopicsSetupBody(names),
    mutates: true,
    ignore: topics.CREATED_TOPIC_IDS,
  });
}
