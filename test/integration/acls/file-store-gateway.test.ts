// Managed ACLs in the file store, end to end: a real Kafka 4 broker, the gateway as its own process with
// `managedAcls: { store: file, path }`, two listeners whose IP identities make the same loopback client
// User:admin (ALTER + DESCRIBE on the cluster) or User:app. A kafkajs admin creates an ACL; a real kafkajs
// producer of User:app is refused before it and allowed after it; the file on disk is a valid policy
// holding it; the change is audited; a restarted gateway keeps it; DeleteAcls removes it (the producer is
// refused again) while a YAML rule the same filter matches is kept, its result naming its file and line.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import kafkajs, { Kafka, logLevel } from 'kafkajs';
import { stringify } from 'yaml';
import { managedBindingsFromText } from '../../../gateway/authz/acls/managed-rules.ts';
import { loadPolicy } from '../../../gateway/authz/policy-loader.ts';
import { API_KEY, decodeResponseFrame, encodeRequestFrame, type Struct } from '../../../gateway/protocol/index.ts';
import { startGatewayProcess, type GatewayProcess } from '../../harness/gateway.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { freePorts } from '../../harness/ports.ts';
import { connectRaw } from '../proxy/raw-client.ts';

// kafkajs is CommonJS: its ACL enums are only reachable through the default export.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;
const TOPIC = 'orders';
const policy = {
  version: 1,
  rules: [
    { id: 'acl-admin', allow: ['ALTER', 'DESCRIBE'], principals: ['User:admin'], resources: [{ cluster: 'kafka-cluster' }] },
    { id: 'admin-sees-topics', allow: ['DESCRIBE'], principals: ['User:admin'], resources: [{ topic: '*' }] },
    // Matched by the DeleteAcls filter below, and never deleted by it.
    { id: 'app-reads-orders', allow: ['READ'], principals: ['User:app'], resources: [{ topic: TOPIC }] },
  ],
};

let cluster: KafkaCluster;
let gw: GatewayProcess | undefined;
let dir: string;
let policyFile: string;
let managedFile: string;
let auditFile: string;
let adminBootstrap = '';
let appBootstrap = '';

async function startGateway(): Promise<GatewayProcess> {
  const [admin, adminBroker, app, appBroker] = await freePorts(4);
  adminBootstrap = `127.0.0.1:${admin}`;
  appBootstrap = `127.0.0.1:${app}`;
  return startGatewayProcess({
    backendBootstrap: cluster.bootstrap,
    maxBrokers: 1,
    extraConfig: {
      authorization: {
        policies: [policyFile],
        audit: { destination: auditFile },
        managedAcls: { store: 'file', path: managedFile },
      },
    },
    listeners: [
      {
        name: 'admin',
        bind: adminBootstrap,
        plaintext: true,
        network: { identities: { '127.0.0.1/32': 'User:admin' } },
        routing: { brokerPorts: { 1: adminBroker } },
      },
      {
        name: 'app',
        bind: appBootstrap,
        plaintext: true,
        network: { identities: { '127.0.0.1/32': 'User:app' } },
        routing: { brokerPorts: { 1: appBroker } },
      },
    ],
  });
}

const client = (bootstrap: string, clientId: string) =>
  new Kafka({ clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });

/** One produce by User:app with a fresh producer (no metadata cached from an earlier refusal): 'ok' or the error's type. */
async function produceAsApp(): Promise<string> {
  const producer = client(appBootstrap, 'app-producer').producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic: TOPIC, messages: [{ value: 'hello' }] });
    return 'ok';
  } catch (err) {
    const e = err as { type?: string; cause?: { type?: string }; message: string };
    return e.type ?? e.cause?.type ?? e.message;
  } finally {
    await producer.disconnect();
  }
}

const appWritesOrders = {
  resourceType: AclResourceTypes.TOPIC,
  resourceName: TOPIC,
  resourcePatternType: ResourcePatternTypes.LITERAL,
  principal: 'User:app',
  host: '*',
  operation: AclOperationTypes.WRITE,
  permissionType: AclPermissionTypes.ALLOW,
};

/** The managed file read back as bindings (asserting it is a valid policy file). */
async function managedOnDisk(): Promise<string[]> {
  assert.ok((await loadPolicy(managedFile)).ok, 'the managed file is a loadable policy');
  const read = managedBindingsFromText(managedFile, fs.readFileSync(managedFile, 'utf8'));
  assert.ok(read.ok);
  return read.bindings.map(
    (b) => `${b.principal} ${b.permission} ${b.operation} ${b.resource.type}:${b.resource.patternType}:${b.resource.name} @${b.host}`,
  );
}

async function describeAsAdmin() {
  const admin = client(adminBootstrap, 'acl-admin').admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeAcls({
      resourceType: AclResourceTypes.TOPIC,
      resourceName: TOPIC,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    return resources.flatMap((r) => r.acls.map((a) => `${a.principal} ${a.operation} ${a.permissionType}`)).sort();
  } finally {
    await admin.disconnect();
  }
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-file-acls-'));
  fs.mkdirSync(path.join(dir, 'state'));
  policyFile = path.join(dir, 'policy.yaml');
  managedFile = path.join(dir, 'state', 'managed-acls.yaml');
  auditFile = path.join(dir, 'audit.log');
  fs.writeFileSync(policyFile, stringify(policy));
  cluster = await startKafka({ version: '4', brokers: 1 });
  const direct = new Kafka({ clientId: 'setup', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await direct.connect();
  await direct.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  await direct.disconnect();
  gw = await startGateway();
});

after(async () => {
  await gw?.stop();
  await cluster?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('CreateAcls through the gateway lets the producer in, is written to the file, audited, and survives a restart', async () => {
  assert.equal(fs.existsSync(managedFile), false, 'no managed ACLs yet: no file');
  assert.equal(await produceAsApp(), 'TOPIC_AUTHORIZATION_FAILED', 'refused before the ACL exists');

  const admin = client(adminBootstrap, 'acl-admin').admin();
  await admin.connect();
  try {
    await admin.createAcls({ acl: [appWritesOrders] });
  } finally {
    await admin.disconnect();
  }
  assert.equal(await produceAsApp(), 'ok', 'allowed once the ACL is created');
  assert.deepEqual(await managedOnDisk(), ['User:app ALLOW WRITE TOPIC:LITERAL:orders @*']);

  // Who, from where, through which listener, what: in the audit log.
  let audit: Array<Record<string, unknown>> = [];
  for (const deadline = Date.now() + 5_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    audit = fs.existsSync(auditFile)
      ? fs
          .readFileSync(auditFile, 'utf8')
          .split('\n')
          .filter((l) => l.includes('"acl_changed"'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
      : [];
    if (audit.length > 0) break;
  }
  assert.equal(audit.length, 1, 'one audited change');
  assert.deepEqual(audit[0].actor, { principal: 'User:admin', clientAddress: '127.0.0.1', listener: 'admin' });
  assert.equal(audit[0].action, 'create');
  assert.equal(audit[0].outcome, 'applied');
  assert.deepEqual(
    (audit[0].bindings as Array<{ principal: string; operation: string }>).map((b) => `${b.principal} ${b.operation}`),
    ['User:app WRITE'],
  );

  await gw!.stop();
  gw = await startGateway();
  assert.equal(await produceAsApp(), 'ok', 'the restarted gateway read the ACL back from the file');
  assert.deepEqual(await describeAsAdmin(), [
    `User:app ${AclOperationTypes.READ} ${AclPermissionTypes.ALLOW}`,
    `User:app ${AclOperationTypes.WRITE} ${AclPermissionTypes.ALLOW}`,
  ]);
});

test('DeleteAcls removes the managed ACL (the producer is refused again) and keeps the YAML one, naming its file', async () => {
  const conn = await connectRaw(adminBootstrap);
  let res: Struct;
  try {
    const filter = {
      resourceTypeFilter: 2,
      resourceNameFilter: TOPIC,
      patternTypeFilter: 3,
      principalFilter: 'User:app',
      hostFilter: null,
      operation: 1,
      permissionType: 1,
    };
    conn.send(
      encodeRequestFrame(
        { requestApiKey: API_KEY.DeleteAcls, requestApiVersion: 3, correlationId: 5, clientId: 'raw-admin' },
        { filters: [filter] },
      ),
    );
    const frame = await conn.next(20_000);
    assert.ok(frame, 'the gateway answered DeleteAcls');
    res = decodeResponseFrame(frame, API_KEY.DeleteAcls, 3).body;
  } finally {
    conn.end();
  }
  const [result] = res.filterResults as Array<{ errorCode: number; matchingAcls: Array<Record<string, unknown>> }>;
  assert.equal(result.errorCode, 0);
  const byOperation = new Map(result.matchingAcls.map((m) => [m.operation as number, m]));
  assert.deepEqual([...byOperation.keys()].sort(), [AclOperationTypes.READ, AclOperationTypes.WRITE].sort());
  assert.equal(byOperation.get(AclOperationTypes.WRITE)!.errorCode, 0, 'the managed ACL is deleted');
  const kept = byOperation.get(AclOperationTypes.READ)!;
  assert.equal(kept.errorCode, 44, 'the YAML ACL is not deleted: POLICY_VIOLATION');
  assert.match(String(kept.errorMessage), new RegExp(`${path.basename(policyFile)}:\\d+ \\(rule app-reads-orders\\)`));

  assert.equal(await produceAsApp(), 'TOPIC_AUTHORIZATION_FAILED', 'refused again at once');
  assert.deepEqual(await managedOnDisk(), [], 'the file holds no managed ACL now');
  assert.deepEqual(
    await describeAsAdmin(),
    [`User:app ${AclOperationTypes.READ} ${AclPermissionTypes.ALLOW}`],
    'the YAML rule stays listed',
  );
  assert.equal(fs.readFileSync(policyFile, 'utf8'), stringify(policy), 'the hand-written policy file was not touched');
});
