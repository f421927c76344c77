// Topic id ↔ name, fed by every Metadata response that crosses the gateway. APIs that address
// topics by id (Produce v13+, Fetch v13+, share APIs, DeleteTopics by id…) need the name to authorize.
// Bounded: a backend with more topics than the cap (or a stream of re-created topics) evicts the least
// recently used pair; a miss is refreshed from the next Metadata answer.

export const DEFAULT_MAX_TOPIC_IDS = 100_000;

export class TopicIdCache {
  /** Insertion order is recency order: the first entry is the least recently used. */
  private readonly nameById = new Map<string, string>();
  private readonly idByName = new Map<string, string>();
  /** The most recently used id: touching it again changes nothing (a producer names the same topic at every request). */
  private newest: string | undefined;

  constructor(private readonly maxEntries = DEFAULT_MAX_TOPIC_IDS) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new RangeError(`topic id cache size must be a positive integer, got ${maxEntries}`);
  }

  remember(topicId: string, name: string): void {
    const previousName = this.nameById.get(topicId);
    if (previousName !== undefined && previousName !== name) this.idByName.delete(previousName);
    const previousId = this.idByName.get(name);
    if (previousId !== undefined && previousId !== topicId) this.nameById.delete(previousId); // topic re-created
    this.nameById.delete(topicId); // re-inserted below as the most recently used
    this.nameById.set(topicId, name);
    this.newest = topicId;
    this.idByName.set(name, topicId);
    while (this.nameById.size > this.maxEntries) {
      const [oldestId, oldestName] = this.nameById.entries().next().value!;
      this.nameById.delete(oldestId);
      this.idByName.delete(oldestName);
      if (oldestId === this.newest) this.newest = undefined;
    }
  }

  nameOf(topicId: string): string | undefined {
    const name = this.nameById.get(topicId);
    if (name !== undefined) this.touch(topicId, name);
    return name;
  }

  idOf(name: string): string | undefined {
    const id = this.idByName.get(name);
    if (id !== undefined) this.touch(id, name);
    return id;
  }

  get size(): number {
    return this.nameById.size;
  }

  private touch(topicId: string, name: string): void {
    if (topicId === this.newest) return;
    this.nameById.delete(topicId);
    this.nameById.set(topicId, name);
    this.newest = topicId;
  }
}
