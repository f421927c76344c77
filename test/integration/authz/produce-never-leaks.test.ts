// A denied Produce never reaches the backend, at any version a client can send: every Produce version a
// 3.9 broker serves (v0–2 legacy message sets, v3+ record batches), acks=-1 and acks=0, a denied topic
// alone and beside an allowed one. The gateway's answers are checked as a client decodes them, and the
// backend's own end offsets prove that not one denied record was written.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { FrameReader } from '../../../gateway/net/frame-reader.ts';
import { decodeResponseFrame, encodeRequestFrame, type ProduceResponse } from '../../../gateway/protocol/index.ts';
import { recordsFor } from '../../harness/differential/catalogue-world.ts';
import { startGatewayProcess, type GatewayProcess } from '../../harness/gateway.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { freePorts } from '../../harness/ports.ts';

const POLICY = `version: 1
rules:
  - id: alice-writes-ok
    allow: [ALL]
    principals: [User:alice]
    resources: [{ topic: ok }]
  - id: bob-owns-no
    allow: [ALL]
    principals: [User:bob]
    resources: [{ topic: no }]
`;

let cluster: KafkaCluster;
let gw: GatewayProcess;
let dir: string;
let port = 0;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-produce-'));
  fs.writeFileSync(path.join(dir, 'policy.yaml'), POLICY);
  cluster = await startKafka({ version: '3.9', brokers: 1 });
  const admin = new Kafka({ clientId: 'setup', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'ok' }, { topic: 'no' }], waitForLeaders: true });
  await admin.disconnect();
  const [bootstrap, broker] = await freePorts(2);
  port = bootstrap;
  gw = await startGatewayProcess({
    backendBootstrap: cluster.bootstrap,
    maxBrokers: 1,
    extraConfig: { authorization: { policies: [path.join(dir, 'policy.yaml')] } },
    listeners: [
      {
        name: 'plain',
        bind: `127.0.0.1:${bootstrap}`,
        plaintext: true,
        network: { identities: { '127.0.0.1/32': 'User:alice' } },
        routing: { brokerPorts: { 1: broker } },
      },
    ],
  });
});
after(async () => {
  await gw?.stop();
  await cluster?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

type Outcome = 'closed' | 'no answer' | Array<[string, number[]]>;

/** One Produce on a fresh connection as User:alice: the decoded answer, or how the connection ended. */
async function produce(version: number, acks: number, topics: string[]): Promise<Outcome> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const reader = new FrameReader(() => 1 << 30);
  const body = {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: topics.map((name) => ({ name, partitionData: [{ index: 0, records: recordsFor(version, `v${version} to ${name}`) }] })),
  };
  socket.write(
    encodeRequestFrame({ requestApiKey: 0, requestApiVersion: version, correlationId: 1, clientId: 'leak-check' }, body, {
      sizePrefix: true,
    }),
  );
  try {
    return await new Promise<Outcome>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        for (const f of reader.push(chunk)) {
          const res = decodeResponseFrame(f.payload, 0, version).body as ProduceResponse;
          resolve(res.responses.map((r) => [r.name, r.partitionResponses.map((p) => p.errorCode)]));
        }
      });
      socket.on('close', () => resolve('closed'));
      // acks=0 that is allowed gets no answer; wait long enough for a close to show.
      setTimeout(() => resolve('no answer'), 1500);
    });
  } finally {
    socket.destroy();
  }
}

test('denied Produce at every version and acks never writes a record, and is answered as a broker answers', async () => {
  const versions = Array.from({ length: 12 }, (_, v) => v); // 3.9 serves Produce v0–11
  let allowedWrites = 0;
  for (const v of versions) {
    assert.deepEqual(await produce(v, -1, ['no']), [['no', [29]]], `v${v} acks=-1 denied`);
    const partial = await produce(v, -1, ['ok', 'no']);
    assert.deepEqual(
      partial,
      [
        ['ok', [0]],
        ['no', [29]],
      ],
      `v${v} acks=-1 partial`,
    );
    allowedWrites++;
    // A broker closes the connection when an acks=0 Produce has any partition error (spec §2.1.7).
    assert.equal(await produce(v, 0, ['no']), 'closed', `v${v} acks=0 denied`);
    assert.equal(await produce(v, 0, ['ok', 'no']), 'closed', `v${v} acks=0 partial`);
  }
  const admin = new Kafka({ clientId: 'check', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const denied = await admin.fetchTopicOffsets('no');
    const allowed = await admin.fetchTopicOffsets('ok');
    assert.equal(denied[0].high, '0', 'no record reached the denied topic');
    // The allowed half of each partial produce did go through (one batch or message each).
    assert.ok(Number(allowed[0].high) >= allowedWrites, `allowed topic has ${allowed[0].high} records`);
  } finally {
    await admin.disconnect();
  }
});
