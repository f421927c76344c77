// Kerberos at the gateway with real clients: a real MIT KDC, one Kafka 4 broker, and a gateway whose
// SASL_PLAINTEXT listener accepts GSSAPI with the KDC's service keytab (kafka/localhost) and maps
// principals with Kafka's principal.to.local rules. The Java client (JAAS keytab login), kcat,
// confluent-kafka-python (librdkafka with Cyrus SASL) and kafka-python (the legacy SaslHandshake v0 path
// with raw tokens) each produce and consume through it as the mapped principal, which is what the
// policy, the audit log and a refusal see. The broker's own SASL listener, with the same keytab and
// rules, is the reference for the client settings and for the refusal of a ticket for another service.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kdc } from '../../harness/kdc.ts';
import { startKdc } from '../../harness/kdc.ts';
import { javaConsume, javaProduce, javaSaslClient } from '../../harness/sasl/jaas.ts';
import { kcatConsume, kcatMetadata, kcatProduce, kcatSaslClient } from '../../harness/sasl/kcat-sasl.ts';
import { pythonClient, type PythonClient } from '../../harness/sasl/python-clients.ts';
import type { GssapiLogin, SaslClientConfig } from '../../harness/sasl/sasl-client-config.ts';
import { startKerberosBed } from '../../harness/sasl/kerberos-bed.ts';
import type { SaslGateway } from '../../harness/sasl/sasl-gateway.ts';
import type { SecuredKafka } from '../../harness/sasl/secured-kafka.ts';
import { parseConsoleConsumer } from '../../harness/verify.ts';

const REALM = 'GATEHOUSE.TEST';
/**
 * Two-part client principals (`clients/python@REALM`) map to their second part (`python`), which DEFAULT
 * would not do (it keeps the first: `clients`); one-part principals (`alice@REALM`) map by DEFAULT.
 */
const RULES = [`RULE:[2:$2@$0](.*@${REALM.replaceAll('.', '\\.')})s/@.*//`, 'DEFAULT'];

const POLICY = `version: 1
rules:
  - id: kerberos-apps
    allow: [READ, WRITE]
    principals: [User:alice, User:python]
    resources:
      - topic: { prefix: "krb." }
  - id: kerberos-apps-groups
    allow: [READ]
    principals: [User:alice, User:python]
    resources:
      - group: { prefix: "krb-" }
`;

const TOPICS = ['krb.java', 'krb.kcat', 'krb.confluent', 'krb.kafka-python'];

describe('GSSAPI through the gateway with real clients (Java, kcat, confluent-kafka-python, kafka-python)', () => {
  let kdc: Kdc;
  let kafka: SecuredKafka;
  let gateway: SaslGateway;
  let stopBed: (() => Promise<void>) | undefined;
  const logins = new Map<string, GssapiLogin>();

  /** A client of `name` (a principal added in `before`) over SASL_PLAINTEXT, asking a ticket for `serviceName`. */
  const as = (name: string, serviceName = 'kafka'): SaslClientConfig => {
    const login = logins.get(name);
    if (!login) throw new Error(`no principal ${name}`);
    return { login: { ...login, serviceName }, transport: { protocol: 'SASL_PLAINTEXT' } };
  };

  before(async () => {
    kdc = await startKdc({ realm: REALM });
    for (const name of ['alice', 'clients/python', 'mallory']) {
      const { principal, keytab } = await kdc.addPrincipal(name);
      logins.set(name, { mechanism: 'GSSAPI', principal, keytab, serviceName: 'kafka', krb5Config: kdc.env.KRB5_CONFIG });
    }
    ({ kafka, gateway, stop: stopBed } = await startKerberosBed({ kdc, rules: RULES, topics: TOPICS, policy: POLICY }));
  });
  after(async () => {
    await stopBed?.();
    await kdc?.stop();
  });

  test('the Java client (JAAS keytab login) produces and consumes as User:alice', async () => {
    const java = javaSaslClient(kdc.dir, 'alice-gssapi', as('alice'));
    const produced = await javaProduce(gateway.bootstrap, java, 'krb.java', ['java-1', 'java-2']);
    assert.equal(produced.code, 0, produced.stderr);
    assert.doesNotMatch(produced.stderr, /Exception/, produced.stderr);
    const consumed = await javaConsume(gateway.bootstrap, java, 'krb.java', 'krb-java', 2);
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.deepEqual(
      parseConsoleConsumer(consumed.stdout).map((r) => r.value),
      ['java-1', 'java-2'],
      `${consumed.stdout}\n${consumed.stderr}`,
    );
    const audited = await gateway.waitForAudit((r) => r.decision === 'authenticated' && r.principal === 'User:alice');
    assert.equal(audited.mechanism, 'GSSAPI');
  });

  test('kcat produces and consumes as User:alice', async () => {
    const kcat = kcatSaslClient(as('alice'));
    const produced = await kcatProduce(gateway.bootstrap, kcat, 'krb.kcat', ['kcat-1']);
    assert.equal(produced.code, 0, produced.stderr);
    const consumed = await kcatConsume(gateway.bootstrap, kcat, 'krb.kcat', 1);
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.deepEqual(consumed.stdout.trim().split('\n'), ['kcat-1']);
  });

  for (const [client, topic] of [
    ['confluent-debian', 'krb.confluent'],
    // kafka-python 2.0.2 authenticates with SaslHandshake v0 and unframed tokens (spec §4.2).
    ['kafka-python', 'krb.kafka-python'],
  ] as Array<[PythonClient, string]>) {
    test(`${client} produces and consumes as clients/python@${REALM}, mapped by a RULE to User:python`, async () => {
      const produced = await pythonClient(client, gateway.bootstrap, as('clients/python'), {
        action: 'produce',
        topic,
        values: ['py-1', 'py-2'],
      });
      assert.equal(produced.error, null, JSON.stringify(produced));
      const consumed = await pythonClient(client, gateway.bootstrap, as('clients/python'), {
        action: 'consume',
        topic,
        group: `krb-${client}`,
        count: 2,
      });
      assert.equal(consumed.error, null, JSON.stringify(consumed));
      assert.deepEqual(consumed.values, ['py-1', 'py-2']);
      if (client === 'kafka-python') assert.deepEqual(consumed.saslHandshakes, ['SaslHandShakeRequest_v0'], 'not the legacy v0 path');
    });
  }

  test('the audit log and the gateway log record the mapped principals, and no principal DEFAULT would have made', async () => {
    const python = await gateway.waitForAudit((r) => r.decision === 'authenticated' && r.principal === 'User:python');
    assert.equal(python.mechanism, 'GSSAPI');
    for (const principal of ['User:alice', 'User:python']) {
      await gateway.gw.waitForLog((l) => l.event === 'authenticated' && l.principal === principal && l.mechanism === 'GSSAPI');
    }
    const principals = new Set(gateway.audit().map((r) => r.principal));
    assert.ok(!principals.has('User:clients'), `DEFAULT's mapping was used: ${[...principals].join(', ')}`);
    assert.ok(![...principals].some((p) => String(p).includes('@')), `an unmapped Kerberos name: ${[...principals].join(', ')}`);
  });

  test('a principal the policy does not name is authenticated, then refused with TOPIC_AUTHORIZATION_FAILED as User:mallory', async () => {
    const denied = await kcatProduce(gateway.bootstrap, kcatSaslClient(as('mallory')), 'krb.kcat', ['stolen']);
    assert.notEqual(denied.code, 0, 'kcat must fail on a topic mallory may not write');
    assert.match(denied.stderr, /[Tt]opic authorization failed|TOPIC_AUTHORIZATION_FAILED/, denied.stderr);
    const py = await pythonClient('confluent-debian', gateway.bootstrap, as('mallory'), {
      action: 'produce',
      topic: 'krb.confluent',
      values: ['stolen'],
    });
    assert.equal(py.error, 'TOPIC_AUTHORIZATION_FAILED', JSON.stringify(py));
    await gateway.waitForAudit((r) => r.decision === 'authenticated' && r.principal === 'User:mallory' && r.mechanism === 'GSSAPI');
    const refusal = await gateway.waitForAudit((r) => r.decision === 'denied' && r.principal === 'User:mallory');
    assert.ok(['krb.kcat', 'krb.confluent'].includes(String(refusal.resourceName)), JSON.stringify(refusal));
  });

  test('a ticket for another service of the realm is refused, with the text the broker gives', async () => {
    // The reference: the broker's own GSSAPI listener, same keytab (kafka/localhost only).
    const toBroker = await kcatMetadata(kafka.saslBootstrap, kcatSaslClient(as('alice', 'other')));
    assert.notEqual(toBroker.code, 0, `the broker accepted a ticket for other/localhost:\n${toBroker.stdout}`);
    const brokerSays = /SASL authentication error: (.*?) \(after/.exec(toBroker.stderr)?.[1];
    assert.ok(brokerSays, toBroker.stderr);

    const toGateway = await kcatMetadata(gateway.bootstrap, kcatSaslClient(as('alice', 'other')));
    assert.notEqual(toGateway.code, 0, `the gateway accepted a ticket for other/localhost:\n${toGateway.stdout}`);
    assert.match(toGateway.stderr, /SASL authentication error/, toGateway.stderr);
    assert.equal(/SASL authentication error: (.*?) \(after/.exec(toGateway.stderr)?.[1], brokerSays, toGateway.stderr);
    assert.equal(brokerSays, 'Authentication failed during authentication due to invalid credentials with SASL mechanism GSSAPI');
    await gateway.waitForAudit((r) => r.decision === 'authentication_failed' && r.mechanism === 'GSSAPI');

    // The same client with the right service name gets through: the refusal was the ticket's service.
    const right = await kcatMetadata(gateway.bootstrap, kcatSaslClient(as('alice')));
    assert.equal(right.code, 0, right.stderr);
  });
});
