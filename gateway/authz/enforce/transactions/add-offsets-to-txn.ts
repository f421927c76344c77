// AddOffsetsToTxn (spec §2.5): WRITE on the transactional id → else 53, then READ on the group whose
// offsets join the transaction → else 30; both whole-request, at the top-level error code.
import { API_KEY, ErrorCode, versionRange } from '../../../protocol/index.ts';
import type { Enforcer } from '../enforcer.ts';

export const addOffsetsToTxnEnforcer: Enforcer<typeof API_KEY.AddOffsetsToTxn> = {
  apiKey: API_KEY.AddOffsetsToTxn,
  versions: versionRange(API_KEY.AddOffsetsToTxn) ?? { min: 0, max: -1 },
  onRequest(req, { authz }) {
    const { transactionalId, groupId } = req.body();
    let errorCode: number;
    if (!authz.allowed('WRITE', 'TRANSACTIONAL_ID', transactionalId)) errorCode = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    else if (!authz.allowed('READ', 'GROUP', groupId)) errorCode = ErrorCode.GROUP_AUTHORIZATION_FAILED;
    else return { action: 'forward' };
    return { action: 'answer', body: { throttleTimeMs: 0, errorCode } };
  },
};
