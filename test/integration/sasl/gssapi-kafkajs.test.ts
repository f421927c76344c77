// kafkajs with the package's GSSAPI mechanism (gateway/clients/kafkajs-gssapi.ts) against a real MIT
// KDC and a real Kafka 4 broker: first against the broker's own SASL_PLAINTEXT GSSAPI listener (the
// reference: the client is right if Kafka's JDK server accepts it), then through the gateway's
// SASL_PLAINTEXT listener, producing and consuming as the mapped principal, with and without mutual
// authentication; a ticket for another service is refused by both with the same text.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { kafkajsGssapi, type GssapiClientOptions } from '../../../gateway/clients/kafkajs-gssapi.ts';
import { startKdc, type Kdc } from '../../harness/kdc.ts';
import { expectSuccess, run } from '../../harness/run.ts';
import { startKerberosBed } from '../../harness/sasl/kerberos-bed.ts';
import type { SaslGateway } from '../../harness/sasl/sasl-gateway.ts';
import type { SecuredKafka } from '../../harness/sasl/secured-kafka.ts';
import { consumeWithKafkajs } from '../../harness/verify.ts';

const REALM = 'GATEHOUSE.TEST';
/** Two-part names map to their second part (`apps/kafkajs@REALM` → kafkajs); one-part names by DEFAULT. */
const RULES = [`RULE:[2:$2@$0](.*@${REALM.replaceAll('.', '\\.')})s/@.*//`, 'DEFAULT'];
const GENERIC = 'Authentication failed during authentication due to invalid credentials with SASL mechanism GSSAPI';

const POLICY = `version: 1
rules:
  - id: kafkajs-kerberos-topics
    allow: [READ, WRITE, DESCRIBE]
    principals: [User:alice, User:kafkajs]
    resources:
      - topic: { prefix: "kjs." }
  - id: kafkajs-kerberos-groups
    allow: [READ, DESCRIBE]
    principals: [User:alice, User:kafkajs]
    resources:
      - group: { prefix: "kjs-" }
`;

const TOPICS = ['kjs.broker', 'kjs.gateway-mutual', 'kjs.gateway-no-mutual', 'kjs.gateway-rule'];

describe('kafkajs with the exported GSSAPI mechanism, against the broker and through the gateway', () => {
  let kdc: Kdc;
  let kafka: SecuredKafka;
  let gateway: SaslGateway;
  let stopBed: (() => Promise<void>) | undefined;

  // kafkajs's default retries: the first consumer group of the cluster waits for __consumer_offsets.
  // A refused authentication is not retried whatever the setting (the mechanism's error is not retriable).
  const client = (bootstrap: string, clientId: string, gssapi: GssapiClientOptions = {}): Kafka => {
    const config: KafkaConfig = {
      clientId,
      brokers: [bootstrap],
      sasl: kafkajsGssapi({ serviceName: 'kafka', ...gssapi }),
      logLevel: logLevel.NOTHING,
    };
    return new Kafka(config);
  };

  const produceAndConsume = async (kafkaClient: Kafka, topic: string, values: string[]) => {
    const producer = kafkaClient.producer();
    await producer.connect();
    try {
      await producer.send({ topic, messages: values.map((value) => ({ value })) });
    } finally {
      await producer.disconnect();
    }
    const received = await consumeWithKafkajs(kafkaClient, topic, `kjs-${topic}`, values.length);
    assert.deepEqual(
      received.map((r) => r.value),
      values,
    );
  };

  /** The error kafkajs gives for a connection that fails to authenticate. */
  const connectError = async (kafkaClient: Kafka): Promise<Error> => {
    const admin = kafkaClient.admin();
    try {
      await admin.connect();
    } catch (err) {
      return err as Error;
    } finally {
      await admin.disconnect();
    }
    throw new Error('the connection was authenticated');
  };

  before(async () => {
    kdc = await startKdc({ realm: REALM });
    // kafkajs runs in this process: its initiator reads this realm and a ticket cache collection with
    // one cache per client (the mechanism's `principal` option picks one; the last kinit is the default).
    const ccaches = path.join(kdc.dir, 'ccaches');
    fs.mkdirSync(ccaches);
    process.env.KRB5_CONFIG = kdc.env.KRB5_CONFIG;
    process.env.KRB5CCNAME = `DIR:${ccaches}`;
    for (const name of ['apps/kafkajs', 'alice']) {
      const { principal, keytab } = await kdc.addPrincipal(name);
      expectSuccess(
        'kinit',
        await run('kinit', ['-k', '-t', keytab, principal], { env: { ...kdc.env, KRB5CCNAME: process.env.KRB5CCNAME } }),
      );
    }
    ({ kafka, gateway, stop: stopBed } = await startKerberosBed({ kdc, rules: RULES, topics: TOPICS, policy: POLICY }));
  });

  after(async () => {
    await stopBed?.();
    await kdc?.stop();
  });

  test("the reference: Kafka's own GSSAPI listener accepts the mechanism (mutual and not)", async () => {
    await produceAndConsume(client(kafka.saslBootstrap, 'kjs-broker'), 'kjs.broker', ['b-1', 'b-2']);
    const admin = client(kafka.saslBootstrap, 'kjs-broker-no-mutual', { mutualAuthentication: false }).admin();
    await admin.connect();
    try {
      assert.ok((await admin.listTopics()).includes('kjs.broker'));
    } finally {
      await admin.disconnect();
    }
  });

  test('through the gateway with mutual authentication: produce and consume as User:alice', async () => {
    await produceAndConsume(client(gateway.bootstrap, 'kjs-mutual'), 'kjs.gateway-mutual', ['m-1', 'm-2', 'm-3']);
    const audited = await gateway.waitForAudit((r) => r.decision === 'authenticated' && r.principal === 'User:alice');
    assert.equal(audited.mechanism, 'GSSAPI');
  });

  test('through the gateway without mutual authentication (the JDK flow): produce and consume', async () => {
    await produceAndConsume(client(gateway.bootstrap, 'kjs-no-mutual', { mutualAuthentication: false }), 'kjs.gateway-no-mutual', [
      'n-1',
      'n-2',
    ]);
  });

  test(`through the gateway as apps/kafkajs@${REALM}: mapped by a RULE to User:kafkajs`, async () => {
    await produceAndConsume(client(gateway.bootstrap, 'kjs-rule', { principal: `apps/kafkajs@${REALM}` }), 'kjs.gateway-rule', ['r-1']);
    const audited = await gateway.waitForAudit((r) => r.decision === 'authenticated' && r.principal === 'User:kafkajs');
    assert.equal(audited.mechanism, 'GSSAPI');
  });

  test('a ticket for another service is refused by the broker and the gateway with the same text', async () => {
    const fromBroker = await connectError(client(kafka.saslBootstrap, 'kjs-wrong-service', { serviceName: 'other' }));
    assert.equal(fromBroker.message, `SASL GSSAPI authentication failed: ${GENERIC}`, fromBroker.stack);
    const fromGateway = await connectError(client(gateway.bootstrap, 'kjs-wrong-service', { serviceName: 'other' }));
    assert.equal(fromGateway.message, fromBroker.message, fromGateway.stack);
    await gateway.waitForAudit((r) => r.decision === 'authentication_failed' && r.mechanism === 'GSSAPI');
  });
});
