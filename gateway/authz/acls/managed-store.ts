// Where ACLs created through the ACL APIs live (config `authorization.managedAcls.store`):
//   file  — a YAML policy file written atomically (one instance);
//   kafka — a compacted topic on the backend cluster that every instance consumes (several instances).
// The service (acl-service.ts) validates and matches; a store only keeps the set and tells of changes,
// including those made by other instances.
import type { AclActor, AclBinding } from './acl-binding.ts';

export interface ManagedAclStore {
  readonly kind: 'file' | 'kafka';
  /** Loads what is stored; resolves once bindings() reflects it. Rejects when the store cannot be read at all. */
  start(): Promise<void>;
  /** The managed bindings now, without duplicates, in the order they were added. */
  bindings(): readonly AclBinding[];
  /** Adds bindings (ones already present are kept once). Resolves once durable and visible in bindings(). */
  add(bindings: readonly AclBinding[], actor: AclActor): Promise<void>;
  /** Removes exactly these bindings (absent ones are ignored). Resolves once durable and gone from bindings(). */
  remove(bindings: readonly AclBinding[], actor: AclActor): Promise<void>;
  /** `listener` runs after bindings() changed, whoever changed them (this instance or another). */
  onChange(listener: () => void): void;
  close(): Promise<void>;
}
