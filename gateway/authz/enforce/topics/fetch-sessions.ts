// Per-connection tracking of fetch sessions (KIP-227), so that authorization holds for partitions an
// incremental fetch no longer lists. The broker re-authorizes every partition of a session on each request;
// the gateway can only do that if it knows the session's partitions, so it keeps them here.
//
// How session ids are learned: from REQUESTS, never from responses (so the all-allowed Fetch response is
// never decoded). A full fetch that opens a session (epoch 0) records its partitions as "pending"; the first
// incremental request naming a session id the gateway does not track yet (epoch > 0) adopts the pending
// partitions as that session's. When several sessions are opened before one is used, the pending set is
// the union of them all: a superset is re-authorized, never a subset. An incremental request for a
// session the gateway cannot account for (no pending full fetch, evicted, over a bound) is answered with
// FETCH_SESSION_ID_NOT_FOUND (70), which makes the client start over with a full fetch: fail closed.
//
// Partitions an incremental request forgets are dropped only when its epoch is the one the broker expects
// (a wrong epoch is refused by the broker with the session unchanged, so dropping them would let a client
// hide partitions it still receives). Listed partitions are always added. Epoch −1 closes a session.

/** Topic key → partitions: the topic name (v7–12) or topic id (v13+). */
export type PartitionSet = Map<string, Set<number>>;

export interface TrackedSession {
  readonly byId: boolean;
  readonly partitions: PartitionSet;
  /** The epoch the broker expects next. */
  nextEpoch: number;
}

export interface FetchSessionState {
  readonly sessions: Map<number, TrackedSession>;
  /** Partitions of full fetches that may have opened a session not yet seen in a request. */
  pending?: { readonly byId: boolean; readonly partitions: PartitionSet };
}

/**
 * Sessions tracked per connection (the Java client keeps one per broker connection) and partitions per
 * session (and pending): together they bound what one connection can make the gateway remember. Past
 * them a session is not tracked, its next incremental fetch gets 70 and the client falls back to full
 * fetches, which are authorized as listed: slower, never open.
 */
export const MAX_SESSIONS_PER_CONNECTION = 4;
export const MAX_PARTITIONS_PER_SESSION = 25_000;

export function sessionState(state: Map<number, unknown>, key: number): FetchSessionState {
  let s = state.get(key) as FetchSessionState | undefined;
  if (s === undefined) {
    s = { sessions: new Map() };
    state.set(key, s);
  }
  return s;
}

export function nextEpoch(epoch: number): number {
  return epoch >= 0x7fffffff ? 1 : epoch + 1;
}

export function countPartitions(set: PartitionSet): number {
  let n = 0;
  for (const p of set.values()) n += p.size;
  return n;
}

export function addPartitions(into: PartitionSet, topic: string, partitions: Iterable<number>): void {
  let set = into.get(topic);
  if (set === undefined) {
    set = new Set();
    into.set(topic, set);
  }
  for (const p of partitions) set.add(p);
}

export function removePartitions(from: PartitionSet, topic: string, partitions: Iterable<number>): void {
  const set = from.get(topic);
  if (set === undefined) return;
  for (const p of partitions) set.delete(p);
  if (set.size === 0) from.delete(topic);
}

/** Records a full fetch that may open a session (epoch 0); drops the pending set when it grows past the bound. */
export function recordPending(state: FetchSessionState, byId: boolean, listed: PartitionSet): void {
  if (state.pending !== undefined && state.pending.byId !== byId) state.pending = undefined;
  const pending = (state.pending ??= { byId, partitions: new Map() });
  for (const [topic, parts] of listed) addPartitions(pending.partitions, topic, parts);
  if (countPartitions(pending.partitions) > MAX_PARTITIONS_PER_SESSION) state.pending = undefined;
}

/** The tracked session `id`, adopting the pending partitions when it is new; undefined: cannot account for it. */
export function sessionFor(state: FetchSessionState, id: number, epoch: number, byId: boolean): TrackedSession | undefined {
  let s = state.sessions.get(id);
  if (s === undefined) {
    const pending = state.pending;
    if (pending === undefined || pending.byId !== byId) return undefined;
    state.pending = undefined;
    s = { byId, partitions: pending.partitions, nextEpoch: epoch };
    if (state.sessions.size >= MAX_SESSIONS_PER_CONNECTION) state.sessions.delete(state.sessions.keys().next().value!);
    state.sessions.set(id, s);
  }
  if (s.byId !== byId) {
    state.sessions.delete(id);
    return undefined;
  }
  return s;
}

/** Applies an incremental request's listed and forgotten partitions to its session. */
export function applyIncremental(
  state: FetchSessionState,
  id: number,
  s: TrackedSession,
  epoch: number,
  listed: PartitionSet,
  forgotten: PartitionSet,
): void {
  for (const [topic, parts] of listed) addPartitions(s.partitions, topic, parts);
  if (epoch === s.nextEpoch) {
    for (const [topic, parts] of forgotten) removePartitions(s.partitions, topic, parts);
    s.nextEpoch = nextEpoch(epoch);
  }
  if (countPartitions(s.partitions) > MAX_PARTITIONS_PER_SESSION) state.sessions.delete(id);
}
