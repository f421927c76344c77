// Starts the differential world for one Kafka line: a SECURED broker (StandardAuthorizer, an SSL
// listener with required client certificates, ACLs made with the real kafka-acls tool) and a GATEWAYED
// one (a plain broker behind a Gatehouse process with an mTLS listener and the same ACLs as a policy).
//
// The secured broker keeps the test bed's PLAINTEXT listener for inter-broker traffic and readiness,
// and its KRaft CONTROLLER listener is PLAINTEXT too: both authenticate as User:ANONYMOUS, which must be
// a super user (broker registration and heartbeats need CLUSTER_ACTION before any ACL exists). Test
// clients never use those listeners: every case goes through the SSL listener with a certificate.
import fs from 'node:fs';
import path from 'node:path';
import { OperationCode, PatternTypeCode, PermissionCode, ResourceTypeCode } from '../../../gateway/authz/model.ts';
import { startGatewayProcess, type GatewayProcess } from '../gateway.ts';
import { startKafka, type KafkaCluster } from '../kafka.ts';
import type { KafkaLine } from '../kafka-dist.ts';
import { kafkaTool } from '../kafka-tools.ts';
import { createTestPki, STORE_PASSWORD, type TestPki } from '../pki.ts';
import { freePorts } from '../ports.ts';
import { expectSuccess } from '../run.ts';
import { RawDriver, type TlsIdentity } from './raw-driver.ts';
import { describeAcls, readTopicIds, setUpSide } from './setup.ts';
import { ACLS, PRINCIPAL_MAPPING_RULES, PRINCIPALS, SUPER_USER, gatewayPolicyYaml, kafkaAclsArgs, type PrincipalName } from './world.ts';

export type SideName = 'secured' | 'gatewayed';

export type Side = {
  name: SideName;
  /** host:port of the TLS listener every test client uses. */
  address: string;
  /** A raw driver per principal, one connection each, reused. */
  driver: (principal: PrincipalName) => RawDriver;
  /** Topic name → id; refreshed after mutating cases. */
  topicIds: Map<string, string>;
  /** Topic id → name, every id this side ever had (deleted topics too). */
  topicNames: Map<string, string>;
  refreshTopicIds: () => Promise<void>;
};

export type DifferentialWorld = {
  line: KafkaLine;
  version: string;
  secured: Side;
  gatewayed: Side;
  pki: TestPki;
  gateway: GatewayProcess;
  /** PEM files of a principal's client certificate (kafkajs, raw TLS). */
  identity: (principal: PrincipalName) => TlsIdentity;
  /** A Java client properties file for a principal (SSL with PKCS#12 stores). */
  javaConfig: (principal: PrincipalName) => string;
  stop: () => Promise<void>;
};

/** What the broker must list after kafka-acls ran: one line per principal × operation × resource. */
function expectedAclLines(): string[] {
  const type = { topic: 'TOPIC', group: 'GROUP', transactionalId: 'TRANSACTIONAL_ID', cluster: 'CLUSTER' } as const;
  return ACLS.flatMap((rule) =>
    rule.resources.flatMap((r) =>
      rule.operations.map(
        (op) =>
          `User:${rule.principal} ${PermissionCode.ALLOW}/${OperationCode[op as keyof typeof OperationCode]} ${ResourceTypeCode[type[r.kind]]}:${PatternTypeCode[rule.pattern]}:${r.kind === 'cluster' ? 'kafka-cluster' : r.name}@*`,
      ),
    ),
  ).sort();
}

async function inBatches<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(work));
}

function makeSide(name: SideName, address: string, identity: (p: PrincipalName) => TlsIdentity, topicIds: Map<string, string>): Side {
  const drivers = new Map<PrincipalName, RawDriver>();
  const side: Side = {
    name,
    address,
    driver: (p) => {
      let d = drivers.get(p);
      if (!d) drivers.set(p, (d = new RawDriver({ address, identity: identity(p) })));
      return d;
    },
    topicIds,
    topicNames: new Map([...topicIds].map(([n, id]) => [id, n])),
    refreshTopicIds: async () => {
      const fresh = await readTopicIds(side.driver(SUPER_USER));
      side.topicIds.clear();
      for (const [n, id] of fresh) {
        side.topicIds.set(n, id);
        side.topicNames.set(id, n);
      }
    },
  };
  return side;
}

export async function startDifferentialWorld(opts: { line: KafkaLine }): Promise<DifferentialWorld> {
  const pki = createTestPki();
  const certs = new Map<PrincipalName, { cert: string; key: string; keyStore: string }>();
  for (const p of PRINCIPALS) {
    // Subject CN only: Java (RFC 2253) and Node print a one-attribute DN the same way.
    const c = pki.client(p, { subject: { CN: p } });
    certs.set(p, { ...c, keyStore: pki.ca.bundle(p, { password: STORE_PASSWORD, force: true }).keyStore! });
  }
  const brokerStores = pki.ca.bundle('gateway', { password: STORE_PASSWORD, force: true });
  const ca = fs.readFileSync(pki.file('ca/ca.crt'));
  const identity = (p: PrincipalName): TlsIdentity => ({
    ca,
    cert: fs.readFileSync(certs.get(p)!.cert),
    key: fs.readFileSync(certs.get(p)!.key),
  });
  const javaConfig = (p: PrincipalName): string => {
    const file = path.join(pki.dir, `${p}.properties`);
    if (!fs.existsSync(file)) writeSslClientProperties(file, certs.get(p)!.keyStore, brokerStores.trustStore);
    return file;
  };

  let securedCluster: KafkaCluster | undefined;
  let plainCluster: KafkaCluster | undefined;
  let gateway: GatewayProcess | undefined;
  const stop = async () => {
    await gateway?.stop();
    await Promise.all([securedCluster?.stop(), plainCluster?.stop()]);
    pki.cleanup();
  };
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  try {
    const [sslPort, gatewayPort, gatewayBrokerPort] = await freePorts(3);
    [securedCluster, plainCluster] = await Promise.all([
      startKafka({
        version: opts.line,
        brokers: 1,
        extraListener: () => ({ name: 'SECURED', port: sslPort, advertisedPort: sslPort, securityProtocol: 'SSL' }),
        serverProperties: {
          'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
          'super.users': `User:${SUPER_USER};User:ANONYMOUS`,
          'allow.everyone.if.no.acl.found': false,
          'ssl.keystore.type': 'PKCS12',
          'ssl.keystore.location': brokerStores.keyStore!,
          'ssl.keystore.password': STORE_PASSWORD,
          'ssl.truststore.type': 'PKCS12',
          'ssl.truststore.location': brokerStores.trustStore,
          'ssl.truststore.password': STORE_PASSWORD,
          'ssl.client.auth': 'required',
          'ssl.principal.mapping.rules': PRINCIPAL_MAPPING_RULES,
        },
      }),
      startKafka({ version: opts.line, brokers: 1 }),
    ]);
    const clustersUp = seconds();
    const policyFile = path.join(pki.dir, 'differential-policy.yaml');
    fs.writeFileSync(policyFile, gatewayPolicyYaml());
    gateway = await startGatewayProcess({
      backendBootstrap: plainCluster.bootstrap,
      maxBrokers: 1,
      listeners: [
        {
          name: 'mtls',
          bind: `127.0.0.1:${gatewayPort}`,
          tls: {
            certificate: pki.file(pki.server.certFile),
            key: pki.file(pki.server.keyFile),
            clientAuth: 'required',
            clientCa: pki.file('ca/ca.crt'),
            principalMappingRules: PRINCIPAL_MAPPING_RULES,
          },
          routing: { brokerPorts: { 1: gatewayBrokerPort } },
        },
      ],
      extraConfig: { authorization: { policies: [policyFile] }, log: { level: 'info' } },
    });

    const securedAddress = `127.0.0.1:${sslPort}`;
    const adminProps = javaConfig(SUPER_USER);
    const securedAdmin = new RawDriver({ address: securedAddress, identity: identity(SUPER_USER) });
    const backendAdmin = new RawDriver({ address: plainCluster.bootstrap, identity: null });
    const [securedIds, gatewayedIds] = await Promise.all([
      (async () => {
        // kafka-acls as the super user over the SSL listener, two JVMs at a time (each start costs seconds).
        await inBatches([...ACLS], 2, async (rule) => {
          expectSuccess(
            `kafka-acls ${rule.id}`,
            await kafkaTool(
              opts.line,
              'acls',
              ['--bootstrap-server', securedAddress, '--command-config', adminProps, ...kafkaAclsArgs(rule)],
              {
                timeoutMs: 120_000,
              },
            ),
          );
        });
        const ids = await setUpSide({
          kafkajs: {
            brokers: [securedAddress],
            ssl: { ca: [ca], cert: identity(SUPER_USER).cert, key: identity(SUPER_USER).key },
          },
          admin: securedAdmin,
        });
        const listed = (await describeAcls(securedAdmin)).sort();
        const expected = expectedAclLines();
        if (JSON.stringify(listed) !== JSON.stringify(expected)) {
          throw new Error(
            `the secured broker lists other ACLs than the world's:\n${listed.join('\n')}\n--- expected\n${expected.join('\n')}`,
          );
        }
        return ids;
      })(),
      // The gatewayed side's resources go straight to its backend: setup is not what is compared.
      setUpSide({ kafkajs: { brokers: plainCluster.bootstrap.split(',') }, admin: backendAdmin }),
    ]);
    securedAdmin.close();
    backendAdmin.close();
    console.log(`differential world (Kafka ${securedCluster.version}) ready in ${seconds()} s; both clusters up at ${clustersUp} s`);
    const secured = makeSide('secured', securedAddress, identity, securedIds);
    const gatewayed = makeSide('gatewayed', gateway.bootstrap, identity, gatewayedIds);
    return {
      line: opts.line,
      version: securedCluster.version,
      secured,
      gatewayed,
      pki,
      gateway,
      identity,
      javaConfig,
      stop: async () => {
        for (const side of [secured, gatewayed]) for (const p of PRINCIPALS) side.driver(p).close();
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A Java client properties file for mTLS with PKCS#12 stores (both under the test PKI's password). */
export function writeSslClientProperties(file: string, keyStore: string, trustStore: string): void {
  const props = {
    'security.protocol': 'SSL',
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': keyStore,
    'ssl.keystore.password': STORE_PASSWORD,
    'ssl.truststore.type': 'PKCS12',
    'ssl.truststore.location': trustStore,
    'ssl.truststore.password': STORE_PASSWORD,
  };
  fs.writeFileSync(
    file,
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
}
