// CreateAcls: answered as a broker with no authorizer configured answers (spec §1.6): 54
// SECURITY_DISABLED in every creation result, with the broker's message. Nothing reaches the backend.
import { API_KEY, ErrorCode, versionRange } from '../../../protocol/index.ts';
import type { Enforcer } from '../enforcer.ts';
import { aclCodesKnown, NO_AUTHORIZER_MESSAGE, UNKNOWN_ACL_CODES } from './acl-codes.ts';

export const createAclsEnforcer: Enforcer<typeof API_KEY.CreateAcls> = {
  apiKey: API_KEY.CreateAcls,
  versions: versionRange(API_KEY.CreateAcls) ?? { min: 0, max: -1 },
  onRequest(req) {
    const { creations } = req.body();
    const known = creations.every((c) =>
      aclCodesKnown({
        resourceType: c.resourceType,
        patternType: c.resourcePatternType,
        operation: c.operation,
        permissionType: c.permissionType,
      }),
    );
    if (!known) return { action: 'close', reason: UNKNOWN_ACL_CODES };
    const results = creations.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER_MESSAGE }));
    return { action: 'answer', body: { throttleTimeMs: 0, results } };
  },
};
