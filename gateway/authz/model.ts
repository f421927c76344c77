// Kafka's ACL vocabulary with its wire codes (spec §1.1–§1.4). Names are the API; codes are for the
// protocol and for operation bit masks (bit n = operation with wire code n, as in §1.8 bitfields).

export const ResourceTypeCode = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;

/** Resource types an ACL (and an authorization request) can name. */
export type ResourceType = 'TOPIC' | 'GROUP' | 'CLUSTER' | 'TRANSACTIONAL_ID' | 'DELEGATION_TOKEN' | 'USER';

export const RESOURCE_TYPES: readonly ResourceType[] = ['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID', 'DELEGATION_TOKEN', 'USER'];

export const OperationCode = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
  TWO_PHASE_COMMIT: 15,
} as const;

/** Operations an ACL can carry (ALL included; UNKNOWN and ANY are filter-only). */
export type Operation = Exclude<keyof typeof OperationCode, 'UNKNOWN' | 'ANY'>;
/** Operations a request asks for: a concrete one, never ALL. */
export type RequestOperation = Exclude<Operation, 'ALL'>;

export const OPERATIONS: readonly Operation[] = (Object.keys(OperationCode) as (keyof typeof OperationCode)[]).filter(
  (name): name is Operation => name !== 'UNKNOWN' && name !== 'ANY',
);

export const PatternTypeCode = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export type PatternType = 'LITERAL' | 'PREFIXED';

export const PermissionCode = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;
export type Permission = 'ALLOW' | 'DENY';

/** The only name a CLUSTER resource has. */
export const CLUSTER_NAME = 'kafka-cluster';
/** The literal resource name that matches every resource of its type. */
export const WILDCARD_RESOURCE = '*';
/** The only wildcard principal; it matches every principal type. */
export const WILDCARD_PRINCIPAL = 'User:*';

/** Operations the broker evaluates per resource type (§1.1); also the §1.8 bitfield domain. */
export const OPERATIONS_BY_RESOURCE_TYPE: Readonly<Record<ResourceType, readonly RequestOperation[]>> = {
  TOPIC: ['READ', 'WRITE', 'CREATE', 'DESCRIBE', 'DELETE', 'ALTER', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'],
  GROUP: ['READ', 'DESCRIBE', 'DELETE', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'],
  CLUSTER: ['CREATE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE', 'ALTER', 'DESCRIBE'],
  TRANSACTIONAL_ID: ['DESCRIBE', 'WRITE', 'TWO_PHASE_COMMIT'],
  DELEGATION_TOKEN: ['DESCRIBE'],
  USER: ['CREATE_TOKENS', 'DESCRIBE_TOKENS'],
};

/** Whether a policy may put this operation on this resource type (as `kafka-acls` validates). */
export function isOperationValidFor(operation: Operation, resourceType: ResourceType): boolean {
  return operation === 'ALL' || (OPERATIONS_BY_RESOURCE_TYPE[resourceType] as readonly string[]).includes(operation);
}

export function operationBit(operation: Operation): number {
  return 1 << OperationCode[operation];
}

/** Every bit: what ALL matches, including operations outside a type's list (e.g. DELETE on CLUSTER). */
export const ALL_OPERATIONS_MASK = 0xffff;

// ALLOW of the key also allows these (§1.2). Implication never applies to DENY.
const IMPLIED_BY_ALLOW: Partial<Record<Operation, readonly Operation[]>> = {
  READ: ['DESCRIBE'],
  WRITE: ['DESCRIBE'],
  DELETE: ['DESCRIBE'],
  ALTER: ['DESCRIBE'],
  ALTER_CONFIGS: ['DESCRIBE_CONFIGS'],
};

/** The request operations an ACL with these operations matches, as a bit mask. */
export function operationMask(permission: Permission, operations: readonly Operation[]): number {
  let mask = 0;
  for (const operation of operations) {
    if (operation === 'ALL') return ALL_OPERATIONS_MASK;
    mask |= operationBit(operation);
    if (permission === 'ALLOW') for (const implied of IMPLIED_BY_ALLOW[operation] ?? []) mask |= operationBit(implied);
  }
  return mask;
}

/** Exact-or-ALL mask, no implication: what "authorize by resource type" (§1.7) scans for. */
export function exactOperationMask(operations: readonly Operation[]): number {
  return operationMask('DENY', operations);
}

export function isResourceType(value: string): value is ResourceType {
  return (RESOURCE_TYPES as readonly string[]).includes(value);
}

export function isOperation(value: string): value is Operation {
  return (OPERATIONS as readonly string[]).includes(value);
}
