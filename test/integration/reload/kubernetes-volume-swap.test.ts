// Policies and certificates mounted from a Kubernetes ConfigMap and Secret are reloaded when the kubelet
// swaps the volume's `..data` link (the files' own paths never change). A gateway process in front of a
// real Kafka 4 broker reads its policy and its server certificate and key through kubelet-style links;
// the test performs the kubelet's exact update sequence and shows, with real clients, that
//  - the new policy decides for producers connected before the swap: one may write now, the other no longer;
//  - new connections get the new certificate (another serial), through the listener's polling of its files;
//  - a swap that leaves the policy's bytes as they were loads no new policy version;
//  - a connection opened before both swaps is never dropped: it still answers, with its first certificate.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, test } from 'node:test';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { FrameReader } from '../../../gateway/net/frame-reader.ts';
import { API_KEY, decodeResponseFrame, encodeRequestFrame } from '../../../gateway/protocol/index.ts';
import { errorType, tryProduce } from '../../harness/acls/access.ts';
import { createAclPki, PRINCIPAL_MAPPING_RULES, type AclPki } from '../../harness/acls/acl-world.ts';
import { ConfigMapVolume } from '../../harness/configmap-volume.ts';
import { startGatewayProcess, type GatewayProcess } from '../../harness/gateway.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { issueLocalhostServer, presentedSerial } from '../../harness/pki.ts';
import { freePorts } from '../../harness/ports.ts';

const APP = 'app';
const TOPICS = ['left', 'right'];

/** The ConfigMap's policy: `app` may write to one topic only. */
const policyAllowing = (topic: string) => `version: 1
allowEveryoneIfNoAclFound: false
rules:
  - id: writers
    allow: [WRITE]
    principals: [User:${APP}]
    resources:
      - topic: ${topic}
`;

let pki: AclPki;
let cluster: KafkaCluster;
let gw: GatewayProcess;
let secret: ConfigMapVolume;
let configMap: ConfigMapVolume;
let address = '';
let port = 0;

/** The Secret's content for an issued server certificate (the names cert-manager's TLS Secrets use). */
function tlsSecret(name: string): Record<string, Buffer> {
  const entry = pki.pki.ca.find(name)!;
  return { 'tls.crt': fs.readFileSync(pki.pki.file(entry.certFile)), 'tls.key': fs.readFileSync(pki.pki.file(entry.keyFile)) };
}

const serialOf = (name: string) => pki.pki.ca.find(name)!.serial.toUpperCase();

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const policyVersionLog = (version: number) => (l: Record<string, unknown>) => l.msg === `policy version ${version} in force`;

before(async () => {
  pki = createAclPki([APP]);
  issueLocalhostServer(pki.pki, 'server-2');
  secret = new ConfigMapVolume(path.join(pki.pki.dir, 'volumes', 'gatehouse-tls'));
  configMap = new ConfigMapVolume(path.join(pki.pki.dir, 'volumes', 'gatehouse-policies'));
  secret.write(tlsSecret('gateway'));
  configMap.write({ 'policy.yaml': policyAllowing('left'), 'notes.txt': 'first' });

  cluster = await startKafka({ version: '4', brokers: 1 });
  const admin = new Kafka({ clientId: 'setup', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: TOPICS.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
  await admin.disconnect();

  const [bootstrapPort, brokerPort] = await freePorts(2);
  port = bootstrapPort;
  address = `127.0.0.1:${bootstrapPort}`;
  gw = await startGatewayProcess({
    backendBootstrap: cluster.bootstrap,
    maxBrokers: 1,
    listeners: [
      {
        name: 'k8s',
        bind: address,
        tls: {
          certificate: secret.path('tls.crt'),
          key: secret.path('tls.key'),
          clientAuth: 'required',
          clientCa: pki.caFile,
          principalMappingRules: PRINCIPAL_MAPPING_RULES,
        },
        routing: { brokerPorts: { 1: brokerPort } },
      },
    ],
    extraConfig: {
      authorization: { policies: [configMap.path('policy.yaml')], managedAcls: { store: 'none' } },
      log: { level: 'info' },
    },
  });
});

after(async () => {
  await gw?.stop();
  await cluster?.stop();
  pki?.cleanup();
});

/** One TLS connection held open across the swaps; it asks ApiVersions (the project's codec) and notices a close. */
class HeldConnection {
  private readonly reader = new FrameReader(() => 1 << 20);
  private readonly answers: Buffer[] = [];
  private correlationId = 0;
  closed = false;

  /** The serial of the certificate the gateway presented when this connection was opened. */
  readonly serial: string;

  private constructor(readonly socket: tls.TLSSocket) {
    this.serial = socket.getPeerX509Certificate()!.serialNumber.toUpperCase();
    socket.on('data', (chunk: Buffer) => this.answers.push(...this.reader.push(chunk).map((f) => f.payload)));
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closed = true));
  }

  static open(): Promise<HeldConnection> {
    const id = pki.identity(APP);
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: id.ca, cert: id.cert, key: id.key }, () =>
        resolve(new HeldConnection(socket)),
      );
      socket.once('error', reject);
    });
  }

  /** An ApiVersions round trip; resolves with the error code of the answer. */
  async apiVersions(): Promise<number> {
    assert.equal(this.closed, false, 'the held connection is still open');
    const correlationId = ++this.correlationId;
    const header = { requestApiKey: API_KEY.ApiVersions, requestApiVersion: 3, correlationId, clientId: 'held' };
    this.socket.write(encodeRequestFrame(header, { clientSoftwareName: 'held', clientSoftwareVersion: '1' }, { sizePrefix: true }));
    const deadline = Date.now() + 5_000;
    while (this.answers.length === 0) {
      if (this.closed) throw new Error('the held connection was closed');
      if (Date.now() > deadline) throw new Error('no ApiVersions answer within 5 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    const answer = decodeResponseFrame(this.answers.shift()!, API_KEY.ApiVersions, 3);
    assert.equal(answer.header.correlationId, correlationId);
    return answer.body.errorCode as number;
  }

  close(): void {
    this.socket.destroy();
  }
}

async function send(producer: Producer, topic: string): Promise<string | null> {
  try {
    await producer.send({ topic, acks: -1, messages: [{ value: `to ${topic} at ${Date.now()}` }] });
    return null;
  } catch (err) {
    return errorType(err);
  }
}

test("the kubelet's ..data swaps bring the new policy and certificate into force without dropping a connection", async () => {
  const held = await HeldConnection.open();
  const kafka = new Kafka({ ...pki.kafkajs(address, APP), clientId: 'volume-swap', logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  // One producer per topic: kafkajs asks metadata for every topic a producer has used, and one denied
  // topic fails the whole refresh.
  const toLeft = kafka.producer({ allowAutoTopicCreation: false });
  const toRight = kafka.producer({ allowAutoTopicCreation: false });
  await Promise.all([toLeft.connect(), toRight.connect()]);
  try {
    assert.equal(await held.apiVersions(), 0);
    assert.equal(held.serial, serialOf('gateway'), 'the held connection was opened with the first certificate');
    assert.equal(await send(toLeft, 'left'), null, 'the first policy lets app write to left');
    assert.equal(await send(toRight, 'right'), 'TOPIC_AUTHORIZATION_FAILED', 'but not to right');

    // The ConfigMap is edited: the kubelet writes a new version directory and renames ..data over to it.
    const before = configMap.current();
    configMap.write({ 'policy.yaml': policyAllowing('right'), 'notes.txt': 'first' });
    assert.notEqual(configMap.current(), before);
    const reloaded = await gw.waitForLog(policyVersionLog(2), 10_000);
    assert.equal(reloaded.trigger, 'file change');
    assert.equal(await send(toRight, 'right'), null, 'a producer connected before the swap may write to right now');
    assert.equal(await send(toLeft, 'left'), 'TOPIC_AUTHORIZATION_FAILED', 'and the other no longer to left');

    // The Secret gets a new certificate: connections made after the swap are served with it.
    secret.write(tlsSecret('server-2'));
    await until(
      'new connections to present the new certificate',
      async () => (await presentedSerial(port, pki.pki)) === serialOf('server-2'),
    );
    await gw.waitForLog((l) => l.event === 'tls_reloaded' && l.trigger === 'file change');
    // The audit trail (stdout here) has the certificate change beside the policy changes.
    const audited = await gw.waitForLog((l) => l.decision === 'certificate_reloaded' && l.trigger === 'file change');
    assert.equal(audited.listener, 'k8s');
    assert.ok(gw.logs().some((l) => l.decision === 'policy_loaded' && l.version === 2 && l.trigger === 'file change'));
    assert.notEqual(serialOf('server-2'), serialOf('gateway'));
    assert.equal(await tryProduce(pki.kafkajs(address, APP), 'right', 'fresh client'), null, 'a new client connects and writes');

    // Another key of the ConfigMap changes: a swap, but the policy's bytes are the same: no new version.
    configMap.write({ 'policy.yaml': policyAllowing('right'), 'notes.txt': 'second' });
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(gw.logs().filter(policyVersionLog(3)).length, 0, 'no policy version 3 for unchanged bytes');

    // The connections opened before the swaps are still the same connections and still served.
    assert.equal(await held.apiVersions(), 0);
    assert.equal(held.closed, false);
    assert.equal(await send(toRight, 'right'), null);
    const metrics = await gw.metrics();
    assert.match(metrics, /gatehouse_tls_last_reload_success\{listener="k8s"\} 1/);
  } finally {
    held.close();
    await Promise.all([toLeft.disconnect(), toRight.disconnect()]).catch(() => undefined);
  }
});
