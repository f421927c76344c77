// A backend address net.connect would throw on (learned from a response, say) fails the connection the
// ordinary way: onClose with the reason, on the next tick, and writes before that are harmless.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Upstream } from '../../../gateway/net/upstream.ts';

test('ports outside 1–65535 and an empty host close the upstream with a reason instead of throwing', async () => {
  for (const address of [
    { host: '127.0.0.1', port: 70_000 },
    { host: '127.0.0.1', port: -1 },
    { host: '127.0.0.1', port: 0 },
    { host: '', port: 9092 },
  ]) {
    const reasons: Array<string | null> = [];
    const closed = new Promise<void>((resolve) => {
      const upstream = new Upstream(
        address,
        { connectTimeoutMs: 1_000, maxFrameBytes: 1024 },
        {
          onFrame: () => assert.fail('no frames'),
          onClose: (reason) => {
            reasons.push(reason);
            resolve();
          },
        },
      );
      upstream.write(Buffer.from([0, 0, 0, 0])); // written before the close: dropped, no error event escapes
      assert.deepEqual(reasons, [], 'not closed synchronously, so the caller can finish setting up');
    });
    await closed;
    assert.equal(reasons.length, 1);
    assert.match(String(reasons[0]), /cannot connect to backend .*(outside 1–65535|empty host)/, JSON.stringify(address));
  }
});
