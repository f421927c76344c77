// The demo: a real Kafka backend, and (as the gateway grows) Gatehouse in front of it with
// clients that are allowed and refused. Stops everything on Ctrl-C, or at once with --exit.
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { startKafka } from './harness/kafka.ts';

const exitAtOnce = process.argv.includes('--exit');
const say = (line: string) => process.stdout.write(`demo: ${line}\n`);

say('starting a Kafka 4 broker (KRaft, PLAINTEXT, no security at all: the kind of cluster Gatehouse protects)…');
const cluster = await startKafka({ version: '4', brokers: 1 });
say(`Kafka ${cluster.version} is up at ${cluster.bootstrap} (data under ${cluster.dataDir})`);

const kafka = new Kafka({ clientId: 'gatehouse-demo', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING });
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
await producer.send({ topic: 'demo.orders', messages: [{ value: 'order #1' }, { value: 'order #2' }] });
await producer.disconnect();
say('a kafkajs producer wrote 2 messages to demo.orders, with no credentials at all');

const consumer = kafka.consumer({ groupId: 'demo-readers' });
await consumer.connect();
await consumer.subscribe({ topic: 'demo.orders', fromBeginning: true });
let seen = 0;
await new Promise<void>((resolve) => {
  void consumer.run({
    eachMessage: async ({ message }) => {
      say(`a kafkajs consumer read "${message.value?.toString()}", also with no credentials`);
      if (++seen === 2) resolve();
    },
  });
});
await consumer.disconnect();
say('anyone on the network can do this today; Gatehouse is the gateway that will stand in front of it.');

const shutdown = async () => {
  say('stopping Kafka…');
  await cluster.stop();
  process.exit(0);
};
if (exitAtOnce) {
  await shutdown();
} else {
  say(`the backend stays up at ${cluster.bootstrap}; press Ctrl-C to stop it.`);
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}
