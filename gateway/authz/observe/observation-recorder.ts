// Observe mode's in-memory aggregate: bounded by a number of entries, fed by every connection's
// authorizer. A connection asks for its slot once per (operation, resource) and then bumps it per
// request, so the hot path costs a few field writes, no key string and no allocation.
import type { DecisionOutcome } from '../decision.ts';
import type { RequestOperation, ResourceType } from '../model.ts';
import { MAX_HOSTS_PER_ENTRY, observationKey, type Observation, type ObservationSet } from './observation.ts';

/** Where one connection counts one (operation, resource) it asked about. */
export interface ObservationSlot {
  hit(outcome: DecisionOutcome): void;
}

const FULL: ObservationSlot = { hit: () => {} };

class Entry implements ObservationSlot {
  constructor(
    readonly observation: Observation,
    private readonly now: () => number,
  ) {}

  hit(outcome: DecisionOutcome): void {
    const o = this.observation;
    if (outcome === 'denied') o.denied++;
    else {
      o.allowed++;
      if (outcome === 'dry_run_denied') o.wouldDeny++;
    }
    o.lastSeen = this.now();
  }

  addHost(host: string): void {
    const hosts = this.observation.hosts;
    if (hosts.includes(host)) return;
    if (hosts.length < MAX_HOSTS_PER_ENTRY) hosts.push(host);
    else this.observation.moreHosts = true;
  }
}

export class ObservationRecorder {
  private readonly entries = new Map<string, Entry>();
  private droppedTuples = 0;

  constructor(
    private readonly opts: {
      /** Distinct (principal, operation, resource) tuples kept; new ones past it are counted as dropped. */
      readonly maxEntries: number;
      readonly now?: () => number;
    },
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get dropped(): number {
    return this.droppedTuples;
  }

  /** The slot of this tuple (`name` null: any resource of the type), created on first use while there is room. */
  slot(principal: string, host: string, operation: RequestOperation, type: ResourceType, name: string | null): ObservationSlot {
    const key = observationKey(principal, host, operation, type, name);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      if (this.entries.size >= this.opts.maxEntries) {
        this.droppedTuples++;
        return FULL;
      }
      const now = this.clock();
      entry = new Entry(
        {
          principal,
          hosts: [],
          moreHosts: false,
          operation,
          resourceType: type,
          name,
          allowed: 0,
          wouldDeny: 0,
          denied: 0,
          firstSeen: now,
          lastSeen: now,
        },
        this.clock,
      );
      this.entries.set(key, entry);
    }
    entry.addHost(host);
    return entry;
  }

  /** Adds what an earlier run recorded (read back from its file) to what this one holds. */
  merge(set: ObservationSet): void {
    this.droppedTuples += set.dropped;
    for (const o of set.entries) {
      const key = observationKey(o.principal, o.hosts[0] ?? '', o.operation, o.resourceType, o.name);
      const entry = this.entries.get(key);
      if (entry === undefined) {
        if (this.entries.size >= this.opts.maxEntries) {
          this.droppedTuples++;
          continue;
        }
        this.entries.set(key, new Entry({ ...o, hosts: [...o.hosts] }, this.clock));
        continue;
      }
      const mine = entry.observation;
      for (const host of o.hosts) entry.addHost(host);
      if (o.moreHosts) mine.moreHosts = true;
      mine.allowed += o.allowed;
      mine.wouldDeny += o.wouldDeny;
      mine.denied += o.denied;
      mine.firstSeen = Math.min(mine.firstSeen, o.firstSeen);
      mine.lastSeen = Math.max(mine.lastSeen, o.lastSeen);
    }
  }

  /** The live entries, in the order they were first seen (read by the file writer a slice at a time). */
  observations(): IterableIterator<Observation> {
    return (function* (entries: Map<string, Entry>) {
      for (const e of entries.values()) yield e.observation;
    })(this.entries);
  }

  /** A copy of what is recorded now. */
  snapshot(): ObservationSet {
    return {
      entries: [...this.entries.values()].map((e) => ({ ...e.observation, hosts: [...e.observation.hosts] })),
      dropped: this.droppedTuples,
    };
  }

  private readonly clock = (): number => (this.opts.now ?? Date.now)();
}
