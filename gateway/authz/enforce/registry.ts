// Which enforcer authorizes an api key at a version. Fails closed: a key or version without an
// enforcer is neither advertised to clients nor served (the session closes the connection, as a
// broker does for an API it does not serve).
import type { AnyEnforcer } from './enforcer.ts';
import { ADMIN_ENFORCERS } from './admin/index.ts';
import { GROUPS_ENFORCERS } from './groups/index.ts';
import { SECURITY_ENFORCERS } from './security/index.ts';
import { TOPICS_ENFORCERS } from './topics/index.ts';
import { TRANSACTIONS_ENFORCERS } from './transactions/index.ts';

export class EnforcerRegistry {
  private readonly byKey = new Map<number, AnyEnforcer>();

  constructor(enforcers: readonly AnyEnforcer[]) {
    for (const e of enforcers) {
      const apiKey = e.apiKey as number;
      if (this.byKey.has(apiKey)) throw new Error(`two enforcers for api key ${apiKey}`);
      this.byKey.set(apiKey, e);
    }
  }

  /** The enforcer for this key and version, or undefined: refuse. */
  enforcerFor(apiKey: number, apiVersion: number): AnyEnforcer | undefined {
    const e = this.byKey.get(apiKey);
    return e && apiVersion >= e.versions.min && apiVersion <= e.versions.max ? e : undefined;
  }

  /** The versions of `apiKey` the gateway can authorize (undefined: none). */
  range(apiKey: number): { min: number; max: number } | undefined {
    return this.byKey.get(apiKey)?.versions;
  }

  apiKeys(): number[] {
    return [...this.byKey.keys()].sort((a, b) => a - b);
  }
}

export const ALL_ENFORCERS: readonly AnyEnforcer[] = [
  ...TOPICS_ENFORCERS,
  ...GROUPS_ENFORCERS,
  ...TRANSACTIONS_ENFORCERS,
  ...ADMIN_ENFORCERS,
  ...SECURITY_ENFORCERS,
];

export const defaultRegistry = (): EnforcerRegistry => new EnforcerRegistry(ALL_ENFORCERS);
