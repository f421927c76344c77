// Kafka's ACL binding filters (spec §1.3, §1.9) as DescribeAcls and DeleteAcls carry them: wire codes
// turned into a filter, and the filter's matching rules (Kafka's ResourcePatternFilter.matches and
// AccessControlEntryFilter.matches, reproduced case for case).
import { OperationCode, PermissionCode, ResourceTypeCode, type Operation, type Permission, type ResourceType } from '../model.ts';
import type { AclBinding, AclBindingFilter } from './acl-binding.ts';
import type { AclFilterCodes, ItemResult } from './acl-service.ts';

const INVALID_REQUEST = 42;

/**
 * A filter naming a code Kafka does not define (e.g. operation 99) parses on a broker, as UNKNOWN; the
 * controller then refuses it in DeleteAcls with these texts (AclControlManager.validateFilter: the
 * resource part is checked before the entry part). DescribeAcls does not validate: there an UNKNOWN
 * field simply matches no binding (see describe-acls.ts). The code 0 itself never gets here: a broker
 * fails to parse such a request (acl-codes.ts).
 */
export const UNKNOWN_PATTERN_FILTER: ItemResult = { errorCode: INVALID_REQUEST, errorMessage: 'Unknown patternFilter.' };
export const UNKNOWN_ENTRY_FILTER: ItemResult = { errorCode: INVALID_REQUEST, errorMessage: 'Unknown entryFilter.' };

const PATTERN_TYPES: Readonly<Record<number, AclBindingFilter['patternType']>> = { 1: 'ANY', 2: 'MATCH', 3: 'LITERAL', 4: 'PREFIXED' };

/** The name whose wire code this is in `codes`, or undefined for UNKNOWN (0) and codes Kafka does not define. */
function nameOf<N extends string>(codes: Readonly<Record<string, number>>, code: number, exclude: readonly string[]): N | undefined {
  for (const [name, value] of Object.entries(codes)) if (value === code && !exclude.includes(name)) return name as N;
  return undefined;
}

function resourceTypeOf(code: number): ResourceType | 'ANY' | undefined {
  return nameOf<ResourceType | 'ANY'>(ResourceTypeCode, code, ['UNKNOWN']);
}
function operationOf(code: number): Operation | 'ANY' | undefined {
  return nameOf<Operation | 'ANY'>(OperationCode, code, ['UNKNOWN']);
}
function permissionOf(code: number): Permission | 'ANY' | undefined {
  return nameOf<Permission | 'ANY'>(PermissionCode, code, ['UNKNOWN']);
}

/** The filter the codes mean, or Kafka's DeleteAcls answer to a filter with an UNKNOWN part. */
export function filterFromCodes(codes: AclFilterCodes): { filter: AclBindingFilter } | { error: ItemResult } {
  const resourceType = resourceTypeOf(codes.resourceTypeCode);
  const patternType = PATTERN_TYPES[codes.patternTypeCode];
  if (resourceType === undefined || patternType === undefined) return { error: UNKNOWN_PATTERN_FILTER };
  const operation = operationOf(codes.operationCode);
  const permission = permissionOf(codes.permissionCode);
  if (operation === undefined || permission === undefined) return { error: UNKNOWN_ENTRY_FILTER };
  return {
    filter: {
      resourceType,
      name: codes.resourceName,
      patternType,
      principal: codes.principal,
      host: codes.host,
      operation,
      permission,
    },
  };
}

/**
 * Whether the binding passes the filter, as Kafka decides it:
 * - resource type ANY, operation ANY, permission ANY, and a null name, principal or host match all;
 *   principal and host otherwise compare string-equal (no wildcard meaning: the filter host `*`
 *   matches only bindings whose host is `*`);
 * - pattern type ANY: any pattern whose name equals the filter's name (`*` included, as a literal);
 * - LITERAL / PREFIXED: that pattern type and exactly that name;
 * - MATCH: the bindings that would apply to a resource with that name — LITERAL of the same name,
 *   LITERAL `*`, and PREFIXED patterns whose name is a prefix of it; with a null name, every pattern.
 */
export function bindingMatches(filter: AclBindingFilter, binding: AclBinding): boolean {
  return patternMatches(filter, binding) && entryMatches(filter, binding);
}

function patternMatches(filter: AclBindingFilter, binding: AclBinding): boolean {
  const pattern = binding.resource;
  if (filter.resourceType !== 'ANY' && filter.resourceType !== pattern.type) return false;
  if (filter.patternType !== 'ANY' && filter.patternType !== 'MATCH' && filter.patternType !== pattern.patternType) return false;
  if (filter.name === null) return true;
  if (filter.patternType !== 'MATCH') return filter.name === pattern.name;
  return pattern.patternType === 'LITERAL' ? filter.name === pattern.name || pattern.name === '*' : filter.name.startsWith(pattern.name);
}

function entryMatches(filter: AclBindingFilter, binding: AclBinding): boolean {
  if (filter.principal !== null && filter.principal !== binding.principal) return false;
  if (filter.host !== null && filter.host !== binding.host) return false;
  if (filter.operation !== 'ANY' && filter.operation !== binding.operation) return false;
  return filter.permission === 'ANY' || filter.permission === binding.permission;
}
