// The process logger: pino, JSON lines, stdout unless told otherwise.
import { pino, type DestinationStream, type Logger } from 'pino';

export interface LoggerOptions {
  /** pino level name; default "info". */
  readonly level?: string;
  /** Added to every line as `name`. */
  readonly name?: string;
  /** A file path, or a stream (tests); default stdout. */
  readonly destination?: string | DestinationStream;
}

export type { Logger };

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination =
    typeof options.destination === 'string'
      ? pino.destination({ dest: options.destination, mkdir: true, sync: false })
      : (options.destination ?? pino.destination({ dest: 1, sync: false }));
  return pino(
    {
      level: options.level ?? 'info',
      name: options.name,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
