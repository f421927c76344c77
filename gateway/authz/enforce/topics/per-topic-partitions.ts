// One shape shared by the APIs that name topics with partitions in the request and answer per partition
// (ListOffsets, OffsetForLeaderEpoch, DeleteRecords, DescribeProducers): one operation per topic, denied
// topics stripped from the request and answered with 29 in every requested partition (spec §2.4 defaults),
// appended after the backend's topics. All denied → answered locally; all allowed → forwarded untouched.
import type { Struct, TypedApiKey } from '../../../protocol/index.ts';
import type { RequestOperation } from '../../model.ts';
import type { EnforceContext, Enforcer, RequestDecision, RequestView } from '../enforcer.ts';
import { CLUSTER_NAME, topicDecider } from './topic-authz.ts';

export const TOPIC_AUTHORIZATION_FAILED = 29;

export interface PerTopicPartitionsSpec<K extends TypedApiKey> {
  readonly apiKey: K;
  readonly versions: { readonly min: number; readonly max: number };
  readonly operation: RequestOperation;
  /** The request's and response's topic-name field ('name' or 'topic'). */
  readonly nameField: string;
  /** The partitions a request topic asks for. */
  partitionsOf(topic: Struct): number[];
  /** A denied partition as the broker fills it (spec §2.4). */
  deniedPartition(partition: number, apiVersion: number): Struct;
  /** A CLUSTER operation that authorizes every topic, checked first without denial log (OffsetForLeaderEpoch). */
  readonly clusterBypass?: RequestOperation;
  /** Topics the broker rejects before authorizing (invalid names): forwarded for the backend to answer. */
  checkedByBackend?(name: string): boolean;
  /** The whole locally made response around the denied topics. */
  answer(deniedTopics: Struct[], apiVersion: number): Struct;
}

/** The denied topics, as response entries, to append to the backend's answer. */
export type DeniedTopics = Struct[];

export function perTopicPartitionsEnforcer<K extends TypedApiKey>(spec: PerTopicPartitionsSpec<K>): Enforcer<K, DeniedTopics> {
  const deniedTopic = (topic: Struct, apiVersion: number): Struct => ({
    [spec.nameField]: topic[spec.nameField] as string,
    partitions: spec.partitionsOf(topic).map((p) => spec.deniedPartition(p, apiVersion)),
  });
  return {
    apiKey: spec.apiKey,
    versions: spec.versions,
    onRequest(req: RequestView<K>, ctx: EnforceContext): RequestDecision<DeniedTopics> {
      if (spec.clusterBypass && ctx.authz.allowed(spec.clusterBypass, 'CLUSTER', CLUSTER_NAME, { bypass: true }))
        return { action: 'forward' };
      const body = req.body() as Struct;
      const topics = body.topics as Struct[];
      const allowed = topicDecider(ctx, spec.operation);
      const kept: Struct[] = [];
      const denied: Struct[] = [];
      for (const t of topics) {
        const name = t[spec.nameField] as string;
        if (spec.checkedByBackend?.(name) || allowed(name)) kept.push(t);
        else denied.push(deniedTopic(t, req.apiVersion));
      }
      if (denied.length === 0) return { action: 'forward' };
      if (kept.length === 0) return { action: 'answer', body: spec.answer(denied, req.apiVersion) };
      return { action: 'rewrite', body: { ...body, topics: kept }, memo: denied };
    },
    onResponse(body, memo: DeniedTopics): void {
      (body as { topics: Struct[] }).topics.push(...memo);
    },
  };
}
