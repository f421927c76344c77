// Real clients through the gateway's TLS listeners in front of a real Kafka 4 broker, with
// certificates made by the project's own certificate tool:
// - mTLS (clientAuth required, PEM server certificate): the Java client with PKCS#12 stores, kcat with
//   PEM files and kafkajs produce and consume; each connection's principal comes from its certificate
//   through Kafka-syntax mapping rules; clients without a certificate, with another CA's or an expired
//   one are refused;
// - SNI routing (PKCS#12 server certificate, wildcard *.kafka.test): kafkajs, and the Java client when a
//   JDK that reads `jdk.net.hosts.file` (18+) is on the machine, reach the broker by name on one port.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { startGatewayProcess, type GatewayProcess } from '../../harness/gateway.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { kafkaTool } from '../../harness/kafka-tools.ts';
import { kcat } from '../../harness/kcat.ts';
import { createTestPki, SNI_DOMAIN, STORE_PASSWORD, type TestPki } from '../../harness/pki.ts';
import { freePorts } from '../../harness/ports.ts';
import { expectSuccess } from '../../harness/run.ts';
import { assertExactlyOnceInOrder, consumeWithKafkajs, parseConsoleConsumer } from '../../harness/verify.ts';

const COUNT = 40;
const values = (prefix: string) => Array.from({ length: COUNT }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
const RULES = 'RULE:^CN=([^,]+),O=Acme$/$1/L,DEFAULT';

/** A JDK whose resolver honours jdk.net.hosts.file (18+), for SNI names without touching /etc/hosts. */
function jdkWithHostsFile(): string | null {
  const root = '/usr/lib/jvm';
  if (!fs.existsSync(root)) return null;
  for (const name of fs.readdirSync(root)) {
    const java = path.join(root, name, 'bin', 'java');
    if (!fs.existsSync(java)) continue;
    const out = spawnSync(java, ['-version'], { encoding: 'utf8' }).stderr ?? '';
    const major = Number(/version "(\d+)/.exec(out)?.[1] ?? 0);
    if (major >= 18) return java;
  }
  return null;
}

describe('TLS listeners with real clients', () => {
  let cluster: KafkaCluster;
  let gw: GatewayProcess;
  let pki: TestPki;
  let sniPort = 0;
  const files: Record<string, string> = {};
  const topic = 'tls-orders';

  const javaConfig = (name: string, extra: Record<string, string> = {}) => {
    const file = path.join(pki.dir, `${name}.properties`);
    const props = {
      'security.protocol': 'SSL',
      'ssl.keystore.type': 'PKCS12',
      'ssl.keystore.location': files.javaKeystore,
      'ssl.keystore.password': STORE_PASSWORD,
      'ssl.truststore.type': 'PKCS12',
      'ssl.truststore.location': files.truststore,
      'ssl.truststore.password': STORE_PASSWORD,
      ...extra,
    };
    fs.writeFileSync(
      file,
      Object.entries(props)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') + '\n',
    );
    return file;
  };
  const tool = (name: Parameters<typeof kafkaTool>[1], args: string[], input?: string, java?: string) =>
    kafkaTool('4', name, args, { input, timeoutMs: 120_000, java }).then((r) => expectSuccess(`kafka ${name}`, r));
  const kcatSsl = (cert: { cert: string; key: string }) => [
    '-X',
    'security.protocol=ssl',
    '-X',
    `ssl.ca.location=${pki.file('ca/ca.crt')}`,
    '-X',
    `ssl.certificate.location=${cert.cert}`,
    '-X',
    `ssl.key.location=${cert.key}`,
  ];
  const kafkajsSsl = (cert?: { cert: string; key: string }) => ({
    ca: [fs.readFileSync(pki.file('ca/ca.crt'))],
    ...(cert && { cert: fs.readFileSync(cert.cert), key: fs.readFileSync(cert.key) }),
  });
  const opened = (principal: string) => gw.waitForLog((l) => l.event === 'connection_open' && l.principal === principal, 10_000);
  const refusal = (reason: string) => gw.waitForLog((l) => l.event === 'connection_refused' && l.reason === reason, 10_000);

  before(async () => {
    pki = createTestPki();
    for (const name of ['java-app', 'kcat-app', 'kafkajs-app']) {
      const c = pki.client(name);
      files[`${name}.crt`] = c.cert;
      files[`${name}.key`] = c.key;
    }
    const bundled = pki.ca.bundle('java-app', { password: STORE_PASSWORD });
    files.javaKeystore = bundled.keyStore!;
    files.truststore = bundled.trustStore;
    files.gatewayKeystore = pki.ca.bundle('gateway', { password: STORE_PASSWORD, force: true }).keyStore!;
    cluster = await startKafka({ version: '4', brokers: 1 });
    const [mtlsPort, brokerPort, sni] = await freePorts(3);
    sniPort = sni;
    gw = await startGatewayProcess({
      backendBootstrap: cluster.bootstrap,
      maxBrokers: 1,
      listeners: [
        {
          name: 'mtls',
          bind: `127.0.0.1:${mtlsPort}`,
          tls: {
            certificate: pki.file(pki.server.certFile),
            key: pki.file(pki.server.keyFile),
            clientAuth: 'required',
            clientCa: pki.file('ca/ca.crt'),
            crl: pki.file('ca/crl.pem'),
            principalMappingRules: RULES,
          },
          routing: { brokerPorts: { 1: brokerPort } },
        },
        {
          name: 'sni',
          bind: `127.0.0.1:${sniPort}`,
          tls: {
            keystore: files.gatewayKeystore,
            keystorePassword: STORE_PASSWORD,
            clientAuth: 'requested',
            clientCa: pki.file('ca/ca.crt'),
            principalMappingRules: RULES,
          },
          routing: { mode: 'sni', domain: SNI_DOMAIN },
        },
      ],
    });
  });
  after(async () => {
    await gw?.stop();
    await cluster?.stop();
    pki?.cleanup();
  });

  const javaSent = values('java');
  const kcatSent = values('kcat');
  const kafkajsSent = values('kafkajs');

  test('the Java client (PKCS#12 stores from `certs bundle`) creates a topic and produces over mTLS as User:java-app', async () => {
    const config = javaConfig('java');
    await tool('topics', [
      '--bootstrap-server',
      gw.bootstrap,
      '--command-config',
      config,
      '--create',
      '--topic',
      topic,
      '--partitions',
      '3',
      '--replication-factor',
      '1',
    ]);
    await tool(
      'console-producer',
      [
        '--bootstrap-server',
        gw.bootstrap,
        '--topic',
        topic,
        '--producer.config',
        config,
        '--producer-property',
        'acks=all',
        '--property',
        'parse.key=true',
        '--property',
        'key.separator=:',
      ],
      javaSent.map((v, i) => `j${i % 5}:${v}`).join('\n') + '\n',
    );
    const line = await opened('User:java-app');
    assert.match(String(line.tls), /^TLSv1\.[23]$/);
    assert.equal(line.subject, 'CN=java-app,O=Acme');
    assert.equal(line.identity, 'certificate-dn');
  });

  test('kcat (librdkafka, PEM files) produces over mTLS as User:kcat-app', async () => {
    const cert = { cert: files['kcat-app.crt'], key: files['kcat-app.key'] };
    const input = kcatSent.map((v, i) => `k${i % 7}:${v}`).join('\n') + '\n';
    expectSuccess(
      'kcat -P over TLS',
      await kcat(['-P', '-b', gw.bootstrap, '-t', topic, '-K:', '-X', 'acks=all', ...kcatSsl(cert)], { input }),
    );
    await opened('User:kcat-app');
  });

  test('kafkajs produces over mTLS as User:kafkajs-app, then its consumer group reads all three producers exactly once', async () => {
    const cert = { cert: files['kafkajs-app.crt'], key: files['kafkajs-app.key'] };
    const kafka = new Kafka({ clientId: 'tls-kafkajs', brokers: [gw.bootstrap], ssl: kafkajsSsl(cert), logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: kafkajsSent.map((value, i) => ({ key: `q${i % 4}`, value })) });
    await producer.disconnect();
    await opened('User:kafkajs-app');
    const all = [...javaSent, ...kcatSent, ...kafkajsSent];
    assertExactlyOnceInOrder(
      all,
      await consumeWithKafkajs(kafka, topic, 'tls-kafkajs-group', all.length),
      'Java + kcat + kafkajs → TLS gateway → kafkajs group',
    );
  });

  test('the Java console consumer and kcat read everything back over mTLS', async () => {
    const all = [...javaSent, ...kcatSent, ...kafkajsSent];
    const java = await tool('console-consumer', [
      '--bootstrap-server',
      gw.bootstrap,
      '--topic',
      topic,
      '--consumer.config',
      javaConfig('java-consumer'),
      '--from-beginning',
      '--group',
      'tls-java-group',
      '--max-messages',
      String(all.length),
      '--timeout-ms',
      '60000',
      '--property',
      'print.partition=true',
    ]);
    assertExactlyOnceInOrder(all, parseConsoleConsumer(java.stdout), 'TLS gateway → Java classic group');
    const cert = { cert: files['kcat-app.crt'], key: files['kcat-app.key'] };
    const out = expectSuccess(
      'kcat -C over TLS',
      await kcat(['-C', '-b', gw.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-f', '%p\t%s\n', ...kcatSsl(cert)], {
        timeoutMs: 90_000,
      }),
    );
    const received = out.stdout
      .trim()
      .split('\n')
      .map((l) => ({ partition: Number(l.split('\t')[0]), value: l.split('\t')[1] }));
    assert.equal(received.length, all.length);
    assert.deepEqual(new Set(received.map((r) => r.value)), new Set(all));
  });

  test("refused with real clients: kafkajs without a certificate, kcat with another CA's, kcat with an expired one", async () => {
    const bare = new Kafka({
      clientId: 'no-cert',
      brokers: [gw.bootstrap],
      ssl: kafkajsSsl(),
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 3_000,
    });
    const admin = bare.admin();
    await assert.rejects(admin.connect().then(() => admin.listTopics()));
    await admin.disconnect();
    await refusal('client-certificate-missing');

    const stranger = pki.client('stranger-app', {}, pki.stranger);
    const wrongCa = await kcat(['-L', '-b', gw.bootstrap, '-m', '5', ...kcatSsl(stranger)], { timeoutMs: 30_000 });
    assert.notEqual(wrongCa.code, 0, 'kcat with a foreign certificate must fail');
    const invalid = await refusal('client-certificate-invalid');
    assert.match(String(invalid.detail), /CN=stranger-app/);

    const expired = pki.client('expired-app', { notBefore: new Date(Date.now() - 10 * 86_400_000), days: 1 });
    const old = await kcat(['-L', '-b', gw.bootstrap, '-m', '5', ...kcatSsl(expired)], { timeoutMs: 30_000 });
    assert.notEqual(old.code, 0, 'kcat with an expired certificate must fail');
    await gw.waitForLog((l) => l.reason === 'client-certificate-invalid' && /CERT_HAS_EXPIRED/.test(String(l.detail)), 10_000);
    assert.match(await gw.metrics(), /gatehouse_connections_refused_total\{listener="mtls",reason="client-certificate-missing"\} [1-9]/);
  });

  test('TLS handshake failures are counted by reason: a plaintext kcat, a kcat that does not trust the gateway, certificate refusals', async () => {
    const failures = async (reason: string) =>
      Number(
        new RegExp(`gatehouse_tls_handshake_failures_total\\{listener="mtls",reason="${reason}"\\} (\\d+)`).exec(await gw.metrics())?.[1] ??
          0,
      );
    const plain = await kcat(['-L', '-b', gw.bootstrap, '-m', '5', '-X', 'security.protocol=plaintext'], { timeoutMs: 30_000 });
    assert.notEqual(plain.code, 0, 'a plaintext client cannot use a TLS listener');
    const distrusting = await kcat(
      [
        '-L',
        '-b',
        gw.bootstrap,
        '-m',
        '5',
        ...kcatSsl({ cert: files['kcat-app.crt'], key: files['kcat-app.key'] }).map((arg) =>
          arg.startsWith('ssl.ca.location=') ? `ssl.ca.location=${path.join(pki.stranger.dir, 'ca', 'ca.crt')}` : arg,
        ),
      ],
      { timeoutMs: 30_000 },
    );
    assert.notEqual(distrusting.code, 0, 'a client that does not trust the gateway certificate gives up');
    for (const reason of ['not-tls', 'client-rejected-certificate']) {
      const deadline = Date.now() + 10_000;
      while ((await failures(reason)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.ok((await failures(reason)) > 0, `gatehouse_tls_handshake_failures_total{reason="${reason}"}`);
    }
    // The refusals of the test before: no certificate, a foreign CA's, an expired one.
    assert.ok((await failures('client-certificate-missing')) > 0);
    assert.ok((await failures('client-certificate-invalid')) >= 2);
  });

  test('a certificate revoked with `certs revoke` is refused to kcat once the CRL file changes, without a restart', async () => {
    const frank = pki.client('frank-app');
    expectSuccess(
      'kcat -L before revocation',
      await kcat(['-L', '-b', gw.bootstrap, '-m', '10', ...kcatSsl(frank)], { timeoutMs: 30_000 }),
    );
    const reloadsBefore = gw.logs().filter((l) => l.event === 'tls_reloaded').length;
    pki.ca.revoke('frank-app', 'keyCompromise');
    await gw.waitForLog(() => gw.logs().filter((l) => l.event === 'tls_reloaded').length > reloadsBefore, 10_000);
    const after = await kcat(['-L', '-b', gw.bootstrap, '-m', '5', ...kcatSsl(frank)], { timeoutMs: 30_000 });
    assert.notEqual(after.code, 0, 'kcat with a revoked certificate must fail');
    await gw.waitForLog(
      (l) => l.reason === 'client-certificate-invalid' && /CERT_REVOKED/.test(String(l.detail)) && /CN=frank-app/.test(String(l.detail)),
      10_000,
    );
  });

  test('revoking a certificate also ends the connections already open with it; other clients carry on', async () => {
    const grace = pki.client('grace-app');
    const heidi = pki.client('heidi-app');
    const connect = async (c: { cert: string; key: string }, id: string) => {
      const kafka = new Kafka({
        clientId: id,
        brokers: [gw.bootstrap],
        ssl: kafkajsSsl(c),
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
      });
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ value: `${id}-before` }] });
      return producer;
    };
    const revokedProducer = await connect(grace, 'grace');
    const keptProducer = await connect(heidi, 'heidi');
    pki.ca.revoke('grace-app', 'keyCompromise');
    const cut = await gw.waitForLog((l) => l.event === 'connection_close' && l.reason === 'certificate-revoked', 10_000);
    assert.equal(cut.principal, 'User:grace-app');
    await assert.rejects(revokedProducer.send({ topic, acks: -1, messages: [{ value: 'grace-after' }] }));
    await keptProducer.send({ topic, acks: -1, messages: [{ value: 'heidi-after' }] });
    await Promise.allSettled([revokedProducer.disconnect(), keptProducer.disconnect()]);
    assert.ok(
      !gw.logs().some((l) => l.event === 'connection_close' && l.reason === 'certificate-revoked' && l.principal !== 'User:grace-app'),
    );
  });

  test('SNI routing: kafkajs reaches bootstrap.kafka.test and broker-1.kafka.test through one port (PKCS#12 wildcard certificate)', async () => {
    const sniTopic = 'tls-sni';
    const kafka = new Kafka({
      clientId: 'sni-kafkajs',
      brokers: [`bootstrap.${SNI_DOMAIN}:${sniPort}`],
      logLevel: logLevel.NOTHING,
      ssl: true,
      // The names resolve to loopback here; the TLS server name stays the broker's name.
      socketFactory: ({ host, port, onConnect }) =>
        tls.connect(
          {
            host: '127.0.0.1',
            port,
            servername: host,
            ca: [fs.readFileSync(pki.file('ca/ca.crt'))],
            checkServerIdentity: (_h, cert) => tls.checkServerIdentity(host, cert),
          },
          onConnect,
        ),
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: sniTopic, numPartitions: 2 }], waitForLeaders: true });
    const meta = await admin.fetchTopicMetadata({ topics: [sniTopic] });
    assert.equal(meta.topics[0].partitions.length, 2);
    await admin.disconnect();
    const sent = values('sni');
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: sniTopic, acks: -1, messages: sent.map((value, i) => ({ key: `s${i % 3}`, value })) });
    await producer.disconnect();
    assertExactlyOnceInOrder(sent, await consumeWithKafkajs(kafka, sniTopic, 'sni-group', sent.length), 'kafkajs over SNI');
    const brokerLine = await gw.waitForLog((l) => l.event === 'connection_open' && l.serverName === `broker-1.${SNI_DOMAIN}`);
    assert.equal(brokerLine.principal, 'User:ANONYMOUS', 'clientAuth requested without a certificate is anonymous');
    // A name that is neither the bootstrap name nor a broker's is refused.
    await new Promise<void>((resolve) => {
      const s = tls.connect(
        { host: '127.0.0.1', port: sniPort, servername: `nothing.${SNI_DOMAIN}`, rejectUnauthorized: false },
        () => undefined,
      );
      s.on('error', () => resolve());
      s.on('close', () => resolve());
    });
    await refusal('unknown-server-name');
  });

  const jdk = jdkWithHostsFile();
  test(
    'SNI routing: the Java client resolves broker names through a hosts file and produces and consumes',
    { skip: jdk ? false : 'needs a JDK 18+ (jdk.net.hosts.file) to resolve *.kafka.test without editing /etc/hosts' },
    async () => {
      const hosts = path.join(pki.dir, 'hosts');
      fs.writeFileSync(hosts, `127.0.0.1 bootstrap.${SNI_DOMAIN} broker-1.${SNI_DOMAIN} broker-2.${SNI_DOMAIN}\n`);
      const config = javaConfig('java-sni');
      const bootstrap = `bootstrap.${SNI_DOMAIN}:${sniPort}`;
      const sent = values('java-sni');
      const jvm = (args: string[], input?: string) =>
        kafkaTool('4', args[0] as Parameters<typeof kafkaTool>[1], args.slice(1), {
          input,
          timeoutMs: 120_000,
          java: jdk!,
          jvmOptions: ['-Xms64m', '-Xmx256m', '-XX:TieredStopAtLevel=1', `-Djdk.net.hosts.file=${hosts}`],
        }).then((r) => expectSuccess(`java over SNI: ${args[0]}`, r));
      await jvm([
        'topics',
        '--bootstrap-server',
        bootstrap,
        '--command-config',
        config,
        '--create',
        '--topic',
        'tls-sni-java',
        '--partitions',
        '2',
        '--replication-factor',
        '1',
      ]);
      await jvm(
        [
          'console-producer',
          '--bootstrap-server',
          bootstrap,
          '--topic',
          'tls-sni-java',
          '--producer.config',
          config,
          '--producer-property',
          'acks=all',
        ],
        sent.join('\n') + '\n',
      );
      const out = await jvm([
        'console-consumer',
        '--bootstrap-server',
        bootstrap,
        '--topic',
        'tls-sni-java',
        '--consumer.config',
        config,
        '--from-beginning',
        '--max-messages',
        String(sent.length),
        '--timeout-ms',
        '60000',
        '--property',
        'print.partition=true',
      ]);
      assertExactlyOnceInOrder(sent, parseConsoleConsumer(out.stdout), 'Java over SNI');
      await gw.waitForLog(
        (l) =>
          l.event === 'connection_open' &&
          l.listener === 'sni' &&
          l.principal === 'User:java-app' &&
          l.serverName === `broker-1.${SNI_DOMAIN}`,
      );
    },
  );
});
