import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../../gateway/observability/logger.ts';

test('logs JSON lines with level name, time and bindings', () => {
  const lines: string[] = [];
  const destination = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const logger = createLogger({ name: 'gatehouse', level: 'info', destination });
  logger.debug('hidden');
  logger.error({ file: 'a.yaml', line: 3 }, 'policy reload failed');
  return new Promise<void>((resolve) =>
    setImmediate(() => {
      assert.equal(lines.length, 1);
      const record = JSON.parse(lines[0]);
      assert.equal(record.level, 'error');
      assert.equal(record.name, 'gatehouse');
      assert.equal(record.msg, 'policy reload failed');
      assert.equal(record.file, 'a.yaml');
      assert.match(record.time, /^\d{4}-\d\d-\d\dT/);
      resolve();
    }),
  );
});
