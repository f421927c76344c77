// Kafka's own internal topics. A broker never treats them as authorized for a client's transaction
// (AddPartitionsToTxn v0–3, spec §2.5): whatever the ACLs say, adding one fails with 29.
const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state']);

export function isKafkaInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}
