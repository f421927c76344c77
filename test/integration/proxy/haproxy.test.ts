// The gateway behind a real TCP load balancer: Debian's haproxy sends the PROXY protocol (v1 with
// `send-proxy`, v2 with `send-proxy-v2` and health checks), real Kafka clients go through
// haproxy → gateway (plaintext listener) → a real Kafka broker. The gateway's network rules and IP
// identities must apply to the client address in the PROXY header, never to haproxy's own.
//
// Loopback addresses keep the parties apart: haproxy's frontends listen on 127.0.0.2 (the gateway's
// advertised host, on the same port numbers the gateway binds on 127.0.0.1, so the broker addresses
// in Metadata lead through haproxy too), haproxy connects to the gateway from 127.0.0.3, and clients
// connect from 127.0.0.1 (kcat), 127.0.0.10 (allowed kafkajs) and 127.0.0.20 (denied kafkajs).
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { startGatewayProcess, type GatewayProcess } from '../../harness/gateway.ts';
import { startHaproxy } from '../../harness/haproxy.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { kcat } from '../../harness/kcat.ts';
import { freePorts } from '../../harness/ports.ts';
import { expectSuccess } from '../../harness/run.ts';
import { consumeWithKafkajs } from '../../harness/verify.ts';

const BALANCER_FRONT = '127.0.0.2';
const BALANCER_SOURCE = '127.0.0.3';

let cluster: KafkaCluster;
let gw: GatewayProcess;
let ports: number[];

before(async () => {
  cluster = await startKafka({ version: '4', brokers: 1 });
  ports = await freePorts(2);
  const [bootstrapPort, brokerPort] = ports;
  gw = await startGatewayProcess({
    backendBootstrap: cluster.bootstrap,
    maxBrokers: 1,
    listeners: [
      {
        name: 'behind-lb',
        bind: `127.0.0.1:${bootstrapPort}`,
        advertisedHost: BALANCER_FRONT,
        plaintext: true,
        proxyProtocol: { trustedSources: [`${BALANCER_SOURCE}/32`] },
        // haproxy's own address is in neither list: were it used in place of the client's, every
        // connection would be refused.
        network: {
          allow: ['127.0.0.1/32', '127.0.0.10/32'],
          identities: { '127.0.0.1/32': 'User:kcat-app', '127.0.0.10/32': 'User:alice' },
        },
        routing: { brokerPorts: { 1: brokerPort } },
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await cluster?.stop();
});

/** A kafkajs client whose connections come from `localAddress`. */
function kafkaFrom(localAddress: string, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [`${BALANCER_FRONT}:${ports[0]}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    retry: { retries: 2, initialRetryTime: 200 },
    socketFactory: ({ host, port, onConnect }) => {
      const socket = net.connect({ host, port, localAddress }, onConnect);
      socket.setKeepAlive(true, 60_000);
      return socket;
    },
  });
}

for (const version of ['v1', 'v2'] as const) {
  test(`haproxy send-proxy${version === 'v2' ? '-v2' : ''}: clients produce and consume; rules and identities use the client's address`, async () => {
    const haproxy = await startHaproxy({
      proxyProtocol: version,
      source: BALANCER_SOURCE,
      routes: ports.map((port) => ({ bind: `${BALANCER_FRONT}:${port}`, server: `127.0.0.1:${port}` })),
      // v2 health checks carry a LOCAL header: refused by the gateway, yet the check (a TCP connect) passes.
      healthCheck: version === 'v2' ? { intervalMs: 300 } : undefined,
    });
    const started = Date.now();
    try {
      const topic = `through-haproxy-${version}`;
      const bootstrap = `${BALANCER_FRONT}:${ports[0]}`;

      // kcat, from 127.0.0.1 (User:kcat-app): produce, then consume through haproxy.
      expectSuccess('kcat -P', await kcat(['-P', '-b', bootstrap, '-t', topic, '-X', 'acks=all'], { input: 'from-kcat-1\nfrom-kcat-2\n' }));

      // kafkajs from 127.0.0.10 (User:alice): produce, then a consumer group reads everything.
      const alice = kafkaFrom('127.0.0.10', `alice-${version}`);
      const producer = alice.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ value: 'from-kafkajs-1' }, { value: 'from-kafkajs-2' }] });
      await producer.disconnect();
      const received = await consumeWithKafkajs(alice, topic, `${topic}-group`, 4);
      assert.deepEqual(received.map((m) => m.value).sort(), ['from-kafkajs-1', 'from-kafkajs-2', 'from-kcat-1', 'from-kcat-2']);
      const consumed = expectSuccess(
        'kcat -C',
        await kcat(['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-c', '4', '-e', '-f', '%s\n']),
      );
      assert.deepEqual(consumed.stdout.trim().split('\n').sort(), ['from-kafkajs-1', 'from-kafkajs-2', 'from-kcat-1', 'from-kcat-2']);

      // kafkajs from 127.0.0.20: not in the allow list, refused although haproxy itself connects.
      const mallory = kafkaFrom('127.0.0.20', `mallory-${version}`).admin();
      await assert.rejects(mallory.connect().then(() => mallory.listTopics()));
      await mallory.disconnect().catch(() => undefined);

      const since = (l: Record<string, unknown>) => Date.parse(String(l.time)) >= started - 1_000;
      const opened = await gw.waitForLog((l) => since(l) && l.event === 'connection_open' && String(l.peer).startsWith('127.0.0.10:'));
      assert.equal(opened.principal, 'User:alice');
      assert.equal(opened.listener, 'behind-lb');
      const kcatOpened = await gw.waitForLog((l) => since(l) && l.event === 'connection_open' && String(l.peer).startsWith('127.0.0.1:'));
      assert.equal(kcatOpened.principal, 'User:kcat-app');
      const denied = await gw.waitForLog((l) => since(l) && l.event === 'connection_refused' && String(l.peer).startsWith('127.0.0.20:'));
      assert.equal(denied.reason, 'ip-denied');
      const fromBalancer = gw
        .logs()
        .filter((l) => since(l) && l.event === 'connection_open' && String(l.peer).startsWith(`${BALANCER_SOURCE}:`));
      assert.deepEqual(fromBalancer, [], 'no connection is admitted as the balancer');
      if (version === 'v2') {
        const check = await gw.waitForLog((l) => since(l) && l.event === 'connection_refused' && l.reason === 'proxy-unknown-source');
        assert.match(String(check.detail), /v2 LOCAL/);
        assert.match(String(check.peer), new RegExp(`^${BALANCER_SOURCE.replace(/\./g, '\\.')}:`));
      }
      const metrics = await gw.metrics();
      assert.match(metrics, /gatehouse_client_identities_total\{listener="behind-lb",method="ip"\} [1-9]/);
    } finally {
      await haproxy.stop();
    }
  });
}
