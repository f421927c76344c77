// EndTxn (spec §2.5): WRITE on the transactional id → else 53 at the top level; the v5 producer id and
// epoch keep their "none" defaults (−1).
import { API_KEY, ErrorCode, versionRange } from '../../../protocol/index.ts';
import type { Enforcer } from '../enforcer.ts';

export const endTxnEnforcer: Enforcer<typeof API_KEY.EndTxn> = {
  apiKey: API_KEY.EndTxn,
  versions: versionRange(API_KEY.EndTxn) ?? { min: 0, max: -1 },
  onRequest(req, { authz }) {
    if (authz.allowed('WRITE', 'TRANSACTIONAL_ID', req.body().transactionalId)) return { action: 'forward' };
    return {
      action: 'answer',
      body: { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 },
    };
  },
};
