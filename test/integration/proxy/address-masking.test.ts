// Backend addresses nothing of the gateway stands for, against a real 4.3.1 KRaft node with Kafka's own
// tools: DescribeQuorum's controller listeners and a broker's listener configs. Directly, the tools print
// them; through the gateway they print the voters without endpoints and the configs as Kafka prints a
// sensitive one ("listeners=null sensitive=true"), and no byte sent to a client names a backend port.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { backendListenerPorts, findAddressLeaks } from '../../harness/address-leaks.ts';
import { startTappedGateway, type TappedGateway } from '../../harness/gateway-in-process.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { kafkaTool } from '../../harness/kafka-tools.ts';
import { expectSuccess } from '../../harness/run.ts';

let cluster: KafkaCluster;
let gw: TappedGateway;
let backendPorts: number[];

const tool = async (name: Parameters<typeof kafkaTool>[1], args: string[]) =>
  expectSuccess(`kafka ${name} ${args.join(' ')}`, await kafkaTool('4', name, args, { timeoutMs: 120_000 }));

before(async () => {
  cluster = await startKafka({ version: '4', brokers: 1 });
  gw = await startTappedGateway({ backendBootstrap: cluster.bootstrap, maxBrokers: 1 });
  backendPorts = await backendListenerPorts('4', cluster.bootstrap, [1]);
});

after(async () => {
  await gw?.stop();
  await cluster?.stop();
});

const mentionsAPort = (text: string) => backendPorts.filter((p) => text.includes(`:${p}`));

test('kafka-metadata-quorum describe --status: directly it prints controller endpoints, through the gateway the voters without them', async () => {
  const direct = await tool('metadata-quorum', ['--bootstrap-server', cluster.bootstrap, 'describe', '--status']);
  assert.match(
    direct.stdout,
    /CurrentVoters:.*"endpoints": \["CONTROLLER:\/\/127\.0\.0\.1:\d+"\]/,
    'the broker itself hands out controller endpoints',
  );
  assert.ok(backendPorts.length >= 2, `broker and controller ports found: ${backendPorts.join(',')}`);
  const through = await tool('metadata-quorum', ['--bootstrap-server', gw.bootstrap, 'describe', '--status']);
  assert.match(through.stdout, /CurrentVoters:\s+\[\{"id": 1\}\]/);
  assert.match(through.stdout, /LeaderId:\s+1/);
  assert.deepEqual(mentionsAPort(through.stdout), []);
  const replication = await tool('metadata-quorum', ['--bootstrap-server', gw.bootstrap, 'describe', '--replication']);
  assert.match(replication.stdout, /Leader/);
});

test('kafka-configs --describe on a broker: listener and quorum configs come back as Kafka shows a sensitive config', async () => {
  const through = await tool('configs', [
    '--bootstrap-server',
    gw.bootstrap,
    '--describe',
    '--entity-type',
    'brokers',
    '--entity-name',
    '1',
    '--all',
  ]);
  for (const name of ['listeners', 'advertised.listeners', 'controller.quorum.voters']) {
    assert.match(through.stdout, new RegExp(`^\\s*${name.replaceAll('.', '\\.')}=null sensitive=true`, 'm'), name);
  }
  assert.match(through.stdout, /^\s*log\.retention\.hours=168 sensitive=false/m, 'other configs are untouched');
  assert.deepEqual(mentionsAPort(through.stdout), []);
});

test('no byte the gateway sent a client names a backend broker or controller port', () => {
  const sent = gw.sentToClients();
  assert.ok(sent.length >= 3);
  assert.deepEqual(findAddressLeaks(sent, backendPorts), []);
  // The scanner sees each shape when it is there.
  const [port] = backendPorts;
  const uint16 = Buffer.alloc(2);
  uint16.writeUInt16BE(port);
  assert.equal(findAddressLeaks([Buffer.concat([Buffer.from('127.0.0.1'), uint16])], [port]).length, 1);
  assert.equal(findAddressLeaks([Buffer.from(`x=1@127.0.0.1:${port}`)], [port]).length, 1);
});
