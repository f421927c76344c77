// The SASL benchmark still runs: test/bench/sasl-bench.ts with tiny sizes (a real broker, KDC and gateway,
// a handful of connections per path, a few thousand records) must finish and print every row of its
// tables. It checks nothing about speed: speed targets are the benchmark's to report, not a test's.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { SASL_MECHANISM_NAMES } from '../../../gateway/common/sasl-mechanism-names.ts';
import { REPO_ROOT } from '../../harness/paths.ts';

const CONCURRENCY = [1, 2];

/** Every row the set-up tables must have at a concurrency (GSSAPI with a new ticket runs only at 1). */
function setupRows(concurrency: number): string[] {
  const rows = ['direct PLAINTEXT', 'gateway PLAINTEXT', 'gateway SSL'];
  for (const protocol of ['SASL_PLAINTEXT', 'SASL_SSL']) {
    for (const m of SASL_MECHANISM_NAMES) {
      if (m !== 'GSSAPI') rows.push(`${protocol} ${m}`);
      else rows.push(`${protocol} GSSAPI (ticket reused)`, ...(concurrency === 1 ? [`${protocol} GSSAPI (new ticket)`] : []));
    }
  }
  return rows;
}

test('the SASL benchmark runs end to end and prints every row', { timeout: 90_000 }, async () => {
  const args = [
    '--import',
    'tsx',
    path.join(REPO_ROOT, 'test/bench/sasl-bench.ts'),
    '--connections',
    '3',
    '--concurrency',
    CONCURRENCY.join(','),
    '--setup-rounds',
    '1',
    '--records',
    '2000',
    '--rounds',
    '1',
    '--steady-paths',
    'gateway-plaintext,sasl-plaintext',
    '--no-warmup',
  ];
  // SIGTERM on timeout: the benchmark then exits through its harness hooks, which stop what it started.
  const { stdout } = await promisify(execFile)(process.execPath, args, {
    cwd: REPO_ROOT,
    timeout: 85_000,
    killSignal: 'SIGTERM',
    maxBuffer: 16 << 20,
  });
  const tables = stdout.split('\nconnection set-up, concurrency ').slice(1);
  assert.equal(tables.length, CONCURRENCY.length, stdout);
  for (const [i, c] of CONCURRENCY.entries()) {
    const table = tables[i];
    assert.ok(table.startsWith(`${c}:`), table);
    const printed = table
      .split('\n')
      .filter((l) => l.startsWith('  setup  '))
      .map((l) => l.slice('  setup  '.length).split(/\s{2,}/)[0]);
    assert.deepEqual(printed, setupRows(c));
  }
  const steady = stdout
    .split('\n')
    .filter((l) => l.startsWith('  steady  '))
    .map((l) => l.slice('  steady  '.length).split(/\s{2,}/)[0]);
  assert.deepEqual(steady, ['gateway-plaintext', 'sasl-plaintext']);
  for (const phase of ['produce', 'consume']) {
    const label = `${phase} \\(SASL_PLAINTEXT SCRAM-SHA-512 \\/ gateway PLAINTEXT\\)`;
    assert.match(stdout, new RegExp(`steady target ${label} ≥ 0\\.95: [\\d.]+ (met|NOT MET)`));
    assert.match(stdout, new RegExp(`gateway CPU/GB ratio ${label}: [\\d.]+`));
  }
});
