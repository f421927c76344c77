// Heartbeat (12): READ on the group, else 30 for the whole request.
import type { Enforcer } from '../enforcer.ts';
import { GROUP_AUTHORIZATION_FAILED, denyUnlessGroupRead } from './single-group.ts';

export const heartbeat: Enforcer<12> = {
  apiKey: 12,
  versions: { min: 0, max: 4 },
  onRequest(req, ctx) {
    return denyUnlessGroupRead<12>(ctx, req.body().groupId, () => ({ errorCode: GROUP_AUTHORIZATION_FAILED })) ?? { action: 'forward' };
  },
};
