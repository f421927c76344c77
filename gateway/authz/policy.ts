// The validated, merged policy: what the loader produces and the compiler consumes. Plain data, so
// tests and the importer can build one without YAML.
import type { Operation, PatternType, Permission, ResourceType } from './model.ts';

/** Where something was written: file, 1-based line and column. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One problem found while loading a policy. */
export interface PolicyError extends SourceLocation {
  readonly message: string;
}

export interface ResourcePattern {
  readonly type: ResourceType;
  readonly patternType: PatternType;
  readonly name: string;
}

export type RuleMode = 'enforce' | 'dry-run';

export interface PolicyRule {
  readonly id: string;
  readonly description?: string;
  readonly permission: Permission;
  readonly operations: readonly Operation[];
  /** Principals as written (may name roles, `role:<name>`). */
  readonly principalRefs: readonly string[];
  /** The concrete principals after role expansion, without duplicates. */
  readonly principals: readonly string[];
  /** Host entries as written: `*`, IPs, CIDRs. */
  readonly hosts: readonly string[];
  readonly resources: readonly ResourcePattern[];
  readonly mode: RuleMode;
  readonly source?: SourceLocation;
}

export interface Policy {
  readonly superUsers: readonly string[];
  readonly allowEveryoneIfNoAclFound: boolean;
  /** Global mode: `dry-run` turns every denial into a logged would-be denial. */
  readonly mode: RuleMode;
  readonly roles: ReadonlyMap<string, readonly string[]>;
  readonly rules: readonly PolicyRule[];
  /** The files it was read from, in load order. */
  readonly files: readonly string[];
  /** A digest of the sources, stable across restarts (audit logs carry it). */
  readonly digest: string;
}

export const ROLE_PREFIX = 'role:';
