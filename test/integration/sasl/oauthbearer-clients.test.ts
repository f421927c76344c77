// OAUTHBEARER through the gateway with real clients: a loopback OAuth token endpoint (client_credentials,
// RS256 JWTs from jose, a JWKS the gateway fetches) and a Kafka 4 broker behind a gateway whose
// SASL_PLAINTEXT listener serves OAUTHBEARER. The Java client's OIDC client-credentials login,
// librdkafka's `oidc` method (kcat and confluent-kafka-python) and kafkajs with a token provider each
// produce and consume as the principal of their token's `sub`, which the policy checks. Expired,
// unsigned, wrong-audience and wrong-issuer tokens are refused with the RFC 7628 challenge and then
// SASL_AUTHENTICATION_FAILED carrying the same JSON — the same bytes the broker's own OAUTHBEARER
// listener (configured with the same JWKS) answers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { confluentPython } from '../../harness/acls/confluent-python.ts';
import { TEST_JVM_OPTIONS, TOOL_JVM_OPTIONS } from '../../harness/jvm.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { kafkaTool } from '../../harness/kafka-tools.ts';
import { kcat } from '../../harness/kcat.ts';
import { kcatOnNewerLibrdkafka } from '../../harness/sasl/kcat-sasl.ts';
import { freePorts } from '../../harness/ports.ts';
import { run } from '../../harness/run.ts';
import { RawSaslClient } from '../../harness/sasl/raw-sasl-client.ts';
import { startSaslGateway, type SaslGateway } from '../../harness/sasl/sasl-gateway.ts';
import { startTokenEndpoint, unsignedToken, type TokenEndpoint } from '../../harness/sasl/token-endpoint.ts';

const LINE = '4';
const CLIENTS = {
  'svc-java': 'java-secret',
  'svc-reauth': 'reauth-secret',
  'svc-librdkafka': 'librdkafka-secret',
  'svc-kcat': 'kcat-secret',
  'svc-js': 'js-secret',
};
const TOPICS = { java: 'oauth.java', reauth: 'oauth.reauth', librdkafka: 'oauth.librdkafka', kcat: 'oauth.kcat', js: 'oauth.js' };
/** svc-reauth's tokens live this long: the session lifetime follows, and the Java client re-authenticates. */
const SHORT_TOKEN_SECONDS = 20;
const INVALID_TOKEN = '{"status":"invalid_token"}';
const LOGIN_HANDLER = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler';

/** Each client's principal may use its own topic only: a client authenticated as another would be refused. */
function policy(): string {
  const rule = (principal: string, topic: string) => `  - id: ${principal}-topic
    allow: [READ, WRITE, DESCRIBE]
    principals: [User:${principal}]
    resources:
      - topic: ${topic}
  - id: ${principal}-groups
    allow: [READ, DESCRIBE]
    principals: [User:${principal}]
    resources:
      - group: "*"
`;
  return `version: 1
allowEveryoneIfNoAclFound: false
rules:
${rule('svc-java', TOPICS.java)}${rule('svc-reauth', TOPICS.reauth)}${rule('svc-librdkafka', TOPICS.librdkafka)}${rule('svc-kcat', TOPICS.kcat)}${rule('svc-js', TOPICS.js)}`;
}

describe('OAUTHBEARER at the gateway with real clients', () => {
  let idp: TokenEndpoint;
  let cluster: KafkaCluster;
  let gateway: SaslGateway;
  /** The broker's own SASL_PLAINTEXT OAUTHBEARER listener, validating against the same JWKS: the reference. */
  let brokerOauth: string;
  let dir: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-oauth-'));
    idp = await startTokenEndpoint({ clients: CLIENTS, audience: 'kafka', lifetimes: { 'svc-reauth': SHORT_TOKEN_SECONDS } });
    const [oauthPort] = await freePorts(1);
    const listener = 'listener.name.oauth.oauthbearer';
    cluster = await startKafka({
      version: LINE,
      brokers: 1,
      extraListener: () => ({ name: 'OAUTH', port: oauthPort, advertisedPort: oauthPort }),
      // Kafka 4 fetches only from URLs this system property allows.
      jvmOptions: [...TEST_JVM_OPTIONS, `-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=${idp.jwksUrl}`],
      serverProperties: {
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,OAUTH:SASL_PLAINTEXT',
        'listener.name.oauth.sasl.enabled.mechanisms': 'OAUTHBEARER',
        [`${listener}.sasl.server.callback.handler.class`]:
          'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
        [`${listener}.sasl.jaas.config`]: 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
        [`${listener}.sasl.oauthbearer.jwks.endpoint.url`]: idp.jwksUrl,
        [`${listener}.sasl.oauthbearer.expected.audience`]: 'kafka',
        [`${listener}.sasl.oauthbearer.expected.issuer`]: idp.issuer,
      },
    });
    brokerOauth = `127.0.0.1:${oauthPort}`;
    const admin = new Kafka({ clientId: 'setup', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: Object.values(TOPICS).map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
    await admin.disconnect();
    gateway = await startSaslGateway({
      backendBootstrap: cluster.bootstrap,
      authentication: {
        oauthbearer: {
          jwks: { url: idp.jwksUrl, refreshMs: 300_000, cooldownMs: 1_000 },
          issuer: idp.issuer,
          audience: ['kafka'],
          principalClaim: 'sub',
          clockSkewSeconds: 30,
          algorithms: ['RS256'],
        },
      },
      sasl: { mechanisms: ['OAUTHBEARER'] },
      policy: policy(),
    });
  });

  after(async () => {
    await gateway?.stop();
    await cluster?.stop();
    await idp?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('Java client: OAuthBearerLoginCallbackHandler with the client-credentials grant', () => {
    const javaConfig = (clientId: string, secret: string) => {
      const file = path.join(dir, `${clientId}.properties`);
      fs.writeFileSync(
        file,
        [
          'security.protocol=SASL_PLAINTEXT',
          'sasl.mechanism=OAUTHBEARER',
          `sasl.login.callback.handler.class=${LOGIN_HANDLER}`,
          `sasl.oauthbearer.token.endpoint.url=${idp.tokenUrl}`,
          `sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="${clientId}" clientSecret="${secret}";`,
          '',
        ].join('\n'),
      );
      return file;
    };
    // Kafka 4 clients refuse a token endpoint URL that this system property does not list.
    const jvmOptions = () => [...TOOL_JVM_OPTIONS, `-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=${idp.tokenUrl}`];

    test('console producer and consumer authenticate as User:svc-java', async () => {
      const config = javaConfig('svc-java', CLIENTS['svc-java']);
      const produced = await kafkaTool(
        LINE,
        'console-producer',
        ['--bootstrap-server', gateway.bootstrap, '--topic', TOPICS.java, '--command-config', config],
        { input: 'java-1\njava-2\n', jvmOptions: jvmOptions(), timeoutMs: 90_000 },
      );
      assert.equal(produced.code, 0, produced.stderr);
      const consumed = await kafkaTool(
        LINE,
        'console-consumer',
        [
          '--bootstrap-server',
          gateway.bootstrap,
          '--topic',
          TOPICS.java,
          '--group',
          'java-readers',
          '--from-beginning',
          '--max-messages',
          '2',
          '--timeout-ms',
          '30000',
          '--command-config',
          config,
        ],
        { jvmOptions: jvmOptions(), timeoutMs: 90_000 },
      );
      assert.equal(consumed.code, 0, consumed.stderr);
      assert.deepEqual(consumed.stdout.trim().split('\n'), ['java-1', 'java-2']);
      const record = await gateway.waitForAudit((r) => r.decision === 'authenticated' && r.principal === 'User:svc-java');
      assert.equal(record.mechanism, 'OAUTHBEARER');
    });

    test('with tokens living 20 s, the producer keeps going across re-authentications (KIP-368)', async () => {
      // The login refreshes the token half-way through its life; the client re-authenticates at 85–95 % of
      // the SessionLifetimeMs the gateway derives from the token's exp, on the same connection.
      const config = javaConfig('svc-reauth', CLIENTS['svc-reauth']);
      fs.appendFileSync(
        config,
        'sasl.login.refresh.window.factor=0.5\nsasl.login.refresh.window.jitter=0\nsasl.login.refresh.min.period.seconds=1\nsasl.login.refresh.buffer.seconds=1\n',
      );
      const produced = await kafkaTool(
        LINE,
        'producer-perf-test',
        [
          '--topic',
          TOPICS.reauth,
          '--num-records',
          String(2 * SHORT_TOKEN_SECONDS + 10),
          '--record-size',
          '100',
          '--throughput',
          '1',
          '--command-config',
          config,
          '--producer-props',
          `bootstrap.servers=${gateway.bootstrap}`,
          'acks=all',
        ],
        { jvmOptions: jvmOptions(), timeoutMs: 180_000 },
      );
      assert.equal(produced.code, 0, produced.stdout + produced.stderr);
      assert.match(produced.stdout, new RegExp(`^${2 * SHORT_TOKEN_SECONDS + 10} records sent`, 'm'));
      const sessions = gateway.audit().filter((r) => r.principal === 'User:svc-reauth' && r.decision === 'authenticated');
      assert.ok(
        sessions.some((r) => r.reauthentication === true),
        `re-authenticated: ${JSON.stringify(sessions)}`,
      );
      for (const r of sessions) assert.ok(Number(r.sessionLifetimeMs) <= SHORT_TOKEN_SECONDS * 1000, JSON.stringify(r));
      assert.ok(!gateway.audit().some((r) => r.principal === 'User:svc-reauth' && r.decision === 'authentication_failed'));
    });

    test('a wrong client secret gets no token: the client never reaches the gateway with one', async () => {
      const config = javaConfig('svc-java', 'not-the-secret');
      const produced = await kafkaTool(
        LINE,
        'producer-perf-test',
        [
          '--topic',
          TOPICS.java,
          '--num-records',
          '1',
          '--record-size',
          '10',
          '--throughput',
          '-1',
          '--command-config',
          config,
          '--producer-props',
          `bootstrap.servers=${gateway.bootstrap}`,
          'max.block.ms=10000',
        ],
        { jvmOptions: jvmOptions(), timeoutMs: 90_000 },
      );
      assert.notEqual(produced.code, 0);
      assert.match(produced.stdout + produced.stderr, /401|invalid_client|Unauthorized/);
    });
  });

  describe('librdkafka sasl.oauthbearer.method=oidc', () => {
    /** Produces `values` then reads them back with confluent-kafka-python (the PyPI wheel's librdkafka). */
    const CONFLUENT_SCRIPT = `
import json, sys, time
from confluent_kafka import Consumer, Producer
req = json.loads(sys.argv[1])
conf = {"bootstrap.servers": req["bootstrap"], "security.protocol": "sasl_plaintext", "sasl.mechanisms": "OAUTHBEARER",
        "sasl.oauthbearer.method": "oidc", "sasl.oauthbearer.client.id": req["clientId"],
        "sasl.oauthbearer.client.secret": req["secret"], "sasl.oauthbearer.token.endpoint.url": req["tokenUrl"]}
errors = []
def on_error(err):
    errors.append(f"{err.name()}: {err.str()}")
p = Producer({**conf, "acks": "all", "message.timeout.ms": 20000, "error_cb": on_error})
reports = []
for v in req["values"]:
    p.produce(req["topic"], v.encode(), on_delivery=lambda err, msg: reports.append(err))
p.flush(30)
c = Consumer({**conf, "group.id": "librdkafka-readers", "auto.offset.reset": "earliest", "error_cb": on_error})
c.subscribe([req["topic"]])
got = []
deadline = time.time() + 30
while len(got) < len(req["values"]) and time.time() < deadline:
    m = c.poll(0.5)
    if m is not None and not m.error():
        got.append(m.value().decode())
c.close()
print(json.dumps({"delivered": [str(e) if e else None for e in reports], "consumed": got, "errors": errors}))
`;

    test('confluent-kafka-python (librdkafka 2.16) fetches a token and produces and consumes as User:svc-librdkafka', async () => {
      const python = await confluentPython();
      const request = {
        bootstrap: gateway.bootstrap,
        clientId: 'svc-librdkafka',
        secret: CLIENTS['svc-librdkafka'],
        tokenUrl: idp.tokenUrl,
        topic: TOPICS.librdkafka,
        values: ['rd-1', 'rd-2', 'rd-3'],
      };
      const r = await run(python, ['-c', CONFLUENT_SCRIPT, JSON.stringify(request)], { timeoutMs: 120_000 });
      assert.equal(r.code, 0, r.stderr);
      const outcome = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
        delivered: unknown[];
        consumed: string[];
        errors: string[];
      };
      assert.deepEqual(outcome.delivered, [null, null, null], r.stdout);
      assert.deepEqual(outcome.consumed, request.values);
      await gateway.waitForAudit((rec) => rec.decision === 'authenticated' && rec.principal === 'User:svc-librdkafka');
    });

    test('kcat -X sasl.oauthbearer.method=oidc produces and consumes as User:svc-kcat', async (t) => {
      // Debian's kcat 1.7.1 links librdkafka 2.0.2 built without libcurl: no `oidc` method.
      const { env, librdkafka } = await kcatOnNewerLibrdkafka(dir, 'oidc');
      t.diagnostic(`kcat runs on ${librdkafka}`);
      const args = Object.entries({
        'security.protocol': 'sasl_plaintext',
        'sasl.mechanisms': 'OAUTHBEARER',
        'sasl.oauthbearer.method': 'oidc',
        'sasl.oauthbearer.client.id': 'svc-kcat',
        'sasl.oauthbearer.client.secret': CLIENTS['svc-kcat'],
        'sasl.oauthbearer.token.endpoint.url': idp.tokenUrl,
      }).flatMap(([k, v]) => ['-X', `${k}=${v}`]);
      const produced = await kcat(['-P', '-b', gateway.bootstrap, '-t', TOPICS.kcat, '-X', 'message.timeout.ms=20000', ...args], {
        input: 'kcat-1\nkcat-2\n',
        env,
      });
      assert.equal(produced.code, 0, produced.stderr);
      const consumed = await kcat(['-C', '-b', gateway.bootstrap, '-t', TOPICS.kcat, '-o', 'beginning', '-e', '-c', '2', '-q', ...args], {
        env,
      });
      assert.equal(consumed.code, 0, consumed.stderr);
      assert.deepEqual(consumed.stdout.trim().split('\n'), ['kcat-1', 'kcat-2']);
      await gateway.waitForAudit((r) => r.decision === 'authenticated' && r.principal === 'User:svc-kcat');
    });
  });

  describe('on the wire (raw SaslHandshake v1 + SaslAuthenticate v2), the gateway answers as the broker does', () => {
    /** The client's initial response as the Java client writes it. */
    const initialResponse = (token: string) => Buffer.from(`n,,\x01auth=Bearer ${token}\x01\x01`);
    type Refusal = {
      handshake: number;
      challengeError: number;
      challenge: string;
      failureError: number;
      failureMessage: string | null;
      closed: boolean;
    };

    /** Handshake, the token, then the 0x01 acknowledgement of the error challenge (RFC 7628 §3.2.3). */
    async function refusal(address: string, token: string): Promise<Refusal> {
      const [host, port] = address.split(':');
      const client = await RawSaslClient.connect({ host: host === 'localhost' ? '127.0.0.1' : host, port: Number(port) });
      try {
        const handshake = await client.handshake('OAUTHBEARER');
        const first = await client.authenticate(initialResponse(token));
        const second = await client.authenticate(Buffer.from([0x01]));
        const closed = await client.closed(5_000).then(
          () => true,
          () => false,
        );
        return {
          handshake: handshake?.errorCode ?? -1,
          challengeError: first?.errorCode ?? -1,
          challenge: first?.authBytes.toString('utf8') ?? '<closed>',
          failureError: second?.errorCode ?? -1,
          failureMessage: second?.errorMessage ?? null,
          closed,
        };
      } finally {
        client.close();
      }
    }

    const expected: Refusal = {
      handshake: 0,
      challengeError: 0,
      challenge: INVALID_TOKEN,
      failureError: 58,
      failureMessage: INVALID_TOKEN,
      closed: true,
    };
    const now = () => Math.floor(Date.now() / 1000);
    const cases: Array<[string, () => Promise<string>, RegExp]> = [
      ['expired', () => idp.grant('svc-js', { iat: now() - 7200, exp: now() - 3600 }), /expired/],
      [
        'unsigned (alg: none)',
        async () => unsignedToken({ iss: idp.issuer, aud: 'kafka', sub: 'svc-js', iat: now(), exp: now() + 600 }),
        /algorithm/,
      ],
      ['for another audience', () => idp.grant('svc-js', { aud: 'not-kafka' }), /audience/],
      ['from another issuer', () => idp.grant('svc-js', { iss: 'https://impostor.example' }), /issuer/],
    ];
    for (const [name, make, reason] of cases) {
      test(`a token ${name}: challenge ${INVALID_TOKEN}, then 58 with the same JSON and a close — as the broker`, async () => {
        const token = await make();
        const atGateway = await refusal(gateway.bootstrap, token);
        assert.deepEqual(atGateway, expected);
        assert.deepEqual(await refusal(brokerOauth, token), atGateway, 'the broker answers the same');
        const record = await gateway.waitForAudit(
          (r) => r.decision === 'authentication_failed' && r.mechanism === 'OAUTHBEARER' && reason.test(String(r.reason)),
        );
        assert.ok(!JSON.stringify(record).includes(token.split('.')[1]), 'the audit never holds the token');
        assert.ok(!gateway.everythingWritten().includes(token.split('.')[1]), 'nothing the gateway writes holds the token');
      });
    }

    test('a valid token: success, and SessionLifetimeMs is the time left until its exp', async () => {
      const exp = now() + 120;
      const token = await idp.grant('svc-js', { exp });
      const client = await RawSaslClient.connect({ host: '127.0.0.1', port: Number(gateway.bootstrap.split(':')[1]) });
      try {
        assert.equal((await client.handshake('OAUTHBEARER'))?.errorCode, 0);
        const answer = await client.authenticate(initialResponse(token));
        assert.equal(answer?.errorCode, 0, answer?.errorMessage ?? '');
        assert.equal(answer?.authBytes.length, 0);
        const lifetime = Number(answer?.sessionLifetimeMs);
        assert.ok(lifetime > 100_000 && lifetime <= 120_000, `SessionLifetimeMs ${lifetime}`);
      } finally {
        client.close();
      }
    });
  });

  describe('kafkajs with an oauthBearerProvider', () => {
    /** A provider that runs the client-credentials grant against the token endpoint, as an application would. */
    const clientCredentials = (clientId: string, secret: string) => async () => {
      const response = await fetch(idp.tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        },
        body: 'grant_type=client_credentials',
      });
      const body = (await response.json()) as { access_token: string };
      return { value: body.access_token };
    };
    const kafkajs = (provider: () => Promise<{ value: string }>): KafkaConfig => ({
      clientId: 'oauth-test',
      brokers: [gateway.bootstrap],
      sasl: { mechanism: 'oauthbearer', oauthBearerProvider: provider },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 5_000,
    });

    test('produces and consumes as User:svc-js; another principal topic is refused', async () => {
      const kafka = new Kafka(kafkajs(clientCredentials('svc-js', CLIENTS['svc-js'])));
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: TOPICS.js, messages: [{ value: 'js-1' }, { value: 'js-2' }] });
      await assert.rejects(
        producer.send({ topic: TOPICS.java, messages: [{ value: 'intruder' }] }),
        /not authorized|TOPIC_AUTHORIZATION_FAILED/i,
      );
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: 'js-readers' });
      await consumer.connect();
      await consumer.subscribe({ topic: TOPICS.js, fromBeginning: true });
      const values: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`consumed only ${JSON.stringify(values)}`)), 30_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? '');
            if (values.length === 2) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      await consumer.disconnect();
      assert.deepEqual(values, ['js-1', 'js-2']);
      await gateway.waitForAudit((r) => r.decision === 'authenticated' && r.principal === 'User:svc-js');
    });

    test('after the provider rotates its signing key, new tokens are accepted (the gateway refetches the JWKS)', async () => {
      const before = idp.hits.jwks;
      await idp.rotate({ dropOld: true });
      await new Promise((r) => setTimeout(r, 1_100)); // past the gateway's cooldownMs
      const kafka = new Kafka(kafkajs(clientCredentials('svc-js', CLIENTS['svc-js'])));
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: TOPICS.js, messages: [{ value: 'after-rotation' }] });
      await producer.disconnect();
      assert.ok(idp.hits.jwks > before, 'the JWKS was fetched again');
    });

    // kafkajs sends the initial response but ignores a challenge: it takes the error challenge for success
    // and sends its next request, which a broker (and the gateway) answers with ILLEGAL_SASL_STATE and a close.
    test('an expired token: kafkajs is refused (ILLEGAL_SASL_STATE: it does not answer the error challenge)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = await idp.grant('svc-js', { iat: now - 7200, exp: now - 3600 });
      const producer = new Kafka(kafkajs(() => Promise.resolve({ value: expired }))).producer();
      const error = await producer
        .connect()
        .then(() => producer.send({ topic: TOPICS.js, messages: [{ value: 'never' }] }))
        .then(
          () => null,
          (e: unknown) => e,
        );
      await producer.disconnect().catch(() => undefined);
      assert.ok(error instanceof Error, 'kafkajs must not get through with an expired token');
      assert.match(`${error.name} ${error.message}`, /SASL state|ILLEGAL_SASL_STATE/);
      await gateway.waitForAudit((r) => r.decision === 'authentication_failed' && r.mechanism === 'OAUTHBEARER');
    });
  });
});
