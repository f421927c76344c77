// The backend health monitor: unready only after the configured failed checks in a row, reachable at
// the first success, nothing reported after stop.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { BackendHealthMonitor } from '../../../gateway/session/backend-health.ts';
import type { ProbeResult } from '../../../gateway/session/backend-probe.ts';

// The monitor's timer does not hold the process open (a gateway exits without waiting for it): the tests hold it.
const keepAlive = setInterval(() => undefined, 1000);
after(() => clearInterval(keepAlive));

const ANSWER: ProbeResult = {
  target: { host: 'b1', port: 9092 },
  apiVersions: [],
  features: null,
  brokers: [{ nodeId: 1, host: 'b1', port: 9092 }],
};

test('one failed check is not an outage; the configured number in a row is; the first success ends it', async () => {
  const script = [true, false, true, false, false, false, true];
  const events: string[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const monitor = new BackendHealthMonitor({
    intervalMs: 5,
    unreadyAfterFailedChecks: 2,
    check: () => {
      const ok = script.shift();
      return ok ? Promise.resolve(ANSWER) : Promise.reject(new Error('connection refused'));
    },
    onReachable: (r) => {
      events.push(`reachable ${r.brokers.length}`);
      if (script.length === 0) done();
    },
    onUnreachable: (err, n) => events.push(`unreachable after ${n}: ${err.message}`),
  });
  monitor.start();
  await finished;
  await monitor.stop();
  assert.deepEqual(events, [
    'reachable 1',
    'reachable 1',
    'unreachable after 2: connection refused',
    'unreachable after 3: connection refused',
    'reachable 1',
  ]);
});

test('after stop no check runs and nothing is reported', async () => {
  let checks = 0;
  const monitor = new BackendHealthMonitor({
    intervalMs: 5,
    unreadyAfterFailedChecks: 1,
    check: () => {
      checks++;
      return Promise.resolve(ANSWER);
    },
    onReachable: () => undefined,
    onUnreachable: () => undefined,
  });
  monitor.start();
  await monitor.stop();
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(checks, 0);
});
