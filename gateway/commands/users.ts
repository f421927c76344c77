// `gatehouse users add | remove | list`: manages the credential store SCRAM and PLAIN authenticate
// against (authentication.credentials.file). Passwords come from stdin only — argv is visible to every
// user of the machine in `ps` — and only their salted keys and hashes are written.
// Exit codes: 0 ok, 1 the change could not be made (unknown user, broken file, empty password), 2 usage.
import { parseArgs } from 'node:util';
import type { Command } from '../cli.ts';
import { userMechanisms, type UserCredentials } from '../auth/credentials/credential-file.ts';
import { CredentialFileError, readCredentialFile, updateCredentialFile } from '../auth/credentials/credential-file-writer.ts';
import {
  deriveScramCredential,
  SCRAM_MAX_CREATE_ITERATIONS,
  SCRAM_MECHANISM_NAMES,
  SCRAM_MIN_ITERATIONS,
  type ScramCredential,
  type ScramMechanismName,
} from '../auth/credentials/scram-keys.ts';
import { createScryptVerifier } from '../auth/credentials/scrypt-verifier.ts';

const MECHANISMS = [...SCRAM_MECHANISM_NAMES, 'PLAIN'] as const;
type StoreMechanism = (typeof MECHANISMS)[number];
const DEFAULT_ITERATIONS = 8192;

const USAGE = `Usage: gatehouse users <subcommand> --file <users.yaml> [options]

Manage the credential store of SASL SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN
(authentication.credentials.file in the gateway configuration). A running gateway
reloads the file when it changes. The file holds salted keys and hashes, never passwords.

Subcommands:
  add <name> --file <users.yaml> [--mechanism SCRAM-SHA-256,SCRAM-SHA-512,PLAIN] [--iterations ${DEFAULT_ITERATIONS}]
      Create the user, or replace all of an existing user's credentials. The password is read
      from stdin: typed at a prompt on a terminal, else the whole input (one line; a final
      line break is dropped). Never pass it as an argument. --mechanism: the mechanisms the
      user may log in with (default all three). --iterations: SCRAM iterations,
      ${SCRAM_MIN_ITERATIONS} to ${SCRAM_MAX_CREATE_ITERATIONS}.
  remove <name> --file <users.yaml>
      Delete the user; their next login fails (connections already authenticated stay until
      they re-authenticate or close).
  list --file <users.yaml>
      Print each user with the mechanisms they have (never secrets).

Exit codes: 0 ok, 1 the change could not be made, 2 usage error.
`;

class UsageError extends Error {}
/** The command ran but could not do what was asked (exit 1). */
class Refused extends Error {}

/** Where the command reads the password and prints (the process streams, or buffers in tests). */
export interface UsersIo {
  out(text: string): void;
  err(text: string): void;
  /** The password typed or piped for `name`. */
  readPassword(name: string): Promise<string>;
}

const processIo: UsersIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  readPassword: (name) => (process.stdin.isTTY ? promptPassword(name) : readAllStdin()),
};

export const usersCommand: Command = { run: (args) => runUsers(args, processIo) };

export async function runUsers(args: string[], io: UsersIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  try {
    if (name === 'add') return await add(rest, io);
    if (name === 'remove') return await remove(rest, io);
    if (name === 'list') return await list(rest, io);
    throw new UsageError(`unknown subcommand '${name}'`);
  } catch (error) {
    if (error instanceof CredentialFileError || error instanceof Refused) {
      io.err(`gatehouse users: ${error.message}\n`);
      return 1;
    }
    if (!(error instanceof UsageError) && !(error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw error;
    io.err(`gatehouse users: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
}

function parse(args: string[], withUser: boolean) {
  if (args.some((a) => a === '--password' || a.startsWith('--password=') || a === '-p')) {
    throw new UsageError('the password is read from stdin, never from arguments (they show in `ps`)');
  }
  const { values, positionals } = parseArgs({
    args,
    options: { file: { type: 'string', short: 'f' }, mechanism: { type: 'string', short: 'm' }, iterations: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (!values.file) throw new UsageError('--file <users.yaml> is required');
  if (withUser && positionals.length !== 1) throw new UsageError('give exactly one user name');
  if (!withUser && positionals.length !== 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  return { file: values.file, user: positionals[0], mechanism: values.mechanism, iterations: values.iterations };
}

async function add(args: string[], io: UsersIo): Promise<number> {
  const { file, user, mechanism, iterations: iterationsText } = parse(args, true);
  const nameProblem = userNameProblem(user);
  if (nameProblem) throw new UsageError(nameProblem);
  const mechanisms = parseMechanisms(mechanism);
  const iterations = parseIterations(iterationsText);
  await readCredentialFile(file); // a broken store fails now, not after the password was typed
  const password = await io.readPassword(user);
  const passwordProblem =
    password === '' ? 'the password is empty' : /[\r\n\0]/.test(password) ? 'the password must be one line without NUL' : undefined;
  if (passwordProblem) {
    io.err(`gatehouse users: ${passwordProblem}; nothing written\n`);
    return 1;
  }
  // Derive before taking the file's lock: PBKDF2 and scrypt take a while, the lock should not.
  const scram = new Map<ScramMechanismName, ScramCredential>();
  for (const m of SCRAM_MECHANISM_NAMES) if (mechanisms.includes(m)) scram.set(m, await deriveScramCredential(m, password, iterations));
  const credentials: UserCredentials = { scram, plain: mechanisms.includes('PLAIN') ? await createScryptVerifier(password) : undefined };
  let existed = false;
  await updateCredentialFile(file, (users) => {
    existed = users.has(user);
    return new Map(users).set(user, credentials);
  });
  io.out(`${existed ? 'updated' : 'added'} user '${user}' (${userMechanisms(credentials).join(', ')}) in ${file}\n`);
  return 0;
}

async function remove(args: string[], io: UsersIo): Promise<number> {
  const { file, user, mechanism, iterations } = parse(args, true);
  if (mechanism !== undefined || iterations !== undefined) throw new UsageError('remove takes only a user name and --file');
  let found = false;
  await updateCredentialFile(file, (users) => {
    found = users.has(user);
    if (!found) return users;
    const kept = new Map(users);
    kept.delete(user);
    return kept;
  });
  if (!found) {
    io.err(`gatehouse users: no user '${user}' in ${file}\n`);
    return 1;
  }
  io.out(`removed user '${user}' from ${file}\n`);
  return 0;
}

async function list(args: string[], io: UsersIo): Promise<number> {
  const { file, mechanism, iterations } = parse(args, false);
  if (mechanism !== undefined || iterations !== undefined) throw new UsageError('list takes only --file');
  const { users, missing } = await readCredentialFile(file);
  if (missing) {
    io.err(`gatehouse users: ${file} does not exist (\`gatehouse users add\` creates it)\n`);
    return 1;
  }
  const names = [...users.keys()].sort();
  const width = Math.max(4, ...names.map((n) => n.length));
  for (const name of names) io.out(`${name.padEnd(width)}  ${userMechanisms(users.get(name)!).join(',')}\n`);
  io.err(`${names.length} user(s)\n`);
  return 0;
}

function userNameProblem(name: string): string | undefined {
  if (name === '') return 'the user name is empty';
  // Control characters cannot be typed into clients' configurations and make log lines ambiguous.
  if (/\p{Cc}/u.test(name)) return 'the user name contains a control character';
  if (name.trim() !== name) return 'the user name has leading or trailing spaces';
  return undefined;
}

function parseMechanisms(text: string | undefined): StoreMechanism[] {
  if (text === undefined) return [...MECHANISMS];
  const names = text.split(',').map((m) => m.trim().toUpperCase());
  for (const name of names) {
    if (!(MECHANISMS as readonly string[]).includes(name))
      throw new UsageError(`unknown mechanism '${name}' (expected ${MECHANISMS.join(', ')})`);
  }
  return names as StoreMechanism[];
}

function parseIterations(text: string | undefined): number {
  if (text === undefined) return DEFAULT_ITERATIONS;
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  // Kafka's bounds for creating SCRAM credentials.
  if (!(value >= SCRAM_MIN_ITERATIONS && value <= SCRAM_MAX_CREATE_ITERATIONS)) {
    throw new UsageError(`--iterations must be from ${SCRAM_MIN_ITERATIONS} to ${SCRAM_MAX_CREATE_ITERATIONS} (got '${text}')`);
  }
  return value;
}

/** Piped input: all of it, less one final line break. */
async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * A terminal: prompt twice on stderr without echo. Raw mode is on before the first prompt shows and
 * until the second answer is in, so nothing typed ahead is ever echoed.
 */
async function promptPassword(name: string): Promise<string> {
  const stdin = process.stdin;
  const lines = new TerminalLines();
  const onData = (data: Buffer) => lines.push(data.toString('utf8'));
  stdin.setRawMode(true);
  stdin.on('data', onData);
  stdin.resume();
  try {
    process.stderr.write(`Password for ${name}: `);
    const first = await lines.next();
    process.stderr.write('\n');
    if (first === '') return first;
    process.stderr.write('Again: ');
    const again = await lines.next();
    process.stderr.write('\n');
    if (again !== first) throw new Refused('the passwords do not match; nothing written');
    return first;
  } finally {
    stdin.off('data', onData);
    stdin.setRawMode(false);
    stdin.pause();
  }
}

/** Keystrokes in raw mode turned into lines: Enter ends one, Backspace edits, Ctrl-C aborts. */
class TerminalLines {
  private typed = '';
  private readonly done: string[] = [];
  private waiting: { resolve: (line: string) => void; reject: (err: Error) => void } | undefined;
  private failed: Error | undefined;

  push(text: string): void {
    for (const ch of text) {
      if (ch === '\r' || ch === '\n' || ch === '\u0004') {
        this.done.push(this.typed);
        this.typed = '';
      } else if (ch === '\u0003') {
        this.failed = new Refused('interrupted; nothing written');
      } else if (ch === '\u007f' || ch === '\b') {
        this.typed = [...this.typed].slice(0, -1).join('');
      } else {
        this.typed += ch;
      }
    }
    this.deliver();
  }

  next(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.deliver();
    });
  }

  private deliver(): void {
    if (!this.waiting) return;
    const { resolve, reject } = this.waiting;
    if (this.failed) reject(this.failed);
    else if (this.done.length > 0) resolve(this.done.shift()!);
    else return;
    this.waiting = undefined;
  }
}
