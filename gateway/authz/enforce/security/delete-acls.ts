// DeleteAcls: answered as a broker with no authorizer configured answers (spec §1.6): 54
// SECURITY_DISABLED in every filter result, with the broker's message and no matching ACLs.
import { API_KEY, ErrorCode, versionRange } from '../../../protocol/index.ts';
import type { Enforcer } from '../enforcer.ts';
import { aclCodesKnown, NO_AUTHORIZER_MESSAGE, UNKNOWN_ACL_CODES } from './acl-codes.ts';

export const deleteAclsEnforcer: Enforcer<typeof API_KEY.DeleteAcls> = {
  apiKey: API_KEY.DeleteAcls,
  versions: versionRange(API_KEY.DeleteAcls) ?? { min: 0, max: -1 },
  onRequest(req) {
    const { filters } = req.body();
    const known = filters.every((f) =>
      aclCodesKnown({
        resourceType: f.resourceTypeFilter,
        patternType: f.patternTypeFilter,
        operation: f.operation,
        permissionType: f.permissionType,
      }),
    );
    if (!known) return { action: 'close', reason: UNKNOWN_ACL_CODES };
    const filterResults = filters.map(() => ({
      errorCode: ErrorCode.SECURITY_DISABLED,
      errorMessage: NO_AUTHORIZER_MESSAGE,
      matchingAcls: [],
    }));
    return { action: 'answer', body: { throttleTimeMs: 0, filterResults } };
  },
};
