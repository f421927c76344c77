// The AclService the ACL APIs use: DescribeAcls lists the YAML policy's bindings, then the managed ones;
// CreateAcls and DeleteAcls change only the managed rule set (the store), with Kafka's per-item results.
// YAML bindings are never deleted: DeleteAcls reports each one it matches with POLICY_VIOLATION and the
// file and rule to edit. Store calls are serialized here, so two overlapping requests (from any number
// of connections of this instance) never lose each other's changes; the stores handle other instances.
import path from 'node:path';
import { ErrorCode } from '../../protocol/index.ts';
import { bindingKey, type AclActor, type AclBinding, type BindingSource, type ListedBinding } from './acl-binding.ts';
import { bindingMatches, filterFromCodes } from './acl-filter.ts';
import type { AclCreation, AclFilterCodes, AclService, DeletionResult, ItemResult } from './acl-service.ts';
import { validateCreations } from './creation-validation.ts';
import type { ManagedAclStore } from './managed-store.ts';

/** One change to the managed rule set, for the audit log (who, what, outcome; never credentials). */
export interface AclChangeAuditEvent {
  readonly time: string;
  readonly actor: AclActor;
  readonly action: 'create' | 'delete';
  readonly store: ManagedAclStore['kind'];
  /** The bindings added (new ones only) or removed. */
  readonly bindings: readonly AclBinding[];
  readonly outcome: 'applied' | 'failed';
  /** Why the store refused (outcome `failed`). */
  readonly error?: string;
}

export interface PolicyAclServiceOptions {
  /** The YAML policy in force as bindings (read on every call: a reload shows at once). */
  readonly yamlBindings: () => readonly ListedBinding[];
  /** The managed rule set; null when `authorization.managedAcls.store: none`. */
  readonly store: ManagedAclStore | null;
  readonly audit: (event: AclChangeAuditEvent) => void;
  readonly now?: () => Date;
}

/** SECURITY_DISABLED, as a broker without an authorizer answers, but saying which setting turned it off. */
export const MANAGED_ACLS_OFF: ItemResult = {
  errorCode: ErrorCode.SECURITY_DISABLED,
  errorMessage:
    'Managed ACLs are turned off in the gateway config (authorization.managedAcls.store: none): ACLs come only from its policy files.',
};

const OK: ItemResult = { errorCode: ErrorCode.NONE, errorMessage: null };

/** What every item touched by a failed store write gets (the cause goes to the audit log, not to the client). */
function storeFailed(store: ManagedAclStore): ItemResult {
  return {
    errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
    errorMessage: `The gateway could not save the change in its managed ACL store (${store.kind}); nothing was changed (the reason is in the gateway's audit log: a backend that cannot be reached, or a managed file broken by hand).`,
  };
}

/**
 * The result of a YAML binding a DeleteAcls filter matched: kept, and where to remove it instead. The
 * file is named without its directory: the text goes to a client, which needs the name to find the rule,
 * not the gateway's file system layout. (`kafka-acls --remove` prints it and exits 1: "Error while
 * executing ACL command: …PolicyViolationException: defined in team.yaml:12 (rule …)…".)
 */
function definedInPolicyFile(source: Extract<BindingSource, { kind: 'policy-file' }>): ItemResult {
  const where = source.location ? `${path.basename(source.location.file)}:${source.location.line} ` : 'a policy file ';
  return {
    errorCode: ErrorCode.POLICY_VIOLATION,
    errorMessage: `defined in ${where}(rule ${source.ruleId}): edit that file to remove it`,
  };
}

function unique(bindings: readonly AclBinding[]): AclBinding[] {
  const seen = new Set<string>();
  return bindings.filter((b) => {
    const key = bindingKey(b);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What one DeleteAcls filter matched, or why it matches nothing. */
type FilterMatches = { readonly error: ItemResult } | { readonly yaml: readonly ListedBinding[]; readonly managed: readonly AclBinding[] };

export class PolicyAclService implements AclService {
  private readonly yamlBindings: () => readonly ListedBinding[];
  private readonly store: ManagedAclStore | null;
  private readonly audit: (event: AclChangeAuditEvent) => void;
  private readonly now: () => Date;
  /** The tail of the store calls in flight: each change starts after the previous one settled. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: PolicyAclServiceOptions) {
    this.yamlBindings = opts.yamlBindings;
    this.store = opts.store;
    this.audit = opts.audit;
    this.now = opts.now ?? (() => new Date());
  }

  describe(codes: AclFilterCodes): { readonly error?: ItemResult; readonly bindings: readonly ListedBinding[] } {
    const parsed = filterFromCodes(codes);
    // DescribeAcls does not validate its filter (a 4.3 broker answers 0 and no ACLs): a part Kafka does
    // not define is UNKNOWN, and UNKNOWN matches no binding.
    if ('error' in parsed) return { bindings: [] };
    const managed: ListedBinding[] = (this.store?.bindings() ?? []).map((binding) => ({ binding, source: { kind: 'managed' } }));
    return { bindings: [...this.yamlBindings(), ...managed].filter((l) => bindingMatches(parsed.filter, l.binding)) };
  }

  async create(creations: readonly AclCreation[], actor: AclActor): Promise<readonly ItemResult[]> {
    const store = this.store;
    if (store === null) return creations.map(() => MANAGED_ACLS_OFF);
    const checks = validateCreations(creations);
    const valid = unique(checks.flatMap((c) => ('binding' in c ? [c.binding] : [])));
    const results = (failure: ItemResult | undefined) => checks.map((c) => ('error' in c ? c.error : (failure ?? OK)));
    if (valid.length === 0) return results(undefined);
    return this.exclusive(async () => {
      // A creation whose binding exists already succeeds, as in Kafka. It is still written (the store keeps
      // it once): this instance's view of a shared store may lag a delete made through another instance.
      // The audit names only the bindings that are new as far as this instance knows.
      const present = new Set(store.bindings().map(bindingKey));
      const fresh = valid.filter((b) => !present.has(bindingKey(b)));
      try {
        await store.add(valid, actor);
      } catch (err) {
        // The batch is one write, as the controller commits one batch: none of it is in force.
        this.record(actor, 'create', store, valid, err);
        return results(storeFailed(store));
      }
      if (fresh.length > 0) this.record(actor, 'create', store, fresh);
      return results(undefined);
    });
  }

  async delete(filters: readonly AclFilterCodes[], actor: AclActor): Promise<readonly DeletionResult[]> {
    const store = this.store;
    if (store === null) return filters.map(() => ({ ...MANAGED_ACLS_OFF, matching: [] }));
    const parsed = filters.map(filterFromCodes);
    return this.exclusive(async () => {
      const yaml = this.yamlBindings();
      const managed = store.bindings();
      const matches = parsed.map((p): FilterMatches =>
        'error' in p
          ? { error: p.error }
          : {
              yaml: yaml.filter((l) => bindingMatches(p.filter, l.binding)),
              managed: managed.filter((b) => bindingMatches(p.filter, b)),
            },
      );
      // Every managed binding any filter matched goes in one write (a binding two filters match is
      // listed under both, as Kafka lists it, and removed once).
      const doomed = unique(matches.flatMap((m) => ('error' in m ? [] : m.managed)));
      let failure: ItemResult | undefined;
      if (doomed.length > 0) {
        try {
          await store.remove(doomed, actor);
          this.record(actor, 'delete', store, doomed);
        } catch (err) {
          this.record(actor, 'delete', store, doomed, err);
          failure = storeFailed(store);
        }
      }
      return matches.map((m): DeletionResult => {
        if ('error' in m) return { ...m.error, matching: [] };
        return {
          ...OK,
          matching: [
            ...m.yaml.map((l) => ({
              binding: l.binding,
              ...(l.source.kind === 'policy-file' ? definedInPolicyFile(l.source) : OK),
            })),
            ...m.managed.map((binding) => ({ binding, ...(failure ?? OK) })),
          ],
        };
      });
    });
  }

  /** Runs `work` after every earlier change settled; a failed change does not block the next. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private record(
    actor: AclActor,
    action: 'create' | 'delete',
    store: ManagedAclStore,
    bindings: readonly AclBinding[],
    err?: unknown,
  ): void {
    const event: AclChangeAuditEvent = {
      time: this.now().toISOString(),
      actor: { principal: actor.principal, clientAddress: actor.clientAddress, listener: actor.listener },
      action,
      store: store.kind,
      bindings,
      outcome: err === undefined ? 'applied' : 'failed',
      ...(err === undefined ? {} : { error: reason(err) }),
    };
    try {
      this.audit(event);
    } catch {
      // The audit sink reports its own failures; the change itself is done and its results stand.
    }
  }
}
