// The audit log: one JSON line per decision worth keeping. Every denial and every dry-run denial is
// written; allows are written according to the sampling setting.
import { pino, type DestinationStream } from 'pino';

/** What the writer needs to know about an event; every other field is written as given. */
export interface AuditRecord {
  readonly decision: string;
  readonly [field: string]: unknown;
}

/** Which allowed decisions are written: none, all, or a random fraction (0..1). */
export type AllowSampling = 'none' | 'all' | { readonly ratio: number };

export interface AuditLogOptions {
  /** "stdout" (default), a file path, or a stream. */
  readonly destination?: string | DestinationStream;
  readonly allowSampling?: AllowSampling;
  /** Source of randomness for ratio sampling (tests pass a fixed one). */
  readonly random?: () => number;
}

export interface AuditLog {
  /** Writes the event if it is kept; returns whether it was. */
  record(event: AuditRecord): boolean;
  /** Flushes pending lines (file destinations write asynchronously). */
  flush(): Promise<void>;
}

/** Parses a configuration value: "none", "all", or a ratio such as "0.01". */
export function parseAllowSampling(text: string): AllowSampling {
  if (text === 'none' || text === 'all') return text;
  const ratio = Number(text);
  if (text.trim() === '' || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new Error(`audit allow sampling must be none, all or a ratio between 0 and 1 (got '${text}')`);
  }
  return { ratio };
}

export function createAuditLog(options: AuditLogOptions = {}): AuditLog {
  const destination = options.destination ?? 'stdout';
  const stream: DestinationStream =
    typeof destination !== 'string'
      ? destination
      : pino.destination({ dest: destination === 'stdout' ? 1 : destination, mkdir: destination !== 'stdout', sync: false });
  const sampling = options.allowSampling ?? 'none';
  const random = options.random ?? Math.random;
  const keepAllow = (): boolean => (sampling === 'all' ? true : sampling === 'none' ? false : random() < sampling.ratio);
  return {
    record(event) {
      if (event.decision === 'allowed' && !keepAllow()) return false;
      stream.write(`${JSON.stringify(event)}\n`);
      return true;
    },
    flush() {
      const flushable = stream as { flush?: (cb: (error?: Error) => void) => void };
      return new Promise((resolve, reject) => {
        if (typeof flushable.flush !== 'function') return resolve();
        flushable.flush((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}
