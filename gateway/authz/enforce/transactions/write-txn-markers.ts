// WriteTxnMarkers (spec §2.5): sent by transaction coordinators, and by admin tools aborting a hanging
// transaction (KIP-664). ALTER on the cluster is asked first without a denial log, then CLUSTER_ACTION;
// with neither, 31 in every partition of every marker (the broker's generic error answer, one result per
// producer id).
import { API_KEY, ErrorCode, type RequestBody, type ResponseBody, versionRange } from '../../../protocol/index.ts';
import { CLUSTER_NAME } from '../../model.ts';
import type { Enforcer } from '../enforcer.ts';

type Markers = RequestBody<typeof API_KEY.WriteTxnMarkers>['markers'];
type MarkerResult = ResponseBody<typeof API_KEY.WriteTxnMarkers>['markers'][number];

export const writeTxnMarkersEnforcer: Enforcer<typeof API_KEY.WriteTxnMarkers> = {
  apiKey: API_KEY.WriteTxnMarkers,
  versions: versionRange(API_KEY.WriteTxnMarkers) ?? { min: 0, max: -1 },
  onRequest(req, { authz }) {
    if (authz.allowed('ALTER', 'CLUSTER', CLUSTER_NAME, { bypass: true }) || authz.allowed('CLUSTER_ACTION', 'CLUSTER', CLUSTER_NAME)) {
      return { action: 'forward' };
    }
    return { action: 'answer', body: { markers: everyPartitionFailed(req.body().markers, ErrorCode.CLUSTER_AUTHORIZATION_FAILED) } };
  },
};

/** Keyed by producer id as the broker keys its error map: a later marker of the same producer replaces an earlier one. */
function everyPartitionFailed(markers: Markers, errorCode: number): MarkerResult[] {
  const byProducer = new Map<bigint, Map<string, Set<number>>>();
  for (const marker of markers) {
    const topics = new Map<string, Set<number>>();
    for (const t of marker.topics) {
      let partitions = topics.get(t.name);
      if (!partitions) topics.set(t.name, (partitions = new Set()));
      for (const p of t.partitionIndexes) partitions.add(p);
    }
    byProducer.set(marker.producerId, topics);
  }
  return [...byProducer].map(([producerId, topics]) => ({
    producerId,
    topics: [...topics].map(([name, partitions]) => ({
      name,
      partitions: [...partitions].map((partitionIndex) => ({ partitionIndex, errorCode })),
    })),
  }));
}
