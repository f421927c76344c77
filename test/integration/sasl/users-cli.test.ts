// `gatehouse users` against a running gateway: users made, removed and listed with the real command
// (passwords on stdin), then kafkajs logging in with SCRAM-SHA-512 and PLAIN through a SASL_SSL listener
// in front of one real Kafka 4 broker. The store is reloaded while the gateway runs: a user added after
// the start logs in without a restart, a removed user is refused. A wrong password and an unknown user
// get the same SASL_AUTHENTICATION_FAILED (58) text, and nothing the gateway writes holds a password.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { REPO_ROOT } from '../../harness/paths.ts';
import { createTestPki, type TestPki } from '../../harness/pki.ts';
import { run, type RunResult } from '../../harness/run.ts';
import { startSaslGateway, type SaslGateway } from '../../harness/sasl/sasl-gateway.ts';

const TOPIC = 'users.cli';
const PASSWORDS = { alice: 'alice-Pa55 "word"', bob: 'b0b,late;comer' } as const;
const SCRAM_REFUSED = 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512';
const PLAIN_REFUSED = 'Authentication failed: Invalid username or password';

const POLICY = `version: 1
rules:
  - id: users-topics
    allow: [READ, WRITE, DESCRIBE]
    principals: [User:alice, User:bob]
    resources:
      - topic: { prefix: "users." }
  - id: users-groups
    allow: [READ]
    principals: [User:alice, User:bob]
    resources:
      - group: { prefix: "users-" }
`;

function gatehouseUsers(args: string[], password?: string): Promise<RunResult> {
  return run(process.execPath, [path.join(REPO_ROOT, 'gateway/gatehouse.mjs'), 'users', ...args], {
    input: password ?? '',
    timeoutMs: 60_000,
  });
}

describe('gatehouse users with a running gateway (kafkajs, SCRAM-SHA-512 and PLAIN, Kafka 4)', () => {
  let pki: TestPki;
  let cluster: KafkaCluster;
  let gateway: SaslGateway;
  let usersFile: string;

  /** `retries` 0 (the default here) so that a refused login surfaces at once instead of being retried. */
  const kafka = (sasl: SASLOptions, retries = 0) =>
    new Kafka({
      clientId: 'users-cli-test',
      brokers: [gateway.bootstrap],
      ssl: { ca: [fs.readFileSync(pki.file('ca/ca.crt'))] },
      sasl,
      logLevel: logLevel.NOTHING,
      retry: { retries },
      connectionTimeout: 10_000,
    });

  /** Connects an admin client (which authenticates) and lists topics; the error message when refused. */
  async function login(sasl: SASLOptions): Promise<{ ok: true } | { ok: false; message: string }> {
    const admin = kafka(sasl).admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return { ok: true };
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async function eventually(sasl: SASLOptions, wanted: boolean, what: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const result = await login(sasl);
      if (result.ok === wanted) return;
      if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(result)} after 15 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  before(async () => {
    pki = createTestPki();
    usersFile = path.join(pki.dir, 'users.yaml');
    const added = await gatehouseUsers(['add', 'alice', '--file', usersFile], `${PASSWORDS.alice}\n`);
    assert.equal(added.code, 0, added.stderr);
    cluster = await startKafka({ version: '4', brokers: 1 });
    const admin = new Kafka({ clientId: 'setup', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    gateway = await startSaslGateway({
      backendBootstrap: cluster.bootstrap,
      authentication: { credentials: { file: usersFile } },
      sasl: { mechanisms: ['SCRAM-SHA-512', 'PLAIN'] },
      tls: { certificate: pki.file(pki.server.certFile), key: pki.file(pki.server.keyFile) },
      policy: POLICY,
    });
  });
  after(async () => {
    await gateway?.stop();
    await cluster?.stop();
    pki?.cleanup();
  });

  test('kafkajs produces with SCRAM-SHA-512 and consumes with PLAIN as a user made by `gatehouse users add`', async () => {
    const producer = kafka({ mechanism: 'scram-sha-512', username: 'alice', password: PASSWORDS.alice }).producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: [{ value: 'one' }, { value: 'two' }] });
    await producer.disconnect();

    // Retries: the broker answers the first FindCoordinator with COORDINATOR_NOT_AVAILABLE while it creates __consumer_offsets.
    const consumer = kafka({ mechanism: 'plain', username: 'alice', password: PASSWORDS.alice }, 8).consumer({ groupId: 'users-cli' });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed only ${JSON.stringify(values)}`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
          if (values.length === 2) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    assert.deepEqual(values, ['one', 'two']);
    for (const mechanism of ['SCRAM-SHA-512', 'PLAIN']) {
      await gateway.waitForAudit((r) => r.decision === 'authenticated' && r.principal === 'User:alice' && r.mechanism === mechanism);
    }
  });

  test('a wrong password and an unknown user get the same 58 text, per mechanism', async () => {
    const wrongScram = await login({ mechanism: 'scram-sha-512', username: 'alice', password: 'not-it' });
    const unknownScram = await login({ mechanism: 'scram-sha-512', username: 'mallory', password: 'not-it' });
    const wrongPlain = await login({ mechanism: 'plain', username: 'alice', password: 'not-it' });
    const unknownPlain = await login({ mechanism: 'plain', username: 'mallory', password: 'not-it' });
    for (const [result, text] of [
      [wrongScram, SCRAM_REFUSED],
      [unknownScram, SCRAM_REFUSED],
      [wrongPlain, PLAIN_REFUSED],
      [unknownPlain, PLAIN_REFUSED],
    ] as const) {
      assert.equal(result.ok, false);
      assert.ok(!result.ok && result.message.includes(text), `expected '${text}' in: ${!result.ok && result.message}`);
    }
    // Identical as the client sees them: nothing tells an unknown user from a wrong password.
    assert.equal(!wrongScram.ok && wrongScram.message, !unknownScram.ok && unknownScram.message);
    assert.equal(!wrongPlain.ok && wrongPlain.message, !unknownPlain.ok && unknownPlain.message);
    await gateway.waitForAudit((r) => r.decision === 'authentication_failed' && r.mechanism === 'SCRAM-SHA-512');
  });

  test('a user added while the gateway runs logs in without a restart; a removed user is refused', async () => {
    const bobScram: SASLOptions = { mechanism: 'scram-sha-512', username: 'bob', password: PASSWORDS.bob };
    const bobPlain: SASLOptions = { mechanism: 'plain', username: 'bob', password: PASSWORDS.bob };
    assert.equal((await login(bobScram)).ok, false, 'bob is not a user yet');

    const added = await gatehouseUsers(['add', 'bob', '--file', usersFile, '--mechanism', 'SCRAM-SHA-512,PLAIN'], PASSWORDS.bob);
    assert.equal(added.code, 0, added.stderr);
    await eventually(bobScram, true, 'bob with SCRAM-SHA-512 after `users add`');
    assert.equal((await login(bobPlain)).ok, true);

    const listed = await gatehouseUsers(['list', '--file', usersFile]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout, 'alice  SCRAM-SHA-256,SCRAM-SHA-512,PLAIN\nbob    SCRAM-SHA-512,PLAIN\n');

    const removed = await gatehouseUsers(['remove', 'alice', '--file', usersFile]);
    assert.equal(removed.code, 0, removed.stderr);
    const alicePlain: SASLOptions = { mechanism: 'plain', username: 'alice', password: PASSWORDS.alice };
    await eventually(alicePlain, false, 'alice with PLAIN after `users remove`');
    const refused = await login({ mechanism: 'scram-sha-512', username: 'alice', password: PASSWORDS.alice });
    assert.ok(!refused.ok && refused.message.includes(SCRAM_REFUSED), JSON.stringify(refused));
    assert.equal((await login(bobScram)).ok, true, 'bob is still there');
  });

  test('a broken store file keeps the users in force; nothing written holds a password', async () => {
    const good = fs.readFileSync(usersFile, 'utf8');
    fs.writeFileSync(usersFile, 'users:\n  bob: [\n');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await login({ mechanism: 'plain', username: 'bob', password: PASSWORDS.bob })).ok, true, 'bob kept');
    assert.match(gateway.everythingWritten(), /credentials_reload_failed/);
    fs.writeFileSync(usersFile, good);
    const written = gateway.everythingWritten() + fs.readFileSync(usersFile, 'utf8');
    for (const password of [...Object.values(PASSWORDS), 'not-it']) assert.ok(!written.includes(password), `'${password}' was written`);
  });
});
