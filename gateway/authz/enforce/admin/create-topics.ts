// CreateTopics (19), spec §2.5. CREATE on the cluster (checked first, denial not logged) authorizes
// every topic; otherwise CREATE per topic, denied → 29 "Authorization failed.". Names the broker
// rejects before authorizing (a name given twice, the metadata log's own topic) are left in the
// request: the backend rejects them the same way (42) and creates nothing. v5+: the configs of a
// created topic are returned only with DESCRIBE_CONFIGS on it (checked quietly, as the broker does),
// else TopicConfigErrorCode 29 with NumPartitions/ReplicationFactor −1 and no configs — a response edit,
// because the backend has no authorizer and always returns them.
import { ErrorCode, type ResponseBody } from '../../../protocol/index.ts';
import { CLUSTER_NAME } from '../../model.ts';
import type { Enforcer } from '../enforcer.ts';
import { fullRange } from './full-range.ts';

type Result = ResponseBody<19>['topics'][number];

/** The topic KRaft keeps its metadata log in: never creatable (42 from the backend). */
const CLUSTER_METADATA_TOPIC = '__cluster_metadata';
/** The first version whose response returns the created topic's configs. */
const CONFIGS_VERSION = 5;

interface CreateTopicsMemo {
  /** Denied topics, appended after the backend's results. */
  readonly denied: readonly string[];
  /** Topics whose configs the principal may not see. */
  readonly configsHidden: readonly string[];
}

function deniedResult(name: string): Partial<Result> {
  return { name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.', configs: [] };
}

export const createTopics: Enforcer<19, CreateTopicsMemo> = {
  apiKey: 19,
  versions: fullRange(19),
  onRequest(req, ctx) {
    const body = req.body();
    const count = new Map<string, number>();
    for (const t of body.topics) count.set(t.name, (count.get(t.name) ?? 0) + 1);
    // The broker authorizes each distinct, non-duplicated name once.
    const checked = [...count].filter(([name, n]) => n === 1 && name !== CLUSTER_METADATA_TOPIC).map(([name]) => name);
    const clusterWide = ctx.authz.allowed('CREATE', 'CLUSTER', CLUSTER_NAME, { bypass: true });
    const denied = new Set(clusterWide ? [] : checked.filter((name) => !ctx.authz.allowed('CREATE', 'TOPIC', name)));
    const configsHidden =
      req.apiVersion >= CONFIGS_VERSION
        ? checked.filter((name) => !ctx.authz.allowed('DESCRIBE_CONFIGS', 'TOPIC', name, { quiet: true }))
        : [];
    const memo: CreateTopicsMemo = { denied: [...denied], configsHidden: configsHidden.filter((name) => !denied.has(name)) };
    if (denied.size === 0) return memo.configsHidden.length === 0 ? { action: 'forward' } : { action: 'forward', memo };
    const kept = body.topics.filter((t) => !denied.has(t.name));
    if (kept.length === 0) return { action: 'answer', body: { topics: memo.denied.map(deniedResult) } };
    return { action: 'rewrite', body: { ...body, topics: kept }, memo };
  },
  onResponse(body, memo) {
    const hidden = new Set(memo.configsHidden);
    for (const r of body.topics) {
      // Only created (or validated) topics carry configs; failed ones already have none.
      if (r.errorCode !== ErrorCode.NONE || !hidden.has(r.name)) continue;
      r.topicConfigErrorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      r.numPartitions = -1;
      r.replicationFactor = -1;
      r.configs = [];
    }
    body.topics.push(...(memo.denied.map(deniedResult) as Result[]));
  },
};
