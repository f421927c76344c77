// CreateAcls (spec §2.5): the caller needs ALTER on the cluster; then the ACL service validates each
// creation (Kafka's per-creation errors) and adds the valid ones to the managed rule set, answering once
// the change is durable and in force. Nothing reaches the backend: it has no authorizer. Without an ACL
// service the gateway answers as a broker with no authorizer: 54 in every creation result.
import { API_KEY, ErrorCode, versionRange } from '../../../protocol/index.ts';
import type { AclActor } from '../../acls/acl-binding.ts';
import type { ItemResult } from '../../acls/acl-service.ts';
import { CLUSTER_NAME } from '../../model.ts';
import type { EnforceContext, Enforcer } from '../enforcer.ts';
import { aclCodesKnown, clusterPermissionMessage, NO_AUTHORIZER_MESSAGE, UNKNOWN_ACL_CODES } from './acl-codes.ts';

/** The caller for the audit of ACL changes (the session always provides one; tools and tests may not). */
export function aclActor(ctx: EnforceContext): AclActor {
  return ctx.caller ?? { principal: ctx.authz.principal, clientAddress: 'unknown', listener: 'unknown' };
}

/** A creation result as a 4.3 broker writes it: a success carries "" (the field's default), not null. */
function creationResult(r: ItemResult): { errorCode: number; errorMessage: string | null } {
  return { errorCode: r.errorCode, errorMessage: r.errorCode === ErrorCode.NONE ? '' : r.errorMessage };
}

export const createAclsEnforcer: Enforcer<typeof API_KEY.CreateAcls> = {
  apiKey: API_KEY.CreateAcls,
  versions: versionRange(API_KEY.CreateAcls) ?? { min: 0, max: -1 },
  onRequest(req, ctx) {
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
    const acls = ctx.acls;
    if (acls === undefined) {
      const results = creations.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER_MESSAGE }));
      return { action: 'answer', body: { throttleTimeMs: 0, results } };
    }
    if (!ctx.authz.allowed('ALTER', 'CLUSTER', CLUSTER_NAME)) {
      const errorMessage = clusterPermissionMessage(req, 'ALTER');
      const results = creations.map(() => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage }));
      return { action: 'answer', body: { throttleTimeMs: 0, results } };
    }
    const wanted = creations.map((c) => ({
      resourceTypeCode: c.resourceType,
      resourceName: c.resourceName,
      patternTypeCode: c.resourcePatternType,
      principal: c.principal,
      host: c.host,
      operationCode: c.operation,
      permissionCode: c.permissionType,
    }));
    const body = acls.create(wanted, aclActor(ctx)).then((results) => ({ throttleTimeMs: 0, results: results.map(creationResult) }));
    return { action: 'answer-later', body };
  },
};
