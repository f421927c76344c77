// Kafka's ACL binding and binding filter (spec §1, §1.9) as the ACL APIs carry them, in the policy's own
// vocabulary. A binding is one Kafka ACL: one principal, one host, one operation, one permission on one
// resource pattern. The YAML policy and the managed rule set both turn into lists of these for the ACL APIs.
import type { Operation, Permission, ResourceType } from '../model.ts';
import type { ResourcePattern, SourceLocation } from '../policy.ts';

export interface AclBinding {
  readonly resource: ResourcePattern;
  /** `Type:name` (e.g. `User:alice`, `User:*`). */
  readonly principal: string;
  /** `*` or an IP address as Kafka compares it (string-equal). */
  readonly host: string;
  readonly operation: Operation;
  readonly permission: Permission;
}

/** A DescribeAcls/DeleteAcls filter: null and ANY match everything; MATCH as spec §1.3. */
export interface AclBindingFilter {
  readonly resourceType: ResourceType | 'ANY';
  readonly name: string | null;
  readonly patternType: 'ANY' | 'MATCH' | 'LITERAL' | 'PREFIXED';
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: Operation | 'ANY';
  readonly permission: Permission | 'ANY';
}

/** Who changed managed ACLs (audited with every change). */
export interface AclActor {
  readonly principal: string;
  readonly clientAddress: string;
  readonly listener: string;
}

/** Where a listed binding comes from: the managed rule set, or a YAML rule (which DeleteAcls cannot remove). */
export type BindingSource =
  | { readonly kind: 'managed' }
  | {
      readonly kind: 'policy-file';
      readonly ruleId: string;
      readonly location?: SourceLocation;
      /**
       * Set when the rule means more or less than Kafka bindings can say (a CIDR host, dry-run mode, a
       * role): the binding shown is the closest one, and this says how it differs.
       */
      readonly approximation?: string;
    };

export interface ListedBinding {
  readonly binding: AclBinding;
  readonly source: BindingSource;
}

/** A stable text key of a binding (equal bindings, equal keys): for de-duplication and the kafka store's record keys. */
export function bindingKey(b: AclBinding): string {
  return [b.resource.type, b.resource.patternType, b.resource.name, b.principal, b.host, b.operation, b.permission].join('\u0000');
}
