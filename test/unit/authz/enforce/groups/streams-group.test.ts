// StreamsGroupHeartbeat (88) and StreamsGroupDescribe (89).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { streamsGroupDescribe } from '../../../../../gateway/authz/enforce/groups/streams-group-describe.ts';
import { streamsGroupHeartbeat } from '../../../../../gateway/authz/enforce/groups/streams-group-heartbeat.ts';
import { answered, decide, forwardedWithoutMemo, rewritten, afterResponse } from './helpers.ts';

const INT_MIN = -2147483648;
const topicInfo = (name: string) => ({ name, partitions: 1, replicationFactor: 1, topicConfigs: [] });
const subtopology = (source: string, changelog: string) => ({
  subtopologyId: '0',
  sourceTopics: [source],
  sourceTopicRegex: [],
  stateChangelogTopics: [topicInfo(changelog)],
  repartitionSinkTopics: [],
  repartitionSourceTopics: [],
  copartitionGroups: [],
});
const heartbeat = (topology: unknown) => ({ groupId: 'app', memberId: 'm', memberEpoch: 0, endpointInformationEpoch: 0, topology });
const topology = (source: string, changelog = 'app-store-changelog') => ({ epoch: 1, subtopologies: [subtopology(source, changelog)] });

test('StreamsGroupHeartbeat v0: READ group and DESCRIBE on every topology topic → forward', () => {
  const acls = ['User:alice ALLOW READ GROUP app', 'User:alice ALLOW READ TOPIC in', 'User:alice ALLOW ALL TOPIC app- PREFIXED'];
  forwardedWithoutMemo(decide(streamsGroupHeartbeat, 0, heartbeat(topology('in')), acls).decision);
  forwardedWithoutMemo(decide(streamsGroupHeartbeat, 0, heartbeat(null), ['User:alice ALLOW READ GROUP app']).decision);
});

test('StreamsGroupHeartbeat v0: group denied → 30', () => {
  const body = answered(streamsGroupHeartbeat, 0, decide(streamsGroupHeartbeat, 0, heartbeat(topology('in')), []).decision);
  assert.deepEqual([body.errorCode, body.errorMessage, body.memberId, body.status], [30, null, '', []]);
});

test('StreamsGroupHeartbeat v0: a changelog topic not describable → whole heartbeat 29', () => {
  const acls = ['User:alice ALLOW READ GROUP app', 'User:alice ALLOW READ TOPIC in'];
  assert.equal(
    answered(streamsGroupHeartbeat, 0, decide(streamsGroupHeartbeat, 0, heartbeat(topology('in')), acls).decision).errorCode,
    29,
  );
});

test('StreamsGroupHeartbeat v0: internal or invalid topic names → 130 before topics are authorized', () => {
  const acls = ['User:alice ALLOW READ GROUP app', 'User:alice ALLOW ALL TOPIC *'];
  const internal = decide(streamsGroupHeartbeat, 0, heartbeat(topology('__consumer_offsets')), acls);
  const body = answered(streamsGroupHeartbeat, 0, internal.decision);
  assert.equal(body.errorCode, 130);
  assert.match(body.errorMessage ?? '', /__consumer_offsets/);
  assert.deepEqual(
    internal.ctx.asked.map((q) => q.type),
    ['GROUP'],
  );
  assert.equal(
    answered(streamsGroupHeartbeat, 0, decide(streamsGroupHeartbeat, 0, heartbeat(topology('bad name!')), acls).decision).errorCode,
    130,
  );
});

const describedGroup = (groupId: string, source: string) => ({
  errorCode: 0,
  groupId,
  groupState: 'Stable',
  groupEpoch: 1,
  assignmentEpoch: 1,
  topology: {
    epoch: 1,
    subtopologies: [
      { subtopologyId: '0', sourceTopics: [source], repartitionSinkTopics: [], stateChangelogTopics: [], repartitionSourceTopics: [] },
    ],
  },
  members: [],
  authorizedOperations: INT_MIN,
});

test('StreamsGroupDescribe v0: all denied → 30 entries', () => {
  const body = answered(
    streamsGroupDescribe,
    0,
    decide(streamsGroupDescribe, 0, { groupIds: ['a', 'b'], includeAuthorizedOperations: false }, []).decision,
  );
  assert.deepEqual(
    body.groups.map((g: { errorCode: number }) => g.errorCode),
    [30, 30],
  );
});

test('StreamsGroupDescribe v0: partial; a topology topic not describable → 29 entry, topology null, members empty', () => {
  const acls = ['User:alice ALLOW DESCRIBE GROUP app', 'User:alice ALLOW DESCRIBE GROUP app2', 'User:alice ALLOW DESCRIBE TOPIC in'];
  const { decision, ctx } = decide(streamsGroupDescribe, 0, { groupIds: ['app', 'app2', 'x'], includeAuthorizedOperations: true }, acls);
  const { body, memo } = rewritten(streamsGroupDescribe, 0, decision);
  assert.deepEqual(body.groupIds, ['app', 'app2']);
  const merged = afterResponse(
    streamsGroupDescribe,
    0,
    { groups: [describedGroup('app', 'in'), describedGroup('app2', 'secret')] },
    memo,
    ctx,
  );
  assert.deepEqual(
    merged.groups.map(
      (g: { groupId: string; errorCode: number; errorMessage: string | null; topology: unknown; authorizedOperations: number }) => [
        g.groupId,
        g.errorCode,
        g.errorMessage,
        g.topology === null,
        g.authorizedOperations,
      ],
    ),
    [
      ['app', 0, null, false, 1 << 8],
      ['app2', 29, 'The described group uses topics that the client is not authorized to describe.', true, INT_MIN],
      ['x', 30, null, true, INT_MIN],
    ],
  );
});
