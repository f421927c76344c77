// The credential store file that SCRAM and PLAIN authenticate against, written by `gatehouse users`:
//
//   users:
//     alice:
//       SCRAM-SHA-256: { salt: <base64>, storedKey: <base64>, serverKey: <base64>, iterations: 8192 }
//       SCRAM-SHA-512: { salt: <base64>, storedKey: <base64>, serverKey: <base64>, iterations: 8192 }
//       PLAIN: scrypt$16384$8$1$<salt base64>$<hash base64>
//
// Each user has any of the three entries; a mechanism a user has no entry for refuses them. The file
// never holds a password: SCRAM entries are RFC 5802's salted keys (enough to check a proof, not to
// compute one), PLAIN entries are scrypt hashes. Parsing reports every problem as file:line: reason.
import { isMap, isScalar, LineCounter, parseDocument, stringify, type Node } from 'yaml';
import { SCRAM_MECHANISM_NAMES, scramHash, type ScramCredential, type ScramMechanismName } from './scram-keys.ts';
import { formatScryptVerifier, parseScryptVerifier, type ScryptVerifier } from './scrypt-verifier.ts';

export type UserCredentials = {
  readonly scram: ReadonlyMap<ScramMechanismName, ScramCredential>;
  readonly plain: ScryptVerifier | undefined;
};

export type CredentialFileRead = { ok: true; users: Map<string, UserCredentials> } | { ok: false; errors: string[] };

const USER_KEYS = [...SCRAM_MECHANISM_NAMES, 'PLAIN'];
const SCRAM_KEYS = ['salt', 'storedKey', 'serverKey', 'iterations'];
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const HEADER = [
  ' Gatehouse credential store for SASL SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN.',
  ' Salted SCRAM keys and scrypt hashes, never passwords. Managed with `gatehouse users add|remove|list`;',
  ' a running gateway reloads this file when it changes.',
].join('\n');

/** Reads the file's text; an empty file is a store without users. */
export function parseCredentialFile(fileName: string, text: string): CredentialFileRead {
  const lines = new LineCounter();
  // Failsafe schema: every scalar is a string, so a user named `true` or `0123` keeps its exact name.
  const doc = parseDocument(text, { lineCounter: lines, schema: 'failsafe', prettyErrors: false, uniqueKeys: true });
  const errors: string[] = [];
  const fail = (node: Node | null | undefined, reason: string) => {
    errors.push(`${fileName}:${lines.linePos(node?.range?.[0] ?? 0).line}: ${reason}`);
  };
  for (const problem of doc.errors) {
    errors.push(`${fileName}:${lines.linePos(problem.pos[0]).line}: YAML syntax: ${problem.message.split('\n')[0]}`);
  }
  if (errors.length > 0) return { ok: false, errors };

  const users = new Map<string, UserCredentials>();
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === '')) return { ok: true, users };
  if (!isMap(root)) return { ok: false, errors: [`${fileName}:1: expected a mapping with the key 'users'`] };
  for (const pair of root.items) {
    const key = pair.key as Node;
    if (!isScalar(key) || key.value !== 'users') {
      fail(key, `unknown key '${isScalar(key) ? String(key.value) : '?'}' (expected 'users')`);
      continue;
    }
    const list = pair.value as Node | null;
    if (list === null || (isScalar(list) && list.value === '')) continue;
    if (!isMap(list)) {
      fail(list, "'users' must be a mapping of user names");
      continue;
    }
    for (const entry of list.items) {
      const nameNode = entry.key as Node;
      const name = isScalar(nameNode) ? String(nameNode.value) : '';
      if (name === '') {
        fail(nameNode, 'a user name must be a non-empty string');
        continue;
      }
      const user = readUser(name, entry.value as Node | null, fail);
      if (user) users.set(name, user);
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, users };
}

function readUser(name: string, node: Node | null, fail: (node: Node | null, reason: string) => void): UserCredentials | undefined {
  if (!isMap(node)) return void fail(node, `user '${name}' must be a mapping of mechanisms (${USER_KEYS.join(', ')})`);
  const scram = new Map<ScramMechanismName, ScramCredential>();
  let plain: ScryptVerifier | undefined;
  let ok = true;
  for (const pair of node.items) {
    const keyNode = pair.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const value = pair.value as Node | null;
    if (key === 'PLAIN') {
      const parsed = isScalar(value) ? parseScryptVerifier(String(value.value)) : 'expected a string';
      if (typeof parsed === 'string') {
        fail(value ?? keyNode, `user '${name}': PLAIN: ${parsed}`);
        ok = false;
      } else plain = parsed;
    } else if ((SCRAM_MECHANISM_NAMES as readonly string[]).includes(key)) {
      const mechanism = key as ScramMechanismName;
      const credential = readScram(`user '${name}': ${mechanism}`, mechanism, value ?? keyNode, fail);
      if (credential) scram.set(mechanism, credential);
      else ok = false;
    } else {
      fail(keyNode, `user '${name}': unknown mechanism '${key}' (expected one of ${USER_KEYS.join(', ')})`);
      ok = false;
    }
  }
  return ok ? { scram, plain } : undefined;
}

function readScram(
  where: string,
  mechanism: ScramMechanismName,
  node: Node,
  fail: (node: Node | null, reason: string) => void,
): ScramCredential | undefined {
  if (!isMap(node)) return void fail(node, `${where}: expected a mapping with ${SCRAM_KEYS.join(', ')}`);
  const fields = new Map<string, { text: string; node: Node }>();
  for (const pair of node.items) {
    const keyNode = pair.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const value = pair.value as Node | null;
    if (!SCRAM_KEYS.includes(key)) return void fail(keyNode, `${where}: unknown key '${key}' (expected ${SCRAM_KEYS.join(', ')})`);
    if (!isScalar(value)) return void fail(value ?? keyNode, `${where}: ${key} must be a string`);
    fields.set(key, { text: String(value.value), node: value });
  }
  const missing = SCRAM_KEYS.filter((k) => !fields.has(k));
  if (missing.length > 0) return void fail(node, `${where}: missing ${missing.join(', ')}`);
  const length = scramHash(mechanism).length;
  const bytes = (key: string, exact: number | undefined): Buffer | undefined => {
    const { text, node: at } = fields.get(key)!;
    if (text === '' || !BASE64.test(text)) return void fail(at, `${where}: ${key} must be base64`);
    const value = Buffer.from(text, 'base64');
    if (exact !== undefined && value.length !== exact)
      return void fail(at, `${where}: ${key} must be ${exact} bytes (got ${value.length})`);
    return value;
  };
  const salt = bytes('salt', undefined);
  const storedKey = bytes('storedKey', length);
  const serverKey = bytes('serverKey', length);
  const iterationsField = fields.get('iterations')!;
  // Weak counts load (a whole store must not fail for one entry); the mechanism refuses to use them.
  const iterations = /^[1-9][0-9]{0,8}$/.test(iterationsField.text) ? Number(iterationsField.text) : undefined;
  if (iterations === undefined) fail(iterationsField.node, `${where}: iterations must be a positive integer`);
  if (!salt || !storedKey || !serverKey || iterations === undefined) return undefined;
  return { salt, storedKey, serverKey, iterations };
}

/** The file's text for these users (names sorted, so a change shows as a small diff). */
export function formatCredentialFile(users: ReadonlyMap<string, UserCredentials>): string {
  const body: Record<string, Record<string, unknown>> = {};
  for (const name of [...users.keys()].sort()) {
    const user = users.get(name)!;
    const entry: Record<string, unknown> = {};
    for (const mechanism of SCRAM_MECHANISM_NAMES) {
      const c = user.scram.get(mechanism);
      if (c) {
        entry[mechanism] = {
          salt: c.salt.toString('base64'),
          storedKey: c.storedKey.toString('base64'),
          serverKey: c.serverKey.toString('base64'),
          iterations: c.iterations,
        };
      }
    }
    if (user.plain) entry.PLAIN = formatScryptVerifier(user.plain);
    body[name] = entry;
  }
  const comment = `#${HEADER.split('\n').join('\n#')}\n`;
  return comment + stringify({ users: body }, { lineWidth: 0 });
}

/** The mechanisms a user can log in with, in the file's order (for `gatehouse users list`). */
export function userMechanisms(user: UserCredentials): string[] {
  return [...SCRAM_MECHANISM_NAMES.filter((m) => user.scram.has(m)), ...(user.plain ? ['PLAIN'] : [])];
}
