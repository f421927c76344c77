// The process logger: pino, JSON lines, stdout unless told otherwise. Lines are written asynchronously
// through a buffer with a cap: when the destination cannot keep up (a slow or stalled stdout during a
// flood), lines beyond the cap are dropped and counted instead of growing memory without limit.
import { pino, type DestinationStream, type Logger } from 'pino';

export interface LoggerOptions {
  /** pino level name; default "info". */
  readonly level?: string;
  /** Added to every line as `name`. */
  readonly name?: string;
  /** A file path, an open file descriptor, or a stream (tests); default stdout. */
  readonly destination?: string | number | DestinationStream;
  /** Bytes of log lines waiting for a file or descriptor destination; more are dropped. Default 16 MiB. */
  readonly maxBufferBytes?: number;
  /** Called for each line dropped because the destination did not keep up (the gateway counts them). */
  readonly onDroppedLine?: () => void;
}

export type { Logger };

export const DEFAULT_LOG_BUFFER_BYTES = 16 * 1024 * 1024;

/** The asynchronous destination pino writes to, with its buffer capped and drops counted. */
export function boundedDestination(dest: string | number, maxBufferBytes = DEFAULT_LOG_BUFFER_BYTES, onDroppedLine?: () => void) {
  const stream = pino.destination({ dest, mkdir: typeof dest === 'string', sync: false, maxLength: maxBufferBytes });
  if (onDroppedLine) stream.on('drop', onDroppedLine); // pino writes one line per write()
  return stream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination =
    options.destination === undefined || typeof options.destination === 'string' || typeof options.destination === 'number'
      ? boundedDestination(options.destination ?? 1, options.maxBufferBytes, options.onDroppedLine)
      : options.destination;
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
