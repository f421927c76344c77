// Changes to the credential store file, for `gatehouse users`: read, change, write back whole. The write
// is atomic (temp file in the same folder, fsync, rename over the file, fsync the folder), so a running
// gateway reading it — or a crash — sees the old file or the new one, never half of one. A lock file
// serializes writers, so two `gatehouse users add` run at once do not lose each other's user.
import { chmod, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { formatCredentialFile, parseCredentialFile, type UserCredentials } from './credential-file.ts';

/** The store file does not load, or cannot be locked or written; the message says which and why. */
export class CredentialFileError extends Error {}

const LOCK_WAIT_MS = 10_000;

/** The users in the file; `missing: true` when there is no file yet. */
export async function readCredentialFile(path: string): Promise<{ users: Map<string, UserCredentials>; missing: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { users: new Map(), missing: true };
    throw new CredentialFileError(`${path}: cannot read: ${(err as Error).message}`);
  }
  const read = parseCredentialFile(path, text);
  if (!read.ok) throw new CredentialFileError(read.errors.join('\n'));
  return { users: read.users, missing: false };
}

/**
 * Runs `change` on the file's users under the lock and writes the result when `change` returns a new
 * map (the same map: nothing to write). A missing file starts empty and is created owner-only.
 */
export async function updateCredentialFile(
  path: string,
  change: (users: Map<string, UserCredentials>) => Promise<Map<string, UserCredentials>> | Map<string, UserCredentials>,
): Promise<void> {
  const release = await lock(path);
  try {
    const { users } = await readCredentialFile(path);
    const updated = await change(users);
    if (updated !== users) await writeAtomically(path, formatCredentialFile(updated));
  } finally {
    await release();
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  // The store holds password-equivalent material for offline guessing: owner-only unless the
  // administrator chose otherwise for the existing file.
  const mode = await stat(path).then(
    (s) => s.mode & 0o777,
    () => 0o600,
  );
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const file = await open(temp, 'w', mode);
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await chmod(temp, mode); // open's mode is filtered by the umask
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw new CredentialFileError(`${path}: cannot write: ${(err as Error).message}`);
  }
  const folder = await open(dirname(path), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/** Takes `<file>.lock` (created exclusively, holding our pid); a lock whose process is gone is taken over. */
async function lock(path: string): Promise<() => Promise<void>> {
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const file = await open(lockPath, 'wx', 0o600);
      await file.writeFile(String(process.pid));
      await file.close();
      return () => unlink(lockPath).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new CredentialFileError(`${lockPath}: cannot lock: ${(err as Error).message}`);
    }
    const holder = Number(await readFile(lockPath, 'utf8').catch(() => ''));
    if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) {
      await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) throw new CredentialFileError(`${lockPath}: another process (pid ${holder || '?'}) is changing the store`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
