// The enforcers of this group, listed for the registry: consumer groups (classic and KIP-848), share
// groups (KIP-932) and streams groups (KIP-1071).
//
// Where the gateway differs from a broker by design:
// - A broker answers UNSUPPORTED_VERSION (35) before authorizing when a group protocol (consumer, share,
//   streams) is disabled; the gateway cannot know the backend's configuration without asking it, so it
//   authorizes first: an unauthorized caller gets 30/29 where a broker would say 35.
// - ConsumerGroupHeartbeat with SubscribedTopicRegex: the backend's coordinator resolves the regex with no
//   authorizer, so the assignment may name topics the member may not DESCRIBE. The gateway does not edit
//   assignments (the coordinator would keep counting those partitions as the member's); the member still
//   cannot read them (Fetch and OffsetCommit need READ on the topic).
// - StreamsGroupHeartbeat: a broker creates missing internal topics only for a principal with CREATE
//   (else a MISSING_INTERNAL_TOPICS status); the backend creates them for anyone, and no request rewrite
//   can stop it.
// - Unknown ids in answers the gateway filters (OffsetFetch v10 all topics, share-group assignments without
//   names) are treated as not describable: withheld rather than disclosed.
import type { AnyEnforcer } from '../enforcer.ts';
import { alterShareGroupOffsets } from './alter-share-group-offsets.ts';
import { consumerGroupDescribe } from './consumer-group-describe.ts';
import { consumerGroupHeartbeat } from './consumer-group-heartbeat.ts';
import { deleteGroups } from './delete-groups.ts';
import { deleteShareGroupOffsets } from './delete-share-group-offsets.ts';
import { describeGroups } from './describe-groups.ts';
import { describeShareGroupOffsets } from './describe-share-group-offsets.ts';
import { findCoordinator } from './find-coordinator.ts';
import { heartbeat } from './heartbeat.ts';
import { joinGroup } from './join-group.ts';
import { leaveGroup } from './leave-group.ts';
import { listGroups } from './list-groups.ts';
import { offsetCommit } from './offset-commit.ts';
import { offsetDelete } from './offset-delete.ts';
import { offsetFetch } from './offset-fetch.ts';
import { shareAcknowledge } from './share-acknowledge.ts';
import { shareFetch } from './share-fetch.ts';
import { shareGroupDescribe } from './share-group-describe.ts';
import { shareGroupHeartbeat } from './share-group-heartbeat.ts';
import { streamsGroupDescribe } from './streams-group-describe.ts';
import { streamsGroupHeartbeat } from './streams-group-heartbeat.ts';
import { syncGroup } from './sync-group.ts';

export const GROUPS_ENFORCERS: readonly AnyEnforcer[] = [
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  deleteGroups,
  offsetDelete,
  consumerGroupHeartbeat,
  consumerGroupDescribe,
  shareGroupHeartbeat,
  shareGroupDescribe,
  shareFetch,
  shareAcknowledge,
  streamsGroupHeartbeat,
  streamsGroupDescribe,
  describeShareGroupOffsets,
  alterShareGroupOffsets,
  deleteShareGroupOffsets,
];
