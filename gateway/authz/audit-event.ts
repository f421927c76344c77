// Builds the audit record of one decision. The writer (observability/audit.ts) only needs
// `decision`; the shape is fixed here, next to the decision it describes.
import type { Decision, DecisionOutcome } from './decision.ts';
import type { Operation, ResourceType } from './model.ts';

/** Who asked and through what: known to the session, not to the policy. */
export interface RequestContext {
  readonly principal: string;
  readonly clientAddress: string;
  readonly listener: string;
  /** The Kafka API name, e.g. "Produce". */
  readonly api: string;
}

export interface AuthzAuditEvent {
  readonly time: string;
  readonly principal: string;
  readonly clientAddress: string;
  readonly listener: string;
  readonly api: string;
  readonly resourceType: ResourceType;
  readonly resourceName: string;
  readonly operation: Operation;
  readonly decision: DecisionOutcome;
  readonly reason: Decision['reason'];
  readonly ruleIds: readonly string[];
  readonly policyVersion: number;
}

export function auditEvent(
  context: RequestContext,
  action: { operation: Operation; resourceType: ResourceType; resourceName: string },
  decision: Decision,
  now: Date = new Date(),
): AuthzAuditEvent {
  return {
    time: now.toISOString(),
    principal: context.principal,
    clientAddress: context.clientAddress,
    listener: context.listener,
    api: context.api,
    resourceType: action.resourceType,
    resourceName: action.resourceName,
    operation: action.operation,
    decision: decision.decision,
    reason: decision.reason,
    ruleIds: decision.ruleIds,
    policyVersion: decision.policyVersion,
  };
}
