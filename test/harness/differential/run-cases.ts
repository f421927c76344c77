// Runs differential cases against both sides: the same body (with each side's own topic ids) at the same
// version as the same principal, one case at a time in catalogue order, both sides in parallel; then
// normalizes both outcomes and compares them.
import { API_KEY, ZERO_UUID, type Struct } from '../../../gateway/protocol/index.ts';
import type { Side } from './clusters.ts';
import { compareOutcomes, type SideOutcome } from './compare.ts';
import { normalize } from './normalize.ts';
import type { Outcome } from './raw-driver.ts';
import type { PrincipalName } from './world.ts';

export type Scenario = 'allowed' | 'denied' | 'partial';

/** What the harness needs of a side while building a body (the catalogue's SideInfo). */
export interface CaseSide {
  topicId(name: string): string;
  brokerId: number;
}

/** One case, as the catalogue writes it (its DiffCase). */
export interface DifferentialCase {
  apiKey: number;
  version: number;
  scenario: Scenario;
  name: string;
  principal: PrincipalName;
  body(side: CaseSide): Struct;
  mutates?: boolean;
  ignore?: string[];
  expectedDifference?: string;
}

export type CaseStatus = 'equal' | 'different' | 'not-advertised';

export type CaseResult = {
  case: DifferentialCase;
  status: CaseStatus;
  /** Path-level differences (empty when equal). */
  diffs: string[];
  /** What each side did, in one word (response, closed, no-response…). */
  outcomes?: { secured: string; gatewayed: string };
};

/** Field paths (without positions) whose order the spec defines, per api key. */
const ORDERED: Readonly<Record<number, readonly string[]>> = {
  // DescribeConfigs: authorized resources first, then the denied ones (spec §2.5).
  32: ['results'],
};

/** The broker id of both single-node clusters. */
const BROKER_ID = 1;

function sideInfo(side: Side): CaseSide {
  return { topicId: (name) => side.topicIds.get(name) ?? ZERO_UUID, brokerId: BROKER_ID };
}

async function runOn(side: Side, c: DifferentialCase): Promise<Outcome | { kind: 'error'; error: string }> {
  try {
    return await side.driver(c.principal).request(c.apiKey, c.version, c.body(sideInfo(side)));
  } catch (err) {
    return { kind: 'error', error: (err as Error).message };
  }
}

function normalized(side: Side, c: DifferentialCase, out: Outcome | { kind: 'error'; error: string }, unknownIds: string[]): SideOutcome {
  if (out.kind !== 'response') return out;
  return {
    kind: 'response',
    body: normalize(out.body, { topicName: (id) => side.topicNames.get(id), ignore: c.ignore ?? [], unknownIds }),
  };
}

/** Api keys whose requests can create or delete topics (Metadata and Produce by auto-creation). */
const TOPIC_CHANGING: ReadonlySet<number> = new Set([
  API_KEY.Produce,
  API_KEY.Metadata,
  API_KEY.CreateTopics,
  API_KEY.DeleteTopics,
  API_KEY.CreatePartitions,
]);
const SETTLE_MS = 5_000;

const refreshBoth = (sides: { secured: Side; gatewayed: Side }) =>
  Promise.all([sides.secured.refreshTopicIds(), sides.gatewayed.refreshTopicIds()]);

/** Whether an answer says a topic is being created (UNKNOWN_TOPIC_OR_PARTITION / LEADER_NOT_AVAILABLE anywhere). */
function mayBeCreating(out: Outcome | { kind: 'error' }): boolean {
  const visit = (v: unknown): boolean => {
    if (Array.isArray(v)) return v.some(visit);
    if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return false;
    const s = v as Struct;
    return s.errorCode === 3 || s.errorCode === 5 || Object.values(s).some(visit);
  };
  return out.kind === 'response' && visit(out.body);
}

/** How long both sides' topic lists must stay equal when a creation may still be under way. */
const STABLE_MS = 300;

/**
 * Waits until both sides list the same topics (a broker creates and deletes topics asynchronously: a
 * Metadata that auto-creates answers before the topic exists), so the next case meets settled state on
 * both. When an answer says a topic may be being created, the lists must also stay the same for a moment
 * (both sides may not have it yet). A lasting difference is left for the next cases to show.
 */
async function settle(sides: { secured: Side; gatewayed: Side }, stable: boolean): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  const names = (s: Side) => [...s.topicIds.keys()].sort().join(',');
  let last: string | undefined;
  let since = Date.now();
  for (;;) {
    await refreshBoth(sides);
    const a = names(sides.secured);
    const same = a === names(sides.gatewayed);
    if (same && !stable) return;
    if (same && a === last && Date.now() - since >= STABLE_MS) return;
    if (!same || a !== last) {
      last = same ? a : undefined;
      since = Date.now();
    }
    if (Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True when the gateway advertises `version` of `apiKey`. */
export function advertises(apiVersions: ReadonlyMap<number, { min: number; max: number }>, apiKey: number, version: number): boolean {
  const r = apiVersions.get(apiKey);
  return r !== undefined && version >= r.min && version <= r.max;
}

export async function runCases(
  sides: { secured: Side; gatewayed: Side },
  gatewayApiVersions: ReadonlyMap<number, { min: number; max: number }>,
  cases: readonly DifferentialCase[],
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    if (!advertises(gatewayApiVersions, c.apiKey, c.version)) {
      results.push({ case: c, status: 'not-advertised', diffs: [] });
      continue;
    }
    const [securedRaw, gatewayedRaw] = await Promise.all([runOn(sides.secured, c), runOn(sides.gatewayed, c)]);
    if (c.mutates || TOPIC_CHANGING.has(c.apiKey)) {
      await settle(sides, TOPIC_CHANGING.has(c.apiKey) && (mayBeCreating(securedRaw) || mayBeCreating(gatewayedRaw)));
    }
    let unknownIds: string[] = [];
    let secured = normalized(sides.secured, c, securedRaw, unknownIds);
    let gatewayed = normalized(sides.gatewayed, c, gatewayedRaw, unknownIds);
    // Ids of topics that appeared since the last look (a broker lists a new topic a moment after it
    // answered the request that made it): learn them, then normalize again.
    const deadline = Date.now() + SETTLE_MS;
    while (unknownIds.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      await refreshBoth(sides);
      unknownIds = [];
      secured = normalized(sides.secured, c, securedRaw, unknownIds);
      gatewayed = normalized(sides.gatewayed, c, gatewayedRaw, unknownIds);
    }
    const diffs = compareOutcomes(secured, gatewayed, new Set(ORDERED[c.apiKey] ?? []));
    results.push({
      case: c,
      status: diffs.length === 0 ? 'equal' : 'different',
      diffs,
      outcomes: { secured: secured.kind, gatewayed: gatewayed.kind },
    });
  }
  return results;
}
