// OffsetFetch (9): per group DESCRIBE (denied: 30 in every requested partition at v0–1, at the top level
// at v2–7, in the group's entry at v8+); explicit topics: DESCRIBE per topic (v10 by id; unknown id → 100
// first) → 29 in each requested partition; all topics (Topics null): the backend's answer is filtered to
// describable topics, silently (quiet checks, as the broker does not log them).
import { type RequestBody, ZERO_UUID } from '../../../protocol/index.ts';
import type { OffsetFetchResponseTopics } from '../../../protocol/messages/offset-fetch.ts';
import type { Enforcer, RequestDecision, RequestView } from '../enforcer.ts';
import { GROUP_AUTHORIZATION_FAILED, TOPIC_AUTHORIZATION_FAILED } from './single-group.ts';
import { topicDecider, unknownTopicIds } from '../topic-questions.ts';

const UNKNOWN_TOPIC_ID = 100;
const FIRST_BATCHED_VERSION = 8;
const FIRST_TOPIC_ID_VERSION = 10;

/** One requested topic, whichever version's shape it came in. */
interface RequestedTopic {
  /** the request's own element, kept so a rewrite keeps exactly the authorized ones */
  raw: object;
  name: string;
  topicId: string;
  partitionIndexes: number[];
}

/** One requested group: `topics` null = all topics. */
interface RequestedGroup {
  groupId: string;
  topics: RequestedTopic[] | null;
}

/** What to do with one authorized group's entry in the backend's answer. */
interface GroupMemo {
  filterAll: boolean;
  deniedTopics: TopicEntry[];
}

/** A response topic entry; v0–7 entries are the same without `topicId` (ignored when encoding). */
type TopicEntry = OffsetFetchResponseTopics;

export interface OffsetFetchMemo {
  groups: Map<string, GroupMemo>;
  deniedGroups: string[];
}

function failedTopic(topic: RequestedTopic, errorCode: number): TopicEntry {
  return {
    name: topic.name,
    topicId: topic.topicId,
    partitions: topic.partitionIndexes.map((partitionIndex) => ({
      partitionIndex,
      committedOffset: -1n,
      committedLeaderEpoch: -1,
      metadata: '',
      errorCode,
    })),
  };
}

function requestedGroups(req: RequestView<9>): RequestedGroup[] {
  const body: RequestBody<9> = req.body();
  if (req.apiVersion >= FIRST_BATCHED_VERSION) {
    return body.groups.map((g) => ({
      groupId: g.groupId,
      topics:
        g.topics === null
          ? null
          : g.topics.map((t) => ({ raw: t, name: t.name, topicId: t.topicId, partitionIndexes: t.partitionIndexes })),
    }));
  }
  const topics =
    body.topics === null
      ? null
      : body.topics.map((t) => ({ raw: t, name: t.name, topicId: ZERO_UUID, partitionIndexes: t.partitionIndexes }));
  return [{ groupId: body.groupId, topics }];
}

function wholeGroupDenial(version: number, group: RequestedGroup): RequestDecision<OffsetFetchMemo> {
  if (version >= 2) return { action: 'answer', body: { errorCode: GROUP_AUTHORIZATION_FAILED, topics: [] } };
  // v0–1 have no group-level error: the code goes into every requested partition.
  return { action: 'answer', body: { topics: (group.topics ?? []).map((t) => failedTopic(t, GROUP_AUTHORIZATION_FAILED)) } };
}

export const offsetFetch: Enforcer<9, OffsetFetchMemo> = {
  apiKey: 9,
  versions: { min: 0, max: 10 },
  onRequest(req, ctx) {
    const version = req.apiVersion;
    const byId = version >= FIRST_TOPIC_ID_VERSION;
    const groups = requestedGroups(req);
    const allowedGroups = groups.filter((g) => ctx.authz.allowed('DESCRIBE', 'GROUP', g.groupId));
    if (version < FIRST_BATCHED_VERSION && allowedGroups.length === 0) return wholeGroupDenial(version, groups[0]);
    const deniedGroups = groups.filter((g) => !allowedGroups.includes(g)).map((g) => g.groupId);
    if (groups.length > 0 && allowedGroups.length === 0) {
      return {
        action: 'answer',
        body: { groups: deniedGroups.map((groupId) => ({ groupId, topics: [], errorCode: GROUP_AUTHORIZATION_FAILED })) },
      };
    }
    if (byId && !req.topicIdsResolved) {
      const missing = unknownTopicIds(
        ctx,
        allowedGroups.flatMap((g) => (g.topics ?? []).map((t) => t.topicId)),
      );
      if (missing.length > 0) return { action: 'resolve-topic-ids', topicIds: missing };
    }
    const mayDescribe = topicDecider(ctx, 'DESCRIBE');
    const memo: OffsetFetchMemo = { groups: new Map(), deniedGroups };
    let stripped = deniedGroups.length > 0;
    let needsResponse = stripped;
    const kept = new Set<object>();
    for (const group of allowedGroups) {
      if (group.topics === null) {
        memo.groups.set(group.groupId, { filterAll: true, deniedTopics: [] });
        needsResponse = true;
        continue;
      }
      const allowedTopics: RequestedTopic[] = [];
      const deniedTopics: TopicEntry[] = [];
      for (const topic of group.topics) {
        const name = byId ? ctx.topics.nameOf(topic.topicId) : topic.name;
        if (name === undefined) deniedTopics.push(failedTopic(topic, UNKNOWN_TOPIC_ID));
        else if (!mayDescribe(name)) deniedTopics.push(failedTopic(topic, TOPIC_AUTHORIZATION_FAILED));
        else allowedTopics.push(topic);
      }
      for (const t of allowedTopics) kept.add(t.raw);
      memo.groups.set(group.groupId, { filterAll: false, deniedTopics });
      if (deniedTopics.length > 0) stripped = needsResponse = true;
    }
    if (!needsResponse) return { action: 'forward' };
    if (!stripped) return { action: 'forward', memo };
    const body = req.body();
    if (version < FIRST_BATCHED_VERSION)
      return { action: 'rewrite', body: { ...body, topics: body.topics?.filter((t) => kept.has(t)) ?? null }, memo };
    const allowedIds = new Set(allowedGroups.map((g) => g.groupId));
    const keptGroups = body.groups
      .filter((g) => allowedIds.has(g.groupId))
      .map((g) => ({ ...g, topics: g.topics === null ? null : g.topics.filter((t) => kept.has(t)) }));
    return { action: 'rewrite', body: { ...body, groups: keptGroups }, memo };
  },
  onResponse(body, memo, ctx, version) {
    const mayDescribeQuietly = topicDecider(ctx, 'DESCRIBE', { quiet: true });
    const describable = (t: TopicEntry): boolean => {
      const name = version >= FIRST_TOPIC_ID_VERSION ? ctx.topics.nameOf(t.topicId) : t.name;
      // An id the gateway cannot name cannot be shown to be describable: withheld (fails closed).
      return name !== undefined && mayDescribeQuietly(name);
    };
    const edit = (topics: TopicEntry[], groupMemo: GroupMemo | undefined, groupError: number): TopicEntry[] => {
      if (!groupMemo) return topics;
      const visible = groupMemo.filterAll ? topics.filter(describable) : topics;
      // A group-level error from the coordinator replaces the per-topic answer, as on a broker.
      return groupError === 0 ? [...visible, ...groupMemo.deniedTopics] : visible;
    };
    if (version < FIRST_BATCHED_VERSION) {
      const [groupMemo] = memo.groups.values();
      const topics = body.topics as unknown as TopicEntry[];
      body.topics = edit(topics, groupMemo, version >= 2 ? body.errorCode : 0);
      return;
    }
    for (const group of body.groups) {
      group.topics = edit(group.topics, memo.groups.get(group.groupId), group.errorCode);
    }
    for (const groupId of memo.deniedGroups) {
      body.groups.push({ groupId, topics: [], errorCode: GROUP_AUTHORIZATION_FAILED });
    }
  },
};
