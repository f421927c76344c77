// What the `gatehouse policy` subcommands share: where they print, argument parsing, usage errors.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A usage mistake: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

/** Where a subcommand prints (the process streams, or buffers in tests). */
export interface PolicyIo {
  out(text: string): void;
  err(text: string): void;
}

export type Subcommand = (args: string[], io: PolicyIo) => Promise<number>;

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  return parseArgs({ args, options, allowPositionals: true, strict: true });
}
