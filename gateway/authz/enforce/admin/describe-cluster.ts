// DescribeCluster (60), spec §2.5: no authorization on a broker listener. The only principal-dependent
// part is `ClusterAuthorizedOperations`: when requested, the cluster bitfield if DESCRIBE on the cluster
// is allowed, else 0. The backend has no authorizer and returns every bit, so the gateway overwrites it;
// not requested, the backend's INT_MIN stands and the answer passes untouched.
import { ErrorCode } from '../../../protocol/index.ts';
import { CLUSTER_NAME } from '../../model.ts';
import type { Enforcer } from '../enforcer.ts';
import { fullRange } from './full-range.ts';

export const describeCluster: Enforcer<60, { readonly clusterAuthorizedOperations: number }> = {
  apiKey: 60,
  versions: fullRange(60),
  onRequest(req, ctx) {
    if (!req.body().includeClusterAuthorizedOperations) return { action: 'forward' };
    const clusterAuthorizedOperations = ctx.authz.allowed('DESCRIBE', 'CLUSTER', CLUSTER_NAME)
      ? ctx.authz.authorizedOperations('CLUSTER', CLUSTER_NAME)
      : 0;
    return { action: 'forward', memo: { clusterAuthorizedOperations } };
  },
  onResponse(body, memo) {
    // An error answer (e.g. a wrong endpoint type) keeps the backend's INT_MIN, as a broker's does.
    if (body.errorCode === ErrorCode.NONE) body.clusterAuthorizedOperations = memo.clusterAuthorizedOperations;
  },
};
