// A Kafka broker with a SASL_PLAINTEXT listener of its own (GSSAPI from a KDC's service keytab, PLAIN and
// SCRAM-SHA-256/512), beside the unsecured PLAINTEXT listener a gateway uses as its backend. The secured
// listener is the reference: a client configuration that works against it is a real client's real
// configuration, so the same one pointed at the gateway tests the gateway and not the harness.
import { startKafka, type KafkaCluster } from '../kafka.ts';
import type { ServerProperties } from '../kafka-config.ts';
import { kafkaTool } from '../kafka-tools.ts';
import { TEST_JVM_OPTIONS } from '../jvm.ts';
import type { Kdc } from '../kdc.ts';
import { freePorts } from '../ports.ts';
import { expectSuccess } from '../run.ts';

export type SecuredKafka = {
  cluster: KafkaCluster;
  /** host:port of the SASL_PLAINTEXT listener (host `localhost`: the Kerberos service is kafka/localhost). */
  saslBootstrap: string;
  /** Adds SCRAM-SHA-256 and SCRAM-SHA-512 credentials for a user on the broker (kafka-configs over PLAINTEXT). */
  addScramUser: (user: string, password: string) => Promise<void>;
  stop: () => Promise<void>;
};

export type SecuredKafkaOptions = {
  kdc: Kdc;
  /** PLAIN users and their passwords (PLAIN on a broker reads them from its JAAS configuration). */
  plainUsers?: Record<string, string>;
  /** sasl.kerberos.principal.to.local.rules; DEFAULT when not given. */
  principalToLocalRules?: string;
  /**
   * Turns on StandardAuthorizer with no ACL meaning no access; ANONYMOUS (the PLAINTEXT and CONTROLLER
   * listeners) is a super user so that the broker registers and the harness can manage it.
   */
  authorizer?: boolean;
};

const LISTENER = 'SASL';

function jaasValue(text: string): string {
  return JSON.stringify(text);
}

/** One Kafka 4 broker whose extra listener is SASL_PLAINTEXT with GSSAPI, PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512. */
export async function startSecuredKafka(opts: SecuredKafkaOptions): Promise<SecuredKafka> {
  const [saslPort] = await freePorts(1);
  const prefix = `listener.name.${LISTENER.toLowerCase()}`;
  const plainUsers = Object.entries(opts.plainUsers ?? {})
    .map(([user, password]) => ` user_${user}=${jaasValue(password)}`)
    .join('');
  const serverProperties: ServerProperties = {
    'listener.security.protocol.map': `PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,${LISTENER}:SASL_PLAINTEXT`,
    'sasl.enabled.mechanisms': 'GSSAPI,PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    'sasl.kerberos.service.name': 'kafka',
    'sasl.kerberos.principal.to.local.rules': opts.principalToLocalRules ?? 'DEFAULT',
    [`${prefix}.gssapi.sasl.jaas.config`]: `com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab=${jaasValue(opts.kdc.service.keytab)} principal=${jaasValue(opts.kdc.service.principal)};`,
    [`${prefix}.plain.sasl.jaas.config`]: `org.apache.kafka.common.security.plain.PlainLoginModule required${plainUsers};`,
    [`${prefix}.scram-sha-256.sasl.jaas.config`]: 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    [`${prefix}.scram-sha-512.sasl.jaas.config`]: 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    ...(opts.authorizer && {
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:ANONYMOUS',
      'allow.everyone.if.no.acl.found': false,
    }),
  };
  const cluster = await startKafka({
    version: '4',
    brokers: 1,
    // The test bed's extra listener knows PLAINTEXT and SSL: the protocol map above makes this one
    // SASL_PLAINTEXT, and it is advertised as `localhost`, the host of the Kerberos service principal
    // (librdkafka asks a ticket for the advertised host). The PLAINTEXT port is known only here.
    extraListener: (node) => {
      serverProperties['advertised.listeners'] = `PLAINTEXT://127.0.0.1:${node.port},${LISTENER}://localhost:${saslPort}`;
      return { name: LISTENER, port: saslPort, advertisedPort: saslPort };
    },
    jvmOptions: [...TEST_JVM_OPTIONS, `-Djava.security.krb5.conf=${opts.kdc.env.KRB5_CONFIG}`],
    serverProperties,
  });
  return {
    cluster,
    saslBootstrap: `localhost:${saslPort}`,
    addScramUser: async (user, password) => {
      // Kafka refuses two credentials of one user in one request: one run per mechanism.
      for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
        const args = [
          '--alter',
          '--add-config',
          `${mechanism}=[iterations=4096,password=${password}]`,
          '--entity-type',
          'users',
          '--entity-name',
          user,
        ];
        expectSuccess(
          `kafka-configs ${mechanism} for ${user}`,
          await kafkaTool('4', 'configs', ['--bootstrap-server', cluster.bootstrap, ...args]),
        );
      }
    },
    stop: () => cluster.stop(),
  };
}
