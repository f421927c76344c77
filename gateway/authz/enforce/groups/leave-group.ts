// LeaveGroup (13): READ on the group, else 30 at the top level and no member entries.
import type { Enforcer } from '../enforcer.ts';
import { GROUP_AUTHORIZATION_FAILED, denyUnlessGroupRead } from './single-group.ts';

export const leaveGroup: Enforcer<13> = {
  apiKey: 13,
  versions: { min: 0, max: 5 },
  onRequest(req, ctx) {
    return (
      denyUnlessGroupRead<13>(ctx, req.body().groupId, () => ({ errorCode: GROUP_AUTHORIZATION_FAILED, members: [] })) ?? {
        action: 'forward',
      }
    );
  },
};
