// DescribeTopicPartitions: explicit names (29 entries with a zero id), all topics (filtered quietly), and the
// TopicAuthorizedOperations bitfield always computed by the gateway.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeTopicPartitionsEnforcer } from '../../../../../gateway/authz/enforce/topics/describe-topic-partitions.ts';
import { ZERO_UUID, type Struct } from '../../../../../gateway/protocol/index.ts';
import { requestView, testContext } from '../context.ts';
import { answered, merged, sent } from './typed.ts';

const DTP = 75 as const;
const INT_MIN = -2147483648;
const ID_A = 'AAAAAAAAAAAAAAAAAAAAAQ';
const ID_B = 'AAAAAAAAAAAAAAAAAAAAAg';

const request = (names: string[]): Struct => ({ topics: names.map((name) => ({ name })), responsePartitionLimit: 2000, cursor: null });
const topic = (name: string, topicId: string): Struct => ({
  errorCode: 0,
  name,
  topicId,
  isInternal: false,
  partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1] }],
  topicAuthorizedOperations: 0x7ff8, // what a backend without an authorizer would say
});
const backend = (topics: Struct[]): Struct => ({ throttleTimeMs: 0, topics, nextCursor: null });

test('explicit, all allowed: forwarded, bitfields computed for the principal', () => {
  const ctx = testContext(['User:alice ALLOW READ TOPIC a']);
  const d = describeTopicPartitionsEnforcer.onRequest(requestView(DTP, 0, request(['a'])), ctx);
  assert.equal(d.action, 'forward');
  const res = merged(describeTopicPartitionsEnforcer, 0, backend([topic('a', ID_A)]), d, ctx);
  assert.equal(res.topics[0].topicAuthorizedOperations, 0x108);
});

test('explicit, partial and all denied: 29 entry with the name, zero id, no partitions', () => {
  const ctx = testContext(['User:alice ALLOW DESCRIBE TOPIC a']);
  const d = describeTopicPartitionsEnforcer.onRequest(requestView(DTP, 0, request(['a', 'b'])), ctx);
  assert.deepEqual(
    sent(DTP, 0, d).topics.map((t) => t.name),
    ['a'],
  );
  const res = merged(describeTopicPartitionsEnforcer, 0, backend([topic('a', ID_A)]), d, ctx);
  assert.deepEqual(
    res.topics.map((t) => [t.name, t.topicId, t.errorCode, t.isInternal, t.partitions.length, t.topicAuthorizedOperations]),
    [
      ['a', ID_A, 0, false, 1, 1 << 8],
      ['b', ZERO_UUID, 29, false, 0, INT_MIN],
    ],
  );
  const all = describeTopicPartitionsEnforcer.onRequest(requestView(DTP, 0, request(['b'])), ctx);
  const res2 = answered(DTP, 0, all);
  assert.deepEqual(
    res2.topics.map((t) => [t.name, t.topicId, t.errorCode, t.partitions.length]),
    [['b', ZERO_UUID, 29, 0]],
  );
  assert.equal(res2.nextCursor, null);
});

test('all topics (empty list): unauthorized topics omitted without denial log', () => {
  const ctx = testContext(['User:alice ALLOW DESCRIBE TOPIC b']);
  const d = describeTopicPartitionsEnforcer.onRequest(requestView(DTP, 0, request([])), ctx);
  assert.equal(d.action, 'forward');
  const res = merged(describeTopicPartitionsEnforcer, 0, backend([topic('a', ID_A), topic('b', ID_B)]), d, ctx);
  assert.deepEqual(
    res.topics.map((t) => [t.name, t.topicAuthorizedOperations]),
    [['b', 1 << 8]],
  );
  assert.ok(ctx.asked.every((q) => q.quiet));
});
