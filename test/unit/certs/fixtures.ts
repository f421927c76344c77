// Shared test PKI: one CA folder per test process (RSA 2048 keeps key generation fast), plus helpers
// to run openssl.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateAuthority } from '../../../certs/index.ts';

export function tempDir(prefix = 'gatehouse-certs-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function run(
  cmd: string,
  args: readonly string[],
  options: { cwd?: string; input?: string } = {},
): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: options.cwd, input: options.input, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export const openssl = (args: readonly string[], cwd?: string) => run('openssl', args, { cwd });

/** Whether a command exists on this machine (keytool, java). */
export function haveCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

export function newCa(dir: string, cn = 'Test CA'): CertificateAuthority {
  return CertificateAuthority.init(dir, { keyBits: 2048, subject: { CN: cn, O: 'Gatehouse Tests' } });
}
