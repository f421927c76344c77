// A denied Produce never reaches the backend, at any version a client can send: every Produce version a
// 3.9 broker serves (v0–2 legacy message sets, v3+ record batches), acks=-1 and acks=0, a denied topic
// alone and beside an allowed one. The gateway's answers are checked as a client decodes them, and the
// backend's own end offsets prove that not one denied record was written.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaCluster } from '../../harness/kafka.ts';
import { startPolicyBed, type PolicyBed } from '../../harness/policy-bed.ts';
import { produceOnce } from '../../harness/raw-produce.ts';

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

let bed: PolicyBed;
let cluster: KafkaCluster;

before(async () => {
  bed = await startPolicyBed({ kafka: '3.9', topics: ['ok', 'no'], policy: POLICY });
  cluster = bed.cluster;
});
after(() => bed?.stop());

const produce = (version: number, acks: number, topics: string[]) => produceOnce(bed.port, version, acks, topics);

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
