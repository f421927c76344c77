// writeFrame's answer is what the session pauses on: full only while bytes are still held in the process.
// A frame above the 16 KB high-water mark that the kernel took at once is not backpressure (for a frame
// in pieces, written corked, Node's write() says false, and pausing then cost a pause and a resume per
// large request); bytes that stay queued (a peer that does not read, a corked or still-connecting
// socket) are.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { writeFrame } from '../../../gateway/net/frame-writer.ts';

/** A connected pair on loopback; the server side (`peer`) starts paused: it reads nothing until resumed. */
async function socketPair(): Promise<{ client: net.Socket; peer: net.Socket; close: () => void }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((resolve) => client.once('connect', resolve));
  const peer = await accepted;
  peer.pause();
  return {
    client,
    peer,
    close: () => {
      client.destroy();
      peer.destroy();
      server.close();
    },
  };
}

const frameOf = (size: number, parts: number): Buffer[] => {
  const whole = Buffer.alloc(size, 7);
  const step = Math.ceil(size / parts);
  return Array.from({ length: parts }, (_, i) => whole.subarray(i * step, Math.min(size, (i + 1) * step)));
};

test('a 64 KB frame the kernel takes at once is not backpressure, whole or in pieces', async () => {
  const { client, peer, close } = await socketPair();
  peer.resume();
  try {
    for (const parts of [1, 2, 5]) {
      const frame = parts === 1 ? frameOf(64 * 1024, 1)[0] : frameOf(64 * 1024, parts);
      assert.equal(writeFrame(client, frame), true, `${parts} part(s)`);
      assert.equal(client.writableLength, 0, 'nothing left queued in the process');
    }
    // What Node's write() says for the last piece of a corked frame, for contrast: the session used to
    // pause on it, though the uncork that follows hands everything to the kernel at once.
    client.cork();
    client.write(Buffer.alloc(32 * 1024));
    assert.equal(client.write(Buffer.alloc(32 * 1024)), false);
    client.uncork();
    assert.equal(client.writableLength, 0);
  } finally {
    close();
  }
});

test('a peer that stops reading makes writeFrame say full once bytes stay queued, and drain follows', async () => {
  const { client, peer, close } = await socketPair();
  try {
    let frames = 0;
    while (writeFrame(client, frameOf(64 * 1024, 2))) {
      frames++;
      assert.ok(frames < 10_000, 'the kernel buffers filled up at some point');
    }
    assert.ok(client.writableLength >= client.writableHighWaterMark, 'full means bytes held above the high-water mark');
    const drained = new Promise<void>((resolve) => client.once('drain', resolve));
    peer.resume();
    await drained;
    assert.equal(writeFrame(client, frameOf(64 * 1024, 1)[0]), true);
  } finally {
    close();
  }
});

test('a corked socket and one still connecting hold what they are given: full above the high-water mark', async () => {
  const { client, close } = await socketPair();
  try {
    client.cork();
    assert.equal(writeFrame(client, frameOf(8 * 1024, 1)[0]), true, 'below the mark');
    assert.equal(writeFrame(client, frameOf(64 * 1024, 3)), false, 'held by the cork');
    client.uncork();
  } finally {
    close();
  }
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const connecting = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  try {
    assert.equal(connecting.connecting, true);
    assert.equal(writeFrame(connecting, frameOf(64 * 1024, 1)[0]), false);
  } finally {
    connecting.destroy();
    server.close();
  }
});
