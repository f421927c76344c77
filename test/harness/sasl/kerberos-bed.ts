// The Kerberos test bed both GSSAPI client suites stand on: a KDC the caller has filled with client
// principals, a Kafka 4 broker with its own GSSAPI listener (the reference), the topics, and a gateway
// whose SASL_PLAINTEXT listener accepts GSSAPI with the KDC's service keytab and the given rules.
// `other/localhost` is added too: a real service of the realm that is not Kafka, whose ticket is a valid
// ticket for the wrong service.
import { Kafka, logLevel } from 'kafkajs';
import type { Kdc } from '../kdc.ts';
import { startSaslGateway, type SaslGateway } from './sasl-gateway.ts';
import { startSecuredKafka, type SecuredKafka } from './secured-kafka.ts';

export type KerberosBed = { kafka: SecuredKafka; gateway: SaslGateway; stop: () => Promise<void> };

export async function startKerberosBed(opts: { kdc: Kdc; rules: string[]; topics: string[]; policy: string }): Promise<KerberosBed> {
  const { kdc, rules } = opts;
  await kdc.addPrincipal('other/localhost');
  const kafka = await startSecuredKafka({ kdc, principalToLocalRules: rules.join(',') });
  let gateway: SaslGateway | undefined;
  try {
    const admin = new Kafka({ clientId: 'setup', brokers: [kafka.cluster.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: opts.topics.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
    await admin.disconnect();
    gateway = await startSaslGateway({
      backendBootstrap: kafka.cluster.bootstrap,
      authentication: {
        gssapi: {
          keytab: kdc.service.keytab,
          servicePrincipal: kdc.service.principal,
          principalToLocalRules: rules,
          krb5Config: kdc.env.KRB5_CONFIG,
        },
      },
      sasl: { mechanisms: ['GSSAPI'] },
      policy: opts.policy,
    });
  } catch (err) {
    await kafka.stop();
    throw err;
  }
  const started = gateway;
  return {
    kafka,
    gateway: started,
    stop: async () => {
      await started.stop();
      await kafka.stop();
    },
  };
}
