// ConsumerGroupDescribe (69) and ShareGroupDescribe (77): DESCRIBE per group → 30; bitfield computed by the
// gateway; a group naming a topic the principal may not DESCRIBE becomes a 29 entry with the message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consumerGroupDescribe } from '../../../../../gateway/authz/enforce/groups/consumer-group-describe.ts';
import { shareGroupDescribe } from '../../../../../gateway/authz/enforce/groups/share-group-describe.ts';
import { answered, decide, rewritten, afterResponse, forwardMemo } from './helpers.ts';

const INT_MIN = -2147483648;
const ID_A = 'AAAAAAAAAAAAAAAAAAAAAQ';
const ID_S = 'AAAAAAAAAAAAAAAAAAAAAg';
const MESSAGE = 'The group has described topic(s) that the client is not authorized to describe.';

const member = (assigned: { id: string; name: string }[], target: { id: string; name: string }[] = []) => ({
  memberId: 'm',
  memberEpoch: 3,
  clientId: 'c',
  clientHost: '/10.0.0.1',
  subscribedTopicNames: [],
  assignment: { topicPartitions: assigned.map((t) => ({ topicId: t.id, topicName: t.name, partitions: [0] })) },
  targetAssignment: { topicPartitions: target.map((t) => ({ topicId: t.id, topicName: t.name, partitions: [0] })) },
});
const group = (groupId: string, members: ReturnType<typeof member>[]) => ({
  errorCode: 0,
  groupId,
  groupState: 'Stable',
  groupEpoch: 3,
  assignmentEpoch: 3,
  assignorName: 'uniform',
  members,
  authorizedOperations: INT_MIN,
});

const cases = [
  { enforcer: consumerGroupDescribe, name: 'ConsumerGroupDescribe' },
  { enforcer: shareGroupDescribe, name: 'ShareGroupDescribe' },
];

for (const { enforcer, name } of cases) {
  for (const version of [0, 1]) {
    test(`${name} v${version}: all groups denied → 30 entries`, () => {
      const body = answered(
        enforcer,
        version,
        decide(enforcer, version, { groupIds: ['g', 'h'], includeAuthorizedOperations: true }, []).decision,
      );
      assert.deepEqual(
        body.groups.map((g: { groupId: string; errorCode: number; members: unknown[]; authorizedOperations: number }) => [
          g.groupId,
          g.errorCode,
          g.members.length,
          g.authorizedOperations,
        ]),
        [
          ['g', 30, 0, INT_MIN],
          ['h', 30, 0, INT_MIN],
        ],
      );
    });

    test(`${name} v${version}: partial + a group with an undescribable assigned topic + bitfields`, () => {
      const acls = ['User:alice ALLOW DESCRIBE GROUP g', 'User:alice ALLOW READ GROUP h', 'User:alice ALLOW DESCRIBE TOPIC a'];
      const { decision, ctx } = decide(enforcer, version, { groupIds: ['g', 'h', 'x'], includeAuthorizedOperations: true }, acls);
      const { body, memo } = rewritten(enforcer, version, decision);
      assert.deepEqual(body.groupIds, ['g', 'h']);
      const backend = {
        groups: [
          group('g', [member([{ id: ID_A, name: 'a' }])]),
          group('h', [
            member([
              { id: ID_A, name: 'a' },
              { id: ID_S, name: 'secret' },
            ]),
          ]),
        ],
      };
      const merged = afterResponse(enforcer, version, backend, memo, ctx);
      assert.deepEqual(
        merged.groups.map(
          (g: { groupId: string; errorCode: number; errorMessage: string | null; members: unknown[]; authorizedOperations: number }) => [
            g.groupId,
            g.errorCode,
            g.errorMessage,
            g.members.length,
            g.authorizedOperations,
          ],
        ),
        [
          ['g', 0, null, 1, 1 << 8],
          ['h', 29, MESSAGE, 0, INT_MIN],
          ['x', 30, null, 0, INT_MIN],
        ],
      );
    });
  }
}

test('ConsumerGroupDescribe v1: a target-assignment topic counts; a nameless id the gateway cannot name is not describable', () => {
  const acls = ['User:alice ALLOW DESCRIBE GROUP *', 'User:alice ALLOW DESCRIBE TOPIC a'];
  const { decision, ctx } = decide(consumerGroupDescribe, 1, { groupIds: ['g', 'h', 'k'], includeAuthorizedOperations: false }, acls, {
    topicIds: { [ID_A]: 'a' },
  });
  assert.equal(decision.action, 'forward');
  const backend = {
    groups: [
      group('g', [member([{ id: ID_A, name: 'a' }], [{ id: ID_S, name: 'secret' }])]),
      group('h', [member([{ id: ID_S, name: '' }])]),
      group('k', [member([{ id: ID_A, name: '' }])]),
    ],
  };
  const merged = afterResponse(consumerGroupDescribe, 1, backend, forwardMemo(decision), ctx);
  assert.deepEqual(
    merged.groups.map((g: { groupId: string; errorCode: number }) => [g.groupId, g.errorCode]),
    [
      ['g', 29],
      ['h', 29],
      ['k', 0],
    ],
  );
});
