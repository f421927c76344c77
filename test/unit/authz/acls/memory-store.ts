// A ManagedAclStore double for unit tests of the ACL service and its enforcers: the set lives in memory.
// Each write reads the set, waits a moment, then writes the set back (a read-modify-write), so two
// writes that overlap lose one another's change — exactly what the service's serialization prevents.
import { bindingKey, type AclActor, type AclBinding } from '../../../../gateway/authz/acls/acl-binding.ts';
import type { ManagedAclStore } from '../../../../gateway/authz/acls/managed-store.ts';

export class MemoryAclStore implements ManagedAclStore {
  readonly kind = 'kafka' as const;
  private set: AclBinding[] = [];
  private readonly listeners: (() => void)[] = [];
  /** Every write asked for, in order. */
  readonly writes: { op: 'add' | 'remove'; bindings: readonly AclBinding[]; actor: AclActor }[] = [];
  /** When set, every write fails with it and changes nothing. */
  failWith: Error | null = null;
  private inFlight = 0;
  /** The most writes that ever overlapped. */
  maxInFlight = 0;

  constructor(initial: readonly AclBinding[] = []) {
    this.set = [...initial];
  }

  async start(): Promise<void> {}

  bindings(): readonly AclBinding[] {
    return this.set;
  }

  add(bindings: readonly AclBinding[], actor: AclActor): Promise<void> {
    return this.write('add', bindings, actor, (before) => {
      const keys = new Set(before.map(bindingKey));
      return [...before, ...bindings.filter((b) => !keys.has(bindingKey(b)))];
    });
  }

  remove(bindings: readonly AclBinding[], actor: AclActor): Promise<void> {
    const gone = new Set(bindings.map(bindingKey));
    return this.write('remove', bindings, actor, (before) => before.filter((b) => !gone.has(bindingKey(b))));
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {}

  private async write(
    op: 'add' | 'remove',
    bindings: readonly AclBinding[],
    actor: AclActor,
    next: (before: AclBinding[]) => AclBinding[],
  ) {
    this.writes.push({ op, bindings, actor });
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      const before = this.set;
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 3)));
      if (this.failWith) throw this.failWith;
      this.set = next(before);
    } finally {
      this.inFlight--;
    }
    for (const l of this.listeners) l();
  }
}
