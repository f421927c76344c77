// Holds the policy in force and replaces it on reload: parse, validate, compile, then one
// assignment. A policy that fails to load never replaces the last good one; the failure is kept
// in `status()` (for the admin endpoint) and reported to `onReload` (for metrics).
// With a managed ACL store, the policy in force is the YAML policy plus one rule per managed binding:
// a change in the store recompiles from the last good YAML policy (a new version), and a YAML reload
// keeps the managed rules.
import { createHash } from 'node:crypto';
import { watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { watchFiles } from '../common/file-watch.ts';
import { bindingKey } from './acls/acl-binding.ts';
import { managedRules } from './acls/managed-rules.ts';
import type { ManagedAclStore } from './acls/managed-store.ts';
import { CompiledPolicy, type CompileOptions } from './compiled-policy.ts';
import { isPolicyFileName, loadPolicy } from './policy-loader.ts';
import type { Policy, PolicyError } from './policy.ts';

/** The subset of a pino logger the store uses. */
export interface StoreLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface PolicyStatus {
  /** 0 until a policy has loaded; +1 for every policy swapped in. */
  readonly version: number;
  readonly digest?: string;
  readonly loadedAt?: string;
  readonly files: readonly string[];
  /** The first problem of the last failed reload; cleared by the next successful one. */
  readonly lastError?: PolicyError;
  readonly errors: readonly PolicyError[];
  /** With a managed ACL store: which one, and how many managed rules the policy in force holds. */
  readonly managed?: { readonly store: ManagedAclStore['kind']; readonly rules: number };
}

export interface ReloadEvent {
  readonly ok: boolean;
  /** False when the files had not changed (same digest): nothing was swapped. */
  readonly changed: boolean;
  readonly trigger: string;
  readonly status: PolicyStatus;
}

export interface PolicyStoreOptions {
  /** A policy file or a directory of them; several are merged into one policy. */
  readonly path: string | readonly string[];
  readonly logger?: StoreLogger;
  /** Quiet time after the last file event before reloading (editors write in bursts). */
  readonly debounceMs?: number;
  readonly onReload?: (event: ReloadEvent) => void;
  /** Managed ACLs (CreateAcls/DeleteAcls): their bindings are compiled in with the YAML policy. Started by the caller. */
  readonly managed?: ManagedAclStore;
  /** How every policy is compiled (e.g. the reserved ACL topic). */
  readonly compile?: CompileOptions;
}

const MANAGED_TRIGGER = 'managed ACLs changed';

export class PolicyStore {
  private policy: CompiledPolicy | undefined;
  /** The last good policy read from the files, without managed rules. */
  private filePolicy: Policy | undefined;
  private state: PolicyStatus = { version: 0, files: [], errors: [] };
  private pending: Promise<ReloadEvent> | undefined;
  private queued: Promise<ReloadEvent> | undefined;
  private watchers: Array<{ close(): void }> = [];
  private sighup = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly onSighup = () => void this.reload('SIGHUP');

  constructor(private readonly options: PolicyStoreOptions) {
    options.managed?.onChange(() => this.managedChanged());
  }

  /** The policy in force; undefined until the first successful load (the authorizer is "not ready"). */
  current(): CompiledPolicy | undefined {
    return this.policy;
  }

  status(): PolicyStatus {
    return this.state;
  }

  /** The policy from the files alone (what DescribeAcls lists as hand-written rules); undefined before the first load. */
  yamlPolicy(): Policy | undefined {
    return this.filePolicy;
  }

  /** Loads now. A call during a load waits for it, then loads once more (calls coalesce). */
  reload(trigger = 'manual'): Promise<ReloadEvent> {
    if (this.queued) return this.queued;
    if (this.pending) {
      this.queued = this.pending.then(() => {
        this.queued = undefined;
        return this.reload(trigger);
      });
      return this.queued;
    }
    this.pending = this.load(trigger).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Reloads on changes below each path (debounced) and, unless told not to, on SIGHUP. */
  async watch(opts: { sighup?: boolean } = {}): Promise<void> {
    const files: string[] = [];
    for (const path of typeof this.options.path === 'string' ? [this.options.path] : this.options.path) {
      if (!(await stat(path)).isDirectory()) {
        files.push(path);
        continue;
      }
      // A folder: any policy file in it may come or go. `..`-names are a Kubernetes volume's `..data` swap.
      const watcher = watch(path, { persistent: false }, (_event, name) => {
        if (name && !isPolicyFileName(name) && !name.startsWith('..')) return;
        this.schedule();
      });
      this.watchers.push(watcher);
    }
    // Single files are replaced by rename (editors) or behind a symlink (Kubernetes): see file-watch.ts.
    if (files.length > 0) {
      this.watchers.push(
        await watchFiles(files, { debounceMs: this.options.debounceMs ?? 250, onChange: () => void this.reload('file change') }),
      );
    }
    if (opts.sighup ?? true) {
      this.sighup = true;
      process.on('SIGHUP', this.onSighup);
    }
  }

  close(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    clearTimeout(this.timer);
    if (this.sighup) process.off('SIGHUP', this.onSighup);
    this.sighup = false;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload('file change'), this.options.debounceMs ?? 250);
    this.timer.unref();
  }

  private async load(trigger: string): Promise<ReloadEvent> {
    const result = await loadPolicy(this.options.path);
    const log = this.options.logger;
    let changed = false;
    if (!result.ok) {
      this.state = { ...this.state, lastError: result.errors[0], errors: result.errors };
      log?.error(
        { trigger, errors: result.errors, keptVersion: this.state.version },
        `policy reload failed, keeping version ${this.state.version}: ${result.errors[0].file}:${result.errors[0].line}:${result.errors[0].column}: ${result.errors[0].message}`,
      );
    } else if (result.policy.digest === this.filePolicy?.digest) {
      this.state = { ...this.state, lastError: undefined, errors: [] };
    } else {
      changed = true;
      this.filePolicy = result.policy;
      this.swapIn(trigger);
    }
    const event: ReloadEvent = { ok: result.ok, changed, trigger, status: this.state };
    this.options.onReload?.(event);
    return event;
  }

  // The store's bindings changed (this instance or another): recompile from the last good YAML policy.
  // Before the first YAML load there is nothing to combine with; that load will include them.
  private managedChanged(): void {
    if (!this.filePolicy) return;
    this.swapIn(MANAGED_TRIGGER);
    this.options.onReload?.({ ok: true, changed: true, trigger: MANAGED_TRIGGER, status: this.state });
  }

  /** Compiles the last good YAML policy with the managed rules of now, as the next version. */
  private swapIn(trigger: string): void {
    const yaml = this.filePolicy!;
    const bindings = this.options.managed?.bindings() ?? [];
    const rules = managedRules(bindings);
    // The digest covers both sources, so audit events name exactly the rule set that decided.
    const digest =
      this.options.managed === undefined
        ? yaml.digest
        : createHash('sha256').update(yaml.digest).update('\0').update(bindings.map(bindingKey).join('\n')).digest('hex').slice(0, 16);
    const policy: Policy = rules.length === 0 && digest === yaml.digest ? yaml : { ...yaml, rules: [...yaml.rules, ...rules], digest };
    const version = this.state.version + 1;
    this.policy = new CompiledPolicy(policy, version, this.options.compile);
    const managed = this.options.managed && { store: this.options.managed.kind, rules: rules.length };
    // A YAML load clears the last reload error; a managed change leaves it (the files are still broken).
    const { lastError, errors } = this.state;
    const kept = trigger === MANAGED_TRIGGER ? { errors, ...(lastError && { lastError }) } : { errors: [] };
    this.state = { version, digest, loadedAt: new Date().toISOString(), files: yaml.files, ...kept, ...(managed && { managed }) };
    this.options.logger?.info(
      { trigger, version, digest, rules: policy.rules.length, ...(managed && { managedRules: managed.rules }) },
      `policy version ${version} in force`,
    );
  }
}
