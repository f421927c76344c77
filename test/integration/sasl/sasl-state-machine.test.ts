// The SASL state machine of the gateway on the wire (spec §3.3, §3.4, §4.1, §4.2, §4.8), against a real
// Kafka 4 broker behind a real gateway process, with PLAIN and SCRAM from the credential store. A raw
// client sends exact frames and sees exact answers and closes; the Java producer shows that a real
// client keeps working across the re-authentications the gateway's session lifetime asks for.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { formatCredentialFile, type UserCredentials } from '../../../gateway/auth/credentials/credential-file.ts';
import { deriveScramCredential } from '../../../gateway/auth/credentials/scram-keys.ts';
import { createScryptVerifier } from '../../../gateway/auth/credentials/scrypt-verifier.ts';
import { API_KEY, ErrorCode, ZERO_UUID, type Struct } from '../../../gateway/protocol/index.ts';
import { startGatewayProcess, type GatewayProcess } from '../../harness/gateway.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { kafkaTool } from '../../harness/kafka-tools.ts';
import { createTestPki, type TestPki } from '../../harness/pki.ts';
import { freePorts } from '../../harness/ports.ts';
import { RawSaslClient, plainToken } from '../../harness/sasl/raw-sasl-client.ts';
import { ScramClient } from '../../harness/sasl/scram-client.ts';

const TOPIC = 'sasl.state';
const PASSWORDS = { alice: 'alice-secret-7f3a', bob: 'bob-secret-91c2' } as const;
/** The short-lived listener's session lifetime: long enough for a Java client to produce between re-authentications. */
const SHORT_LIFETIME_MS = 4000;
const PLAIN_FAILURE = 'Authentication failed: Invalid username or password';

async function writeCredentials(file: string): Promise<void> {
  const users = new Map<string, UserCredentials>();
  for (const [name, password] of Object.entries(PASSWORDS)) {
    users.set(name, {
      scram: new Map([
        ['SCRAM-SHA-256', await deriveScramCredential('SCRAM-SHA-256', password, 4096)],
        ['SCRAM-SHA-512', await deriveScramCredential('SCRAM-SHA-512', password, 4096)],
      ]),
      plain: await createScryptVerifier(password),
    });
  }
  fs.writeFileSync(file, formatCredentialFile(users));
}

const POLICY = `version: 1
rules:
  - id: sasl-users
    allow: [ALL]
    principals: [User:alice, User:bob]
    resources:
      - topic: { prefix: "sasl." }
  - id: sasl-idempotence
    allow: [IDEMPOTENT_WRITE]
    principals: [User:alice, User:bob]
    resources:
      - cluster: kafka-cluster
`;

/** Metadata v12 for one topic (what a modern client sends first after authenticating). */
const METADATA_BODY: Struct = {
  topics: [{ topicId: ZERO_UUID, name: TOPIC }],
  allowAutoTopicCreation: false,
  includeTopicAuthorizedOperations: false,
};

describe('the SASL state machine through the gateway (raw frames, a real Kafka 4 broker behind)', () => {
  let cluster: KafkaCluster;
  let gw: GatewayProcess;
  let pki: TestPki;
  let dir: string;
  let auditFile: string;
  const ports: Record<'sasl' | 'ssl' | 'short' | 'plain', number> = { sasl: 0, ssl: 0, short: 0, plain: 0 };

  const connect = (listener: 'sasl' | 'short' | 'plain' = 'sasl') => RawSaslClient.connect({ host: '127.0.0.1', port: ports[listener] });
  const audit = () =>
    (fs.existsSync(auditFile) ? fs.readFileSync(auditFile, 'utf8') : '')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const waitForAudit = async (predicate: (r: Record<string, unknown>) => boolean, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = audit().find(predicate);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no matching audit record; have:\n${JSON.stringify(audit().slice(-10), null, 1)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  /** ApiVersions, SaslHandshake v1 PLAIN and SaslAuthenticate v2 as `user`. */
  const authenticatePlain = async (client: RawSaslClient, user: keyof typeof PASSWORDS) => {
    await client.apiVersions();
    assert.equal((await client.handshake('PLAIN'))?.errorCode, 0);
    const answer = await client.authenticate(plainToken(user, PASSWORDS[user]));
    assert.equal(answer?.errorCode, 0, answer?.errorMessage ?? 'closed');
    return answer;
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-sasl-sm-'));
    pki = createTestPki();
    auditFile = path.join(dir, 'audit.log');
    const credentials = path.join(dir, 'users.yaml');
    const policy = path.join(dir, 'policy.yaml');
    fs.writeFileSync(policy, POLICY);
    await writeCredentials(credentials);
    cluster = await startKafka({ version: '4', brokers: 1 });
    const admin = new Kafka({ clientId: 'setup', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const [sasl, saslBroker, ssl, sslBroker, short, shortBroker, plain, plainBroker] = await freePorts(8);
    Object.assign(ports, { sasl, ssl, short, plain });
    const server = { certificate: pki.file(pki.server.certFile), key: pki.file(pki.server.keyFile) };
    gw = await startGatewayProcess({
      backendBootstrap: cluster.bootstrap,
      maxBrokers: 1,
      listeners: [
        {
          name: 'sasl',
          bind: `127.0.0.1:${sasl}`,
          plaintext: true,
          sasl: { mechanisms: ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'], allowPlainWithoutTls: true },
          routing: { brokerPorts: { 1: saslBroker } },
        },
        {
          name: 'sasl-ssl',
          bind: `127.0.0.1:${ssl}`,
          advertisedHost: 'localhost',
          tls: server,
          sasl: { mechanisms: ['PLAIN', 'SCRAM-SHA-256'] },
          routing: { brokerPorts: { 1: sslBroker } },
        },
        {
          name: 'short',
          bind: `127.0.0.1:${short}`,
          plaintext: true,
          sasl: { mechanisms: ['PLAIN'], allowPlainWithoutTls: true, sessionLifetimeMs: SHORT_LIFETIME_MS },
          routing: { brokerPorts: { 1: shortBroker } },
        },
        { name: 'plain', bind: `127.0.0.1:${plain}`, plaintext: true, routing: { brokerPorts: { 1: plainBroker } } },
      ],
      extraConfig: {
        authentication: { credentials: { file: credentials }, failedAuthenticationDelayMs: 100 },
        authorization: { policies: [policy], audit: { destination: auditFile, allows: 'none' } },
        log: { level: 'info' },
      },
    });
  });
  after(async () => {
    await gw?.stop();
    await cluster?.stop();
    pki?.cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the pre-authentication ApiVersions (answered by the gateway) carries the broker's features and version floors", async () => {
    const [host, port] = cluster.bootstrap.split(':');
    const direct = await RawSaslClient.connect({ host, port: Number(port) });
    const broker = (await direct.apiVersions())!;
    direct.close();
    const c = await connect();
    const local = (await c.apiVersions())!;
    c.close();
    type Range = { apiKey: number; minVersion: number; maxVersion: number };
    const byKey = new Map((broker.apiKeys as Range[]).map((k) => [k.apiKey, k]));
    // Every key listed is one the broker lists; Produce keeps the broker's floor (v0, KAFKA-18659), not the served one.
    for (const k of local.apiKeys as Range[]) assert.ok(byKey.has(k.apiKey), `api key ${k.apiKey} is not the broker's`);
    const produce = (local.apiKeys as Range[]).find((k) => k.apiKey === API_KEY.Produce)!;
    assert.equal(produce.minVersion, byKey.get(API_KEY.Produce)!.minVersion);
    // The features a Kafka 4 client reads finalized versions from (transaction.version, group.version…).
    const names = (list: unknown) => (list as Array<{ name: string }>).map((f) => f.name).sort();
    assert.ok((broker.finalizedFeatures as unknown[]).length > 0, 'a Kafka 4 broker finalizes features');
    assert.deepEqual(names(local.finalizedFeatures), names(broker.finalizedFeatures));
    assert.deepEqual(names(local.supportedFeatures), names(broker.supportedFeatures));
    // The gateway answers from the broker's answer its last probe or health check saw (every
    // backend.healthCheckIntervalMs); the epoch moves with the broker's metadata, so the gateway's may lag
    // the one read above by up to one check, never longer: it must reach it.
    const deadline = Date.now() + 20_000;
    let seen = local.finalizedFeaturesEpoch as bigint;
    while (seen < (broker.finalizedFeaturesEpoch as bigint)) {
      if (Date.now() > deadline)
        assert.fail(`the gateway's features epoch stayed at ${seen}, below the broker's ${String(broker.finalizedFeaturesEpoch)}`);
      await new Promise((r) => setTimeout(r, 250));
      const again = await connect();
      seen = (await again.apiVersions())!.finalizedFeaturesEpoch as bigint;
      again.close();
    }
  });

  describe('milestone: authenticate, then forward and authorize as the SASL principal', () => {
    test('SASL_PLAINTEXT with PLAIN: a Metadata after authentication is answered by the broker, authorized for User:alice', async () => {
      const c = await connect();
      const versions = await c.apiVersions();
      assert.equal(versions?.errorCode, 0);
      const listed = (versions.apiKeys as Array<{ apiKey: number }>).map((k) => k.apiKey);
      assert.ok(listed.includes(API_KEY.SaslHandshake) && listed.includes(API_KEY.Metadata));
      const hs = await c.handshake('PLAIN');
      assert.deepEqual(hs, { errorCode: 0, mechanisms: ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'] });
      const auth = await c.authenticate(plainToken('alice', PASSWORDS.alice));
      assert.deepEqual(auth, { errorCode: 0, errorMessage: null, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n });
      const md = await c.request(API_KEY.Metadata, 12, METADATA_BODY);
      const topics = md!.topics as Array<{ name: string; errorCode: number; partitions: unknown[] }>;
      assert.equal(topics[0].name, TOPIC);
      assert.equal(topics[0].errorCode, 0);
      assert.equal(topics[0].partitions.length, 1);
      // A topic outside the policy: denied for User:alice (TOPIC_AUTHORIZATION_FAILED), so authorization saw the SASL principal.
      const other = await c.request(API_KEY.Metadata, 12, { ...METADATA_BODY, topics: [{ topicId: ZERO_UUID, name: 'other.topic' }] });
      assert.equal((other!.topics as Array<{ errorCode: number }>)[0].errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      c.close();
    });

    test('SASL_SSL with SCRAM-SHA-256: the full exchange, then Metadata through the broker', async () => {
      const c = await RawSaslClient.connect({
        host: '127.0.0.1',
        port: ports.ssl,
        tls: { ca: fs.readFileSync(pki.file('ca/ca.crt')), servername: 'localhost' },
      });
      assert.equal((await c.handshake('SCRAM-SHA-256'))?.errorCode, 0);
      const scram = new ScramClient('SCRAM-SHA-256', 'bob', PASSWORDS.bob);
      const first = await c.authenticate(scram.firstMessage());
      assert.equal(first?.errorCode, 0);
      const last = await c.authenticate(scram.finalMessage(first.authBytes));
      assert.equal(last?.errorCode, 0, last?.errorMessage ?? 'closed');
      scram.verifyServerFinal(last.authBytes);
      const md = await c.request(API_KEY.Metadata, 12, METADATA_BODY);
      assert.equal((md!.topics as Array<{ errorCode: number }>)[0].errorCode, 0);
      c.close();
    });
  });

  describe('refused before authentication', () => {
    test('a Metadata request before the handshake: closed without an answer', async () => {
      const c = await connect();
      c.send(API_KEY.Metadata, 12, METADATA_BODY);
      assert.equal(await c.readFrame(), null);
      assert.ok(c.isClosed);
    });

    test('bytes that are not a Kafka request (an HTTP request): closed without an answer', async () => {
      const c = await connect();
      c.writeRaw(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      assert.equal(await c.readFrame(), null);
    });

    test('a Metadata request after the handshake: the Metadata error response with 34, then closed', async () => {
      const c = await connect();
      assert.equal((await c.handshake('PLAIN'))?.errorCode, 0);
      const md = await c.request(API_KEY.Metadata, 12, METADATA_BODY);
      const topics = md!.topics as Array<{ name: string; errorCode: number }>;
      assert.deepEqual(
        topics.map((t) => [t.name, t.errorCode]),
        [[TOPIC, ErrorCode.ILLEGAL_SASL_STATE]],
      );
      await c.closed();
    });

    test('a 1 MiB frame before authentication: closed without an answer', async () => {
      const c = await connect();
      const frame = Buffer.alloc(4 + 1024 * 1024);
      frame.writeInt32BE(1024 * 1024, 0);
      c.writeRaw(frame);
      assert.equal(await c.readFrame(), null);
    });

    test('an unknown mechanism: 33 with the enabled list, closed after the failure delay', async () => {
      const c = await connect();
      const sent = Date.now();
      const hs = await c.handshake('DIGEST-MD5');
      assert.deepEqual(hs, { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'] });
      const closedAt = await c.closed();
      assert.ok(closedAt - sent >= 95, `closed ${closedAt - sent} ms after the handshake`);
    });

    test("a wrong password: 58 with PLAIN's exact text after ≥ 100 ms, then closed", async () => {
      const c = await connect();
      assert.equal((await c.handshake('PLAIN'))?.errorCode, 0);
      const sent = Date.now();
      const auth = await c.authenticate(plainToken('alice', 'not-the-password'));
      const took = Date.now() - sent;
      assert.deepEqual(auth, {
        errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
        errorMessage: PLAIN_FAILURE,
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: 0n,
      });
      assert.ok(took >= 100, `answered after ${took} ms`);
      await c.closed();
    });

    test('an unknown user gets the same answer as a wrong password', async () => {
      const c = await connect();
      await c.handshake('PLAIN');
      const auth = await c.authenticate(plainToken('mallory', 'whatever'));
      assert.equal(auth?.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
      assert.equal(auth?.errorMessage, PLAIN_FAILURE);
      await c.closed();
    });

    test('a wrong SCRAM proof: 58 with the generic text naming the mechanism', async () => {
      const c = await connect();
      await c.handshake('SCRAM-SHA-512');
      const scram = new ScramClient('SCRAM-SHA-512', 'alice', 'wrong-password');
      const first = await c.authenticate(scram.firstMessage());
      const last = await c.authenticate(scram.finalMessage(first!.authBytes));
      assert.equal(last?.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
      assert.equal(
        last?.errorMessage,
        'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
      );
      await c.closed();
    });
  });

  test('the legacy v0 handshake with PLAIN: raw tokens, an empty server token, then a Metadata works', async () => {
    const c = await connect();
    assert.equal((await c.handshake('PLAIN', 0))?.errorCode, 0);
    c.sendLegacyToken(plainToken('alice', PASSWORDS.alice));
    assert.deepEqual(await c.readFrame(), Buffer.alloc(0));
    const md = await c.request(API_KEY.Metadata, 12, METADATA_BODY);
    assert.equal((md!.topics as Array<{ errorCode: number }>)[0].errorCode, 0);
    c.close();
  });

  test('the legacy v0 handshake with a wrong password: closed, no frame', async () => {
    const c = await connect();
    await c.handshake('PLAIN', 0);
    c.sendLegacyToken(plainToken('alice', 'nope'));
    assert.equal(await c.readFrame(), null);
  });

  describe('after authentication', () => {
    test('SaslHandshake on a session without expiry: 34 and no mechanisms; SaslAuthenticate: 34 with the broker text', async () => {
      const c = await connect();
      await authenticatePlain(c, 'alice');
      assert.deepEqual(await c.handshake('PLAIN'), { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] });
      const auth = await c.authenticate(Buffer.alloc(0));
      assert.equal(auth?.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
      assert.equal(auth?.errorMessage, 'SaslAuthenticate request received after successful authentication');
      c.close();
    });

    test('a request after the session expired: closed without an answer (and counted)', async () => {
      const c = await connect('short');
      const auth = await authenticatePlain(c, 'alice');
      assert.equal(auth.sessionLifetimeMs, BigInt(SHORT_LIFETIME_MS));
      assert.equal((await c.request(API_KEY.Metadata, 12, METADATA_BODY))?.throttleTimeMs, 0);
      await new Promise((r) => setTimeout(r, SHORT_LIFETIME_MS + 300));
      assert.equal(await c.request(API_KEY.Metadata, 12, METADATA_BODY), null);
      assert.match(await gw.metrics(), /gatehouse_expired_sessions_closed_total\{listener="short"\} [1-9]/);
    });

    test('re-authentication as the same principal: a new SessionLifetimeMs, and requests keep working', async () => {
      const c = await connect('short');
      await authenticatePlain(c, 'alice');
      assert.deepEqual(await c.handshake('PLAIN'), { errorCode: 0, mechanisms: ['PLAIN'] });
      const again = await c.authenticate(plainToken('alice', PASSWORDS.alice));
      assert.deepEqual(again, {
        errorCode: 0,
        errorMessage: null,
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: BigInt(SHORT_LIFETIME_MS),
      });
      const md = await c.request(API_KEY.Metadata, 12, METADATA_BODY);
      assert.equal((md!.topics as Array<{ errorCode: number }>)[0].errorCode, 0);
      // Within a second of that re-authentication's start, another SaslHandshake is not one: 34.
      assert.deepEqual(await c.handshake('PLAIN'), { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] });
      await waitForAudit((r) => r.decision === 'authenticated' && r.reauthentication === true && r.listener === 'short');
      c.close();
    });

    test('re-authentication as another principal: 58 "Cannot change principals…", then closed', async () => {
      const c = await connect('short');
      await authenticatePlain(c, 'alice');
      await c.handshake('PLAIN');
      const again = await c.authenticate(plainToken('bob', PASSWORDS.bob));
      assert.equal(again?.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
      assert.equal(again?.errorMessage, 'Cannot change principals during re-authentication from User:alice: User:bob');
      await c.closed();
    });
  });

  test('a listener without SASL answers SaslHandshake and SaslAuthenticate itself with 34, as a broker does', async () => {
    const c = await connect('plain');
    assert.deepEqual(await c.handshake('PLAIN'), { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] });
    const auth = await c.authenticate(plainToken('alice', PASSWORDS.alice));
    assert.equal(auth?.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
    assert.equal(auth?.errorMessage, 'SaslAuthenticate request received after successful authentication');
    assert.equal(c.isClosed, false);
    c.close();
  });

  test('kafkajs with SASL/PLAIN: after authentication the frame cap is maxFrameBytes again (a 600 KiB record goes through)', async () => {
    const kafka = new Kafka({
      clientId: 'kafkajs-plain',
      brokers: [`127.0.0.1:${ports.sasl}`],
      sasl: { mechanism: 'plain', username: 'alice', password: PASSWORDS.alice },
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    try {
      const [result] = await producer.send({ topic: TOPIC, messages: [{ value: Buffer.alloc(600 * 1024, 7) }] });
      assert.equal(result.errorCode, 0);
    } finally {
      await producer.disconnect();
    }
  });

  test('the Java producer keeps producing across several re-authentications (session lifetime 4 s)', async () => {
    const props = path.join(dir, 'java-plain.properties');
    fs.writeFileSync(
      props,
      [
        'security.protocol=SASL_PLAINTEXT',
        'sasl.mechanism=PLAIN',
        `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="${PASSWORDS.alice}";`,
        '',
      ].join('\n'),
    );
    const before = audit().filter(
      (r) => r.decision === 'authenticated' && r.reauthentication === true && r.principal === 'User:alice',
    ).length;
    const expiredClosesBefore = gw.logs().filter((l) => l.reason === 'session-expired').length;
    // 150 records at 10 a second: 15 s, several 4 s lifetimes.
    const r = await kafkaTool(
      '4',
      'producer-perf-test',
      [
        '--topic',
        TOPIC,
        '--num-records',
        '150',
        '--record-size',
        '100',
        '--throughput',
        '10',
        '--producer-props',
        `bootstrap.servers=127.0.0.1:${ports.short}`,
        'acks=all',
        '--producer.config',
        props,
      ],
      { timeoutMs: 120_000 },
    );
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /150 records sent/);
    const reauths = audit().filter(
      (r) => r.decision === 'authenticated' && r.reauthentication === true && r.principal === 'User:alice',
    ).length;
    assert.ok(reauths - before >= 2, `${reauths - before} re-authentications during the run`);
    // The producer re-authenticated in time: no connection of its was closed for an expired session.
    assert.equal(gw.logs().filter((l) => l.reason === 'session-expired').length, expiredClosesBefore);
  });

  test('every authentication is an audit record (principal, mechanism, listener, outcome) with no password in it', async () => {
    const ok = await connect();
    await authenticatePlain(ok, 'bob');
    ok.close();
    const bad = await connect();
    await bad.handshake('PLAIN');
    await bad.authenticate(plainToken('bob', 'bob-wrong-password-5d1e'));
    await bad.closed();
    const success = await waitForAudit((r) => r.decision === 'authenticated' && r.principal === 'User:bob' && r.mechanism === 'PLAIN');
    assert.equal(success.listener, 'sasl');
    assert.equal(success.clientAddress, '127.0.0.1');
    const failure = await waitForAudit((r) => r.decision === 'authentication_failed' && r.reason === 'wrong password');
    assert.equal(failure.mechanism, 'PLAIN');
    const written = `${fs.readFileSync(auditFile, 'utf8')}\n${fs.readFileSync(gw.logFile, 'utf8')}`;
    for (const secret of [...Object.values(PASSWORDS), 'bob-wrong-password-5d1e', 'not-the-password'])
      assert.ok(!written.includes(secret), `a password is in the audit log or the gateway log`);
    const metrics = await gw.metrics();
    assert.match(metrics, /gatehouse_authentications_total\{listener="sasl",mechanism="PLAIN",outcome="success"\} [1-9]/);
    // A SASL listener counts identities when SASL establishes them, never the anonymous one before it.
    assert.match(metrics, /gatehouse_client_identities_total\{listener="sasl",method="sasl"\} [1-9]/);
    assert.doesNotMatch(metrics, /gatehouse_client_identities_total\{listener="sasl",method="anonymous"\}/);
  });
});
