// CreateAcls creations as a 4.3 broker judges them (spec §1.9, checked against a secured 4.3.1 broker):
// each valid creation becomes an AclBinding, each invalid one gets Kafka's own error and message, in the
// order Kafka checks. Codes 0 (UNKNOWN) never get here: the request fails to parse and the enforcer
// closes the connection, as the broker does. The host is not validated (Kafka stores any string).
import { ErrorCode } from '../../protocol/index.ts';
import { CLUSTER_NAME, OperationCode, PatternTypeCode, PermissionCode, ResourceTypeCode } from '../model.ts';
import type { AclBinding } from './acl-binding.ts';
import type { AclCreation, ItemResult } from './acl-service.ts';

export type CreationCheck = { readonly binding: AclBinding } | { readonly error: ItemResult };

/**
 * What a broker answers for EVERY creation when one creation names ANY (or MATCH as its pattern type):
 * Kafka builds all bindings before validating any, the binding's constructor throws, and the whole
 * request fails with UNKNOWN_SERVER_ERROR and no message (spec §1.9 says 42; the broker says -1).
 */
const WHOLE_REQUEST_FAILED: ItemResult = { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null };

/** The enum constant a code names in Kafka (`fromCode`: an undefined code is UNKNOWN). */
function nameOf<N extends string>(codes: Readonly<Record<N, number>>, code: number): N | 'UNKNOWN' {
  for (const name of Object.keys(codes) as N[]) if (codes[name] === code) return name;
  return 'UNKNOWN';
}

const invalid = (errorMessage: string): CreationCheck => ({ error: { errorCode: ErrorCode.INVALID_REQUEST, errorMessage } });

/** True when Kafka cannot even build the creation's binding (a filter-only value in a binding). */
function unbuildable(c: AclCreation): boolean {
  return (
    c.resourceTypeCode === ResourceTypeCode.ANY ||
    c.patternTypeCode === PatternTypeCode.ANY ||
    c.patternTypeCode === PatternTypeCode.MATCH ||
    c.operationCode === OperationCode.ANY ||
    c.permissionCode === PermissionCode.ANY
  );
}

function validateOne(c: AclCreation): CreationCheck {
  const resourceType = nameOf(ResourceTypeCode, c.resourceTypeCode);
  const patternType = nameOf(PatternTypeCode, c.patternTypeCode);
  const operation = nameOf(OperationCode, c.operationCode);
  const permission = nameOf(PermissionCode, c.permissionCode);
  // The broker's own checks (AclApis) come first, then the controller's (AclControlManager.validateNewAcl).
  if (resourceType === 'CLUSTER' && c.resourceName !== CLUSTER_NAME) {
    return invalid(`The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`);
  }
  if (c.resourceName === '') return invalid('Invalid empty resource name');
  if (resourceType === 'UNKNOWN' || resourceType === 'ANY') return invalid(`Invalid resourceType ${resourceType}`);
  if (patternType !== 'LITERAL' && patternType !== 'PREFIXED') return invalid(`Invalid patternType ${patternType}`);
  if (operation === 'UNKNOWN' || operation === 'ANY') return invalid(`Invalid operation ${operation}`);
  if (permission !== 'ALLOW' && permission !== 'DENY') return invalid(`Invalid permissionType ${permission}`);
  if (!c.principal.includes(':')) {
    return invalid(
      `Could not parse principal from \`${c.principal}\` (no colon is present separating the principal type from the principal name)`,
    );
  }
  return {
    binding: {
      resource: { type: resourceType, patternType, name: c.resourceName },
      principal: c.principal,
      host: c.host,
      operation,
      permission,
    },
  };
}

/** One check per creation, in order. */
export function validateCreations(creations: readonly AclCreation[]): readonly CreationCheck[] {
  if (creations.some(unbuildable)) return creations.map(() => ({ error: WHOLE_REQUEST_FAILED }));
  return creations.map(validateOne);
}
