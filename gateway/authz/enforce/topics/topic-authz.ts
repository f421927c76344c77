// Small helpers shared by the topic enforcers: the cluster resource's name, the "not requested" bitfield,
// topic-name validity (as the broker checks it before authorizing some APIs), and the shared topic questions.

export { CLUSTER_NAME } from '../../model.ts';
/** Authorized-operations value meaning "not requested / omitted" (spec §1.8). */
export const OPS_OMITTED = -2147483648;

const LEGAL_TOPIC_CHARS = /^[a-zA-Z0-9._-]+$/;
const MAX_TOPIC_NAME_LENGTH = 249;

/** Kafka's topic name rule: 1–249 of [a-zA-Z0-9._-], not "." or "..". */
export function isValidTopicName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_TOPIC_NAME_LENGTH && name !== '.' && name !== '..' && LEGAL_TOPIC_CHARS.test(name);
}

export { topicDecider, unknownTopicIds } from '../topic-questions.ts';
