// Turns a decoded response into a value both sides can be compared on: what legitimately differs
// between two clusters (addresses, cluster and topic ids, throttle times, offsets and timestamps of live
// data, producer and member ids) is replaced by placeholders, and nothing else is touched — error codes,
// error messages, which items are present, authorized-operations bitfields all stay as decoded.
// Numbers that are not comparable keep their negative sentinels (−1, INT_MIN): a denied item's
// "BaseOffset −1" must still differ from an allowed item's real offset.
import type { Struct } from '../../../gateway/protocol/index.ts';
import { ZERO_UUID } from '../../../gateway/protocol/index.ts';

export type Normalized = null | boolean | number | string | Normalized[] | { [field: string]: Normalized };

/** Live-data numbers: '#' when ≥ 0, the sentinel itself otherwise. */
const LIVE_NUMBERS = new Set([
  'baseOffset',
  'logAppendTimeMs',
  'logStartOffset',
  'highWatermark',
  'lastStableOffset',
  'timestamp',
  'offset',
  'lowWatermark',
  'producerId',
  'producerEpoch',
  'lastSequence',
  'lastTimestamp',
  'currentTxnStartOffset',
  'coordinatorEpoch',
  'transactionStartTimeMs',
  'sessionId',
  'finalizedFeaturesEpoch',
  'size',
  'offsetLag',
  'totalBytes',
  'usableBytes',
  'memberEpoch',
]);
/** Strings that name per-cluster things: any non-empty value becomes a placeholder. */
const LIVE_STRINGS = new Set(['memberId', 'leader', 'clusterId', 'host', 'logDir']);
/** Broker-level config resources: the two brokers are configured differently (listeners, authorizer, paths). */
const BROKER_RESOURCE_TYPES = new Set([4, 8]);

/** Field paths without array positions: `topics[x].partitions[0].errorCode` → topics.partitions.errorCode. */
export function fieldsOf(path: string): string[] {
  return path
    .replace(/\[[^\]]*\]/g, '')
    .split(/[./]/)
    .filter((s) => s !== '' && s !== '*' && s !== '$');
}

/**
 * Whether a case's `ignore` pattern covers a path. Patterns name fields from the body's root, with or
 * without array markers (`responses[].partitionResponses[].baseOffset`, `responses.*.baseOffset`);
 * a single field name covers that field wherever it occurs.
 */
export function ignored(path: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return false;
  const fields = fieldsOf(path);
  return patterns.some((p) => {
    const want = fieldsOf(p);
    if (want.length === 1) return fields.includes(want[0]);
    return want.length <= fields.length && want.every((f, i) => f === fields[i]);
  });
}

export type NormalizeContext = {
  /** The side's topic id → name (every id it ever had). */
  topicName: (id: string) => string | undefined;
  ignore: readonly string[];
  /** Filled with the topic ids `topicName` did not know (a topic made by the case itself). */
  unknownIds?: string[];
};

/**
 * The broker's "authorize cluster operation" text embeds the request's description (Java's toString of
 * its internal request object), which no other implementation can reproduce, and its wording changed
 * between releases ("Request … needs ALTER permission." in 4.x, "Request … is not authorized." in 3.9);
 * the spec gives only the 4.x template (§0, message text is informational), so such texts compare as one
 * placeholder and the error code carries the decision.
 */
const CLUSTER_OPERATION_DENIED = /^Request .* (needs \w+ permission|is not authorized)\.$/s;

function liveNumber(v: number): Normalized {
  return v >= 0 ? '#' : v;
}

export function normalize(value: unknown, ctx: NormalizeContext, path = '$', field = ''): Normalized {
  if (field && ignored(path, ctx.ignore)) return '<ignored>';
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return LIVE_NUMBERS.has(field) ? liveNumber(Number(value)) : value.toString();
  if (typeof value === 'number') {
    if (field === 'throttleTimeMs') return 0;
    if (field === 'port') return value >= 0 ? '<port>' : value;
    return LIVE_NUMBERS.has(field) ? liveNumber(value) : value;
  }
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (/^topicId$|TopicId$/.test(field) || (field === 'topicIds' && value.length === 22)) {
      if (value === ZERO_UUID) return value;
      const name = ctx.topicName(value);
      if (name === undefined) ctx.unknownIds?.push(value);
      // An id neither side knows (a validate-only creation's id, an id a case made up) is not comparable.
      return name === undefined ? '<unknown topic id>' : `<id of ${name}>`;
    }
    if (field === 'key' && value.includes(':')) {
      // A share coordinator key embeds a topic id: "group:topicId:partition".
      return value
        .split(':')
        .map((part) => {
          const name = part.length === 22 ? ctx.topicName(part) : undefined;
          return name === undefined ? part : `<id of ${name}>`;
        })
        .join(':');
    }
    if (field === 'errorMessage') {
      if (CLUSTER_OPERATION_DENIED.test(value)) return '<cluster operation denied: Request … not authorized>';
    }
    if (LIVE_STRINGS.has(field) && value !== '') return `<${field}>`;
    return value;
  }
  if (Buffer.isBuffer(value)) {
    if (field === 'records') return value.length === 0 ? '<no records>' : '<records>';
    return `0x${value.toString('hex')}`;
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => normalize(v, ctx, `${path}[${i}]`, field));
  }
  if (typeof value === 'object') {
    const s = value as Struct;
    const out: Record<string, Normalized> = {};
    const brokerConfigs = field === 'results' && 'resourceType' in s && BROKER_RESOURCE_TYPES.has(Number(s.resourceType));
    for (const [k, v] of Object.entries(s)) {
      if (brokerConfigs && k === 'configs' && Array.isArray(v)) {
        // Same release on both sides, so the same config names; values and sources follow each broker's setup.
        out[k] = (v as Struct[]).map((c) => ({ name: String(c.name) }));
        continue;
      }
      out[k] = normalize(v, ctx, path === '$' ? k : `${path}.${k}`, k);
    }
    return out;
  }
  return typeof value === 'symbol' || typeof value === 'function' ? '<unexpected>' : null;
}
