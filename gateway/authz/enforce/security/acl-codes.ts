// What a broker refuses in the ACL APIs' requests before any handler runs: a resource type, pattern
// type, operation or permission sent as UNKNOWN (wire code 0) fails the request's validation while it is
// parsed, and the broker closes the connection without an answer (spec §3.1). Only the code 0 itself
// counts: an undefined code (e.g. operation 99) parses, as a 4.3 broker shows.

import type { AclFilterCodes } from '../../acls/acl-service.ts';

/** The four codes every ACL binding and filter carries. */
export interface AclCodes {
  readonly resourceType: number;
  readonly patternType: number;
  readonly operation: number;
  readonly permissionType: number;
}

const UNKNOWN = 0;

/** True when none of the codes is UNKNOWN. */
export function aclCodesKnown(c: AclCodes): boolean {
  return c.resourceType !== UNKNOWN && c.patternType !== UNKNOWN && c.operation !== UNKNOWN && c.permissionType !== UNKNOWN;
}

/** Why the connection is closed, for the session's log. */
export const UNKNOWN_ACL_CODES =
  'ACL request names UNKNOWN (0) as resource type, pattern type, operation or permission (a broker fails to parse it)';

/** SECURITY_DISABLED texts of a broker with no authorizer configured (spec §1.6, Kafka's AclApis). */
export const NO_AUTHORIZER_DESCRIBE_MESSAGE = 'No Authorizer is configured on the broker';
export const NO_AUTHORIZER_MESSAGE = 'No Authorizer is configured.';

/**
 * A broker's text for a caller denied the ACL APIs' cluster check (DESCRIBE for DescribeAcls, ALTER for
 * CreateAcls/DeleteAcls): Kafka 4.x's "Request <request> needs <OP> permission.", with the request
 * described by its header (the broker prints its channel internals, which no gateway can reproduce).
 */
export { clusterPermissionMessage } from '../admin/cluster-checks.ts';

/** The fields a DescribeAcls request and a DeleteAcls filter share (the same names in both messages). */
export interface WireAclFilter {
  readonly resourceTypeFilter: number;
  readonly resourceNameFilter: string | null;
  readonly patternTypeFilter: number;
  readonly principalFilter: string | null;
  readonly hostFilter: string | null;
  readonly operation: number;
  readonly permissionType: number;
}

/** A filter as the ACL service takes it. */
export function filterCodesOf(f: WireAclFilter): AclFilterCodes {
  return {
    resourceTypeCode: f.resourceTypeFilter,
    resourceName: f.resourceNameFilter,
    patternTypeCode: f.patternTypeFilter,
    principal: f.principalFilter,
    host: f.hostFilter,
    operationCode: f.operation,
    permissionCode: f.permissionType,
  };
}
