// The published package as a user gets it: `npm pack` (which builds dist/ through `prepack`), then the
// tarball installed into an empty folder without development dependencies. Used by the pack-and-install
// test and the start-up benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { REPO_ROOT } from './paths.ts';
import { expectSuccess, run } from './run.ts';

export type InstalledPackage = {
  /** The folder the tarball was installed into (its node_modules holds gatehouse and its dependencies). */
  dir: string;
  tarball: string;
  /** Paths inside the tarball, without the leading `package/`. */
  tarballFiles: string[];
  /** The `gatehouse` executable npm linked, as a user runs it. */
  bin: string;
  cleanup: () => void;
};

/**
 * The environment for the installed package: no NODE_OPTIONS (the test runner's loaders must not leak
 * in) and the current node first on PATH, so the bin's `#!/usr/bin/env -S node …` finds the same node.
 */
export function plainNodeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };
  delete env.NODE_OPTIONS;
  return env;
}

/** Packs the repository and installs the tarball into a new temp folder with `--omit=dev`. */
export async function packAndInstall(timeoutMs = 300_000): Promise<InstalledPackage> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-package-'));
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const packDir = path.join(dir, 'pack');
    const installDir = path.join(dir, 'install');
    fs.mkdirSync(packDir);
    fs.mkdirSync(installDir);
    expectSuccess('npm pack', await run('npm', ['pack', '--pack-destination', packDir, '--loglevel=error'], { cwd: REPO_ROOT, timeoutMs }));
    const tarballs = fs.readdirSync(packDir).filter((f) => f.endsWith('.tgz'));
    if (tarballs.length !== 1) throw new Error(`npm pack left ${tarballs.length} tarballs in ${packDir}`);
    const tarball = path.join(packDir, tarballs[0]);
    const listing = expectSuccess('tar', await run('tar', ['-tzf', tarball]));
    const tarballFiles = listing.stdout
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''));

    fs.writeFileSync(
      path.join(installDir, 'package.json'),
      `${JSON.stringify({ name: 'gatehouse-install-check', private: true }, null, 2)}\n`,
    );
    // --prefer-offline: the dependencies come from npm's cache when `npm ci` already put them there.
    expectSuccess(
      'npm install',
      await run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], {
        cwd: installDir,
        timeoutMs,
        env: plainNodeEnv(),
      }),
    );
    return { dir: installDir, tarball, tarballFiles, bin: path.join(installDir, 'node_modules', '.bin', 'gatehouse'), cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

export type StartedGateway = {
  child: ChildProcess;
  /** The first log line matching the predicate, parsed. */
  line: Record<string, unknown>;
  /** Every log line up to and including that one, parsed. */
  lines: Array<Record<string, unknown>>;
  /** Milliseconds from spawn to that line. */
  elapsedMs: number;
  /** Sends SIGTERM and resolves with the exit code (SIGKILL after `graceMs`). */
  stop: (graceMs?: number) => Promise<number | null>;
};

/** Spawns `command args` and resolves at the first JSON log line on stdout that `until` accepts. */
export function startUntilLog(
  command: string,
  args: string[],
  until: (line: Record<string, unknown>) => boolean,
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<StartedGateway> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const parsed: Array<Record<string, unknown>> = [];
  child.stderr.on('data', (b: Buffer) => output.push(b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (graceMs = 30_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(0);
      reject(new Error(`no matching log line within ${opts.timeoutMs ?? 60_000} ms\n${output.join('')}`));
    }, opts.timeoutMs ?? 60_000);
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (text) => {
      output.push(`${text}\n`);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return; // not a log line
      }
      parsed.push(line);
      if (!until(line)) return;
      clearTimeout(timer);
      resolve({ child, line, lines: [...parsed], elapsedMs: performance.now() - started, stop });
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before the expected log line\n${output.join('')}`));
    });
  });
}

/** Disk usage of a folder in bytes (du, as a user would measure it). */
export async function diskUsageBytes(dir: string): Promise<number> {
  const result = expectSuccess('du', await run('du', ['-sb', dir]));
  return Number(result.stdout.split('\t')[0]);
}
