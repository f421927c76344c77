// The gateway's Prometheus metrics, on one Registry of our own (prom-client's global default
// registry stays empty). Label values must come from bounded sets: enum names, never principals
// or resource names.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
// The process's own series (CPU seconds, resident memory, open fds, heap, event-loop lag, GC), unprefixed
// as every Node exporter names them so standard dashboards and alerts apply.
collectDefaultMetrics({ register: registry });

export const policyReloadsTotal = new Counter({
  name: 'gatehouse_policy_reloads_total',
  help: 'Policy reload attempts by result (success keeps or swaps in a policy; failure keeps the last good one).',
  labelNames: ['result'] as const,
  registers: [registry],
});

export const policyLastReloadSuccess = new Gauge({
  name: 'gatehouse_policy_last_reload_success',
  help: '1 if the last policy reload succeeded, 0 if the policy files are broken and the last good policy is in force.',
  // With workers, the scrape shows the worst of them.
  aggregator: 'min',
  registers: [registry],
});

export const policyVersion = new Gauge({
  name: 'gatehouse_policy_version',
  help: 'Version of the policy in force (increases with every policy swapped in; 0 = none loaded).',
  // With workers, the scrape shows the worst of them.
  aggregator: 'min',
  registers: [registry],
});

export type AuthzDecisionLabel = 'allowed' | 'denied' | 'dry_run_denied';

/**
 * A decision counted on the hot path is a plain number bump (a prom-client child's inc() costs a label
 * hash lookup and a value object per call, ~3 % of the gateway's produce CPU when measured); the tallies
 * are added to the counter when it is collected (every scrape and every read).
 */
type DecisionTally = { pending: number; inc(): void; readonly child: { inc(n: number): void } };
const decisionTallies = new Map<string, DecisionTally>();

export const authzDecisionsTotal = new Counter({
  name: 'gatehouse_authz_decisions_total',
  help: "Authorization decisions by Kafka API, resource type, operation, outcome and deciding rule (a rule id, '' when no rule allowed, super-user, no-acl; 'other' past 256 distinct rule ids).",
  labelNames: ['api', 'resource_type', 'operation', 'decision', 'rule'] as const,
  registers: [registry],
  collect() {
    for (const tally of decisionTallies.values()) {
      if (tally.pending === 0) continue;
      tally.child.inc(tally.pending);
      tally.pending = 0;
    }
  },
});

export function recordPolicyReload(ok: boolean, version: number): void {
  policyReloadsTotal.inc({ result: ok ? 'success' : 'failure' });
  policyLastReloadSuccess.set(ok ? 1 : 0);
  policyVersion.set(version);
}

export type AuthzDecisionLabels = {
  /** Not a label of the decision counter; only dry-run denials are counted by principal (capped). */
  readonly principal?: string;
  readonly api: string;
  /** Kafka enum names (TOPIC, WRITE, ...). */
  readonly resource_type: string;
  readonly operation: string;
  readonly decision: AuthzDecisionLabel;
  /** The deciding rule id, '' (no rule allowed), 'super-user' or 'no-acl'. */
  readonly rule: string;
};

/** Distinct rule ids the decision counter carries; later ones count as 'other' (rules come and go with reloads). */
export const MAX_RULE_LABELS = 256;
const ruleLabels = new Set<string>();

function boundedRule(rule: string): string {
  if (ruleLabels.has(rule)) return rule;
  if (ruleLabels.size >= MAX_RULE_LABELS) return 'other';
  ruleLabels.add(rule);
  return rule;
}

/** The decision counter's child for these labels: callers keep it and bump it without building labels again. */
export function authzDecisionCounter(labels: AuthzDecisionLabels): { inc(): void } {
  const decisions = decisionCounter(labels);
  if (labels.decision !== 'dry_run_denied') return decisions;
  const byPrincipal = dryRunDenialsTotal.labels({ principal: boundedPrincipal(labels.principal ?? ''), rule: boundedRule(labels.rule) });
  return {
    inc() {
      decisions.inc();
      byPrincipal.inc();
    },
  };
}

function decisionCounter(labels: AuthzDecisionLabels): { inc(): void } {
  const bounded = {
    api: labels.api,
    resource_type: labels.resource_type,
    operation: labels.operation,
    decision: labels.decision,
    rule: boundedRule(labels.rule),
  };
  const key = `${bounded.api}\u0000${bounded.resource_type}\u0000${bounded.operation}\u0000${bounded.decision}\u0000${bounded.rule}`;
  let tally = decisionTallies.get(key);
  if (tally === undefined) {
    tally = {
      pending: 0,
      inc() {
        this.pending++;
      },
      child: authzDecisionsTotal.labels(bounded),
    };
    decisionTallies.set(key, tally);
  }
  return tally;
}

export function recordAuthzDecision(labels: AuthzDecisionLabels): void {
  authzDecisionCounter(labels).inc();
}

/** Distinct principals the dry-run series carries before the rest count as 'other' (authorization.maxPrincipalLabels). */
let maxPrincipalLabels = 100;
const principalLabels = new Set<string>();

export function setMaxPrincipalLabels(max: number): void {
  maxPrincipalLabels = max;
}

function boundedPrincipal(principal: string): string {
  if (principalLabels.has(principal)) return principal;
  if (principalLabels.size >= maxPrincipalLabels) return 'other';
  principalLabels.add(principal);
  return principal;
}

export const dryRunDenialsTotal = new Counter({
  name: 'gatehouse_authz_dry_run_denials_total',
  help: "Requests the policy would refuse and dry-run let through, by principal (the first authorization.maxPrincipalLabels principals; 'other' after) and deciding rule: what switching to enforcement would refuse.",
  labelNames: ['principal', 'rule'] as const,
  registers: [registry],
});

/** What observe mode holds, read when scraped. */
export type ObservationCounts = { readonly entries: number; readonly dropped: number };
let observationCounts: (() => ObservationCounts) | undefined;

/** Where the observation gauges read from (observe mode on). */
export function observeObservations(read: () => ObservationCounts): void {
  observationCounts = read;
}

export const observationsGauge = new Gauge({
  name: 'gatehouse_observations',
  help: 'Distinct (principal, operation, resource) tuples observe mode holds (authorization.observe; bounded by maxEntries).',
  registers: [registry],
  collect() {
    if (observationCounts !== undefined) this.set(observationCounts().entries);
  },
});

export const observationsDroppedGauge = new Gauge({
  name: 'gatehouse_observations_dropped',
  help: 'New tuples observe mode did not record because it held maxEntries already (non-zero: raise authorization.observe.maxEntries).',
  registers: [registry],
  collect() {
    if (observationCounts !== undefined) this.set(observationCounts().dropped);
  },
});
