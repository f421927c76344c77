// DeleteTopics (20): DELETE on the cluster (quiet) → all; else DESCRIBE and DELETE per topic with the
// name/id disclosure rules, unknown ids resolved first and answered 100, duplicates left to the backend.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deleteTopics } from '../../../../../gateway/authz/enforce/admin/delete-topics.ts';
import type { RequestDecision } from '../../../../../gateway/authz/enforce/enforcer.ts';
import { ZERO_UUID, type Struct } from '../../../../../gateway/protocol/index.ts';
import { requestView, testContext } from '../context.ts';
import { answered, merged, rewritten } from './typed.ts';

const ID_A = 'AAAAAAAAAAAAAAAAAAAAAQ';
const ID_B = 'AAAAAAAAAAAAAAAAAAAAAg';
const ID_GONE = 'AAAAAAAAAAAAAAAAAAAAAw';
const topicIds = { [ID_A]: 'a', [ID_B]: 'b' };

const byNames = (v: number, ...names: string[]) =>
  v >= 6 ? { topics: names.map((name) => ({ name, topicId: ZERO_UUID })), timeoutMs: 1000 } : { topicNames: names, timeoutMs: 1000 };
const byIds = (...ids: string[]) => ({ topics: ids.map((topicId) => ({ name: null, topicId })), timeoutMs: 1000 });

function decide(version: number, acls: string[], body: Struct, resolved = false) {
  const ctx = testContext(acls, { topicIds });
  return { ctx, decision: deleteTopics.onRequest(requestView(20, version, body, { topicIdsResolved: resolved }), ctx) as RequestDecision };
}

const answer = (v: number, d: RequestDecision) => answered(20, v, d);

test('DELETE on the cluster authorizes everything, asked quietly, without resolving ids', () => {
  const { ctx, decision } = decide(6, ['User:alice ALLOW DELETE CLUSTER kafka-cluster'], byIds(ID_GONE));
  assert.deepEqual(decision, { action: 'forward' });
  assert.deepEqual(ctx.asked, [{ operation: 'DELETE', type: 'CLUSTER', name: 'kafka-cluster', quiet: true }]);
});

test('by name, all allowed → forward with no memo (oldest, middle, newest version)', () => {
  for (const v of [0, 3, 6])
    assert.deepEqual(decide(v, ['User:alice ALLOW DELETE TOPIC *'], byNames(v, 'a', 'b')).decision, { action: 'forward' });
});

test('by name, denied → 29 with the name and a zero id, default message where the version has one', () => {
  for (const v of [0, 5, 6]) {
    // DESCRIBE without DELETE and nothing at all give the same answer for a name.
    const { decision } = decide(v, ['User:alice ALLOW DESCRIBE TOPIC a'], byNames(v, 'a', 'b'));
    assert.equal(decision.action, 'answer', `v${v}`);
    const res = answer(v, decision);
    assert.deepEqual(
      res.responses.map((r) => [r.name, r.errorCode]),
      [
        ['a', 29],
        ['b', 29],
      ],
    );
    if (v >= 5) assert.equal(res.responses[0].errorMessage, 'Topic authorization failed.');
    if (v >= 6) assert.equal(res.responses[0].topicId, ZERO_UUID);
  }
});

test('partial by name: the denied name is stripped and merged back after the backend results', () => {
  for (const v of [1, 4, 6]) {
    const { decision } = decide(v, ['User:alice ALLOW DELETE TOPIC a'], byNames(v, 'a', 'b'));
    assert.equal(decision.action, 'rewrite', `v${v}`);
    const body = rewritten(20, decision);
    assert.deepEqual(v >= 6 ? body.topics.map((t) => t.name) : body.topicNames, ['a']);
    const backend = { responses: [{ name: 'a', topicId: ID_A, errorCode: 0, errorMessage: null }] };
    const res = merged(deleteTopics, v, backend, decision);
    assert.deepEqual(
      res.responses.map((r) => [r.name, r.errorCode]),
      [
        ['a', 0],
        ['b', 29],
      ],
    );
  }
});

test('by id: unknown ids are looked up first, then answered 100 before any authorization', () => {
  const first = decide(6, ['User:alice ALLOW DELETE TOPIC *'], byIds(ID_A, ID_GONE));
  assert.deepEqual(first.decision, { action: 'resolve-topic-ids', topicIds: [ID_GONE] });
  assert.ok(!first.ctx.asked.some((q) => q.type === 'TOPIC'), 'nothing authorized before the ids are known');
  const again = decide(6, ['User:alice ALLOW DELETE TOPIC *'], byIds(ID_A, ID_GONE), true);
  assert.equal(again.decision.action, 'rewrite');
  assert.deepEqual(
    rewritten(20, again.decision).topics.map((t) => t.topicId),
    [ID_A],
  );
  const res = merged(deleteTopics, 6, { responses: [{ name: 'a', topicId: ID_A, errorCode: 0 }] }, again.decision);
  assert.deepEqual(res.responses[1], {
    name: null,
    topicId: ID_GONE,
    errorCode: 100,
    errorMessage: 'This server does not host this topic ID.',
  });
});

test('by id, not deletable: the name is disclosed only with DESCRIBE', () => {
  const { decision } = decide(6, ['User:alice ALLOW DESCRIBE TOPIC a'], byIds(ID_A, ID_B));
  assert.equal(decision.action, 'answer');
  const res = answer(6, decision);
  assert.deepEqual(
    res.responses.map((r) => [r.name, r.topicId, r.errorCode]),
    [
      ['a', ID_A, 29],
      [null, ID_B, 29],
    ],
  );
});

test('duplicates and malformed entries are left to the backend and not authorized', () => {
  const body = {
    topics: [
      { name: 'd', topicId: ZERO_UUID },
      { name: 'd', topicId: ZERO_UUID },
      { name: null, topicId: ZERO_UUID },
      { name: 'both', topicId: ID_A },
      { name: 'x', topicId: ZERO_UUID },
    ],
    timeoutMs: 1000,
  };
  const { ctx, decision } = decide(6, [], body);
  assert.equal(decision.action, 'rewrite');
  assert.deepEqual(
    rewritten(20, decision).topics.map((t) => t.name),
    ['d', 'd', null, 'both'],
  );
  assert.deepEqual([...new Set(ctx.asked.filter((q) => q.type === 'TOPIC').map((q) => q.name))], ['x']);
});
