// Frames from several backends sending at once arrive intact, in small answers and in large ones that
// span many reads, and frames held while more is read stay unchanged (the guard for any reuse of read
// buffers, e.g. Node's `onread`, which was measured for the upstream and not kept).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import { test } from 'node:test';
import type { Frame } from '../../../gateway/net/frame-reader.ts';
import { Upstream } from '../../../gateway/net/upstream.ts';

/** A frame of `size` random bytes after its size prefix. */
function frameOf(size: number): Buffer {
  const frame = crypto.randomBytes(4 + size);
  frame.writeInt32BE(size, 0);
  return frame;
}

/** A backend that sends `frames` as soon as a connection arrives, in pieces of random length. */
async function backend(frames: Buffer[]): Promise<{ port: number; close: () => void }> {
  const all = Buffer.concat(frames);
  const server = net.createServer((socket) => {
    let at = 0;
    const next = () => {
      if (at >= all.length) return;
      const n = 1 + crypto.randomInt(Math.min(200_000, all.length - at));
      const more = socket.write(all.subarray(at, at + n));
      at += n;
      if (more) setImmediate(next);
      else socket.once('drain', next);
    };
    next();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

test('frames from several upstreams reading at once arrive intact, and frames held stay unchanged', async () => {
  const sizes = [10, 60, 70_000, 3, 1_000_000, 60, 65_532, 65_536, 200, 2_500_000, 0, 17];
  const expected = [0, 1, 2].map(() => sizes.map((s) => frameOf(s + crypto.randomInt(50))));
  const servers = await Promise.all(expected.map(backend));
  try {
    const received = await Promise.all(
      servers.map(
        (server, i) =>
          new Promise<Frame[]>((resolve, reject) => {
            const frames: Frame[] = [];
            const upstream = new Upstream(
              { host: '127.0.0.1', port: server.port },
              { connectTimeoutMs: 5_000, maxFrameBytes: 8 * 1024 * 1024 },
              {
                onFrame: (frame) => {
                  frames.push(frame); // held until the end, while the shared buffer is read into again and again
                  if (frames.length === expected[i].length) {
                    upstream.close(null);
                    resolve(frames);
                  }
                },
                onClose: (reason) => {
                  if (frames.length < expected[i].length) reject(new Error(`closed early: ${reason}`));
                },
              },
            );
          }),
      ),
    );
    for (const [i, frames] of received.entries()) {
      for (const [j, frame] of frames.entries()) {
        assert.ok(frame.raw.equals(expected[i][j]), `upstream ${i}, frame ${j} (${expected[i][j].length} bytes) differs`);
      }
    }
  } finally {
    for (const s of servers) s.close();
  }
});
