// Topic id ↔ name, fed by every Metadata response that crosses the gateway. APIs that address
// topics by id (Produce v13+, Fetch v13+, share APIs, DeleteTopics by id…) need the name to authorize.

export class TopicIdCache {
  private readonly nameById = new Map<string, string>();
  private readonly idByName = new Map<string, string>();

  remember(topicId: string, name: string): void {
    const previousName = this.nameById.get(topicId);
    if (previousName !== undefined && previousName !== name) this.idByName.delete(previousName);
    const previousId = this.idByName.get(name);
    if (previousId !== undefined && previousId !== topicId) this.nameById.delete(previousId); // topic re-created
    this.nameById.set(topicId, name);
    this.idByName.set(name, topicId);
  }

  nameOf(topicId: string): string | undefined {
    return this.nameById.get(topicId);
  }

  idOf(name: string): string | undefined {
    return this.idByName.get(name);
  }

  get size(): number {
    return this.nameById.size;
  }
}
