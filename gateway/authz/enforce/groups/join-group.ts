// JoinGroup (11): READ on the group, else the whole request answers 30 with the broker's defaults (§2.4).
import type { Enforcer } from '../enforcer.ts';
import { GROUP_AUTHORIZATION_FAILED, denyUnlessGroupRead } from './single-group.ts';

export const joinGroup: Enforcer<11> = {
  apiKey: 11,
  versions: { min: 0, max: 9 },
  onRequest(req, ctx) {
    return (
      denyUnlessGroupRead<11>(ctx, req.body().groupId, () => ({
        errorCode: GROUP_AUTHORIZATION_FAILED,
        generationId: -1,
        // ProtocolName became nullable in v7; before that the broker sends "".
        protocolName: req.apiVersion >= 7 ? null : '',
        leader: '',
        memberId: '',
        members: [],
      })) ?? { action: 'forward' }
    );
  },
};
