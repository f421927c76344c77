// The Java client over SASL: a client properties file with its JAAS login (a keytab for GSSAPI, a
// username and password for PLAIN and SCRAM), the JVM flags it needs (krb5.conf), and the console
// producer and consumer run with them.
import fs from 'node:fs';
import path from 'node:path';
import { TOOL_JVM_OPTIONS } from '../jvm.ts';
import { kafkaTool } from '../kafka-tools.ts';
import type { RunResult } from '../run.ts';
import type { SaslClientConfig, SaslLogin } from './sasl-client-config.ts';

export type JavaSaslClient = { propertiesFile: string; jvmOptions: string[] };

/** A JAAS option value, quoted (paths and passwords may hold characters JAAS would otherwise split on). */
function quoted(value: string): string {
  return JSON.stringify(value);
}

function jaasConfig(login: SaslLogin): string {
  switch (login.mechanism) {
    case 'GSSAPI':
      return `com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab=${quoted(login.keytab)} principal=${quoted(login.principal)};`;
    case 'PLAIN':
      return `org.apache.kafka.common.security.plain.PlainLoginModule required username=${quoted(login.username)} password=${quoted(login.password)};`;
    default:
      return `org.apache.kafka.common.security.scram.ScramLoginModule required username=${quoted(login.username)} password=${quoted(login.password)};`;
  }
}

/** Properties-file escaping of a value (backslashes would otherwise be eaten). */
function propertyValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}

/**
 * Writes the client properties for `config` as `<dir>/<name>.properties` (the caller's temp folder: the file
 * holds the password) and returns it with the JVM flags to run the client with.
 */
export function javaSaslClient(dir: string, name: string, config: SaslClientConfig): JavaSaslClient {
  const { login, transport } = config;
  const props: Record<string, string> = {
    'security.protocol': transport.protocol,
    'sasl.mechanism': login.mechanism,
    'sasl.jaas.config': jaasConfig(login),
    ...(login.mechanism === 'GSSAPI' && { 'sasl.kerberos.service.name': login.serviceName }),
    ...(transport.protocol === 'SASL_SSL' && { 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': transport.caFile }),
  };
  const propertiesFile = path.join(dir, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.properties`);
  fs.writeFileSync(
    propertiesFile,
    Object.entries(props)
      .map(([k, v]) => `${k}=${propertyValue(v)}`)
      .join('\n') + '\n',
  );
  // The JDK's Kerberos reads its own krb5.conf setting, not KRB5_CONFIG.
  const jvmOptions =
    login.mechanism === 'GSSAPI' ? [...TOOL_JVM_OPTIONS, `-Djava.security.krb5.conf=${login.krb5Config}`] : TOOL_JVM_OPTIONS;
  return { propertiesFile, jvmOptions };
}

/** Kafka's console producer: one record per value, acks=all; fails (non-zero exit) when a record is not delivered. */
export function javaProduce(bootstrap: string, client: JavaSaslClient, topic: string, values: string[]): Promise<RunResult> {
  return kafkaTool(
    '4',
    'console-producer',
    [
      '--bootstrap-server',
      bootstrap,
      '--topic',
      topic,
      '--producer.config',
      client.propertiesFile,
      '--producer-property',
      'acks=all',
      // A refused connection should fail the run, not retry for two minutes.
      '--producer-property',
      'delivery.timeout.ms=20000',
      '--producer-property',
      'request.timeout.ms=10000',
      '--producer-property',
      'max.block.ms=20000',
    ],
    { input: values.map((v) => `${v}\n`).join(''), timeoutMs: 90_000, jvmOptions: client.jvmOptions },
  );
}

/** Kafka's console consumer in `group` from the beginning until `count` records (or 30 s). */
export function javaConsume(bootstrap: string, client: JavaSaslClient, topic: string, group: string, count: number): Promise<RunResult> {
  return kafkaTool(
    '4',
    'console-consumer',
    [
      '--bootstrap-server',
      bootstrap,
      '--topic',
      topic,
      '--group',
      group,
      '--from-beginning',
      '--max-messages',
      String(count),
      '--timeout-ms',
      '30000',
      '--consumer.config',
      client.propertiesFile,
      // The format parseConsoleConsumer reads.
      '--property',
      'print.partition=true',
    ],
    { timeoutMs: 90_000, jvmOptions: client.jvmOptions },
  );
}
