// The gateway's Prometheus metrics, on one Registry of our own (prom-client's global default
// registry stays empty). Label values must come from bounded sets: enum names, never principals
// or resource names.
import { Counter, Gauge, Registry } from 'prom-client';

export const registry = new Registry();

export const policyReloadsTotal = new Counter({
  name: 'gatehouse_policy_reloads_total',
  help: 'Policy reload attempts by result (success keeps or swaps in a policy; failure keeps the last good one).',
  labelNames: ['result'] as const,
  registers: [registry],
});

export const policyLastReloadSuccess = new Gauge({
  name: 'gatehouse_policy_last_reload_success',
  help: '1 if the last policy reload succeeded, 0 if the policy files are broken and the last good policy is in force.',
  registers: [registry],
});

export const policyVersion = new Gauge({
  name: 'gatehouse_policy_version',
  help: 'Version of the policy in force (increases with every policy swapped in; 0 = none loaded).',
  registers: [registry],
});

export type AuthzDecisionLabel = 'allowed' | 'denied' | 'dry_run_denied';

export const authzDecisionsTotal = new Counter({
  name: 'gatehouse_authz_decisions_total',
  help: 'Authorization decisions by outcome, resource type and operation.',
  labelNames: ['decision', 'resource_type', 'operation'] as const,
  registers: [registry],
});

export function recordPolicyReload(ok: boolean, version: number): void {
  policyReloadsTotal.inc({ result: ok ? 'success' : 'failure' });
  policyLastReloadSuccess.set(ok ? 1 : 0);
  policyVersion.set(version);
}

/** `resourceType` and `operation` are Kafka enum names (TOPIC, WRITE, ...). */
export function recordAuthzDecision(decision: AuthzDecisionLabel, resourceType: string, operation: string): void {
  authzDecisionsTotal.inc({ decision, resource_type: resourceType, operation });
}
