// The `file` managed ACL store (config `authorization.managedAcls: { store: file, path }`), for a single
// gateway instance: the managed bindings as a YAML policy file, readable and reviewable like any other.
// Every change rewrites the whole file atomically (temp file in the same folder, fsync, rename over the
// old one, fsync the folder), so a crash at any moment leaves the old file or the new one, never half of
// one. Changes go through one queue, so concurrent CreateAcls/DeleteAcls never lose each other's work.
// Edits made to the file by hand are picked up like policy edits; a broken edit keeps the last good set.
import { watch, type FSWatcher } from 'node:fs';
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { formatPolicyError } from '../policy-loader.ts';
import type { StoreLogger } from '../policy-store.ts';
import { bindingKey, type AclActor, type AclBinding } from './acl-binding.ts';
import { describeBinding, managedBindingsFromText, managedPolicyYaml, managedYamlProblem } from './managed-rules.ts';
import type { ManagedAclStore } from './managed-store.ts';

export interface FileAclStoreOptions {
  /** The managed ACL file (created on the first change when missing). */
  readonly path: string;
  readonly logger?: StoreLogger;
  /** Watch the file for edits made by hand (default true). */
  readonly watch?: boolean;
  /** Only read (e.g. `gatehouse policy export` next to a running gateway): no watch, no clean-up, add/remove refused. */
  readonly readOnly?: boolean;
  /** Quiet time after the last file event before re-reading (editors write in bursts). */
  readonly debounceMs?: number;
}

/** The file cannot be read or does not hold a valid managed ACL set. */
export class ManagedFileError extends Error {}

export class FileAclStore implements ManagedAclStore {
  readonly kind = 'file' as const;
  private current: readonly AclBinding[] = [];
  /** The file's text as last read or written: a watch event for our own rename reads the same text and changes nothing. */
  private text: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners: Array<() => void> = [];
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private tempCounter = 0;
  private closed = false;

  constructor(private readonly options: FileAclStoreOptions) {}

  get path(): string {
    return this.options.path;
  }

  async start(): Promise<void> {
    if (!this.options.readOnly) await this.removeStaleTempFiles();
    const read = await this.readFile();
    if ('error' in read) throw new ManagedFileError(read.error);
    this.current = read.bindings;
    this.text = read.text;
    this.options.logger?.info(
      { event: 'managed_acls_loaded', store: 'file', path: this.path, bindings: this.current.length },
      `managed ACLs: ${this.current.length} binding(s) from ${this.path}`,
    );
    if ((this.options.watch ?? true) && !this.options.readOnly) this.watchFile();
  }

  bindings(): readonly AclBinding[] {
    return this.current;
  }

  add(bindings: readonly AclBinding[], actor: AclActor): Promise<void> {
    return this.change(actor, 'add', (set) => {
      const keys = new Set(set.map(bindingKey));
      const added = bindings.filter((b) => {
        const key = bindingKey(b);
        if (keys.has(key)) return false;
        keys.add(key);
        return true;
      });
      // Refuse what the file format cannot hold, naming the binding, before anything is written.
      for (const b of added) {
        const problem = managedYamlProblem([b]);
        if (problem) throw new ManagedFileError(`ACL ${describeBinding(b)} cannot be kept in the managed ACL file: ${problem}`);
      }
      return added.length === 0 ? set : [...set, ...added];
    });
  }

  remove(bindings: readonly AclBinding[], actor: AclActor): Promise<void> {
    return this.change(actor, 'remove', (set) => {
      const gone = new Set(bindings.map(bindingKey));
      const kept = set.filter((b) => !gone.has(bindingKey(b)));
      return kept.length === set.length ? set : kept;
    });
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    clearTimeout(this.timer);
    await this.queue.catch(() => undefined);
  }

  /** Runs `task` after every change queued before it; the queue goes on whether it succeeds or fails. */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private change(actor: AclActor, what: 'add' | 'remove', next: (set: readonly AclBinding[]) => readonly AclBinding[]): Promise<void> {
    return this.enqueue(async () => {
      if (this.closed) throw new ManagedFileError('the managed ACL store is closed');
      if (this.options.readOnly) throw new ManagedFileError('the managed ACL store was opened read-only');
      // Start from the file as it is now: an edit by hand not yet picked up by the watcher is kept.
      await this.adoptFileEdits();
      const updated = next(this.current);
      if (updated === this.current) return;
      const text = managedPolicyYaml(updated);
      await writeAtomically(this.path, text, `${process.pid}.${this.tempCounter++}`);
      this.text = text;
      this.current = updated;
      this.options.logger?.info(
        { event: 'managed_acls_written', store: 'file', path: this.path, change: what, by: actor.principal, bindings: updated.length },
        `managed ACLs: ${updated.length} binding(s) written to ${this.path}`,
      );
      this.notify();
    });
  }

  /** Reads the file if it changed since we last saw it; a broken file refuses the change (fix it first, it is someone's edit). */
  private async adoptFileEdits(): Promise<void> {
    const read = await this.readFile();
    if ('error' in read) throw new ManagedFileError(`the managed ACL file is broken, fix it first: ${read.error}`);
    if (read.text === this.text) return;
    this.text = read.text;
    this.current = read.bindings;
    this.notify();
  }

  private async readFile(): Promise<{ text: string | undefined; bindings: AclBinding[] } | { error: string }> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      // No file yet: no managed ACLs (the first change creates it).
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { text: undefined, bindings: [] };
      return { error: `${this.path}: cannot read: ${(err as Error).message}` };
    }
    const read = managedBindingsFromText(this.path, text);
    if (!read.ok) return { error: read.errors.map(formatPolicyError).join('; ') };
    return { text, bindings: read.bindings };
  }

  private watchFile(): void {
    const name = basename(this.path);
    try {
      // The folder, not the file: the file is replaced by rename (by us, by editors, by Kubernetes).
      this.watcher = watch(dirname(this.path), { persistent: false }, (_event, changed) => {
        if (changed && changed !== name) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.reloadFromDisk(), this.options.debounceMs ?? 250);
        this.timer.unref();
      });
      this.watcher.on('error', (err) =>
        this.options.logger?.error(
          { event: 'managed_acls_watch_failed', path: this.path, err: err.message },
          'cannot watch the managed ACL file',
        ),
      );
    } catch (err) {
      this.options.logger?.error(
        { event: 'managed_acls_watch_failed', path: this.path, err: (err as Error).message },
        'cannot watch the managed ACL file; edits by hand are read on the next change',
      );
    }
  }

  private reloadFromDisk(): Promise<void> {
    return this.enqueue(async () => {
      if (this.closed) return;
      const read = await this.readFile();
      if ('error' in read) {
        this.options.logger?.error(
          { event: 'managed_acls_reload_failed', path: this.path, err: read.error, kept: this.current.length },
          `managed ACL file does not load, keeping the last good set of ${this.current.length}: ${read.error}`,
        );
        return;
      }
      if (read.text === this.text) return;
      this.text = read.text;
      this.current = read.bindings;
      this.options.logger?.info(
        { event: 'managed_acls_loaded', store: 'file', path: this.path, bindings: this.current.length, trigger: 'file change' },
        `managed ACLs: ${this.current.length} binding(s) from ${this.path}`,
      );
      this.notify();
    });
  }

  private notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.options.logger?.error({ event: 'managed_acls_listener_failed', err: (err as Error).message }, 'a managed ACL listener failed');
      }
    }
  }

  /** Temp files a crashed writer left behind (a live process's are its writes in progress; the ACL file itself is only ever replaced whole). */
  private async removeStaleTempFiles(): Promise<void> {
    const prefix = tempPrefix(this.path);
    const names = await readdir(dirname(this.path)).catch(() => [] as string[]);
    const stale = names.filter((n) => {
      const pid = n.startsWith(prefix) && n.endsWith('.tmp') ? Number(n.slice(prefix.length).split('.')[0]) : NaN;
      return Number.isInteger(pid) && !isAlive(pid);
    });
    await Promise.all(stale.map((n) => unlink(join(dirname(this.path), n)).catch(() => undefined)));
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tempPrefix(path: string): string {
  return `.${basename(path)}.`;
}

/**
 * Replaces `path` with `text` so that a crash leaves either the old content or the new: the text goes to
 * a temp file in the same folder (a rename across file systems is not atomic), is fsynced, renamed over
 * `path`, and the folder is fsynced so the rename itself survives a power loss.
 */
export async function writeAtomically(path: string, text: string, unique: string): Promise<void> {
  const temp = join(dirname(path), `${tempPrefix(path)}${unique}.tmp`);
  const file = await open(temp, 'w');
  try {
    await file.writeFile(text, 'utf8');
    await file.sync();
  } catch (err) {
    await file.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await file.close();
  try {
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  const folder = await open(dirname(path), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
