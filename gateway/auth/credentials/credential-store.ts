// The credential store PLAIN and SCRAM authenticate against: the YAML file `gatehouse users` writes
// (format in credential-file.ts), held in memory and reloaded when the file changes. A file that does not
// load at start-up stops the gateway with file:line: reason; a broken edit later keeps the last good
// users in force and says why in the log, like policy reloads do.
import { readFile } from 'node:fs/promises';
import { watchFiles, type FileWatch } from '../../common/file-watch.ts';
import type { AuthLog } from '../sasl/mechanism.ts';
import { parseCredentialFile, type UserCredentials } from './credential-file.ts';
import type { ScramCredential, ScramMechanismName } from './scram-keys.ts';
import type { ScryptVerifier } from './scrypt-verifier.ts';

export type { ScramCredential, ScramMechanismName } from './scram-keys.ts';
export type { ScryptVerifier } from './scrypt-verifier.ts';

/** What the PLAIN and SCRAM mechanisms read: a user's stored secrets, looked up at each login. */
export interface CredentialLookup {
  /** The user's SCRAM keys for this mechanism; undefined when the user has none. */
  scram(user: string, mechanism: ScramMechanismName): ScramCredential | undefined;
  /** The user's PLAIN scrypt verifier; undefined when the user has none. */
  plain(user: string): ScryptVerifier | undefined;
}

export type CredentialStoreOptions = {
  readonly file: string;
  /** Quiet time after the last file event before re-reading (writers replace files in bursts). */
  readonly debounceMs?: number;
};

/** A fixed set of users, for tests of one mechanism and for callers that build credentials in memory. */
export class StaticCredentials implements CredentialLookup {
  constructor(private readonly users: ReadonlyMap<string, UserCredentials>) {}

  scram(user: string, mechanism: ScramMechanismName): ScramCredential | undefined {
    return this.users.get(user)?.scram.get(mechanism);
  }

  plain(user: string): ScryptVerifier | undefined {
    return this.users.get(user)?.plain;
  }
}

export class CredentialStore implements CredentialLookup {
  private users: ReadonlyMap<string, UserCredentials>;
  private watch: FileWatch | undefined;
  /** Reloads run one after another, so a slow read can never overwrite a newer one. */
  private reloads: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly file: string,
    users: ReadonlyMap<string, UserCredentials>,
    private readonly log: AuthLog,
  ) {
    this.users = users;
  }

  /** Reads the file (throwing an Error naming file:line: reason when it does not load) and starts watching it. */
  static async open(options: CredentialStoreOptions, log: AuthLog): Promise<CredentialStore> {
    const read = await readStore(options.file);
    if ('error' in read) throw new Error(`credential store ${read.error}`);
    const store = new CredentialStore(options.file, read.users, log);
    log.info({ event: 'credentials_loaded', file: options.file, users: read.users.size }, `credential store: ${read.users.size} user(s)`);
    // Watching the folder too (watchFiles does): editors and `gatehouse users` replace the file by rename.
    const watch = await watchFiles([options.file], { debounceMs: options.debounceMs, onChange: () => store.scheduleReload() });
    if (store.closed) watch.close();
    else store.watch = watch;
    return store;
  }

  get userCount(): number {
    return this.users.size;
  }

  scram(user: string, mechanism: ScramMechanismName): ScramCredential | undefined {
    return this.users.get(user)?.scram.get(mechanism);
  }

  plain(user: string): ScryptVerifier | undefined {
    return this.users.get(user)?.plain;
  }

  close(): void {
    this.closed = true;
    this.watch?.close();
    this.watch = undefined;
  }

  private scheduleReload(): void {
    this.reloads = this.reloads.then(() => this.reload()).catch(() => undefined);
  }

  private async reload(): Promise<void> {
    const read = await readStore(this.file);
    if (this.closed) return;
    if ('error' in read) {
      this.log.error(
        { event: 'credentials_reload_failed', file: this.file, err: read.error, kept: this.users.size },
        `credential store does not load, keeping the last good ${this.users.size} user(s): ${read.error}`,
      );
      return;
    }
    this.users = read.users;
    this.log.info(
      { event: 'credentials_loaded', file: this.file, users: read.users.size, trigger: 'file change' },
      `credential store: ${read.users.size} user(s)`,
    );
  }
}

async function readStore(file: string): Promise<{ users: Map<string, UserCredentials> } | { error: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { error: `${file}: cannot read: ${(err as Error).message}` };
  }
  const read = parseCredentialFile(file, text);
  // Only positions and reasons: the messages never quote a key or a hash.
  return read.ok ? { users: read.users } : { error: read.errors.join('; ') };
}
