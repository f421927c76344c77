// DeleteAcls (spec §2.5): the caller needs ALTER on the cluster; then the ACL service matches each filter
// (Kafka's filter validation and matching) and removes the matching managed bindings. A binding from a
// YAML policy file is listed under its filter with its own POLICY_VIOLATION result naming the file to
// edit, and stays. Without an ACL service: 54 in every filter result, as a broker with no authorizer.
import { API_KEY, ErrorCode, versionRange } from '../../../protocol/index.ts';
import type { AclBinding } from '../../acls/acl-binding.ts';
import type { DeletionResult } from '../../acls/acl-service.ts';
import { CLUSTER_NAME, OperationCode, PatternTypeCode, PermissionCode, ResourceTypeCode } from '../../model.ts';
import type { Enforcer } from '../enforcer.ts';
import { aclCodesKnown, clusterPermissionMessage, filterCodesOf, NO_AUTHORIZER_MESSAGE, UNKNOWN_ACL_CODES } from './acl-codes.ts';
import { aclActor } from './create-acls.ts';

/** One matching ACL on the wire (v0 has no pattern type: the codec writes it from v1 on). */
function matchingAcl(m: { readonly binding: AclBinding; readonly errorCode: number; readonly errorMessage: string | null }) {
  const b = m.binding;
  return {
    errorCode: m.errorCode,
    errorMessage: m.errorMessage,
    resourceType: ResourceTypeCode[b.resource.type],
    resourceName: b.resource.name,
    patternType: PatternTypeCode[b.resource.patternType],
    principal: b.principal,
    host: b.host,
    operation: OperationCode[b.operation],
    permissionType: PermissionCode[b.permission],
  };
}

function filterResult(r: DeletionResult, version: number) {
  // A v0 filter is always LITERAL, so it matches only LITERAL bindings; the guard keeps an answer v0
  // cannot carry (a PREFIXED binding) from ever reaching the encoder.
  const matching = version === 0 ? r.matching.filter((m) => m.binding.resource.patternType === 'LITERAL') : r.matching;
  return { errorCode: r.errorCode, errorMessage: r.errorMessage, matchingAcls: matching.map(matchingAcl) };
}

export const deleteAclsEnforcer: Enforcer<typeof API_KEY.DeleteAcls> = {
  apiKey: API_KEY.DeleteAcls,
  versions: versionRange(API_KEY.DeleteAcls) ?? { min: 0, max: -1 },
  onRequest(req, ctx) {
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
    const acls = ctx.acls;
    if (acls === undefined) {
      const filterResults = filters.map(() => ({
        errorCode: ErrorCode.SECURITY_DISABLED,
        errorMessage: NO_AUTHORIZER_MESSAGE,
        matchingAcls: [],
      }));
      return { action: 'answer', body: { throttleTimeMs: 0, filterResults } };
    }
    if (!ctx.authz.allowed('ALTER', 'CLUSTER', CLUSTER_NAME)) {
      const errorMessage = clusterPermissionMessage(req, 'ALTER');
      const filterResults = filters.map(() => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage, matchingAcls: [] }));
      return { action: 'answer', body: { throttleTimeMs: 0, filterResults } };
    }
    const wanted = filters.map(filterCodesOf);
    const version = req.apiVersion;
    const body = acls
      .delete(wanted, aclActor(ctx))
      .then((results) => ({ throttleTimeMs: 0, filterResults: results.map((r) => filterResult(r, version)) }));
    return { action: 'answer-later', body };
  },
};
