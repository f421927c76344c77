// What the evaluator answers, and how enforcement and dry-run combine into one answer.
import type { PolicyRule, RuleMode } from './policy.ts';

/** The audit/metrics word for a decision. */
export type DecisionOutcome = 'allowed' | 'denied' | 'dry_run_denied';

export type DecisionReason =
  | 'super-user' // §1.6 step 1
  | 'deny-rule' // step 5: a DENY matched
  | 'allow-rule' // step 6: an ALLOW matched
  | 'no-matching-allow' // step 7: the resource has ACLs, none allows this
  | 'no-acl-allow-everyone' // step 8 with allowEveryoneIfNoAclFound
  | 'no-acl-default-deny' // step 8 without it
  | 'resource-type-scan'; // §1.7 step 2

/** The answer of one rule set, before dry-run is taken into account. */
export interface Verdict {
  readonly allowed: boolean;
  readonly reason: DecisionReason;
  /** The rules that decided: the matching DENYs, or the matching ALLOWs. */
  readonly rules: readonly PolicyRule[];
}

export interface Decision extends Verdict {
  readonly decision: DecisionOutcome;
  /** True when a denial was turned into an allow because of dry-run. */
  readonly dryRun: boolean;
  readonly ruleIds: readonly string[];
  readonly policyVersion: number;
}

/**
 * Enforcement uses only `enforce` rules; the candidate answer uses every rule. A request is refused
 * only when enforcement refuses it; when only the candidate refuses, it is a dry-run denial (allowed,
 * logged, counted). A dry-run ALLOW never grants. In global dry-run mode nothing is refused.
 */
export function combineVerdicts(
  mode: RuleMode,
  hasDryRunRules: boolean,
  enforced: () => Verdict,
  candidate: () => Verdict,
  policyVersion: number,
): Decision {
  if (mode === 'dry-run') {
    const all = candidate();
    return decide(all, all.allowed ? 'allowed' : 'dry_run_denied', policyVersion);
  }
  const enforcedVerdict = enforced();
  if (!enforcedVerdict.allowed || !hasDryRunRules) {
    return decide(enforcedVerdict, enforcedVerdict.allowed ? 'allowed' : 'denied', policyVersion);
  }
  const all = candidate();
  return all.allowed ? decide(enforcedVerdict, 'allowed', policyVersion) : decide(all, 'dry_run_denied', policyVersion);
}

export function decide(verdict: Verdict, decision: DecisionOutcome, policyVersion: number): Decision {
  // An explicit literal, not a spread: this runs on every decision.
  return {
    reason: verdict.reason,
    rules: verdict.rules,
    allowed: decision !== 'denied',
    decision,
    dryRun: decision === 'dry_run_denied',
    ruleIds: verdict.rules.map((r) => r.id),
    policyVersion,
  };
}
