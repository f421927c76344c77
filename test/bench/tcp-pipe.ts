// The floor for any proxy written in Node: a byte pipe that parses nothing. The proxy benchmark runs
// it as a third path so the gateway's cost can be told apart from the cost of one more hop.
// With --frames it cuts both directions into Kafka frames with the gateway's own FrameReader and writes
// each frame as the gateway does (writeFrame: the chunks it arrived in, one writev): the hop's cost of
// framing alone, before anything looks inside a frame.
//   node --import tsx test/bench/tcp-pipe.ts [LISTEN_HOST:]LISTEN_PORT TARGET_HOST:TARGET_PORT [--frames]
// (LISTEN_HOST defaults to 127.0.0.1; authz-bench's pipe-front chain listens on another loopback address.)
import net from 'node:net';
import { FrameReader } from '../../gateway/net/frame-reader.ts';
import { writeFrame } from '../../gateway/net/frame-writer.ts';

const [listen, target, mode] = process.argv.slice(2);
const [listenHost, listenPort] = listen.includes(':') ? listen.split(':') : ['127.0.0.1', listen];
const [host, port] = target.split(':');
const MAX_FRAME_BYTES = 200 * 1024 * 1024;

/** Frames of `from` written to `to` as they complete; `from` pauses while `to` is full. */
function forwardFrames(from: net.Socket, to: net.Socket): void {
  const reader = new FrameReader(() => MAX_FRAME_BYTES);
  from.on('data', (chunk: Buffer) => {
    let full = false;
    for (const frame of reader.push(chunk)) full = !writeFrame(to, frame.parts) || full;
    if (full) from.pause();
  });
  to.on('drain', () => from.resume());
}

net
  .createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect({ host, port: Number(port), noDelay: true });
    if (mode === '--frames') {
      forwardFrames(client, upstream);
      forwardFrames(upstream, client);
    } else {
      client.pipe(upstream);
      upstream.pipe(client);
    }
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  })
  .listen(Number(listenPort), listenHost, () => console.log(`pipe ${listen} -> ${target}${mode === '--frames' ? ' (frames)' : ''}`));

// A clean exit on SIGTERM, so a `--cpu-prof` run writes its profile.
process.on('SIGTERM', () => process.exit(0));
