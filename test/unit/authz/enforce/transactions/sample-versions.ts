// The versions a per-API test runs at: the oldest, one in the middle and the newest an enforcer accepts.
import type { AnyEnforcer } from '../../../../../gateway/authz/enforce/enforcer.ts';

export function sampleVersions(enforcer: AnyEnforcer, from = enforcer.versions.min, to = enforcer.versions.max): number[] {
  return [...new Set([from, Math.floor((from + to) / 2), to])];
}
