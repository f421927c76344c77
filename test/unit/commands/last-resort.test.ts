// The start command's last resort: an error that escaped every connection's own handling is logged as
// fatal and counted, and the process keeps serving. Run in a child process, since it is about a process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const script = `
import { installLastResortHandlers } from './gateway/commands/start.ts';
import { GatewayMetrics } from './gateway/observability/gateway-metrics.ts';
import { createLogger } from './gateway/observability/logger.ts';
const metrics = new GatewayMetrics();
installLastResortHandlers(createLogger({ level: 'info', destination: process.stdout }), metrics);
setTimeout(() => { throw new Error('thrown from a timer'); }, 10);
void Promise.reject(new Error('rejected and never handled'));
setTimeout(async () => {
  process.stdout.write(await metrics.registry.getSingleMetricAsString('gatehouse_uncaught_errors_total') + '\\nstill running\\n');
}, 200);
`;

test('an uncaught exception or rejection is logged as fatal, counted, and the process keeps running', () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const lines = child.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const fatal = lines.filter((l) => l.event === 'uncaught_error');
  assert.equal(fatal.length, 2, child.stdout);
  assert.ok(fatal.every((l) => l.level === 'fatal'));
  assert.deepEqual(fatal.map((l) => (l.err as { message: string }).message).sort(), ['rejected and never handled', 'thrown from a timer']);
  assert.match(child.stdout, /gatehouse_uncaught_errors_total\{kind="exception"\} 1/);
  assert.match(child.stdout, /gatehouse_uncaught_errors_total\{kind="rejection"\} 1/);
  assert.match(child.stdout, /still running/);
});
