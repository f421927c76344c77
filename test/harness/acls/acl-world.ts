// What the ACL API tests share: client certificates per principal (the principal is the certificate's
// CN), a SECURED Kafka broker (StandardAuthorizer, mTLS listener, super users) and a Gatehouse process
// with an mTLS listener, a YAML policy and a managed ACL store, in front of a plain broker.
import fs from 'node:fs';
import path from 'node:path';
import type { KafkaConfig } from 'kafkajs';
import { startGatewayProcess, type GatewayProcess } from '../gateway.ts';
import { startKafka, type KafkaCluster } from '../kafka.ts';
import type { KafkaLine } from '../kafka-dist.ts';
import { kafkaTool } from '../kafka-tools.ts';
import { createTestPki, STORE_PASSWORD, type TestPki } from '../pki.ts';
import { freePorts } from '../ports.ts';
import type { RunResult } from '../run.ts';
import { writeSslClientProperties } from '../differential/clusters.ts';
import type { TlsIdentity } from '../differential/raw-driver.ts';

/** A certificate CN=alice is User:alice, on the broker and on the gateway alike. */
export const PRINCIPAL_MAPPING_RULES = 'RULE:^CN=([^,]+).*$/$1/,DEFAULT';

/** The principal every test manages ACLs as. */
export const ACL_ADMIN = 'admin';

/** The policy rule that lets the admin use the ACL APIs on a gateway (a secured broker makes it a super user instead). */
export const ADMIN_RULE_ID = 'acl-admins';
export function adminPolicyYaml(extraRules = ''): string {
  return `version: 1
allowEveryoneIfNoAclFound: false
rules:
  - id: ${ADMIN_RULE_ID}
    description: the ACL administrators list and change ACLs
    allow: [ALTER, DESCRIBE]
    principals: [User:${ACL_ADMIN}]
    resources:
      - cluster: kafka-cluster
${extraRules}`;
}

export type AclPki = {
  pki: TestPki;
  caFile: string;
  identity: (principal: string) => TlsIdentity;
  /** PEM file paths of a principal's certificate (librdkafka). */
  pem: (principal: string) => { cert: string; key: string };
  /** A Java client properties file (SSL, PKCS#12 stores) for a principal. */
  javaConfig: (principal: string) => string;
  /** kafkajs settings to reach `address` as a principal. */
  kafkajs: (address: string, principal: string) => KafkaConfig;
  brokerStores: { keyStore?: string; trustStore: string };
  cleanup: () => void;
};

export function createAclPki(principals: readonly string[]): AclPki {
  const pki = createTestPki();
  const certs = new Map<string, { cert: string; key: string; keyStore: string }>();
  for (const p of principals) {
    // Subject CN only: Java (RFC 2253) and Node print a one-attribute DN the same way.
    const c = pki.client(p, { subject: { CN: p } });
    certs.set(p, { cert: c.cert, key: c.key, keyStore: pki.ca.bundle(p, { password: STORE_PASSWORD, force: true }).keyStore! });
  }
  const brokerStores = pki.ca.bundle('gateway', { password: STORE_PASSWORD, force: true });
  const caFile = pki.file('ca/ca.crt');
  const ca = fs.readFileSync(caFile);
  const of = (p: string) => {
    const c = certs.get(p);
    if (!c) throw new Error(`no certificate for ${p}`);
    return c;
  };
  const identity = (p: string): TlsIdentity => ({ ca, cert: fs.readFileSync(of(p).cert), key: fs.readFileSync(of(p).key) });
  return {
    pki,
    caFile,
    identity,
    pem: (p) => ({ cert: of(p).cert, key: of(p).key }),
    javaConfig: (p) => {
      const file = path.join(pki.dir, `${p}.properties`);
      if (!fs.existsSync(file)) writeSslClientProperties(file, of(p).keyStore, brokerStores.trustStore);
      return file;
    },
    kafkajs: (address, p) => {
      const id = identity(p);
      return { brokers: [address], ssl: { ca: [id.ca], cert: id.cert, key: id.key } };
    },
    brokerStores,
    cleanup: () => pki.cleanup(),
  };
}

export type SecuredBroker = { cluster: KafkaCluster; /** the mTLS listener */ address: string };

/**
 * One broker with StandardAuthorizer and an mTLS listener. Super users: the ACL admin (so it needs no
 * ACL, and the broker lists none for it) and ANONYMOUS (the PLAINTEXT and CONTROLLER listeners, which
 * broker registration needs before any ACL exists; test clients never use them).
 */
export async function startSecuredBroker(line: KafkaLine, pki: AclPki): Promise<SecuredBroker> {
  const [sslPort] = await freePorts(1);
  const cluster = await startKafka({
    version: line,
    brokers: 1,
    extraListener: () => ({ name: 'SECURED', port: sslPort, advertisedPort: sslPort, securityProtocol: 'SSL' }),
    serverProperties: {
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': `User:${ACL_ADMIN};User:ANONYMOUS`,
      'allow.everyone.if.no.acl.found': false,
      'ssl.keystore.type': 'PKCS12',
      'ssl.keystore.location': pki.brokerStores.keyStore!,
      'ssl.keystore.password': STORE_PASSWORD,
      'ssl.truststore.type': 'PKCS12',
      'ssl.truststore.location': pki.brokerStores.trustStore,
      'ssl.truststore.password': STORE_PASSWORD,
      'ssl.client.auth': 'required',
      'ssl.principal.mapping.rules': PRINCIPAL_MAPPING_RULES,
    },
  });
  return { cluster, address: `127.0.0.1:${sslPort}` };
}

export type ManagedAclsConfig = { store: 'file'; path: string } | { store: 'kafka'; topic?: string } | { store: 'none' };

/** A gateway with one mTLS listener (principal = certificate CN), the given policy and managed ACL store. */
export async function startAclGateway(opts: {
  backendBootstrap: string;
  brokers: number;
  pki: AclPki;
  policyFile: string;
  managedAcls: ManagedAclsConfig;
}): Promise<GatewayProcess> {
  const [port, ...brokerPorts] = await freePorts(1 + opts.brokers);
  return startGatewayProcess({
    backendBootstrap: opts.backendBootstrap,
    maxBrokers: opts.brokers,
    listeners: [
      {
        name: 'mtls',
        bind: `127.0.0.1:${port}`,
        tls: {
          certificate: opts.pki.pki.file(opts.pki.pki.server.certFile),
          key: opts.pki.pki.file(opts.pki.pki.server.keyFile),
          clientAuth: 'required',
          clientCa: opts.pki.caFile,
          principalMappingRules: PRINCIPAL_MAPPING_RULES,
        },
        routing: { brokerPorts: Object.fromEntries(brokerPorts.map((p, i) => [i + 1, p])) },
      },
    ],
    extraConfig: {
      authorization: { policies: [opts.policyFile], managedAcls: opts.managedAcls },
      log: { level: 'info' },
    },
  });
}

/** `kafka-acls --bootstrap-server <address> --command-config <principal's SSL config> …args`. */
export function kafkaAcls(line: KafkaLine, address: string, commandConfig: string, args: string[]): Promise<RunResult> {
  return kafkaTool(line, 'acls', ['--bootstrap-server', address, '--command-config', commandConfig, ...args], { timeoutMs: 120_000 });
}
