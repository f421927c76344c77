// `gatehouse users add` as a user runs it: the real command, the password on stdin (never in argv).
import path from 'node:path';
import { REPO_ROOT } from '../paths.ts';
import { expectSuccess, run } from '../run.ts';

/** Adds (or replaces) a user in the credential store `file` with every mechanism (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN). */
export async function gatehouseUsersAdd(file: string, name: string, password: string): Promise<void> {
  expectSuccess(
    `gatehouse users add ${name}`,
    await run(process.execPath, [path.join(REPO_ROOT, 'gateway/gatehouse.mjs'), 'users', 'add', name, '--file', file], {
      input: `${password}\n`,
      timeoutMs: 60_000,
    }),
  );
}
