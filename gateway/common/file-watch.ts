// Watches a few files (policies, certificates, credential stores) for changes of their content, however
// that content is replaced: written in place, renamed over the file (editors, `mv`), or swapped behind a
// symlink. Kubernetes ConfigMap and Secret volumes do the last: `policy.yaml -> ..data/policy.yaml`,
// `..data -> ..2026_12_01_…` and an update renames a new `..data` link into place; the file's own path
// is never touched, so a watch on the file (or on its name in its directory) misses it.
// So: watch every directory on the file's symlink chain for the names on that chain, re-resolve the
// chain after each burst of events, and report a file only when its bytes differ from before.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';

export interface FileWatchOptions {
  /** Quiet time after the last event before the files are checked: writers touch files in bursts. */
  readonly debounceMs?: number;
  /**
   * Hears the files (as given) whose content changed, once per settled burst; a file that disappears
   * or reappears counts as changed. Must not throw.
   */
  readonly onChange: (files: readonly string[]) => void;
}

export interface FileWatch {
  /** Stops watching; no `onChange` call follows, even for a check under way. */
  close(): void;
}

/** Starts watching; resolves once the current content of every file is known (later changes are reported). */
export async function watchFiles(files: readonly string[], options: FileWatchOptions): Promise<FileWatch> {
  const watcher = new FilesWatcher([...new Set(files)], options);
  await watcher.start();
  return watcher;
}

/** A digest of the file's bytes; null while it cannot be read. */
type Fingerprint = string | null;

/** The directories to watch, each with the entry names in it that lead to one of the files. */
type WatchPlan = Map<string, Set<string>>;

// Kubernetes' atomic writer names its private entries `..data`, `..data_tmp`, `..<timestamp>`. `..data`
// is on the chain already; the others are accepted too in case a platform reports only one side of a rename.
const KUBERNETES_ENTRY = /^\.\./;

class FilesWatcher implements FileWatch {
  private readonly known = new Map<string, Fingerprint>();
  private readonly watchers = new Map<string, { watcher: FSWatcher; names: Set<string> }>();
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private checkAgain = false;
  private closed = false;

  constructor(
    private readonly files: readonly string[],
    private readonly options: FileWatchOptions,
  ) {}

  async start(): Promise<void> {
    // Watch first, then fingerprint: a change in between is either in the baseline or seen as an event.
    this.rewatch(await planFor(this.files));
    for (const file of this.files) this.known.set(file, await fingerprint(file));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const { watcher } of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runCheck(), this.options.debounceMs ?? 250);
    this.timer.unref();
  }

  // One check at a time; events during a check ask for one more after it.
  private async runCheck(): Promise<void> {
    if (this.checking) {
      this.checkAgain = true;
      return;
    }
    this.checking = this.check();
    try {
      await this.checking;
    } finally {
      this.checking = undefined;
    }
    if (this.checkAgain) {
      this.checkAgain = false;
      this.schedule();
    }
  }

  private async check(): Promise<void> {
    const changed: string[] = [];
    for (const file of this.files) {
      const before = this.known.get(file) ?? null;
      const now = await fingerprint(file);
      this.known.set(file, now);
      if (now !== before) changed.push(file);
    }
    // A swap moves the chain (a new timestamped directory): follow it. A change that landed before the
    // new directories were watched is caught by checking once more.
    if (this.closed) return;
    if (this.rewatch(await planFor(this.files))) this.checkAgain = true;
    if (changed.length > 0 && !this.closed) this.options.onChange(changed);
  }

  /** Watches the plan's directories and no others; true if a directory was added. */
  private rewatch(plan: WatchPlan): boolean {
    if (this.closed) return false;
    let added = false;
    for (const [dir, entry] of this.watchers) {
      if (plan.has(dir)) continue;
      entry.watcher.close();
      this.watchers.delete(dir);
    }
    for (const [dir, names] of plan) {
      const existing = this.watchers.get(dir);
      if (existing) {
        existing.names = names;
        continue;
      }
      const wanted = { names };
      let watcher: FSWatcher;
      try {
        watcher = watch(dir, { persistent: false }, (_event, name) => {
          if (name === null || wanted.names.has(name) || KUBERNETES_ENTRY.test(name)) this.schedule();
        });
      } catch {
        continue; // gone already (an old timestamped directory): the next plan will not name it
      }
      const entry = Object.assign(wanted, { watcher });
      // The directory itself went away (deleted or unmounted): re-plan from what is there now.
      entry.watcher.on('error', () => {
        entry.watcher.close();
        if (this.watchers.get(dir) === entry) this.watchers.delete(dir);
        this.schedule();
      });
      this.watchers.set(dir, entry);
      added = true;
    }
    return added;
  }
}

// The bytes themselves, not a stat key: a rewrite in place of the same size can keep mtime (coarse
// clock ticks), and a swap to identical bytes changes every stat field but is no change. The files
// watched are small and read only after a burst of events on their names.
async function fingerprint(file: string): Promise<Fingerprint> {
  try {
    return createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
  } catch {
    return null; // absent (or unreadable) for now
  }
}

async function planFor(files: readonly string[]): Promise<WatchPlan> {
  const plan: WatchPlan = new Map();
  for (const file of files) {
    for (const { dir, name } of await chainOf(file)) {
      const names = plan.get(dir) ?? new Set<string>();
      names.add(name);
      plan.set(dir, names);
    }
  }
  return plan;
}

const MAX_LINKS = 40; // as the kernel's own limit on symlinks followed in one lookup

/**
 * Each entry a lookup of `file` passes through that can change it: every symlink followed (in the
 * directory holding it) and the final file. Walked component by component, as the kernel resolves a
 * path, so `..` after a link means the parent of where the link led. A missing component ends the
 * chain there (watched, so its arrival is seen).
 */
async function chainOf(file: string): Promise<Array<{ dir: string; name: string }>> {
  const chain: Array<{ dir: string; name: string }> = [];
  let rest = (isAbsolute(file) ? file : join(process.cwd(), file)).split(sep).filter(Boolean);
  let dir: string = sep;
  let links = 0;
  while (rest.length > 0) {
    const [name, ...after] = rest;
    rest = after;
    if (name === '.') continue;
    if (name === '..') {
      dir = join(dir, '..');
      continue;
    }
    const path = join(dir, name);
    let isLink: boolean;
    try {
      isLink = (await lstat(path)).isSymbolicLink();
    } catch {
      chain.push({ dir, name });
      break;
    }
    if (!isLink) {
      if (rest.length === 0) chain.push({ dir, name });
      dir = path;
      continue;
    }
    chain.push({ dir, name });
    if (++links > MAX_LINKS) break;
    const target = await readlink(path).catch(() => '');
    if (isAbsolute(target)) dir = sep;
    rest = [...target.split(sep).filter(Boolean), ...rest];
  }
  return chain;
}
