// Kafka's topic-name rules (org.apache.kafka.common.internals.Topic), for the checks a broker makes on
// names a client proposes before authorizing them.

const LEGAL = /^[a-zA-Z0-9._-]+$/;
const MAX_LENGTH = 249;

/** Topics only the cluster itself writes. */
export const KAFKA_INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state']);

export function isValidTopicName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_LENGTH && name !== '.' && name !== '..' && LEGAL.test(name);
}
