// DescribeGroups (15): DESCRIBE per group (30 entry with §2.4 defaults), bitfields computed by the gateway (v3+).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeGroups } from '../../../../../gateway/authz/enforce/groups/describe-groups.ts';
import { answered, decide, forwardedWithoutMemo, rewritten, afterResponse, forwardMemo } from './helpers.ts';

const INT_MIN = -2147483648;
const described = (groupId: string, errorCode = 0) => ({
  errorCode,
  groupId,
  groupState: 'Stable',
  protocolType: 'consumer',
  protocolData: 'range',
  members: [],
  authorizedOperations: INT_MIN,
});

for (const version of [0, 3, 6]) {
  test(`DescribeGroups v${version}: all denied → 30 entries with the broker's defaults`, () => {
    const body = answered(
      describeGroups,
      version,
      decide(describeGroups, version, { groups: ['g1', 'g2'], includeAuthorizedOperations: false }, []).decision,
    );
    assert.deepEqual(
      body.groups.map((g) => [g.groupId, g.errorCode, g.groupState, g.protocolType, g.protocolData, g.members, g.authorizedOperations]),
      [
        ['g1', 30, '', '', '', [], INT_MIN],
        ['g2', 30, '', '', '', [], INT_MIN],
      ],
    );
  });

  test(`DescribeGroups v${version}: partial → allowed groups asked, denied appended`, () => {
    const { decision, ctx } = decide(describeGroups, version, { groups: ['g1', 'g2'], includeAuthorizedOperations: false }, [
      'User:alice ALLOW DESCRIBE GROUP g1',
    ]);
    const { body, memo } = rewritten(describeGroups, version, decision);
    assert.deepEqual(body.groups, ['g1']);
    const merged = afterResponse(describeGroups, version, { groups: [described('g1')] }, memo, ctx);
    assert.deepEqual(
      merged.groups.map((g: { groupId: string; errorCode: number; authorizedOperations: number }) => [
        g.groupId,
        g.errorCode,
        g.authorizedOperations,
      ]),
      [
        ['g1', 0, INT_MIN],
        ['g2', 30, INT_MIN],
      ],
    );
  });
}

test('DescribeGroups v0: all allowed → forward, no memo', () => {
  forwardedWithoutMemo(decide(describeGroups, 0, { groups: ['g'] }, ['User:alice ALLOW DESCRIBE GROUP g']).decision);
});

test('DescribeGroups v5: IncludeAuthorizedOperations → the gateway fills the bitfield of groups without error', () => {
  const acls = ['User:alice ALLOW READ GROUP g1', 'User:alice ALLOW DESCRIBE GROUP g2'];
  const { decision, ctx } = decide(describeGroups, 5, { groups: ['g1', 'g2'], includeAuthorizedOperations: true }, acls);
  assert.equal(decision.action, 'forward');
  // The backend (no authorizer) claims every operation; g2 errored (e.g. coordinator moving).
  const backend = {
    groups: [
      { ...described('g1'), authorizedOperations: 0x7fff },
      { ...described('g2', 16), authorizedOperations: INT_MIN },
    ],
  };
  const merged = afterResponse(describeGroups, 5, backend, forwardMemo(decision), ctx);
  // READ implies DESCRIBE: bits 3 (READ) and 8 (DESCRIBE).
  assert.deepEqual(
    merged.groups.map((g: { authorizedOperations: number }) => g.authorizedOperations),
    [(1 << 3) | (1 << 8), INT_MIN],
  );
});
