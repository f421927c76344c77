// confluent-kafka-python (librdkafka bundled in its wheel) for tests: a virtualenv in the test bed's cache
// with the package from PyPI, made on first use. Debian's python3-confluent-kafka (1.7) predates the ACL
// admin calls (create_acls/describe_acls/delete_acls arrived in 1.9), so the wheel is used instead.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE_DIR } from '../paths.ts';
import { expectSuccess, run } from '../run.ts';

const VERSION = '2.16.1';
const VENV = path.join(CACHE_DIR, `python-confluent-kafka-${VERSION}`);
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'confluent_acls.py');

/** The venv's python, with confluent_kafka importable (installs it on first use). */
export async function confluentPython(): Promise<string> {
  const python = path.join(VENV, 'bin', 'python');
  if (fs.existsSync(python) && (await run(python, ['-c', 'import confluent_kafka'])).code === 0) return python;
  expectSuccess('python3 -m venv', await run('python3', ['-m', 'venv', VENV]));
  expectSuccess(
    `pip install confluent-kafka==${VERSION}`,
    await run(path.join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `confluent-kafka==${VERSION}`], {
      timeoutMs: 300_000,
    }),
  );
  return python;
}

export type ConfluentConnection = { bootstrap: string; ca: string; cert: string; key: string };
export type ConfluentBinding = {
  type: string;
  name: string | null;
  pattern: string;
  principal: string | null;
  host: string | null;
  operation: string;
  permission: string;
};

/** Runs one action of confluent_acls.py (see its docstring) and returns its JSON answer. */
export async function confluentAcls<T>(conn: ConfluentConnection, request: Record<string, unknown>): Promise<T> {
  const python = await confluentPython();
  const r = expectSuccess('confluent_acls.py', await run(python, [SCRIPT, JSON.stringify({ ...conn, ...request })], { timeoutMs: 60_000 }));
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}
