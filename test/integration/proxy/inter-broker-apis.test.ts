// A real 2.8 (ZooKeeper-mode) broker offers its inter-broker APIs (LeaderAndIsr, StopReplica,
// UpdateMetadata, ControlledShutdown) on the client port. Through the gateway they are neither advertised
// nor forwarded: a client that sends one is closed on, as a broker closes on what it does not serve, and
// the request never reaches the broker. A relay between the gateway and the broker records every request
// the broker received from the gateway.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { FrameReader } from '../../../gateway/net/frame-reader.ts';
import { API_KEY, decodeResponseFrame, encodeRequestFrame, peekRequestHeader } from '../../../gateway/protocol/index.ts';
import { startTappedGateway, type TappedGateway } from '../../harness/gateway-in-process.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { connectRaw } from './raw-client.ts';

const INTER_BROKER: number[] = [API_KEY.LeaderAndIsr, API_KEY.StopReplica, API_KEY.UpdateMetadata, API_KEY.ControlledShutdown];

let cluster: KafkaCluster;
let gw: TappedGateway;
let relay: net.Server;
/** Api keys of the requests the broker received through the relay. */
const reachedBroker: number[] = [];

before(async () => {
  cluster = await startKafka({ version: 'legacy', brokers: 1 });
  const broker = cluster.brokers[0];
  relay = net.createServer((client) => {
    const upstream = net.connect({ host: broker.host, port: broker.port });
    const reader = new FrameReader(() => 1 << 30);
    client.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) reachedBroker.push(peekRequestHeader(f.payload).apiKey);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  gw = await startTappedGateway({ backendBootstrap: `127.0.0.1:${(relay.address() as net.AddressInfo).port}`, maxBrokers: 1 });
});

after(async () => {
  await gw?.stop();
  relay?.close();
  await cluster?.stop();
});

const apiVersionsRequest = encodeRequestFrame(
  { requestApiKey: API_KEY.ApiVersions, requestApiVersion: 3, correlationId: 1, clientId: 'raw' },
  { clientSoftwareName: 'raw', clientSoftwareVersion: '1' },
);
const advertisedKeys = async (hostPort: string): Promise<number[]> => {
  const conn = await connectRaw(hostPort);
  conn.send(apiVersionsRequest);
  const payload = await conn.next();
  conn.end();
  assert.ok(payload);
  return (decodeResponseFrame(payload, API_KEY.ApiVersions, 3).body.apiKeys as Array<{ apiKey: number }>).map((a) => a.apiKey);
};

test('the 2.8 broker offers its inter-broker APIs; the gateway advertises none of them', async () => {
  const direct = await advertisedKeys(`${cluster.brokers[0].host}:${cluster.brokers[0].port}`);
  for (const key of INTER_BROKER) assert.ok(direct.includes(key), `the broker itself offers key ${key}`);
  const through = await advertisedKeys(gw.bootstrap);
  assert.ok(through.includes(API_KEY.Produce) && through.includes(API_KEY.Metadata));
  assert.deepEqual(
    through.filter((k) => INTER_BROKER.includes(k)),
    [],
  );
});

test('a raw UpdateMetadata through the gateway closes the connection and never reaches the broker', async () => {
  const updateMetadata = encodeRequestFrame(
    { requestApiKey: API_KEY.UpdateMetadata, requestApiVersion: 6, correlationId: 2, clientId: 'raw' },
    { controllerId: 1, controllerEpoch: 0, brokerEpoch: 0n, topicStates: [], liveBrokers: [] },
  );
  const conn = await connectRaw(gw.bootstrap);
  conn.send(updateMetadata);
  assert.equal(await conn.next(), null, 'no answer: the connection is closed');
  await conn.closed;
  assert.equal(reachedBroker.includes(API_KEY.UpdateMetadata), false, `the broker received ${JSON.stringify(reachedBroker)}`);
  assert.ok(reachedBroker.includes(API_KEY.ApiVersions), 'the relay does see what the gateway forwards');
});
