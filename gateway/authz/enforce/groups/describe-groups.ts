// DescribeGroups (15): DESCRIBE per group; denied groups get a 30 entry with the broker's defaults
// (§2.4), appended after the backend's. v3+ IncludeAuthorizedOperations: the backend has no authorizer,
// so the gateway computes the bitfield for every group returned without error.
import type { DescribedGroup } from '../../../protocol/messages/describe-groups.ts';
import type { Enforcer } from '../enforcer.ts';
import { GROUP_AUTHORIZATION_FAILED, INT_MIN } from './single-group.ts';

export interface DescribeGroupsMemo {
  denied: DescribedGroup[];
  fillAuthorizedOperations: boolean;
}

function deniedGroup(groupId: string): DescribedGroup {
  return {
    errorCode: GROUP_AUTHORIZATION_FAILED,
    errorMessage: null,
    groupId,
    groupState: '',
    protocolType: '',
    protocolData: '',
    members: [],
    authorizedOperations: INT_MIN,
  };
}

export const describeGroups: Enforcer<15, DescribeGroupsMemo> = {
  apiKey: 15,
  versions: { min: 0, max: 6 },
  onRequest(req, ctx) {
    const body = req.body();
    const allowed = body.groups.filter((g) => ctx.authz.allowed('DESCRIBE', 'GROUP', g));
    const denied = body.groups.filter((g) => !allowed.includes(g)).map(deniedGroup);
    const fillAuthorizedOperations = req.apiVersion >= 3 && body.includeAuthorizedOperations;
    if (body.groups.length > 0 && allowed.length === 0) return { action: 'answer', body: { groups: denied } };
    const memo = { denied, fillAuthorizedOperations };
    if (denied.length > 0) return { action: 'rewrite', body: { ...body, groups: allowed }, memo };
    return fillAuthorizedOperations ? { action: 'forward', memo } : { action: 'forward' };
  },
  onResponse(body, memo, ctx) {
    if (memo.fillAuthorizedOperations) {
      for (const group of body.groups) {
        if (group.errorCode === 0) group.authorizedOperations = ctx.authz.authorizedOperations('GROUP', group.groupId);
      }
    }
    body.groups.push(...memo.denied);
  },
};
