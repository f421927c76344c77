// Response rewriting: every broker address the backend sends is replaced by the gateway's address
// for that broker, and the backend's real addresses are learned on the way. These work on decoded
// structs; the response path (response-rewriter.ts) decodes only the fields they touch.
import { API_KEY, type Struct, topLevelTag } from '../protocol/index.ts';
import type { BrokerMap } from './broker-map.ts';
import type { TopicIdCache } from './topic-ids.ts';

type Endpoint = { host: string; port: number };

const COORDINATOR_NOT_AVAILABLE = 15;

/** Rewrites one endpoint in place; returns false when the broker cannot be routed (caller drops it). */
export function rewriteEndpoint(map: BrokerMap, nodeId: number, endpoint: Endpoint, learn: boolean): boolean {
  if (nodeId < 0) return true; // "no node" answers (coordinator not available…) carry no address
  if (learn) map.learn(nodeId, { host: endpoint.host, port: endpoint.port });
  const advertised = map.advertised(nodeId);
  if (!advertised) return false;
  endpoint.host = advertised.host;
  endpoint.port = advertised.port;
  return true;
}

export function rewriteList(
  map: BrokerMap,
  list: Array<Endpoint & Record<string, number | string>>,
  idField: string,
  learn: boolean,
): Array<Endpoint & Record<string, number | string>> {
  return list.filter((e) => rewriteEndpoint(map, e[idField] as number, e, learn));
}

/** The APIs whose responses carry broker addresses the gateway rewrites (masked ones: see masking.ts). */
export function carriesAddresses(apiKey: number, version: number): boolean {
  switch (apiKey) {
    case API_KEY.Metadata:
    case API_KEY.FindCoordinator:
    case API_KEY.DescribeCluster:
      return true;
    case API_KEY.Produce:
      return version >= 10; // KIP-951 NodeEndpoints
    case API_KEY.Fetch:
      return version >= 16; // KIP-951 NodeEndpoints
    case API_KEY.ShareFetch:
    case API_KEY.ShareAcknowledge:
      return true;
    default:
      return false;
  }
}

const endpointTags: number[][] = [];

/**
 * Produce v10+ and Fetch v16+ carry broker addresses only in KIP-951 NodeEndpoints, a top-level tagged
 * field the backend almost never sends. For those the tag to look for (by skipping through the frame,
 * see responseHasTaggedField) before anything is decoded; -1 for responses that are always decoded.
 */
export function optionalEndpointsTag(apiKey: number, version: number): number {
  if ((apiKey !== API_KEY.Produce && apiKey !== API_KEY.Fetch) || !carriesAddresses(apiKey, version)) return -1;
  const byVersion = (endpointTags[apiKey] ??= []);
  return (byVersion[version] ??= topLevelTag(apiKey, version, 'response', 'nodeEndpoints'));
}

/**
 * Rewrites the addresses in a whole decoded response body in place (the reference the field-by-field
 * response hooks are tested against). Returns whether anything changed.
 */
export function rewriteAddresses(apiKey: number, version: number, body: Struct, map: BrokerMap, topics: TopicIdCache): boolean {
  switch (apiKey) {
    case API_KEY.Metadata:
      body.brokers = rewriteList(map, body.brokers as Array<Endpoint & Record<string, number | string>>, 'nodeId', true);
      for (const t of body.topics as Array<{ topicId?: string; name: string | null }>) {
        if (t.name && t.topicId && t.topicId !== 'AAAAAAAAAAAAAAAAAAAAAA') topics.remember(t.topicId, t.name);
      }
      return true;
    case API_KEY.DescribeCluster:
      body.brokers = rewriteList(
        map,
        body.brokers as Array<Endpoint & Record<string, number | string>>,
        'brokerId',
        body.endpointType !== 2,
      );
      return true;
    case API_KEY.FindCoordinator: {
      // v0–3 answer one coordinator at the top level, v4+ a list; an unroutable one becomes
      // COORDINATOR_NOT_AVAILABLE so the client asks again instead of dialing the backend.
      const unroutable = { nodeId: -1, host: '', port: -1, errorCode: COORDINATOR_NOT_AVAILABLE };
      if (version >= 4) {
        for (const c of body.coordinators as Array<Endpoint & Struct>)
          if (!rewriteEndpoint(map, c.nodeId as number, c, true)) Object.assign(c, unroutable);
      } else if (!rewriteEndpoint(map, body.nodeId as number, body as Endpoint & Struct, true)) {
        Object.assign(body, unroutable);
      }
      return true;
    }
    default: {
      const endpoints = body.nodeEndpoints as Array<Endpoint & Record<string, number | string>> | undefined;
      if (!endpoints || endpoints.length === 0) return false;
      body.nodeEndpoints = rewriteList(map, endpoints, 'nodeId', true);
      return true;
    }
  }
}
