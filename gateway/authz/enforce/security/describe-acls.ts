// DescribeAcls: until the gateway serves its policy through the ACL APIs, answered here exactly as a
// broker with no authorizer configured answers (spec §1.6): top-level 54 SECURITY_DISABLED with the
// broker's message, no resources. The backend is never asked: its answer would describe nothing real.
import { API_KEY, ErrorCode, versionRange } from '../../../protocol/index.ts';
import type { Enforcer } from '../enforcer.ts';
import { aclCodesKnown, NO_AUTHORIZER_DESCRIBE_MESSAGE, UNKNOWN_ACL_CODES } from './acl-codes.ts';

export const describeAclsEnforcer: Enforcer<typeof API_KEY.DescribeAcls> = {
  apiKey: API_KEY.DescribeAcls,
  versions: versionRange(API_KEY.DescribeAcls) ?? { min: 0, max: -1 },
  onRequest(req) {
    const f = req.body();
    const codes = {
      resourceType: f.resourceTypeFilter,
      patternType: f.patternTypeFilter,
      operation: f.operation,
      permissionType: f.permissionType,
    };
    if (!aclCodesKnown(codes)) return { action: 'close', reason: UNKNOWN_ACL_CODES };
    return {
      action: 'answer',
      body: { throttleTimeMs: 0, errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER_DESCRIBE_MESSAGE, resources: [] },
    };
  },
};
