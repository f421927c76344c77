// Coverage of the enforcers against Kafka's own definitions: every request field marked with an
// `entityType` of a resource the ACL model knows (topicName, groupId, transactionalId), in every version
// an enforcer accepts, must reach an authorization question of that enforcer. The request is built from
// the generated layout with a unique name in every such field (arrays get one element) and asked under a
// policy that allows every topic, group and transactional id but nothing on the cluster, so per-item
// checks are not short-cut by a cluster-wide grant. A field that a broker does not authorize by design is
// listed below with the spec's reason; anything else missing is an enforcer that forgot a resource.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_ENFORCERS } from '../../../../gateway/authz/enforce/registry.ts';
import type { AnyEnforcer, RequestDecision } from '../../../../gateway/authz/enforce/enforcer.ts';
import { apiName, type FieldOp, type Struct, type TypedApiKey } from '../../../../gateway/protocol/index.ts';
import { messageLayout } from '../../../../gateway/protocol/codec.ts';
import { requestView, testContext } from './context.ts';

/** Entity types that name an ACL resource (brokerId and producerId are not authorized by name). */
const AUTHORIZED_ENTITY_TYPES: Readonly<Record<string, string>> = {
  topicName: 'TOPIC',
  groupId: 'GROUP',
  transactionalId: 'TRANSACTIONAL_ID',
};

/** (api, versions, field path) a broker reads without authorizing it by that name, with the reason. */
const NOT_AUTHORIZED_BY_DESIGN: ReadonlyArray<{ api: string; from: number; to: number; path: string; why: string }> = [
  {
    api: 'Produce',
    from: 0,
    to: 99,
    path: 'transactionalId',
    why: 'spec §2.5: checked only when the first batch of a partition is transactional (the generated request carries no records)',
  },
  {
    api: 'AddPartitionsToTxn',
    from: 4,
    to: 99,
    path: 'transactions[].transactionalId',
    why: 'spec §2.5: v4+ is broker-to-coordinator, CLUSTER_ACTION only',
  },
  {
    api: 'AddPartitionsToTxn',
    from: 4,
    to: 99,
    path: 'transactions[].topics[].name',
    why: 'spec §2.5: v4+ is broker-to-coordinator, CLUSTER_ACTION only',
  },
  {
    api: 'WriteTxnMarkers',
    from: 0,
    to: 99,
    path: 'markers[].topics[].name',
    why: 'spec §2.3: ALTER or CLUSTER_ACTION on the cluster only',
  },
  {
    api: 'Fetch',
    from: 7,
    to: 12,
    path: 'forgottenTopicsData[].topic',
    why: 'spec §2.5: forgetting removes partitions from a fetch session, nothing is read (the session partitions left are re-authorized)',
  },
  {
    api: 'DescribeTopicPartitions',
    from: 0,
    to: 0,
    path: 'cursor.topicName',
    why: 'spec §2.5: the cursor only says where the listing starts; listed topics are authorized (explicit mode: the cursor must be one of them)',
  },
  {
    api: 'AlterReplicaLogDirs',
    from: 0,
    to: 99,
    path: 'dirs[].topics[].name',
    why: 'spec §2.3: a single ALTER on the cluster authorizes the whole request; the topics are not authorized',
  },
  {
    api: 'DescribeLogDirs',
    from: 0,
    to: 99,
    path: 'topics[].topic',
    why: 'spec §2.3: a single DESCRIBE on the cluster authorizes the whole request; the topics are not authorized',
  },
  {
    api: 'ElectLeaders',
    from: 0,
    to: 99,
    path: 'topicPartitions[].topic',
    why: 'spec §2.3: a single ALTER on the cluster authorizes the whole request; the topics are not authorized',
  },
  {
    api: 'AlterPartitionReassignments',
    from: 0,
    to: 99,
    path: 'topics[].name',
    why: 'spec §2.3: a single ALTER on the cluster authorizes the whole request; the topics are not authorized',
  },
  {
    api: 'ListPartitionReassignments',
    from: 0,
    to: 99,
    path: 'topics[].name',
    why: 'spec §2.3: a single DESCRIBE on the cluster authorizes the whole request; the topics are not authorized',
  },
  {
    api: 'DescribeQuorum',
    from: 0,
    to: 99,
    path: 'topics[].topicName',
    why: 'spec §2.3: a single DESCRIBE on the cluster authorizes the whole request; the topics are not authorized',
  },
];

type Sentinel = { path: string; entityType: string; value: string };

/** A request body for the layout with a unique name in each authorized entity field. */
function sentinelBody(apiKey: number, version: number, found: Sentinel[]): Struct {
  let n = 0;
  const fill = (ops: readonly FieldOp[], prefix: string): Struct => {
    const out: Struct = {};
    for (const op of ops) {
      if (!op.present) continue;
      const path = `${prefix}${op.name}`;
      const entity = op.schema.entityType;
      const resource = entity === undefined ? undefined : AUTHORIZED_ENTITY_TYPES[entity];
      if (op.layout) {
        const inner = fill(op.layout.fields, `${path}${op.array ? '[]' : ''}.`);
        out[op.name] = op.array ? [inner] : inner;
      } else if (resource !== undefined) {
        const value = `s${++n}.${op.name}`;
        found.push({ path, entityType: entity!, value });
        out[op.name] = op.array ? [value] : value;
      } else if (op.schema.type === 'string') {
        // A set value, not the default: some checks come after a validation of such fields (SyncGroup v5+).
        out[op.name] = 'x';
      }
    }
    return out;
  };
  return fill(messageLayout(apiKey, version, 'request').fields, '');
}

const ALLOW_EVERY_ITEM = ['User:* ALLOW ALL TOPIC *', 'User:* ALLOW ALL GROUP *', 'User:* ALLOW ALL TRANSACTIONAL_ID *'];

function excused(api: string, version: number, path: string): boolean {
  return NOT_AUTHORIZED_BY_DESIGN.some((e) => e.api === api && version >= e.from && version <= e.to && e.path === path);
}

function decide(
  enforcer: AnyEnforcer,
  apiKey: number,
  version: number,
  body: Struct,
  ctx: ReturnType<typeof testContext>,
): RequestDecision {
  const key = apiKey as TypedApiKey;
  const first = enforcer.onRequest(requestView(key, version, body), ctx) as RequestDecision;
  if (first.action !== 'resolve-topic-ids') return first;
  return enforcer.onRequest(requestView(key, version, body, { topicIdsResolved: true }), ctx);
}

test('every authorized entity field of every accepted request version reaches an authorization question', () => {
  const missing: string[] = [];
  let checked = 0;
  for (const enforcer of ALL_ENFORCERS) {
    const apiKey = enforcer.apiKey as number;
    const api = apiName(apiKey) ?? String(apiKey);
    for (let version = enforcer.versions.min; version <= enforcer.versions.max; version++) {
      const sentinels: Sentinel[] = [];
      const body = sentinelBody(apiKey, version, sentinels);
      if (sentinels.length === 0) continue;
      const ctx = testContext(ALLOW_EVERY_ITEM, { principal: 'User:coverage' });
      decide(enforcer, apiKey, version, body, ctx);
      const asked = new Set(ctx.asked.map((q) => q.name));
      for (const s of sentinels) {
        checked++;
        if (!asked.has(s.value) && !excused(api, version, s.path)) missing.push(`${api} v${version} ${s.path} (${s.entityType})`);
      }
    }
  }
  assert.deepEqual(missing, [], `entity fields no authorization question names:\n${missing.join('\n')}`);
  // The registry is filled by the enforcer groups; a coverage run over nothing would prove nothing.
  assert.ok(checked > 0 || ALL_ENFORCERS.length === 0, 'no entity field was checked');
});

test('the exceptions name real fields of real versions', () => {
  for (const e of NOT_AUTHORIZED_BY_DESIGN) {
    const enforcer = ALL_ENFORCERS.find((x) => apiName(x.apiKey as number) === e.api);
    if (!enforcer) continue;
    let seen = false;
    for (let v = Math.max(e.from, enforcer.versions.min); v <= Math.min(e.to, enforcer.versions.max); v++) {
      const sentinels: Sentinel[] = [];
      sentinelBody(enforcer.apiKey as number, v, sentinels);
      if (sentinels.some((s) => s.path === e.path)) seen = true;
    }
    assert.ok(seen, `${e.api} ${e.path}: no accepted version has this entity field (stale exception)`);
  }
});
