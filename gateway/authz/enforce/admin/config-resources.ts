// Config resources (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs): which ACL resource a
// config resource is authorized on, and the error its denial carries (spec §2.3, §2.5).
import { DEFAULT_ERROR_MESSAGE, ErrorCode, type ErrorCodeName, errorName } from '../../../protocol/index.ts';
import { CLUSTER_NAME, type RequestOperation, type ResourceType } from '../../model.ts';
import type { Authorizer } from '../enforcer.ts';

/** ConfigResource.Type wire codes (Kafka's ConfigResource.Type). */
export const ConfigResourceType = {
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
  CLIENT_METRICS: 16,
  GROUP: 32,
} as const;

interface Target {
  readonly type: ResourceType;
  /** The error code of a denial. */
  readonly denied: number;
}

const TOPIC: Target = { type: 'TOPIC', denied: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
const GROUP: Target = { type: 'GROUP', denied: ErrorCode.GROUP_AUTHORIZATION_FAILED };
const CLUSTER: Target = { type: 'CLUSTER', denied: ErrorCode.CLUSTER_AUTHORIZATION_FAILED };

/** Where a config resource type is authorized; undefined for a type the API does not know. */
export function configTarget(resourceType: number, brokerLoggerKnown: boolean): Target | undefined {
  switch (resourceType) {
    case ConfigResourceType.TOPIC:
      return TOPIC;
    case ConfigResourceType.GROUP:
      return GROUP;
    case ConfigResourceType.BROKER:
    case ConfigResourceType.CLIENT_METRICS:
      return CLUSTER;
    case ConfigResourceType.BROKER_LOGGER:
      return brokerLoggerKnown ? CLUSTER : undefined;
    default:
      return undefined;
  }
}

/** The denial code when `operation` is not allowed on the resource's target, else undefined (allowed). */
export function configDenial(authz: Authorizer, operation: RequestOperation, target: Target, resourceName: string): number | undefined {
  const name = target.type === 'CLUSTER' ? CLUSTER_NAME : resourceName;
  return authz.allowed(operation, target.type, name) ? undefined : target.denied;
}

/** The broker's default text for an authorization error code (spec §0). */
export function defaultMessage(code: number): string | null {
  return DEFAULT_ERROR_MESSAGE[errorName(code) as ErrorCodeName] ?? null;
}
