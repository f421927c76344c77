// The differential harness's normalization and comparison: what is made comparable between two clusters
// and what must still differ (error codes, sentinels of denied items, present/filtered items, messages).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareOutcomes, type SideOutcome } from '../../harness/differential/compare.ts';
import { ignored, normalize } from '../../harness/differential/normalize.ts';
import { coverageReport, notAdvertised } from '../../harness/differential/report.ts';
import type { CaseResult, DifferentialCase } from '../../harness/differential/run-cases.ts';

const ids = new Map([
  ['securedIdOfAllowedxxxx', 'diff.allowed'],
  ['gatewayIdOfAllowedxxxx', 'diff.allowed'],
]);
const norm = (body: unknown, ignore: string[] = []): SideOutcome => ({
  kind: 'response',
  body: normalize(body, { topicName: (id) => ids.get(id), ignore }),
});

describe('differential normalization', () => {
  test('live values become placeholders but negative sentinels stay, so a denied item still differs from an allowed one', () => {
    const allowed = norm({
      throttleTimeMs: 7,
      responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 41n }] }],
    });
    const sameOtherCluster = norm({
      throttleTimeMs: 0,
      responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 3n }] }],
    });
    const denied = norm({
      throttleTimeMs: 0,
      responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 29, baseOffset: -1n }] }],
    });
    assert.deepEqual(compareOutcomes(allowed, sameOtherCluster), []);
    assert.deepEqual(compareOutcomes(allowed, denied), [
      'responses[t].partitionResponses[0].errorCode: secured 0 ≠ gateway 29',
      'responses[t].partitionResponses[0].baseOffset: secured "#" ≠ gateway -1',
    ]);
  });

  test('topic ids are compared by the name each side gives them; hosts, ports and cluster ids are not compared', () => {
    const a = norm({
      clusterId: 'abc',
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092 }],
      topics: [{ topicId: 'securedIdOfAllowedxxxx' }],
    });
    const b = norm({
      clusterId: 'xyz',
      brokers: [{ nodeId: 1, host: 'localhost', port: 19092 }],
      topics: [{ topicId: 'gatewayIdOfAllowedxxxx' }],
    });
    assert.deepEqual(compareOutcomes(a, b), []);
    assert.deepEqual(compareOutcomes(norm({ key: 'g:securedIdOfAllowedxxxx:0' }), norm({ key: 'g:gatewayIdOfAllowedxxxx:0' })), []);
    const unknown: string[] = [];
    normalize({ topicId: 'neverSeenIdxxxxxxxxxxx' }, { topicName: () => undefined, ignore: [], unknownIds: unknown });
    assert.deepEqual(unknown, ['neverSeenIdxxxxxxxxxxx']);
  });

  test("error messages are compared, except the cluster-operation text that embeds the broker's request description", () => {
    const broker = norm({ errorMessage: 'Request Request(processor=0, connectionId=1-2-3, session=Session@1) needs ALTER permission.' });
    const gateway = norm({ errorMessage: 'Request ElectLeaders(apiVersion=0, clientId=x, correlationId=7) needs ALTER permission.' });
    assert.deepEqual(compareOutcomes(broker, gateway), []);
    const older = norm({ errorMessage: 'Request Request(processor=0, envelope=None) is not authorized.' });
    assert.deepEqual(compareOutcomes(broker, older), []);
    const other = norm({ errorMessage: 'Cluster authorization failed.' });
    assert.equal(compareOutcomes(broker, other).length, 1);
    assert.deepEqual(compareOutcomes(norm({ errorMessage: '' }), norm({ errorMessage: null })), [
      'errorMessage: secured "" ≠ gateway null',
    ]);
  });

  test('`ignore` paths cover a field and everything below it, with or without array markers', () => {
    assert.ok(ignored('responses[t].partitions[0].records', ['responses[].partitions[].records']));
    assert.ok(ignored('responses[t].partitions[0].records', ['responses.partitions']));
    assert.ok(ignored('groups[g].members[0].memberId', ['memberId']));
    assert.ok(!ignored('responses[t].partitions[0].errorCode', ['responses[].partitions[].records']));
    const a = norm({ groups: [{ groupId: 'g', members: [{ clientId: 'a' }] }] }, ['groups[].members']);
    const b = norm({ groups: [{ groupId: 'g', members: [] }] }, ['groups[].members']);
    assert.deepEqual(compareOutcomes(a, b), []);
  });
});

describe('differential comparison', () => {
  test('lists are multisets paired by their key: order does not matter, a missing or extra item does', () => {
    const a = norm({
      topics: [
        { name: 'x', errorCode: 0 },
        { name: 'y', errorCode: 29 },
      ],
    });
    const reordered = norm({
      topics: [
        { name: 'y', errorCode: 29 },
        { name: 'x', errorCode: 0 },
      ],
    });
    const filtered = norm({ topics: [{ name: 'x', errorCode: 0 }] });
    assert.deepEqual(compareOutcomes(a, reordered), []);
    assert.deepEqual(compareOutcomes(a, filtered), ['topics[y]: only on the secured broker {"name":"y","errorCode":29}']);
    assert.deepEqual(compareOutcomes(filtered, a), ['topics[y]: only through the gateway {"name":"y","errorCode":29}']);
  });

  test('where the spec defines the order, order is compared', () => {
    const a = norm({ results: [{ resourceName: 'x' }, { resourceName: 'y' }] });
    const b = norm({ results: [{ resourceName: 'y' }, { resourceName: 'x' }] });
    assert.deepEqual(compareOutcomes(a, b), []);
    assert.equal(compareOutcomes(a, b, new Set(['results'])).length, 2);
  });

  test('items without a key are compared as whole values', () => {
    const a = norm({ results: [{ errorCode: 0 }, { errorCode: 31 }] });
    assert.deepEqual(compareOutcomes(a, norm({ results: [{ errorCode: 31 }, { errorCode: 0 }] })), []);
    assert.deepEqual(compareOutcomes(a, norm({ results: [{ errorCode: 0 }, { errorCode: 0 }] })), [
      'results[]: only on the secured broker {"errorCode":31}',
      'results[]: only through the gateway {"errorCode":0}',
    ]);
  });

  test('a connection closed without an answer is an outcome of its own', () => {
    assert.deepEqual(compareOutcomes({ kind: 'closed' }, { kind: 'closed' }), []);
    assert.deepEqual(compareOutcomes({ kind: 'closed' }, norm({ errorCode: 0 })), [
      'outcome: secured closed ≠ gateway response {"errorCode":0}',
    ]);
  });
});

describe('differential report', () => {
  const c = (apiKey: number, version: number, scenario: DifferentialCase['scenario'], expectedDifference?: string): DifferentialCase => ({
    apiKey,
    version,
    scenario,
    name: `case ${apiKey} v${version} ${scenario}`,
    principal: 'alice',
    body: () => ({}),
    expectedDifference,
  });

  test('versions the broker serves and the gateway does not advertise are listed as spans', () => {
    const broker = new Map([
      [0, { min: 0, max: 13 }],
      [29, { min: 1, max: 3 }],
    ]);
    assert.deepEqual(notAdvertised(broker, new Map([[0, { min: 3, max: 12 }]])), [
      { apiKey: 0, versions: 'v0-2,v13' },
      { apiKey: 29, versions: 'v1-3' },
    ]);
  });

  test('the table counts equal/compared per API, version and scenario, and separates differences by design from failures', () => {
    const results: CaseResult[] = [
      { case: c(3, 12, 'allowed'), status: 'equal', diffs: [] },
      { case: c(3, 12, 'denied'), status: 'different', diffs: ['errorCode: secured 29 ≠ gateway 0'] },
      { case: c(29, 1, 'denied', 'ACL APIs are a separate issue'), status: 'different', diffs: ['errorCode: secured 31 ≠ gateway 54'] },
      { case: c(16, 4, 'allowed'), status: 'not-advertised', diffs: [] },
    ];
    const text = coverageReport({ title: 't', results, brokerApiVersions: new Map(), gatewayApiVersions: new Map() });
    assert.match(text, /Metadata \(3\)\s+12\s+1\/1\s+0\/1 ✗/);
    assert.match(text, /ListGroups \(16\)\s+4\s+not adv\./);
    assert.match(text, /Differences by design: \n {2}case 29 v1 denied .*\n {4}by design: ACL APIs are a separate issue/);
    assert.match(text, /Other differences \(failures\): \n {2}case 3 v12 denied/);
    assert.match(text, /Cases: 4 · equal 1 · different by design 1 · other differences 1 · not advertised 1/);
  });
});
