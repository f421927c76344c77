// Authorization's metrics on one gateway's registry: policy reloads and version, decisions by API,
// resource, operation, outcome and rule, dry-run denials by principal, observe mode's size. Label
// values come from bounded sets: enum names, rule ids and principals each capped with an 'other' bucket.
import { Counter, Gauge, type Registry } from 'prom-client';
import { BoundedLabel } from './bounded-label.ts';

export type AuthzDecisionLabel = 'allowed' | 'denied' | 'dry_run_denied';

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
/** Distinct principals the dry-run series carries by default (authorization.maxPrincipalLabels). */
export const DEFAULT_MAX_PRINCIPAL_LABELS = 100;

/** What observe mode holds, read when scraped. */
export type ObservationCounts = { readonly entries: number; readonly dropped: number };

/**
 * A decision counted on the hot path is a plain number bump (a prom-client child's inc() costs a label
 * hash lookup and a value object per call, ~3 % of the gateway's produce CPU when measured); the tallies
 * are added to the counter when it is collected (every scrape and every read).
 */
type DecisionTally = { pending: number; inc(): void; readonly child: { inc(n: number): void } };

export class AuthzMetrics {
  private readonly decisionTallies = new Map<string, DecisionTally>();
  private readonly rules = new BoundedLabel(MAX_RULE_LABELS);
  private readonly principals = new BoundedLabel(DEFAULT_MAX_PRINCIPAL_LABELS);
  private observationCounts: (() => ObservationCounts) | undefined;

  readonly policyReloadsTotal: Counter<'result'>;
  readonly policyLastReloadSuccess: Gauge;
  readonly policyVersion: Gauge;
  readonly decisionsTotal: Counter<'api' | 'resource_type' | 'operation' | 'decision' | 'rule'>;
  readonly dryRunDenialsTotal: Counter<'principal' | 'rule'>;

  constructor(registry: Registry) {
    const tallies = this.decisionTallies;
    const counts = () => this.observationCounts?.();
    this.policyReloadsTotal = new Counter({
      name: 'gatehouse_policy_reloads_total',
      help: 'Policy reload attempts by result (success keeps or swaps in a policy; failure keeps the last good one).',
      labelNames: ['result'] as const,
      registers: [registry],
    });
    this.policyLastReloadSuccess = new Gauge({
      name: 'gatehouse_policy_last_reload_success',
      help: '1 if the last policy reload succeeded, 0 if the policy files are broken and the last good policy is in force.',
      // With workers, the scrape shows the worst of them.
      aggregator: 'min',
      registers: [registry],
    });
    this.policyVersion = new Gauge({
      name: 'gatehouse_policy_version',
      help: 'Version of the policy in force (increases with every policy swapped in; 0 = none loaded).',
      // With workers, the scrape shows the worst of them.
      aggregator: 'min',
      registers: [registry],
    });
    this.decisionsTotal = new Counter({
      name: 'gatehouse_authz_decisions_total',
      help: "Authorization decisions by Kafka API, resource type, operation, outcome and deciding rule (a rule id, '' when no rule allowed, super-user, no-acl; 'other' past 256 distinct rule ids).",
      labelNames: ['api', 'resource_type', 'operation', 'decision', 'rule'] as const,
      registers: [registry],
      collect() {
        for (const tally of tallies.values()) {
          if (tally.pending === 0) continue;
          tally.child.inc(tally.pending);
          tally.pending = 0;
        }
      },
    });
    this.dryRunDenialsTotal = new Counter({
      name: 'gatehouse_authz_dry_run_denials_total',
      help: "Requests the policy would refuse and dry-run let through, by principal (the first authorization.maxPrincipalLabels principals; 'other' after) and deciding rule: what switching to enforcement would refuse.",
      labelNames: ['principal', 'rule'] as const,
      registers: [registry],
    });
    new Gauge({
      name: 'gatehouse_observations',
      help: 'Distinct (principal, operation, resource) tuples observe mode holds (authorization.observe; bounded by maxEntries).',
      registers: [registry],
      collect() {
        const c = counts();
        if (c !== undefined) this.set(c.entries);
      },
    });
    new Gauge({
      name: 'gatehouse_observations_dropped',
      help: 'New tuples observe mode did not record because it held maxEntries already (non-zero: raise authorization.observe.maxEntries).',
      registers: [registry],
      collect() {
        const c = counts();
        if (c !== undefined) this.set(c.dropped);
      },
    });
  }

  recordPolicyReload(ok: boolean, version: number): void {
    this.policyReloadsTotal.inc({ result: ok ? 'success' : 'failure' });
    this.policyLastReloadSuccess.set(ok ? 1 : 0);
    this.policyVersion.set(version);
  }

  /** How many distinct principals the dry-run series carries before the rest count as 'other'. */
  setMaxPrincipalLabels(max: number): void {
    this.principals.max = max;
  }

  /** Where the observation gauges read from (observe mode on). */
  observeObservations(read: () => ObservationCounts): void {
    this.observationCounts = read;
  }

  /** The decision counter's child for these labels: callers keep it and bump it without building labels again. */
  decisionCounter(labels: AuthzDecisionLabels): { inc(): void } {
    const decisions = this.tallyFor(labels);
    if (labels.decision !== 'dry_run_denied') return decisions;
    const byPrincipal = this.dryRunDenialsTotal.labels({
      principal: this.principals.of(labels.principal ?? ''),
      rule: this.rules.of(labels.rule),
    });
    return {
      inc() {
        decisions.inc();
        byPrincipal.inc();
      },
    };
  }

  recordDecision(labels: AuthzDecisionLabels): void {
    this.decisionCounter(labels).inc();
  }

  private tallyFor(labels: AuthzDecisionLabels): DecisionTally {
    const bounded = {
      api: labels.api,
      resource_type: labels.resource_type,
      operation: labels.operation,
      decision: labels.decision,
      rule: this.rules.of(labels.rule),
    };
    const key = `${bounded.api}\u0000${bounded.resource_type}\u0000${bounded.operation}\u0000${bounded.decision}\u0000${bounded.rule}`;
    let tally = this.decisionTallies.get(key);
    if (tally === undefined) {
      tally = {
        pending: 0,
        inc() {
          this.pending++;
        },
        child: this.decisionsTotal.labels(bounded),
      };
      this.decisionTallies.set(key, tally);
    }
    return tally;
  }
}
