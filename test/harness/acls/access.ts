// Does a principal's real client get through? kafkajs producing (and consuming in a group) through a
// gateway over mTLS; what it throws when refused. Each check is a fresh client, so nothing a previous
// check cached (metadata, coordinators) decides the next one.
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';

/** Produces one record as the client configured by `client`; returns null or the error's type (e.g. TOPIC_AUTHORIZATION_FAILED). */
export async function tryProduce(client: KafkaConfig, topic: string, value: string): Promise<string | null> {
  const kafka = new Kafka({ ...client, clientId: 'acl-access-check', logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  try {
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value }] });
    return null;
  } catch (err) {
    return errorType(err);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/** Consumes from the beginning in `group` until a record with `value` arrives; resolves with what was read (throws on timeout or error). */
export async function consumeUntil(
  client: KafkaConfig,
  topic: string,
  group: string,
  value: string,
  timeoutMs = 30_000,
): Promise<string[]> {
  const kafka = new Kafka({ ...client, clientId: 'acl-access-check', logLevel: logLevel.NOTHING, retry: { retries: 8 } });
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500, rebalanceTimeout: 10_000 });
  const read: string[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no record '${value}' on ${topic} within ${timeoutMs} ms (read: ${read.join(', ')})`)),
        timeoutMs,
      );
      // A crash kafkajs restarts from (e.g. GROUP_LOAD_IN_PROGRESS while a fresh broker loads its offsets topic) is not the end.
      consumer.on(consumer.events.CRASH, (e) => {
        if (e.payload.restart) return;
        clearTimeout(timer);
        reject(e.payload.error);
      });
      void consumer
        .run({
          eachMessage: async ({ message }) => {
            read.push(message.value?.toString() ?? '');
            if (message.value?.toString() === value) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    return read;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

/** The Kafka error name kafkajs gives for `err` (it reports a topic denied in its metadata as a non-retriable error carrying Kafka's text). */
export function errorType(err: unknown): string {
  const e = err as { type?: string; name?: string; message?: string; cause?: { type?: string } };
  const type = e.type ?? e.cause?.type;
  if (type) return type;
  return /Topic authorization failed/.test(e.message ?? '') ? 'TOPIC_AUTHORIZATION_FAILED' : `${e.name}: ${e.message}`;
}
