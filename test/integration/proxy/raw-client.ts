// A raw TCP Kafka client for tests that need to send exactly the bytes they mean (edge cases a real
// client library would never produce).
import net from 'node:net';
import { FrameReader } from '../../../gateway/net/frame-reader.ts';

export type RawConnection = {
  /** Sends one frame: the size prefix, then the payload. */
  send: (payload: Buffer) => void;
  /** Writes bytes as they are (a bare size prefix, garbage…). */
  write: (bytes: Buffer) => void;
  /** The next response frame's payload, or null if the connection closed first. */
  next: (timeoutMs?: number) => Promise<Buffer | null>;
  /** Resolves when the server closes the connection. */
  closed: Promise<void>;
  end: () => void;
};

export async function connectRaw(hostPort: string): Promise<RawConnection> {
  const [host, port] = [hostPort.slice(0, hostPort.lastIndexOf(':')), Number(hostPort.slice(hostPort.lastIndexOf(':') + 1))];
  const socket = net.connect({ host, port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const reader = new FrameReader(() => 1 << 30);
  const frames: Buffer[] = [];
  const waiters: Array<(b: Buffer | null) => void> = [];
  let isClosed = false;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      for (const w of waiters.splice(0)) w(null);
      resolve();
    }),
  );
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    for (const f of reader.push(chunk)) {
      const w = waiters.shift();
      if (w) w(f.payload);
      else frames.push(f.payload);
    }
  });
  return {
    send: (payload) => {
      const size = Buffer.alloc(4);
      size.writeInt32BE(payload.length);
      socket.write(Buffer.concat([size, payload]));
    },
    write: (bytes) => {
      socket.write(bytes);
    },
    next: (timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        if (frames.length > 0) return resolve(frames.shift()!);
        if (isClosed) return resolve(null);
        const timer = setTimeout(() => reject(new Error('no response in time')), timeoutMs);
        waiters.push((b) => {
          clearTimeout(timer);
          resolve(b);
        });
      }),
    closed,
    end: () => socket.destroy(),
  };
}

/** A request header v1 (api key, version, correlation id, client id) followed by `body`. */
export function requestV1(apiKey: number, version: number, correlationId: number, body = Buffer.alloc(0)): Buffer {
  const clientId = Buffer.from('raw-test');
  const head = Buffer.alloc(10);
  head.writeInt16BE(apiKey, 0);
  head.writeInt16BE(version, 2);
  head.writeInt32BE(correlationId, 4);
  head.writeInt16BE(clientId.length, 8);
  return Buffer.concat([head, clientId, body]);
}
