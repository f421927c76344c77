// Enforcement seen by real clients over mTLS: the Java client tools and kcat (librdkafka), each with
// its own certificate (its principal), through a gateway enforcing a YAML policy in front of an
// unsecured Kafka 4 broker. Allowed topics work end to end; a denied topic and a denied consumer
// group fail with Kafka's own errors in the client's own words; Metadata lists only what the principal
// may describe. Topics are created directly on the backend (the gateway only stands in front of it).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startGatewayProcess, type GatewayProcess } from '../../harness/gateway.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { kafkaTool } from '../../harness/kafka-tools.ts';
import { kcat } from '../../harness/kcat.ts';
import { createTestPki, javaSslProperties, STORE_PASSWORD, type TestPki } from '../../harness/pki.ts';
import { freePorts } from '../../harness/ports.ts';
import { expectSuccess } from '../../harness/run.ts';
import { parseConsoleConsumer } from '../../harness/verify.ts';

const RULES = 'RULE:^CN=([^,]+),O=Acme$/$1/L,DEFAULT';

const POLICY = `version: 1
rules:
  - id: orders-apps-write
    allow: [WRITE, READ]
    principals: [User:java-app, User:kcat-app]
    resources:
      - topic: { prefix: "orders." }
  - id: orders-apps-group
    allow: [READ]
    principals: [User:java-app, User:kcat-app]
    resources:
      - group: { prefix: "orders-" }
  - id: payments-owner
    allow: [ALL]
    principals: [User:payments-app]
    resources:
      - topic: payments.secret
      - group: payments-readers
`;

describe('real clients against an enforced policy (mTLS principals)', () => {
  let cluster: KafkaCluster;
  let gw: GatewayProcess;
  let pki: TestPki;
  let javaConfig = '';
  let kcatCert = { cert: '', key: '' };

  const kcatSsl = () => [
    '-X',
    'security.protocol=ssl',
    '-X',
    `ssl.ca.location=${pki.file('ca/ca.crt')}`,
    '-X',
    `ssl.certificate.location=${kcatCert.cert}`,
    '-X',
    `ssl.key.location=${kcatCert.key}`,
  ];
  const tool = (name: Parameters<typeof kafkaTool>[1], args: string[], input?: string) =>
    kafkaTool('4', name, args, { input, timeoutMs: 120_000 });

  before(async () => {
    pki = createTestPki();
    const kc = pki.client('kcat-app');
    kcatCert = { cert: kc.cert, key: kc.key };
    pki.client('java-app');
    const stores = pki.ca.bundle('java-app', { password: STORE_PASSWORD });
    javaConfig = path.join(pki.dir, 'java-app.properties');
    const props = javaSslProperties({ keyStore: stores.keyStore!, trustStore: stores.trustStore });
    fs.writeFileSync(
      javaConfig,
      Object.entries(props)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') + '\n',
    );
    const policyFile = path.join(pki.dir, 'policy.yaml');
    fs.writeFileSync(policyFile, POLICY);

    cluster = await startKafka({ version: '4', brokers: 1 });
    const backend = new Kafka({ clientId: 'setup', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING });
    const admin = backend.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'orders.created', numPartitions: 1 },
        { topic: 'payments.secret', numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();

    const [port, brokerPort] = await freePorts(2);
    gw = await startGatewayProcess({
      backendBootstrap: cluster.bootstrap,
      maxBrokers: 1,
      extraConfig: { authorization: { policies: [policyFile] } },
      listeners: [
        {
          name: 'mtls',
          bind: `127.0.0.1:${port}`,
          tls: {
            certificate: pki.file(pki.server.certFile),
            key: pki.file(pki.server.keyFile),
            clientAuth: 'required',
            clientCa: pki.file('ca/ca.crt'),
            principalMappingRules: RULES,
          },
          routing: { brokerPorts: { 1: brokerPort } },
        },
      ],
    });
  });
  after(async () => {
    await gw?.stop();
    await cluster?.stop();
    pki?.cleanup();
  });

  test('the Java producer writes to its topic and gets TopicAuthorizationException on another', async () => {
    const produce = (topic: string, lines: string) =>
      tool(
        'console-producer',
        ['--bootstrap-server', gw.bootstrap, '--topic', topic, '--producer.config', javaConfig, '--producer-property', 'acks=all'],
        lines,
      );
    expectSuccess('java produce to orders.created', await produce('orders.created', 'java-1\njava-2\n'));
    const denied = await produce('payments.secret', 'stolen\n');
    assert.match(`${denied.stdout}\n${denied.stderr}`, /TopicAuthorizationException|Not authorized to access topics: \[payments\.secret\]/);
  });

  test('kcat produces to its topic and is refused on another with Kafka’s error', async () => {
    expectSuccess(
      'kcat produce to orders.created',
      await kcat(['-P', '-b', gw.bootstrap, '-t', 'orders.created', '-X', 'acks=all', ...kcatSsl()], { input: 'kcat-1\n' }),
    );
    const denied = await kcat(['-P', '-b', gw.bootstrap, '-t', 'payments.secret', '-X', 'acks=all', ...kcatSsl()], { input: 'stolen\n' });
    assert.notEqual(denied.code, 0, 'kcat must fail on a topic it may not write');
    assert.match(denied.stderr, /[Tt]opic authorization failed|TOPIC_AUTHORIZATION_FAILED/);
  });

  test('Metadata through the gateway lists only the topics the principal may describe (kcat -L)', async () => {
    const listed = expectSuccess('kcat -L', await kcat(['-L', '-J', '-b', gw.bootstrap, ...kcatSsl()]));
    const names = (JSON.parse(listed.stdout) as { topics: Array<{ topic: string }> }).topics.map((t) => t.topic).sort();
    assert.deepEqual(names, ['orders.created']);
  });

  test('the Java consumer reads its topic in its own group, and gets GroupAuthorizationException in another', async () => {
    const consume = (group: string, topic: string) =>
      tool('console-consumer', [
        '--bootstrap-server',
        gw.bootstrap,
        '--topic',
        topic,
        '--group',
        group,
        '--from-beginning',
        '--max-messages',
        '3',
        '--timeout-ms',
        '30000',
        '--consumer.config',
        javaConfig,
        '--property',
        'print.partition=true',
      ]);
    const ok = expectSuccess('java consume orders.created', await consume('orders-readers', 'orders.created'));
    assert.deepEqual(
      parseConsoleConsumer(ok.stdout)
        .map((r) => r.value)
        .sort(),
      ['java-1', 'java-2', 'kcat-1'],
    );
    const denied = await consume('payments-readers', 'orders.created');
    assert.match(`${denied.stdout}\n${denied.stderr}`, /GroupAuthorizationException|Not authorized to access group: payments-readers/);
  });

  test('every refusal is an audited decision with the rule context, and counted', async () => {
    const metrics = await gw.metrics();
    assert.match(metrics, /gatehouse_authz_decisions_total\{[^}]*decision="denied"[^}]*\} [1-9]/);
  });
});
