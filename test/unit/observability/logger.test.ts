import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { boundedDestination, createLogger } from '../../../gateway/observability/logger.ts';
import { GatewayMetrics } from '../../../gateway/observability/gateway-metrics.ts';

test('logs JSON lines with level name, time and bindings', () => {
  const lines: string[] = [];
  const destination = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const logger = createLogger({ name: 'gatehouse', level: 'info', destination });
  logger.debug('hidden');
  logger.error({ file: 'a.yaml', line: 3 }, 'policy reload failed');
  return new Promise<void>((resolve) =>
    setImmediate(() => {
      assert.equal(lines.length, 1);
      const record = JSON.parse(lines[0]) as Record<string, string>;
      assert.equal(record.level, 'error');
      assert.equal(record.name, 'gatehouse');
      assert.equal(record.msg, 'policy reload failed');
      assert.equal(record.file, 'a.yaml');
      assert.match(record.time, /^\d{4}-\d\d-\d\dT/);
      resolve();
    }),
  );
});

async function droppedLines(metrics: GatewayMetrics): Promise<number> {
  return (await metrics.registry.getSingleMetric('gatehouse_log_lines_dropped_total')?.get())?.values[0]?.value ?? 0;
}

test('a destination nobody reads (a stalled pipe) keeps the buffered log bounded; dropped lines are counted', async () => {
  // A FIFO opened read-write and non-blocking: writes succeed until the pipe is full, and nobody drains it.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-log-'));
  const fifo = path.join(dir, 'stalled');
  execFileSync('mkfifo', [fifo]);
  const fd = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  const cap = 1024 * 1024;
  // Counted where the gateway counts them: its metrics' counter, through the destination's callback.
  const metrics = new GatewayMetrics();
  const destination = boundedDestination(fd, cap, () => metrics.proxy.logLinesDroppedTotal.inc());
  const logger = createLogger({ level: 'info', destination });
  try {
    const line = { event: 'connection_refused', listener: 'clients', peer: '10.1.2.3:4567', reason: 'ip-denied', detail: 'x'.repeat(200) };
    const count = 100_000; // about 30 MB of lines
    let peak = 0;
    for (let i = 0; i < count; i++) {
      logger.warn(line, 'connection refused');
      if (i % 1000 === 0) {
        peak = Math.max(peak, (destination as unknown as { _len: number })._len);
        await new Promise((r) => setImmediate(r)); // let the destination try to write
      }
    }
    peak = Math.max(peak, (destination as unknown as { _len: number })._len);
    assert.ok(peak <= cap, `buffered ${peak} bytes, above the ${cap}-byte cap`);
    const dropped = await droppedLines(metrics);
    // The pipe holds at most ~1 MiB and the buffer 1 MiB: nearly all of the 30 MB must have been dropped.
    assert.ok(dropped > count * 0.9, `only ${dropped} of ${count} lines dropped`);
  } finally {
    // Become the reader until the destination has written everything it kept, then close it.
    const state = destination as unknown as { _len: number; _writing: boolean };
    const chunk = Buffer.alloc(1 << 16);
    for (let idle = 0; idle < 3;) {
      try {
        fs.readSync(fd, chunk);
        idle = 0;
      } catch {
        idle = state._len === 0 && !state._writing ? idle + 1 : 0;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await new Promise((r) => {
      destination.once('close', r);
      destination.end();
    });
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
