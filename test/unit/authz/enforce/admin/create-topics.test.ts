// CreateTopics (19): CREATE on the cluster (quiet) or per topic, 29 "Authorization failed." for denied
// topics, duplicates left to the backend, and v5+ configs withheld without DESCRIBE_CONFIGS.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTopics } from '../../../../../gateway/authz/enforce/admin/create-topics.ts';
import type { RequestDecision } from '../../../../../gateway/authz/enforce/enforcer.ts';
import type { Struct } from '../../../../../gateway/protocol/index.ts';
import { requestView, testContext } from '../context.ts';
import { answered, merged, rewritten } from './typed.ts';

const topic = (name: string) => ({ name, numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] });
const request = (...names: string[]) => ({ topics: names.map(topic), timeoutMs: 1000, validateOnly: false });
const created = (name: string) => ({
  name,
  topicId: 'AAAAAAAAAAAAAAAAAAAAAQ',
  errorCode: 0,
  errorMessage: null,
  numPartitions: 3,
  replicationFactor: 1,
  configs: [{ name: 'cleanup.policy', value: 'delete', readOnly: false, configSource: 5, isSensitive: false }],
});

function decide(version: number, acls: string[], body: Struct) {
  const ctx = testContext(acls);
  return { ctx, decision: createTopics.onRequest(requestView(19, version, body), ctx) as RequestDecision };
}

test('CREATE on the cluster authorizes every topic, asked quietly; with DESCRIBE_CONFIGS nothing is decoded', () => {
  for (const v of [0, 4, 7]) {
    const { ctx, decision } = decide(
      v,
      ['User:alice ALLOW CREATE CLUSTER kafka-cluster', 'User:alice ALLOW DESCRIBE_CONFIGS TOPIC *'],
      request('a', 'b'),
    );
    assert.deepEqual(decision, { action: 'forward' }, `v${v}`);
    assert.deepEqual(ctx.asked[0], { operation: 'CREATE', type: 'CLUSTER', name: 'kafka-cluster', quiet: true });
    assert.ok(!ctx.asked.some((q) => q.operation === 'CREATE' && q.type === 'TOPIC'), 'no per-topic CREATE after the cluster grant');
  }
});

test('every topic denied → answered locally: 29 "Authorization failed." per topic, defaults at every version', () => {
  for (const v of [0, 1, 5, 7]) {
    const { decision } = decide(v, ['User:alice ALLOW CREATE TOPIC other'], request('a', 'b'));
    assert.equal(decision.action, 'answer', `v${v}`);
    const res = answered(19, v, decision);
    assert.deepEqual(
      res.topics.map((t) => [t.name, t.errorCode]),
      [
        ['a', 29],
        ['b', 29],
      ],
    );
    for (const t of res.topics) {
      if (v >= 1) assert.equal(t.errorMessage, 'Authorization failed.');
      if (v >= 5) {
        assert.equal(t.numPartitions, -1);
        assert.equal(t.replicationFactor, -1);
        assert.deepEqual(t.configs, []);
      }
      if (v >= 7) assert.equal(t.topicId, 'AAAAAAAAAAAAAAAAAAAAAA');
    }
  }
});

test('partial: the denied topic is stripped, then merged back after the backend results', () => {
  for (const v of [2, 5, 7]) {
    const { decision } = decide(v, ['User:alice ALLOW CREATE TOPIC a', 'User:alice ALLOW DESCRIBE_CONFIGS TOPIC a'], request('a', 'b'));
    assert.equal(decision.action, 'rewrite', `v${v}`);
    assert.deepEqual(
      rewritten(19, decision).topics.map((t) => t.name),
      ['a'],
    );
    const res = merged(createTopics, v, { topics: [created('a')] }, decision);
    assert.deepEqual(
      res.topics.map((t) => [t.name, t.errorCode]),
      [
        ['a', 0],
        ['b', 29],
      ],
    );
    if (v >= 5) assert.equal(res.topics[0].configs?.length, 1, 'describable configs stay');
  }
});

test('duplicates are left to the backend (42 there) and never authorized; alone they are forwarded', () => {
  const { ctx, decision } = decide(7, [], request('d', 'd'));
  assert.deepEqual(decision, { action: 'forward' });
  assert.ok(!ctx.asked.some((q) => q.name === 'd'), 'a duplicated name is not authorized');
  const mixed = decide(7, ['User:alice ALLOW CREATE TOPIC a'], request('d', 'a', 'd', 'x'));
  assert.equal(mixed.decision.action, 'rewrite');
  assert.deepEqual(
    rewritten(19, mixed.decision).topics.map((t) => t.name),
    ['d', 'a', 'd'],
  );
});

test('v5+: created topics without DESCRIBE_CONFIGS get TopicConfigErrorCode 29, −1 counts and no configs', () => {
  for (const v of [5, 6, 7]) {
    const { ctx, decision } = decide(
      v,
      ['User:alice ALLOW CREATE TOPIC *', 'User:alice ALLOW DESCRIBE_CONFIGS TOPIC seen'],
      request('seen', 'hidden'),
    );
    assert.equal(decision.action, 'forward', `v${v}`);
    assert.ok(ctx.asked.some((q) => q.operation === 'DESCRIBE_CONFIGS' && q.name === 'hidden' && q.quiet));
    const failed = { ...created('hidden2'), errorCode: 36, errorMessage: "Topic 'hidden2' already exists." };
    const res = merged(createTopics, v, { topics: [created('seen'), created('hidden'), failed] }, decision);
    const [seen, hidden] = res.topics;
    assert.equal(seen.topicConfigErrorCode, 0);
    assert.equal(seen.numPartitions, 3);
    assert.equal(seen.configs?.length, 1);
    assert.equal(hidden.errorCode, 0);
    assert.equal(hidden.topicConfigErrorCode, 29);
    assert.equal(hidden.numPartitions, -1);
    assert.equal(hidden.replicationFactor, -1);
    assert.deepEqual(hidden.configs, []);
    assert.equal(res.topics.length, 3);
  }
});

test('before v5 configs are not in the response: no DESCRIBE_CONFIGS question, no memo', () => {
  const { ctx, decision } = decide(4, ['User:alice ALLOW CREATE TOPIC *'], request('a'));
  assert.deepEqual(decision, { action: 'forward' });
  assert.ok(!ctx.asked.some((q) => q.operation === 'DESCRIBE_CONFIGS'));
});
