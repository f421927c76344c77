// Observe mode's file: the recorder's aggregate read back at start (observations survive restarts),
// written atomically (temporary file, then rename) every flush interval and at stop. Bounded on disk as
// in memory: the file holds at most the recorder's entries. With `workers`, each worker keeps its own
// file (name.worker-N.json); `policy suggest` and `policy diff` read several.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import nodePath from 'node:path';
import { ObservationRecorder } from '../authz/observe/observation-recorder.ts';
import { entryLine, OBSERVATIONS_FOOTER, observationsHeader, parseObservations } from '../authz/observe/observation.ts';
import type { Logger } from '../observability/logger.ts';

/** Set by the primary in each worker it forks: the worker's slot (0…N-1), kept by its replacement. */
export const WORKER_SLOT_ENV = 'GATEHOUSE_WORKER_SLOT';

/**
 * Entries turned into text between two writes: 50,000 entries at once block the event loop for about
 * half a second (measured), a slice of this size for a few milliseconds, and the writes in between
 * let requests through.
 */
const ENTRIES_PER_SLICE = 1000;

export type ObservationStoreOptions = {
  readonly file: string;
  readonly maxEntries: number;
  readonly flushIntervalMs: number;
  readonly logger: Logger;
};

/** This process's file: the configured one, or its per-worker sibling. */
export function observationFileOf(file: string, env: NodeJS.ProcessEnv = process.env): string {
  const slot = env[WORKER_SLOT_ENV];
  if (slot === undefined) return file;
  const ext = nodePath.extname(file);
  return `${file.slice(0, file.length - ext.length)}.worker-${slot}${ext || '.json'}`;
}

export class ObservationStore {
  readonly recorder: ObservationRecorder;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly opts: ObservationStoreOptions,
    readonly file: string,
  ) {
    this.recorder = new ObservationRecorder({ maxEntries: opts.maxEntries });
  }

  /** Opens the store, reading what an earlier run wrote. Throws ObservationFormatError for a file that is not one. */
  static async open(opts: ObservationStoreOptions): Promise<ObservationStore> {
    const store = new ObservationStore(opts, observationFileOf(opts.file));
    const text = await readFile(store.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text !== undefined) store.recorder.merge(parseObservations(store.file, text));
    opts.logger.info(
      { event: 'observe_on', file: store.file, entries: store.recorder.size, maxEntries: opts.maxEntries },
      'observe mode: recording who does what',
    );
    return store;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.opts.flushIntervalMs);
    this.timer.unref();
  }

  /** Writes the aggregate now (one write at a time; a failure is logged and the next flush tries again). */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      const temporary = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        const file = await open(temporary, 'w', 0o640);
        try {
          await file.write(observationsHeader(this.recorder.dropped, Date.now()));
          let slice: string[] = [];
          let first = true;
          for (const o of this.recorder.observations()) {
            slice.push(entryLine(o));
            if (slice.length < ENTRIES_PER_SLICE) continue;
            await file.write((first ? '' : ',\n') + slice.join(',\n'));
            first = false;
            slice = [];
          }
          await file.write((first || slice.length === 0 ? '' : ',\n') + slice.join(',\n') + OBSERVATIONS_FOOTER);
        } finally {
          await file.close();
        }
        await rename(temporary, this.file);
      } catch (error) {
        await rm(temporary, { force: true }).catch(() => undefined);
        this.opts.logger.error({ event: 'observations_write_failed', file: this.file, err: error }, 'observations could not be written');
      }
    });
    return this.writing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
