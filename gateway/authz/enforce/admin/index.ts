// The enforcers of this group, listed for the registry.
import type { AnyEnforcer } from '../enforcer.ts';
import { alterConfigs } from './alter-configs.ts';
import { CLUSTER_CHECK_ENFORCERS } from './cluster-checks.ts';
import { createPartitions } from './create-partitions.ts';
import { createTopics } from './create-topics.ts';
import { deleteTopics } from './delete-topics.ts';
import { describeCluster } from './describe-cluster.ts';
import { describeConfigs } from './describe-configs.ts';
import { incrementalAlterConfigs } from './incremental-alter-configs.ts';

export const ADMIN_ENFORCERS: readonly AnyEnforcer[] = [
  createTopics,
  deleteTopics,
  describeConfigs,
  alterConfigs,
  createPartitions,
  incrementalAlterConfigs,
  describeCluster,
  ...CLUSTER_CHECK_ENFORCERS,
];
