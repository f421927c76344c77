// SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN at the gateway with real clients: users made with the real
// `gatehouse users add` (password on stdin), one Kafka 4 broker, and a gateway whose SASL_SSL listener (the
// test PKI's server certificate) checks them against the credential store. The Java client and
// confluent-kafka-python (the PyPI wheel: its librdkafka's SCRAM is one Kafka 4 accepts) produce and consume
// with each mechanism, and so does kcat (for SCRAM on the wheel's librdkafka: Debian's 2.0.2 repeats the
// nonce in SCRAM client-final, which Kafka 4 refuses too). Wrong passwords are refused with Kafka's exact texts; no password is written
// anywhere by the gateway.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { createTestPki, type TestPki } from '../../harness/pki.ts';
import { gatehouseUsersAdd } from '../../harness/sasl/gatehouse-users.ts';
import { javaConsume, javaProduce, javaSaslClient } from '../../harness/sasl/jaas.ts';
import { kcatConsume, kcatOnNewerLibrdkafka, kcatProduce, kcatSaslClient } from '../../harness/sasl/kcat-sasl.ts';
import { pythonClient } from '../../harness/sasl/python-clients.ts';
import type { PasswordLogin, SaslClientConfig } from '../../harness/sasl/sasl-client-config.ts';
import { startSaslGateway, type SaslGateway } from '../../harness/sasl/sasl-gateway.ts';
import { parseConsoleConsumer } from '../../harness/verify.ts';

const MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN'] as const;
type Mechanism = (typeof MECHANISMS)[number];

/** One user per client, so that each audit record names the client it came from. */
const USERS = { java: 'java-user', python: 'python-user', kcat: 'kcat-user' } as const;
/** Passwords with characters a careless quoting would break (JAAS, properties files, librdkafka -X). */
const PASSWORDS: Record<string, string> = {
  'java-user': 'j4va "quoted" pass=word',
  'python-user': 'pyth0n,pass;word',
  'kcat-user': 'kc4t-pass-word',
};

const POLICY = `version: 1
rules:
  - id: password-apps
    allow: [READ, WRITE]
    principals: [User:${USERS.java}, User:${USERS.python}, User:${USERS.kcat}]
    resources:
      - topic: { prefix: "pw." }
  - id: password-apps-groups
    allow: [READ]
    principals: [User:${USERS.java}, User:${USERS.python}, User:${USERS.kcat}]
    resources:
      - group: { prefix: "pw-" }
`;

const topicOf = (client: string, mechanism: Mechanism) => `pw.${client}.${mechanism.toLowerCase()}`;

/** Kafka's text for a failed SCRAM (wrong proof, unknown user) and for a wrong PLAIN password (spec §3.4). */
const GENERIC = (mechanism: string) =>
  `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`;
const PLAIN_WRONG = 'Authentication failed: Invalid username or password';
const refusalText = (mechanism: Mechanism) => (mechanism === 'PLAIN' ? PLAIN_WRONG : GENERIC(mechanism));

describe('SCRAM-SHA-256/512 and PLAIN through the gateway with real clients (Java, confluent-kafka-python, kcat)', () => {
  let pki: TestPki;
  let cluster: KafkaCluster;
  let gateway: SaslGateway;

  const as = (username: string, mechanism: Mechanism, password = PASSWORDS[username]): SaslClientConfig => ({
    login: { mechanism, username, password } satisfies PasswordLogin,
    transport: { protocol: 'SASL_SSL', caFile: pki.file('ca/ca.crt') },
  });

  before(async () => {
    pki = createTestPki();
    const usersFile = path.join(pki.dir, 'users.yaml');
    for (const user of Object.values(USERS)) await gatehouseUsersAdd(usersFile, user, PASSWORDS[user]);
    cluster = await startKafka({ version: '4', brokers: 1 });
    const admin = new Kafka({ clientId: 'setup', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = [...MECHANISMS.flatMap((m) => [topicOf('java', m), topicOf('python', m)]), ...MECHANISMS.map((m) => topicOf('kcat', m))];
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
    await admin.disconnect();
    gateway = await startSaslGateway({
      backendBootstrap: cluster.bootstrap,
      authentication: { credentials: { file: usersFile } },
      sasl: { mechanisms: [...MECHANISMS] },
      tls: { certificate: pki.file(pki.server.certFile), key: pki.file(pki.server.keyFile) },
      policy: POLICY,
    });
  });
  after(async () => {
    await gateway?.stop();
    await cluster?.stop();
    pki?.cleanup();
  });

  test('the credential store holds no password', () => {
    const store = fs.readFileSync(path.join(pki.dir, 'users.yaml'), 'utf8');
    for (const password of Object.values(PASSWORDS)) assert.ok(!store.includes(password), 'a password is in users.yaml');
  });

  for (const mechanism of MECHANISMS) {
    test(`the Java client produces and consumes with ${mechanism}`, async () => {
      const topic = topicOf('java', mechanism);
      const java = javaSaslClient(pki.dir, `java-${mechanism}`, as(USERS.java, mechanism));
      const produced = await javaProduce(gateway.bootstrap, java, topic, [`${mechanism}-1`, `${mechanism}-2`]);
      assert.equal(produced.code, 0, produced.stderr);
      assert.doesNotMatch(produced.stderr, /Exception/, produced.stderr);
      const consumed = await javaConsume(gateway.bootstrap, java, topic, `pw-java-${mechanism}`, 2);
      assert.equal(consumed.code, 0, consumed.stderr);
      assert.deepEqual(
        parseConsoleConsumer(consumed.stdout).map((r) => r.value),
        [`${mechanism}-1`, `${mechanism}-2`],
        `${consumed.stdout}\n${consumed.stderr}`,
      );
      await gateway.waitForAudit(
        (r) => r.decision === 'authenticated' && r.principal === `User:${USERS.java}` && r.mechanism === mechanism,
      );
    });

    test(`confluent-kafka-python produces and consumes with ${mechanism}`, async () => {
      const topic = topicOf('python', mechanism);
      const login = as(USERS.python, mechanism);
      const produced = await pythonClient('confluent-wheel', gateway.bootstrap, login, {
        action: 'produce',
        topic,
        values: ['py-1', 'py-2'],
      });
      assert.equal(produced.error, null, JSON.stringify(produced));
      const consumed = await pythonClient('confluent-wheel', gateway.bootstrap, login, {
        action: 'consume',
        topic,
        group: `pw-python-${mechanism}`,
        count: 2,
      });
      assert.equal(consumed.error, null, JSON.stringify(consumed));
      assert.deepEqual(consumed.values, ['py-1', 'py-2']);
      await gateway.waitForAudit(
        (r) => r.decision === 'authenticated' && r.principal === `User:${USERS.python}` && r.mechanism === mechanism,
      );
    });
  }

  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    // Debian's librdkafka 2.0.2 repeats the nonce in client-final (refused, as by Kafka 4): the same kcat
    // runs on the newer librdkafka the confluent-kafka wheel bundles.
    test(`kcat (on the wheel's librdkafka) produces and consumes with ${mechanism} over SASL_SSL`, async (t) => {
      const { env, librdkafka } = await kcatOnNewerLibrdkafka(pki.dir);
      t.diagnostic(`kcat runs on ${librdkafka}`);
      const client = kcatSaslClient(as(USERS.kcat, mechanism));
      const kcat = { args: client.args, env: { ...client.env, ...env } };
      const topic = topicOf('kcat', mechanism);
      const produced = await kcatProduce(gateway.bootstrap, kcat, topic, ['kcat-scram-1']);
      assert.equal(produced.code, 0, produced.stderr);
      const consumed = await kcatConsume(gateway.bootstrap, kcat, topic, 1);
      assert.equal(consumed.code, 0, consumed.stderr);
      assert.deepEqual(consumed.stdout.trim().split('\n'), ['kcat-scram-1']);
      await gateway.waitForAudit(
        (r) => r.decision === 'authenticated' && r.principal === `User:${USERS.kcat}` && r.mechanism === mechanism,
      );
    });
  }

  test('kcat produces and consumes with PLAIN over SASL_SSL', async () => {
    const kcat = kcatSaslClient(as(USERS.kcat, 'PLAIN'));
    const topic = topicOf('kcat', 'PLAIN');
    const produced = await kcatProduce(gateway.bootstrap, kcat, topic, ['kcat-1']);
    assert.equal(produced.code, 0, produced.stderr);
    const consumed = await kcatConsume(gateway.bootstrap, kcat, topic, 1);
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.deepEqual(consumed.stdout.trim().split('\n'), ['kcat-1']);
    await gateway.waitForAudit((r) => r.decision === 'authenticated' && r.principal === `User:${USERS.kcat}` && r.mechanism === 'PLAIN');
  });

  describe('a wrong password is refused with Kafka’s text', () => {
    for (const mechanism of MECHANISMS) {
      test(`the Java client, ${mechanism}`, async () => {
        const java = javaSaslClient(pki.dir, `java-wrong-${mechanism}`, as(USERS.java, mechanism, 'not-the-password'));
        const refused = await javaProduce(gateway.bootstrap, java, topicOf('java', mechanism), ['never']);
        // The console producer logs the failed send and still exits 0: its error is what shows.
        assert.match(refused.stderr, /SaslAuthenticationException/, refused.stderr);
        assert.ok(refused.stderr.includes(refusalText(mechanism)), refused.stderr);
      });

      test(`confluent-kafka-python, ${mechanism}`, async () => {
        const refused = await pythonClient('confluent-wheel', gateway.bootstrap, as(USERS.python, mechanism, 'not-the-password'), {
          action: 'produce',
          topic: topicOf('python', mechanism),
          values: ['never'],
        });
        assert.equal(refused.error, '_AUTHENTICATION', JSON.stringify(refused));
        assert.ok(refused.detail.includes(refusalText(mechanism)), refused.detail);
      });
    }

    test('kcat, PLAIN; an unknown user gets the same text', async () => {
      for (const [user, password] of [
        [USERS.kcat, 'not-the-password'],
        ['nobody', PASSWORDS[USERS.kcat]],
      ]) {
        const refused = await kcatProduce(gateway.bootstrap, kcatSaslClient(as(user, 'PLAIN', password)), topicOf('kcat', 'PLAIN'), [
          'never',
        ]);
        assert.notEqual(refused.code, 0, `kcat as ${user} was not refused`);
        assert.match(refused.stderr, /SASL authentication error: Authentication failed: Invalid username or password/, refused.stderr);
      }
    });

    test('each failure is audited with the user and mechanism; no password is in the log or the audit', async () => {
      for (const mechanism of MECHANISMS) {
        await gateway.waitForAudit((r) => r.decision === 'authentication_failed' && r.mechanism === mechanism);
      }
      const written = gateway.everythingWritten();
      for (const password of [...Object.values(PASSWORDS), 'not-the-password']) {
        assert.ok(!written.includes(password), `the gateway wrote a password (${password.length} characters) to its log or audit`);
      }
    });
  });
});
