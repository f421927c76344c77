import { run, type RunResult } from './run.ts';

/** Runs kcat (librdkafka) from the machine's package; `-b` and the rest are the caller's. */
export function kcat(args: string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return run('kcat', args, { input: opts.input, timeoutMs: opts.timeoutMs ?? 60_000, env: opts.env });
}
