import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Set by test/run.sh: every gateway process's log is copied there when it exits, for the suite-wide secret scan. */
export const SUITE_LOGS_ENV = 'GATEHOUSE_SUITE_LOGS';

function keepForSuite(name: string, logFile: string, pid: number): void {
  const dir = process.env[SUITE_LOGS_ENV];
  if (dir === undefined || dir === '' || name !== 'gatehouse') return;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(logFile, path.join(dir, `${name}-${process.pid}-${pid}.log`));
  } catch {
    /* the test removed its folder already: nothing to keep */
  }
}

/** A long-running server process started by the harness, its output going to a log file. */
export type ServerProcess = {
  name: string;
  pid: number;
  logFile: string;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after graceMs; resolves when the process is gone. */
  stop: (graceMs?: number) => Promise<void>;
  /** SIGKILL at once (a crash, for failover tests). */
  kill: () => Promise<void>;
};

const running = new Set<ServerProcess>();

// A test that throws must not leave a JVM behind: stop every server this process started.
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of running) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
}

export function startServerProcess(opts: {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}): ServerProcess {
  installExitHook();
  const log = fs.openSync(opts.logFile, 'a');
  const child: ChildProcess = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${opts.name} (${opts.command})`);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  const handle: ServerProcess = {
    name: opts.name,
    pid: child.pid,
    logFile: opts.logFile,
    exited,
    stop: async (graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      running.delete(handle);
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      running.delete(handle);
    },
  };
  // Registered before any stop() waits on `exited`: the copy is made before a test removes its folder.
  const pid = child.pid;
  void exited.then(() => {
    running.delete(handle);
    keepForSuite(opts.name, opts.logFile, pid);
  });
  running.add(handle);
  return handle;
}

/** The last lines of a log file, for error messages when a server fails to come up. */
export function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
