// Log lines that a flood can repeat (one per refused connection) are rate-limited per key: at most
// `linesPerSecond` lines per key each second; the rest are counted and reported as one
// `<event>_suppressed` line per key every `reportIntervalMs`. Keys must come from a bounded set (a
// listener name and a refusal reason), so the table stays small. Metrics are not this module's job:
// callers count every occurrence themselves.
import type { Logger } from './logger.ts';

export interface RateLimitedLogOptions {
  /** The event name of the logged lines; suppressed counts are logged as `<event>_suppressed`. */
  readonly event: string;
  readonly linesPerSecond?: number;
  readonly reportIntervalMs?: number;
  /** Fields that the suppressed-count line repeats from the suppressed lines (e.g. listener, reason). */
  readonly keyFields: readonly string[];
}

type Window = { second: number; lines: number; suppressed: number; fields: Record<string, unknown> };

export const DEFAULT_LINES_PER_SECOND = 5;
export const DEFAULT_REPORT_INTERVAL_MS = 10_000;

export class RateLimitedLog {
  private readonly windows = new Map<string, Window>();
  private readonly linesPerSecond: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly logger: Logger,
    private readonly options: RateLimitedLogOptions,
  ) {
    this.linesPerSecond = options.linesPerSecond ?? DEFAULT_LINES_PER_SECOND;
    this.timer = setInterval(() => this.report(), options.reportIntervalMs ?? DEFAULT_REPORT_INTERVAL_MS);
    this.timer.unref();
  }

  /** Logs at warn level unless this key already used its lines this second. */
  warn(fields: Record<string, unknown>, message: string): void {
    const key = this.options.keyFields.map((f) => String(fields[f])).join('\u0000');
    const second = Math.floor(Date.now() / 1000);
    let w = this.windows.get(key);
    if (!w) {
      w = { second, lines: 0, suppressed: 0, fields: Object.fromEntries(this.options.keyFields.map((f) => [f, fields[f]])) };
      this.windows.set(key, w);
    }
    if (w.second !== second) {
      w.second = second;
      w.lines = 0;
    }
    if (w.lines >= this.linesPerSecond) {
      w.suppressed++;
      return;
    }
    w.lines++;
    this.logger.warn({ event: this.options.event, ...fields }, message);
  }

  /** Logs the suppressed counts now (also done every report interval). */
  report(): void {
    for (const [key, w] of this.windows) {
      if (w.suppressed > 0) {
        this.logger.warn(
          { event: `${this.options.event}_suppressed`, ...w.fields, suppressed: w.suppressed },
          `${w.suppressed} similar lines suppressed`,
        );
        w.suppressed = 0;
      } else if (w.second < Math.floor(Date.now() / 1000)) {
        this.windows.delete(key); // quiet keys are forgotten
      }
    }
  }

  /** Reports what is still suppressed and stops the timer. */
  close(): void {
    clearInterval(this.timer);
    this.report();
  }
}
