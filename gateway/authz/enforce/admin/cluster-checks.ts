// One table for the admin APIs a broker authorizes with a single operation on the cluster resource and
// denies as a whole (spec §2.3, §2.5). Allowed: the original bytes go upstream, no memo (the response is
// never decoded). Denied: the gateway answers with the body the API's generic error response builds
// (Kafka's `getErrorResponse`), so the error sits where a secured broker puts it.
import type { RequestBody, ResponseBody, Struct, TypedApiKey } from '../../../protocol/index.ts';
import { DEFAULT_ERROR_MESSAGE, ErrorCode, apiName } from '../../../protocol/index.ts';
import { CLUSTER_NAME, type RequestOperation } from '../../model.ts';
import type { Enforcer, RequestView } from '../enforcer.ts';
import { fullRange } from './full-range.ts';

const DENIED = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
/** Errors.CLUSTER_AUTHORIZATION_FAILED.message(): what APIs that read the error's own text return. */
const DEFAULT_MESSAGE = DEFAULT_ERROR_MESSAGE.CLUSTER_AUTHORIZATION_FAILED!;

/**
 * The text of the exception a broker raises for a denied cluster operation ("Request <request> needs
 * <OP> permission."); APIs whose error response copies the exception's message carry it. The broker
 * describes the request by its channel internals; the gateway describes it by its header instead.
 */
export function clusterPermissionMessage(req: RequestView, operation: RequestOperation): string {
  const name = apiName(req.apiKey) ?? String(req.apiKey);
  return `Request ${name}(apiVersion=${req.apiVersion}, clientId=${req.clientId}, correlationId=${req.correlationId}) needs ${operation} permission.`;
}

interface ClusterCheck<K extends TypedApiKey> {
  readonly apiKey: K;
  readonly operation: RequestOperation;
  /** The whole-request denial; `custom` is the "needs <OP> permission" text for APIs that echo it. */
  denial(body: RequestBody<K>, version: number, custom: string): Struct;
  /**
   * For APIs that list every topic when allowed: removes the gateway's reserved topics (the managed ACL
   * topic) from the backend's answer, so it stays invisible through the gateway (a broker has no such topic).
   */
  hideReserved?(body: ResponseBody<K>, isReserved: (topic: string) => boolean): void;
}

function clusterCheck<K extends TypedApiKey>(check: ClusterCheck<K>): Enforcer<K, true> {
  return {
    apiKey: check.apiKey,
    versions: fullRange(check.apiKey),
    onRequest(req, ctx) {
      if (ctx.authz.allowed(check.operation, 'CLUSTER', CLUSTER_NAME)) {
        return check.hideReserved && ctx.authz.isReservedTopic ? { action: 'forward', memo: true } : { action: 'forward' };
      }
      return { action: 'answer', body: check.denial(req.body(), req.apiVersion, clusterPermissionMessage(req, check.operation)) };
    },
    onResponse(body, _memo, ctx) {
      const authz = ctx.authz;
      if (check.hideReserved && authz.isReservedTopic) check.hideReserved(body, (topic) => authz.isReservedTopic!(topic));
    },
  };
}

/** ConfigResourceType TOPIC in ListConfigResources. */
const TOPIC_CONFIG_RESOURCE = 2;

export const CLUSTER_CHECK_ENFORCERS = [
  // Broker-local: 31 in every requested partition, one result per (log dir, topic) as requested.
  clusterCheck({
    apiKey: 34,
    operation: 'ALTER',
    denial: (body) => ({
      results: body.dirs.flatMap((dir) =>
        dir.topics.map((topic) => ({
          topicName: topic.name,
          partitions: topic.partitions.map((partitionIndex) => ({ partitionIndex, errorCode: DENIED })),
        })),
      ),
    }),
  }),
  // Broker-local: v3+ carries the error at the top level; before that a denial is only an empty answer.
  clusterCheck({
    apiKey: 35,
    operation: 'DESCRIBE',
    denial: (_body, version) => ({ ...(version >= 3 ? { errorCode: DENIED } : {}), results: [] }),
    hideReserved: (body, isReserved) => {
      for (const dir of body.results) dir.topics = dir.topics.filter((t) => !isReserved(t.name));
    },
  }),
  clusterCheck({
    apiKey: 43,
    operation: 'ALTER',
    // v0 has no top-level error field (and the codec refuses a value it cannot carry).
    denial: (body, version, custom) => ({
      ...(version >= 1 ? { errorCode: DENIED } : {}),
      replicaElectionResults: (body.topicPartitions ?? []).map((t) => ({
        topic: t.topic,
        partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode: DENIED, errorMessage: custom })),
      })),
    }),
    // A null partition list elects every partition, the managed ACL topic's too.
    hideReserved: (body, isReserved) => {
      body.replicaElectionResults = body.replicaElectionResults.filter((r) => !isReserved(r.topic));
    },
  }),
  clusterCheck({
    apiKey: 45,
    operation: 'ALTER',
    denial: (body, _version, custom) => ({
      errorCode: DENIED,
      errorMessage: custom,
      responses: body.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: DENIED, errorMessage: custom })),
      })),
    }),
  }),
  // The requested topics are echoed with their partitions and empty replica lists.
  clusterCheck({
    apiKey: 46,
    operation: 'DESCRIBE',
    denial: (body, _version, custom) => ({
      errorCode: DENIED,
      errorMessage: custom,
      topics: (body.topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => ({
          partitionIndex,
          replicas: [],
          addingReplicas: [],
          removingReplicas: [],
        })),
      })),
    }),
    hideReserved: (body, isReserved) => {
      body.topics = body.topics.filter((t) => !isReserved(t.name));
    },
  }),
  // Broker-local with the generic exception: its default text is not copied (message null).
  clusterCheck({
    apiKey: 48,
    operation: 'DESCRIBE_CONFIGS',
    denial: () => ({ errorCode: DENIED, errorMessage: null, entries: null }),
  }),
  clusterCheck({
    apiKey: 49,
    operation: 'ALTER_CONFIGS',
    denial: (body) => ({
      entries: body.entries.map((e) => ({
        errorCode: DENIED,
        errorMessage: DEFAULT_MESSAGE,
        entity: e.entity.map((x) => ({ entityType: x.entityType, entityName: x.entityName })),
      })),
    }),
  }),
  // One result per requested user, without the user's name. A null list ("all users") makes the
  // broker's own error path fail; the spec recommends the top-level error with no results instead.
  clusterCheck({
    apiKey: 50,
    operation: 'DESCRIBE',
    denial: (body) => ({
      errorCode: DENIED,
      errorMessage: null,
      results: (body.users ?? []).map(() => ({ user: '', errorCode: DENIED, errorMessage: null, credentialInfos: [] })),
    }),
  }),
  // One result per distinct user named by a deletion or an upsertion, sorted by name.
  clusterCheck({
    apiKey: 51,
    operation: 'ALTER',
    denial: (body, _version, custom) => ({
      results: [...new Set([...body.deletions.map((d) => d.name), ...body.upsertions.map((u) => u.name)])]
        .sort()
        .map((user) => ({ user, errorCode: DENIED, errorMessage: custom })),
    }),
  }),
  clusterCheck({
    apiKey: 55,
    operation: 'DESCRIBE',
    denial: () => ({ errorCode: DENIED, errorMessage: DEFAULT_MESSAGE, topics: [], nodes: [] }),
  }),
  clusterCheck({
    apiKey: 57,
    operation: 'ALTER',
    denial: (_body, _version, custom) => ({ errorCode: DENIED, errorMessage: custom, results: [] }),
  }),
  clusterCheck({
    apiKey: 64,
    operation: 'ALTER',
    denial: (_body, _version, custom) => ({ errorCode: DENIED, errorMessage: custom }),
  }),
  clusterCheck({
    apiKey: 74,
    operation: 'DESCRIBE_CONFIGS',
    denial: () => ({ errorCode: DENIED, configResources: [] }),
    // v0 lists client-metrics resources only; v1 adds topics (and groups, brokers…) by type.
    hideReserved: (body, isReserved) => {
      body.configResources = body.configResources.filter((r) => r.resourceType !== TOPIC_CONFIG_RESOURCE || !isReserved(r.resourceName));
    },
  }),
  clusterCheck({
    apiKey: 80,
    operation: 'ALTER',
    denial: () => ({ errorCode: DENIED, errorMessage: DEFAULT_MESSAGE }),
  }),
  clusterCheck({
    apiKey: 81,
    operation: 'ALTER',
    denial: () => ({ errorCode: DENIED, errorMessage: DEFAULT_MESSAGE }),
  }),
  // Share-group state RPCs: brokers send them to the share coordinator (CLUSTER_ACTION); a client
  // without it gets 31 with the error's default text in every requested partition (as 4.3 answers).
  ...([83, 84, 85, 86, 87] as const).map((apiKey) =>
    clusterCheck({ apiKey, operation: 'CLUSTER_ACTION', denial: (body) => shareStateDenial(body, DEFAULT_MESSAGE) }),
  ),
] as const;

/** The share-state RPCs' common denial: each requested (topic id, partition) echoed with 31. */
function shareStateDenial(
  body: { topics: ReadonlyArray<{ topicId: string; partitions: ReadonlyArray<{ partition: number }> }> },
  errorMessage: string | null,
): Struct {
  return {
    results: body.topics.map((t) => ({
      topicId: t.topicId,
      partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: DENIED, errorMessage })),
    })),
  };
}
