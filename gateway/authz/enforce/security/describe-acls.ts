// DescribeAcls (29), spec §2.5. A request naming UNKNOWN (0) anywhere fails to parse on a broker: the
// connection is closed. Without an ACL service the gateway answers as a broker with no authorizer
// (54 SECURITY_DISABLED, nothing asked). With one, the caller needs DESCRIBE on the cluster (a check the
// broker logs): denied → top-level 31 with the broker's "needs DESCRIBE permission" text and no
// resources; allowed → the bindings in force that match the filter, grouped by resource pattern as a
// broker groups them. The backend is never asked: the gateway's policy is what is enforced here.
import { API_KEY, ErrorCode, versionRange, type Struct } from '../../../protocol/index.ts';
import type { AclBinding, ListedBinding } from '../../acls/acl-binding.ts';
import { filterFromCodes } from '../../acls/acl-filter.ts';
import { CLUSTER_NAME, OperationCode, PatternTypeCode, PermissionCode, ResourceTypeCode } from '../../model.ts';
import type { Enforcer } from '../enforcer.ts';
import { aclCodesKnown, clusterPermissionMessage, filterCodesOf, NO_AUTHORIZER_DESCRIBE_MESSAGE, UNKNOWN_ACL_CODES } from './acl-codes.ts';

export const describeAclsEnforcer: Enforcer<typeof API_KEY.DescribeAcls> = {
  apiKey: API_KEY.DescribeAcls,
  versions: versionRange(API_KEY.DescribeAcls) ?? { min: 0, max: -1 },
  onRequest(req, ctx) {
    const f = req.body();
    const codes = {
      resourceType: f.resourceTypeFilter,
      patternType: f.patternTypeFilter,
      operation: f.operation,
      permissionType: f.permissionType,
    };
    if (!aclCodesKnown(codes)) return { action: 'close', reason: UNKNOWN_ACL_CODES };
    if (ctx.acls === undefined) return answer(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER_DESCRIBE_MESSAGE);
    if (!ctx.authz.allowed('DESCRIBE', 'CLUSTER', CLUSTER_NAME)) {
      return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, clusterPermissionMessage(req, 'DESCRIBE'));
    }
    // v0 carries no pattern type: the codec gives the field's default, LITERAL (what a broker reads too).
    const filter = filterCodesOf(f);
    // A code Kafka does not define (e.g. operation 99) parses as UNKNOWN, which no binding has: a broker
    // answers such a filter with nothing, not an error (only DeleteAcls validates filters).
    if ('error' in filterFromCodes(filter)) return answer(ErrorCode.NONE, NO_ERROR_MESSAGE);
    const described = ctx.acls.describe(filter);
    if (described.error) return answer(described.error.errorCode, described.error.errorMessage);
    return answer(ErrorCode.NONE, NO_ERROR_MESSAGE, aclsResources(described.bindings, req.apiVersion));
  },
};

/**
 * A broker's success answer carries an empty message, not null: the schema gives the field no default,
 * so Kafka's generated class starts it as "" and nothing sets it (seen on a 4.3 broker).
 */
const NO_ERROR_MESSAGE = '';

function answer(errorCode: number, errorMessage: string | null, resources: Struct[] = []): { action: 'answer'; body: Struct } {
  return { action: 'answer', body: { throttleTimeMs: 0, errorCode, errorMessage, resources } };
}

/**
 * One entry per resource pattern with its ACLs, each (pattern, entry) once, as Kafka's
 * DescribeAclsResponse.aclsResources builds it. The broker groups in a Java HashMap/HashSet whose keys
 * hash enum identities, so its order changes from one broker process to the next and no client can rely
 * on it; the gateway keeps a stable one instead: patterns and their ACLs in the order listed (policy
 * file order, then managed bindings). v0 can carry only LITERAL patterns (its filter is always LITERAL;
 * a broker refuses to build anything else at v0), so others are left out there.
 */
function aclsResources(listed: readonly ListedBinding[], version: number): Struct[] {
  const groups = new Map<string, { resource: Struct; acls: Map<string, Struct> }>();
  for (const { binding } of listed) {
    if (version === 0 && binding.resource.patternType !== 'LITERAL') continue;
    const patternKey = [binding.resource.type, binding.resource.patternType, binding.resource.name].join('\u0000');
    let group = groups.get(patternKey);
    if (group === undefined) {
      group = {
        resource: {
          resourceType: ResourceTypeCode[binding.resource.type],
          resourceName: binding.resource.name,
          patternType: PatternTypeCode[binding.resource.patternType],
        },
        acls: new Map(),
      };
      groups.set(patternKey, group);
    }
    const entryKey = [binding.principal, binding.host, binding.operation, binding.permission].join('\u0000');
    if (!group.acls.has(entryKey)) group.acls.set(entryKey, aclDescription(binding));
  }
  return [...groups.values()].map(({ resource, acls }) => ({ ...resource, acls: [...acls.values()] }));
}

function aclDescription(binding: AclBinding): Struct {
  return {
    principal: binding.principal,
    host: binding.host,
    operation: OperationCode[binding.operation],
    permissionType: PermissionCode[binding.permission],
  };
}
