// The demo: a real Kafka backend with no security, Gatehouse in front of it, clients through it.
// Stops everything on Ctrl-C, or at the end with --exit.
import net from 'node:net';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { startGatewayProcess } from './harness/gateway.ts';
import { startKafka } from './harness/kafka.ts';

const exitAtEnd = process.argv.includes('--exit');
const say = (line: string) => process.stdout.write(`demo: ${line}\n`);

say('starting a Kafka 4 broker (KRaft, PLAINTEXT, no security at all: the kind of cluster Gatehouse protects)…');
const cluster = await startKafka({ version: '4', brokers: 1 });
say(`Kafka ${cluster.version} is up at ${cluster.bootstrap}`);
const gw = await startGatewayProcess({ backendBootstrap: cluster.bootstrap, maxBrokers: 1, extraConfig: { log: { level: 'info' } } });
say(`Gatehouse is up: clients use ${gw.bootstrap}; metrics at http://127.0.0.1:${gw.adminPort}/metrics; config ${gw.configFile}`);

const kafka = new Kafka({ clientId: 'gatehouse-demo', brokers: [gw.bootstrap], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const described = await admin.describeCluster();
say(`the cluster as a client sees it through Gatehouse: ${described.brokers.map((b) => `broker ${b.nodeId} at ${b.host}:${b.port}`).join(', ')} (the backend's own address never reaches the client)`);
await admin.disconnect();

const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
await producer.send({ topic: 'demo.orders', messages: [{ value: 'order #1' }, { value: 'order #2' }] });
await producer.disconnect();
say('a kafkajs producer wrote 2 messages to demo.orders through Gatehouse');

const consumer = kafka.consumer({ groupId: 'demo-readers' });
await consumer.connect();
await consumer.subscribe({ topic: 'demo.orders', fromBeginning: true });
let seen = 0;
await new Promise<void>((resolve) => {
  void consumer.run({
    eachMessage: async ({ message }) => {
      say(`a kafkajs consumer group read "${message.value?.toString()}" through Gatehouse`);
      if (++seen === 2) resolve();
    },
  });
});
await consumer.disconnect();

// A client speaking an API the gateway does not know is refused, as a broker would refuse it.
const refused = await new Promise<boolean>((resolve) => {
  const [host, port] = gw.bootstrap.split(':');
  const socket = net.connect({ host, port: Number(port) }, () => {
    const frame = Buffer.alloc(14);
    frame.writeInt32BE(10, 0);
    frame.writeInt16BE(10_042, 4); // a vendor api key nobody advertised
    socket.write(frame);
  });
  socket.once('data', () => resolve(false));
  socket.once('close', () => resolve(true));
  socket.once('error', () => resolve(true));
});
say(`a client sending an unknown API (key 10042) was ${refused ? 'refused: connection closed, logged and counted' : 'NOT refused'}`);
const closes = (await gw.metrics()).split('\n').filter((l) => l.startsWith('gatehouse_connection_closes_total'));
say(`gateway metrics: ${closes.join('; ')}`);
say('still to come: TLS with client certificates, SASL/Kerberos, and ACL policies deciding who may do what.');

const shutdown = async () => {
  say('stopping Gatehouse (SIGTERM: drains in-flight requests) and Kafka…');
  await gw.stop();
  await cluster.stop();
  process.exit(0);
};
if (exitAtEnd) {
  await shutdown();
} else {
  say(`everything stays up: try \`kcat -L -b ${gw.bootstrap}\`; press Ctrl-C to stop.`);
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}
