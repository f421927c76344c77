// DescribeConfigs (32), AlterConfigs (33), IncrementalAlterConfigs (44): authorization per resource by
// type (topic 29, group 30, broker / broker logger / client metrics 31), placement and messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alterConfigs } from '../../../../../gateway/authz/enforce/admin/alter-configs.ts';
import { describeConfigs } from '../../../../../gateway/authz/enforce/admin/describe-configs.ts';
import { incrementalAlterConfigs } from '../../../../../gateway/authz/enforce/admin/incremental-alter-configs.ts';
import type { AnyEnforcer, RequestDecision } from '../../../../../gateway/authz/enforce/enforcer.ts';
import type { Struct, TypedApiKey } from '../../../../../gateway/protocol/index.ts';
import { requestView, testContext } from '../context.ts';
import { answered, merged, rewritten } from './typed.ts';

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;
const CLIENT_METRICS = 16;
const GROUP = 32;

function decide(e: AnyEnforcer, version: number, acls: string[], body: Struct) {
  const ctx = testContext(acls);
  return { ctx, decision: e.onRequest(requestView(e.apiKey as TypedApiKey, version, body), ctx) as RequestDecision };
}

const describeBody = (...resources: [number, string][]) => ({
  resources: resources.map(([resourceType, resourceName]) => ({ resourceType, resourceName, configurationKeys: null })),
  includeSynonyms: false,
  includeDocumentation: false,
});
const described = (resourceType: number, resourceName: string) => ({
  errorCode: 0,
  errorMessage: null,
  resourceType,
  resourceName,
  configs: [{ name: 'k', value: 'v', readOnly: false, isDefault: false, configSource: 1, isSensitive: false, synonyms: [] }],
});

test('DescribeConfigs: all allowed → forward, no memo (v0, v2, v4)', () => {
  const acls = ['User:alice ALLOW DESCRIBE_CONFIGS TOPIC t', 'User:alice ALLOW ALTER_CONFIGS CLUSTER kafka-cluster'];
  for (const v of [0, 2, 4]) {
    const { ctx, decision } = decide(
      describeConfigs,
      v,
      acls,
      describeBody([TOPIC, 't'], [BROKER, '1'], [BROKER_LOGGER, '1'], [CLIENT_METRICS, 'm']),
    );
    assert.deepEqual(decision, { action: 'forward' });
    assert.deepEqual(
      ctx.asked.map((q) => `${q.operation} ${q.type} ${q.name}`),
      [
        'DESCRIBE_CONFIGS TOPIC t',
        'DESCRIBE_CONFIGS CLUSTER kafka-cluster',
        'DESCRIBE_CONFIGS CLUSTER kafka-cluster',
        'DESCRIBE_CONFIGS CLUSTER kafka-cluster',
      ],
    );
  }
});

test('DescribeConfigs: all denied → each type its code, default message, empty configs, in request order', () => {
  for (const v of [0, 3, 4]) {
    const { decision } = decide(describeConfigs, v, [], describeBody([GROUP, 'g'], [TOPIC, 't'], [BROKER, '']));
    assert.equal(decision.action, 'answer', `v${v}`);
    const res = answered(32, v, decision);
    assert.deepEqual(
      res.results.map((r) => [r.resourceType, r.resourceName, r.errorCode, r.errorMessage, r.configs]),
      [
        [GROUP, 'g', 30, 'Group authorization failed.', []],
        [TOPIC, 't', 29, 'Topic authorization failed.', []],
        [BROKER, '', 31, 'Cluster authorization failed.', []],
      ],
    );
  }
});

test('DescribeConfigs: partial → authorized results first, then the denied ones', () => {
  const { decision } = decide(
    describeConfigs,
    4,
    ['User:alice ALLOW DESCRIBE_CONFIGS TOPIC b'],
    describeBody([TOPIC, 'a'], [TOPIC, 'b'], [GROUP, 'g']),
  );
  assert.equal(decision.action, 'rewrite');
  assert.deepEqual(
    rewritten(32, decision).resources.map((r) => r.resourceName),
    ['b'],
  );
  const res = merged(describeConfigs, 4, { results: [described(TOPIC, 'b')] }, decision);
  assert.deepEqual(
    res.results.map((r) => [r.resourceName, r.errorCode]),
    [
      ['b', 0],
      ['a', 29],
      ['g', 30],
    ],
  );
});

test('DescribeConfigs: an unknown resource type → 42 in every result, nothing forwarded', () => {
  const { decision } = decide(describeConfigs, 1, ['User:alice ALLOW ALL TOPIC *'], describeBody([TOPIC, 't'], [3, 'x']));
  assert.equal(decision.action, 'answer');
  const res = answered(32, 1, decision);
  assert.deepEqual(
    res.results.map((r) => [r.resourceName, r.errorCode]),
    [
      ['t', 42],
      ['x', 42],
    ],
  );
});

const alterBody = (...resources: [number, string, string | null][]) => ({
  resources: resources.map(([resourceType, resourceName, value]) => ({ resourceType, resourceName, configs: [{ name: 'k', value }] })),
  validateOnly: false,
});
const incBody = (...resources: [number, string, number, string | null][]) => ({
  resources: resources.map(([resourceType, resourceName, configOperation, value]) => ({
    resourceType,
    resourceName,
    configs: [{ name: 'k', configOperation, value }],
  })),
  validateOnly: true,
});
const altered = (resourceType: number, resourceName: string, errorCode = 0) => ({
  errorCode,
  errorMessage: null,
  resourceType,
  resourceName,
});

for (const [e, name, versions] of [
  [alterConfigs, 'AlterConfigs', [0, 1, 2]],
  [incrementalAlterConfigs, 'IncrementalAlterConfigs', [0, 1]],
] as const) {
  const body = (...r: [number, string][]) =>
    e === alterConfigs
      ? alterBody(...r.map(([t, n]): [number, string, string] => [t, n, 'v']))
      : incBody(...r.map(([t, n]): [number, string, number, string] => [t, n, 0, 'v']));

  test(`${name}: all allowed → forward, no memo`, () => {
    for (const v of versions) {
      const { decision } = decide(
        e,
        v,
        ['User:alice ALLOW ALTER_CONFIGS TOPIC *', 'User:alice ALLOW ALTER_CONFIGS GROUP *'],
        body([TOPIC, 't'], [GROUP, 'g']),
      );
      assert.deepEqual(decision, { action: 'forward' }, `v${v}`);
    }
  });

  test(`${name}: all denied → 29 / 30 / 31 with the default message, in request order`, () => {
    for (const v of versions) {
      const { decision } = decide(
        e,
        v,
        ['User:alice ALLOW DESCRIBE_CONFIGS TOPIC *'],
        body([TOPIC, 't'], [GROUP, 'g'], [BROKER, '1'], [CLIENT_METRICS, 'm']),
      );
      assert.equal(decision.action, 'answer', `v${v}`);
      const res = answered(e.apiKey, v, decision);
      assert.deepEqual(
        res.responses.map((r) => [r.resourceName, r.errorCode, r.errorMessage]),
        [
          ['t', 29, 'Topic authorization failed.'],
          ['g', 30, 'Group authorization failed.'],
          ['1', 31, 'Cluster authorization failed.'],
          ['m', 31, 'Cluster authorization failed.'],
        ],
      );
    }
  });

  test(`${name}: partial → the denied resource goes back to its place in the request order`, () => {
    const v = versions[versions.length - 1];
    const { decision } = decide(
      e,
      v,
      ['User:alice ALLOW ALTER_CONFIGS TOPIC a', 'User:alice ALLOW ALTER_CONFIGS TOPIC c'],
      body([TOPIC, 'a'], [TOPIC, 'b'], [TOPIC, 'c']),
    );
    assert.equal(decision.action, 'rewrite');
    assert.deepEqual(
      rewritten(e.apiKey, decision).resources.map((r) => r.resourceName),
      ['a', 'c'],
    );
    const res = merged(e, v, { responses: [altered(TOPIC, 'a'), altered(TOPIC, 'c')] }, decision);
    assert.deepEqual(
      res.responses.map((r) => [r.resourceName, r.errorCode]),
      [
        ['a', 0],
        ['b', 29],
        ['c', 0],
      ],
    );
  });

  test(`${name}: resources the broker rejects before authorizing are left to the backend, unasked`, () => {
    const v = versions[0];
    // the same resource twice, and an unknown type
    const { ctx, decision } = decide(e, v, [], body([TOPIC, 'dup'], [TOPIC, 'dup'], [1, 'x'], [TOPIC, 'denied']));
    assert.equal(decision.action, 'rewrite');
    assert.deepEqual(
      rewritten(e.apiKey, decision).resources.map((r) => r.resourceName),
      ['dup', 'dup', 'x'],
    );
    assert.deepEqual(
      ctx.asked.map((q) => q.name),
      ['denied'],
    );
  });
}

test('AlterConfigs: a null value and BROKER_LOGGER fail pre-validation (left to the backend)', () => {
  const { ctx, decision } = decide(alterConfigs, 1, [], alterBody([TOPIC, 'n', null], [BROKER_LOGGER, '1', 'DEBUG']));
  assert.deepEqual(decision, { action: 'forward' });
  assert.deepEqual(ctx.asked, []);
});

test('IncrementalAlterConfigs: BROKER_LOGGER needs ALTER_CONFIGS on the cluster; DELETE may carry null', () => {
  const { ctx, decision } = decide(
    incrementalAlterConfigs,
    1,
    ['User:alice ALLOW ALTER_CONFIGS TOPIC t'],
    incBody([BROKER_LOGGER, '1', 0, 'DEBUG'], [TOPIC, 't', 1, null]),
  );
  assert.equal(decision.action, 'rewrite');
  assert.deepEqual(
    ctx.asked.map((q) => `${q.operation} ${q.type} ${q.name}`),
    ['ALTER_CONFIGS CLUSTER kafka-cluster', 'ALTER_CONFIGS TOPIC t'],
  );
  const res = merged(incrementalAlterConfigs, 1, { responses: [altered(TOPIC, 't')] }, decision);
  assert.deepEqual(
    res.responses.map((r) => [r.resourceType, r.errorCode, r.errorMessage]),
    [
      [BROKER_LOGGER, 31, null],
      [TOPIC, 0, null],
    ],
  );
  // a null SET value is the broker's 42, not an authorization question
  const nullSet = decide(incrementalAlterConfigs, 0, [], incBody([TOPIC, 't', 0, null]));
  assert.deepEqual(nullSet.decision, { action: 'forward' });
  assert.deepEqual(nullSet.ctx.asked, []);
});
