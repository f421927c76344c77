// Audit log: JSON lines; denials always written; allows by sampling; stdout or file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLog, parseAllowSampling, type AllowSampling } from '../../../gateway/observability/audit.ts';

function memory() {
  const lines: string[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(line) } };
}

const DENIED = { decision: 'denied', principal: 'User:a', resourceName: 't', ruleIds: ['r'] };
const DRY = { decision: 'dry_run_denied', principal: 'User:a' };
const ALLOWED = { decision: 'allowed', principal: 'User:a' };

function written(sampling: AllowSampling, random?: () => number): number[] {
  const { lines, stream } = memory();
  const log = createAuditLog({ destination: stream, allowSampling: sampling, random });
  const kept = [DENIED, DRY, ALLOWED, ALLOWED].map((e) => (log.record(e) ? 1 : 0));
  assert.equal(
    lines.length,
    kept.reduce<number>((a, b) => a + b, 0),
  );
  return kept;
}

test('denials and dry-run denials are always written; allows follow the sampling', () => {
  assert.deepEqual(written('none'), [1, 1, 0, 0]);
  assert.deepEqual(written('all'), [1, 1, 1, 1]);
  const draws = [0.05, 0.5];
  assert.deepEqual(
    written({ ratio: 0.1 }, () => draws.shift()!),
    [1, 1, 1, 0],
  );
});

test('each event is one JSON line with every field', () => {
  const { lines, stream } = memory();
  createAuditLog({ destination: stream }).record(DENIED);
  assert.equal(lines[0].endsWith('\n'), true);
  assert.deepEqual(JSON.parse(lines[0]), DENIED);
});

test('sampling configuration parses and rejects nonsense', () => {
  assert.equal(parseAllowSampling('none'), 'none');
  assert.equal(parseAllowSampling('all'), 'all');
  assert.deepEqual(parseAllowSampling('0.25'), { ratio: 0.25 });
  assert.throws(() => parseAllowSampling('1.5'), /between 0 and 1/);
  assert.throws(() => parseAllowSampling('sometimes'), /none, all or a ratio/);
  assert.throws(() => parseAllowSampling(''), /none, all or a ratio/);
});

test('file destination', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-audit-'));
  try {
    const file = join(dir, 'sub', 'audit.log');
    const log = createAuditLog({ destination: file, allowSampling: 'all' });
    log.record(DENIED);
    log.record(ALLOWED);
    // The file opens asynchronously: poll (a busy machine may take a while), never a fixed sleep.
    const read = async () => (await readFile(file, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
    const deadline = Date.now() + 10_000;
    while ((await read()).length < 2 && Date.now() < deadline) {
      await log.flush().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(
      (await read()).map((l) => JSON.parse(l) as unknown),
      [DENIED, ALLOWED],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
