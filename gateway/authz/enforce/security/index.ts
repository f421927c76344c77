// The enforcers of this group, listed for the registry.
import type { AnyEnforcer } from '../enforcer.ts';

export const SECURITY_ENFORCERS: readonly AnyEnforcer[] = [];
