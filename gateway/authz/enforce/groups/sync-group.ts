// SyncGroup (14): from v5 a missing ProtocolType or ProtocolName is refused with 23 before any
// authorization (the broker validates first); then READ on the group, else 30 with an empty assignment.
import type { Enforcer } from '../enforcer.ts';
import { GROUP_AUTHORIZATION_FAILED, denyUnlessGroupRead } from './single-group.ts';

const INCONSISTENT_GROUP_PROTOCOL = 23;

export const syncGroup: Enforcer<14> = {
  apiKey: 14,
  versions: { min: 0, max: 5 },
  onRequest(req, ctx) {
    const body = req.body();
    if (req.apiVersion >= 5 && (body.protocolType === null || body.protocolName === null)) {
      return { action: 'answer', body: { errorCode: INCONSISTENT_GROUP_PROTOCOL, assignment: Buffer.alloc(0) } };
    }
    return (
      denyUnlessGroupRead<14>(ctx, body.groupId, () => ({ errorCode: GROUP_AUTHORIZATION_FAILED, assignment: Buffer.alloc(0) })) ?? {
        action: 'forward',
      }
    );
  },
};
