// The response path's one mechanism: a hook per api key turns the backend's answer into the client's.
// APIs without a hook pass as the chunks they arrived in. A hook touches only the top-level fields that
// must change: the response is walked (walk.ts, nothing decoded), those fields alone are decoded, edited
// and re-encoded, and the bytes before, between and after them pass through as views of the original.
// Metadata's broker list is rewritten without decoding a single partition.
import {
  API_KEY,
  ErrorCode,
  type FieldSpan,
  type ResponseWalk,
  type Struct,
  type WalkOptions,
  ZERO_UUID,
  decodeField,
  decodeResponseFrame,
  encodeField,
  encodeResponseFrame,
  responseHasTaggedField,
  topLevelField,
  versionRange,
  walkResponse,
} from '../protocol/index.ts';
import { type AdvertisedVersions, type ApiRange, featuresOf } from './api-versions.ts';
import type { Address, BrokerMap } from './broker-map.ts';
import { maskAddressConfigs, maskQuorumListeners } from './masking.ts';
import { optionalEndpointsTag, rewriteEndpoint, rewriteList } from './rewrite.ts';
import type { TopicIdCache } from './topic-ids.ts';

/** A response frame as the network layer hands it over: the chunks (with the size prefix) and the joined payload. */
export interface ResponseFrame {
  readonly parts: readonly Buffer[];
  /** The bytes after the size prefix as one Buffer (joined on first use). */
  readonly payload: Buffer;
}

/** What to send: one Buffer, or pieces in order. */
export type ResponseBytes = Buffer | readonly Buffer[];

/** What a hook may use: the listener's broker map, the topic id cache, the version tables, the session's backend. */
export interface ResponseContext {
  readonly brokers: BrokerMap;
  readonly topics: TopicIdCache;
  readonly versions: AdvertisedVersions;
  /** The backend broker this session's requests go to. */
  readonly backend: Address;
}

export interface ResponseHook {
  readonly rewrite: (frame: ResponseFrame, version: number, ctx: ResponseContext) => ResponseBytes;
  /**
   * The response structs holding a broker `host` and `port` that this hook rewrites or masks, as paths
   * (`brokers[]`, `nodes[].listeners[]`, `''` for the top level). A unit test checks every such struct in
   * the generated tables is covered by a hook, is in an API not served to clients, or is documented as
   * not a broker address.
   */
  readonly addresses: readonly string[];
}

const COORDINATOR_NOT_AVAILABLE = 15;

/**
 * Decodes the named top-level fields present at this version, lets `edit` change them in place, and, when
 * it reports a change, re-encodes just those fields between the untouched bytes around them.
 */
export function spliceFields(
  frame: ResponseFrame,
  apiKey: number,
  version: number,
  names: readonly string[],
  edit: (fields: Struct, walk: ResponseWalk) => boolean,
  walkOptions: Omit<WalkOptions, 'offset'> = {},
): ResponseBytes {
  const payload = frame.payload;
  const walk = walkResponse(payload, apiKey, version, walkOptions);
  const spans = walk.fields.filter((f) => names.includes(f.name));
  const fields: Struct = {};
  for (const span of spans)
    fields[span.name] = decodeField(topLevelField(apiKey, version, 'response', span.name)!, payload, span.valueStart, span.end);
  if (!edit(fields, walk)) return frame.parts;
  const replaced = spans.map((span): [FieldSpan, Buffer] => [
    span,
    encodeField(topLevelField(apiKey, version, 'response', span.name)!, fields[span.name]),
  ]);
  return splice(payload, replaced);
}

/** The frame (size prefix first) with each span's bytes replaced; everything else is a view of `payload`. */
function splice(payload: Buffer, replaced: ReadonlyArray<[FieldSpan, Buffer]>): Buffer[] {
  const out: Buffer[] = [Buffer.alloc(4)];
  let size = 0;
  let at = 0;
  for (const [span, bytes] of replaced) {
    if (span.start > at) out.push(payload.subarray(at, span.start));
    out.push(bytes);
    size += span.start - at + bytes.length;
    at = span.end;
  }
  if (at < payload.length) out.push(payload.subarray(at));
  size += payload.length - at;
  out[0].writeInt32BE(size);
  return out;
}

type Endpoint = { host: string; port: number } & Record<string, number | string>;

/**
 * Metadata topic ids ↔ names (v10+ carry ids), for the APIs that address topics by id. Each topic's name
 * and id are read while its partitions are skipped; see learnTopicIdsSoon for when.
 */
export function learnTopicIds(payload: Buffer, version: number, topics: TopicIdCache): void {
  const walk = walkResponse(payload, API_KEY.Metadata, version, { elementsOf: 'topics', pick: ['name', 'topicId'] });
  for (const t of walk.elements) {
    const { name, topicId } = t.values;
    if (typeof name === 'string' && name !== '' && typeof topicId === 'string' && topicId !== ZERO_UUID) topics.remember(topicId, name);
  }
}

/**
 * The topic walk is linear in partitions (≈100k partitions: milliseconds), the broker rewrite is not: the
 * walk runs right after this turn, once the answer is on its way, instead of delaying it. A client's next
 * request is read in a later turn, so the ids are known by then. A malformed topic list found here is
 * left to the client (nothing of it was rewritten).
 */
function learnTopicIdsSoon(payload: Buffer, version: number, topics: TopicIdCache): void {
  if (version < 10) return;
  setImmediate(() => {
    try {
      learnTopicIds(payload, version, topics);
    } catch {
      // ProtocolError: the backend's topic list does not parse; the cache keeps what it had.
    }
  });
}

const metadata: ResponseHook = {
  addresses: ['brokers[]'],
  rewrite: (frame, version, ctx) => {
    // Only the fields up to the broker list are walked and only that list is decoded: the cost does not
    // grow with topics or partitions, which pass as views of the backend's bytes.
    const out = spliceFields(
      frame,
      API_KEY.Metadata,
      version,
      ['brokers'],
      (f) => {
        f.brokers = rewriteList(ctx.brokers, f.brokers as Endpoint[], 'nodeId', true);
        return true;
      },
      { until: 'brokers' },
    );
    learnTopicIdsSoon(frame.payload, version, ctx.topics);
    return out;
  },
};

const describeCluster: ResponseHook = {
  addresses: ['brokers[]'],
  rewrite: (frame, version, ctx) =>
    spliceFields(frame, API_KEY.DescribeCluster, version, ['brokers', 'endpointType'], (f) => {
      // Controller endpoints (endpointType 2) are not brokers: not learned as routes.
      f.brokers = rewriteList(ctx.brokers, f.brokers as Endpoint[], 'brokerId', f.endpointType !== 2);
      return true;
    }),
};

const findCoordinator: ResponseHook = {
  addresses: ['', 'coordinators[]'],
  rewrite: (frame, version, ctx) => {
    // v0–3 answer one coordinator at the top level, v4+ a list; an unroutable one becomes
    // COORDINATOR_NOT_AVAILABLE so the client asks again instead of dialing the backend.
    const unroutable = { nodeId: -1, host: '', port: -1, errorCode: COORDINATOR_NOT_AVAILABLE };
    if (version >= 4) {
      return spliceFields(frame, API_KEY.FindCoordinator, version, ['coordinators'], (f) => {
        for (const c of f.coordinators as Endpoint[])
          if (!rewriteEndpoint(ctx.brokers, c.nodeId as number, c, true)) Object.assign(c, unroutable);
        return true;
      });
    }
    return spliceFields(frame, API_KEY.FindCoordinator, version, ['errorCode', 'nodeId', 'host', 'port'], (f) => {
      if (!rewriteEndpoint(ctx.brokers, f.nodeId as number, f as Endpoint, true)) Object.assign(f, unroutable);
      return true;
    });
  },
};

/** KIP-951 NodeEndpoints: a tagged field in Produce v10+/Fetch v16+ (looked for without decoding), a plain one in share APIs. */
const nodeEndpoints = (apiKey: number): ResponseHook => ({
  addresses: ['nodeEndpoints[]'],
  rewrite: (frame, version, ctx) => {
    const tag = optionalEndpointsTag(apiKey, version);
    if (tag >= 0 && !responseHasTaggedField(frame.parts, apiKey, version, tag, 4)) return frame.parts;
    if (!topLevelField(apiKey, version, 'response', 'nodeEndpoints')) return frame.parts;
    return spliceFields(frame, apiKey, version, ['nodeEndpoints'], (f) => {
      const endpoints = f.nodeEndpoints as Endpoint[];
      if (endpoints.length === 0) return false;
      f.nodeEndpoints = rewriteList(ctx.brokers, endpoints, 'nodeId', true);
      return true;
    });
  },
});

const describeQuorum: ResponseHook = {
  addresses: ['nodes[].listeners[]'],
  rewrite: (frame, version) => {
    if (!topLevelField(API_KEY.DescribeQuorum, version, 'response', 'nodes')) return frame.parts;
    return spliceFields(frame, API_KEY.DescribeQuorum, version, ['nodes'], (f) =>
      maskQuorumListeners(f.nodes as Array<{ listeners: unknown[] }>),
    );
  },
};

const describeConfigs: ResponseHook = {
  addresses: [],
  rewrite: (frame, version) =>
    spliceFields(frame, API_KEY.DescribeConfigs, version, ['results'], (f) => maskAddressConfigs(f.results as Struct[])),
};

const apiVersions: ResponseHook = {
  addresses: [],
  rewrite: (frame, version, ctx) => {
    // A broker answers a version it does not support with error 35 in the v0 layout.
    const payload = frame.payload;
    const errorCode = payload.length >= 6 ? payload.readInt16BE(4) : 0;
    const layoutVersion = errorCode === ErrorCode.UNSUPPORTED_VERSION ? 0 : version;
    const { header, body } = decodeResponseFrame(payload, API_KEY.ApiVersions, layoutVersion);
    const advertised = ctx.versions.intersect(body.apiKeys as ApiRange[]);
    if (errorCode === 0) ctx.versions.learn(ctx.backend, advertised, featuresOf(body, layoutVersion));
    body.apiKeys = advertised;
    return encodeResponseFrame(header, body, API_KEY.ApiVersions, layoutVersion, { sizePrefix: true });
  },
};

/** The response hook of each api key; every other API's answers pass untouched. */
export const RESPONSE_HOOKS: ReadonlyMap<number, ResponseHook> = new Map([
  [API_KEY.Produce, nodeEndpoints(API_KEY.Produce)],
  [API_KEY.Fetch, nodeEndpoints(API_KEY.Fetch)],
  [API_KEY.Metadata, metadata],
  [API_KEY.FindCoordinator, findCoordinator],
  [API_KEY.DescribeConfigs, describeConfigs],
  [API_KEY.ApiVersions, apiVersions],
  [API_KEY.DescribeQuorum, describeQuorum],
  [API_KEY.DescribeCluster, describeCluster],
  [API_KEY.ShareFetch, nodeEndpoints(API_KEY.ShareFetch)],
  [API_KEY.ShareAcknowledge, nodeEndpoints(API_KEY.ShareAcknowledge)],
]);

/**
 * The bytes to send the client for a backend response: the original chunks unless a hook changes them.
 * ProtocolError when a response a hook must read is malformed.
 */
export function processResponse(apiKey: number, apiVersion: number, frame: ResponseFrame, ctx: ResponseContext): ResponseBytes {
  const hook = RESPONSE_HOOKS.get(apiKey);
  return hook ? hook.rewrite(frame, apiVersion, ctx) : frame.parts;
}

/** Spec §3.2: a newer ApiVersions than the gateway speaks gets a v0 answer listing what it does speak. */
export function unsupportedApiVersionsAnswer(correlationId: number): Buffer {
  const range = versionRange(API_KEY.ApiVersions)!;
  return encodeResponseFrame(
    { correlationId },
    { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [{ apiKey: API_KEY.ApiVersions, minVersion: range.min, maxVersion: range.max }] },
    API_KEY.ApiVersions,
    0,
    { sizePrefix: true },
  );
}
