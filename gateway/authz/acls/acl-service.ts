// What the ACL APIs' enforcers (DescribeAcls, CreateAcls, DeleteAcls) ask: the bindings in force and
// changes to the managed rule set. The enforcers check the caller's own right (DESCRIBE / ALTER on
// CLUSTER) first; the service validates and applies. Changes resolve once they are durable in the store
// and in force on this instance (every open connection decides its next request with them).
import type { AclActor, AclBinding, AclBindingFilter, ListedBinding } from './acl-binding.ts';

/** One CreateAcls creation as it came off the wire (codes already known to be non-zero, see acl-codes.ts). */
export interface AclCreation {
  readonly resourceTypeCode: number;
  readonly resourceName: string;
  readonly patternTypeCode: number;
  readonly principal: string;
  readonly host: string;
  readonly operationCode: number;
  readonly permissionCode: number;
}

/** One DeleteAcls/DescribeAcls filter as it came off the wire. */
export interface AclFilterCodes {
  readonly resourceTypeCode: number;
  readonly resourceName: string | null;
  readonly patternTypeCode: number;
  readonly principal: string | null;
  readonly host: string | null;
  readonly operationCode: number;
  readonly permissionCode: number;
}

/** Kafka's per-item result: errorCode 0 = done. */
export interface ItemResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface DeletionResult extends ItemResult {
  /** Each binding the filter matched, with its own result (a YAML rule's binding is not deleted: its result names the file). */
  readonly matching: ReadonlyArray<{ readonly binding: AclBinding } & ItemResult>;
}

export interface AclService {
  /**
   * The bindings in force that match the filter (YAML rules expanded, then managed ones), or a filter
   * error (Kafka's answer to an invalid filter, e.g. 42 with its message).
   */
  describe(filter: AclFilterCodes): { readonly error?: ItemResult; readonly bindings: readonly ListedBinding[] };
  /** One result per creation, in order. Never rejects for a bad creation (that is its result). */
  create(creations: readonly AclCreation[], actor: AclActor): Promise<readonly ItemResult[]>;
  /** One result per filter, in order. */
  delete(filters: readonly AclFilterCodes[], actor: AclActor): Promise<readonly DeletionResult[]>;
}

export type { AclBinding, AclBindingFilter };
