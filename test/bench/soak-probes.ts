// Hostile probes for the soak benchmark: what an attacker on the network sends a Kafka gateway, each
// probe bounded in connections, bytes and time, and aimed at 127.0.0.1 only. A probe reports how each
// of its connections ended (closed or reset by the gateway, or still open when the probe gave up),
// so the soak shows whether the gateway sheds them and how fast.
import crypto from 'node:crypto';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { fetchV11 } from '../integration/proxy/fetch-request.ts';
import { requestV1 } from '../integration/proxy/raw-client.ts';

const HOST = '127.0.0.1';

export type ProbeTargets = {
  /** Ports of the plaintext listener: bootstrap first, then one per broker. */
  plaintextPorts: number[];
  /** Ports of the TLS listener (client certificate required): bootstrap first. */
  tlsPorts: number[];
  /** Ports of a plaintext listener that expects a PROXY header from 127.0.0.1, if there is one. */
  proxyPorts: number[] | null;
  /** A client certificate the TLS listener trusts, for probes that get past the handshake. */
  client: { ca: Buffer; cert: Buffer; key: Buffer };
  /** A plaintext gateway port and an empty topic whose partition 0 that port leads: a Fetch there waits. */
  pendingFetchTarget: () => Promise<{ port: number; topic: string }>;
};

export type ConnectionOutcome = { ending: string; ms: number };

export type Probe = {
  name: string;
  /** The longest one round can take: the soak starts no round that could not finish before the run ends. */
  maxMs: number;
  /** Runs one round of the probe; every connection it opened is gone when it resolves. `until` is an absolute deadline. */
  run: (targets: ProbeTargets, until: number) => Promise<ConnectionOutcome[]>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(xs: T[]): T => xs[crypto.randomInt(xs.length)];
const sized = (payload: Buffer) => {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
};

function classify(err: NodeJS.ErrnoException): string {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return 'reset by gateway';
  return `error ${err.code ?? err.message.slice(0, 60)}`;
}

type Watch = Promise<ConnectionOutcome> & { /** Ends the connection from our side now, as 'open at probe end'. */ giveUp: () => void };

/**
 * How `socket` ends: 'closed by gateway' / 'reset by gateway' / an error, or 'open at probe end'
 * if it is still open at `until` or when the probe gives up (then it is destroyed). `ms` counts from the call.
 */
function outcomeOf(socket: net.Socket, until: number): Watch {
  const started = Date.now();
  let giveUp = () => undefined as void;
  const watch = new Promise<ConnectionOutcome>((resolve) => {
    let error: NodeJS.ErrnoException | undefined;
    let done = false;
    const finish = (ending: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ending, ms: Date.now() - started });
    };
    giveUp = () => {
      finish('open at probe end');
      socket.destroy();
    };
    const timer = setTimeout(giveUp, Math.max(0, until - Date.now()));
    socket.on('error', (e) => (error = e));
    socket.on('close', () => finish(error ? classify(error) : 'closed by gateway'));
    // Read (and drop) whatever the gateway answers, so a close is noticed.
    socket.on('data', () => undefined);
  });
  return Object.assign(watch, { giveUp: () => giveUp() });
}

function connectPlain(port: number): net.Socket {
  return net.connect({ host: HOST, port });
}

function connectTls(port: number, client: ProbeTargets['client']): tls.TLSSocket {
  return tls.connect({ host: HOST, port, servername: 'localhost', ca: client.ca, cert: client.cert, key: client.key });
}

/** Opens a connection, writes `bytes` once connected (TLS: once the handshake is done), and reports how it ended. */
function sendAndWatch(socket: net.Socket, bytes: Buffer, until: number): Promise<ConnectionOutcome> {
  const outcome = outcomeOf(socket, until);
  socket.once(socket instanceof tls.TLSSocket ? 'secureConnect' : 'connect', () => socket.write(bytes));
  return outcome;
}

/** Frames a broker refuses: impossible sizes, headers cut short, unknown keys and versions, garbage bodies. */
function malformedFrames(): Array<[string, Buffer]> {
  const shortClientId = requestV1(18, 3, 1);
  shortClientId.writeInt16BE(1000, 8); // client id claims 1000 bytes; the frame has 8
  return [
    ['size 0', Buffer.alloc(4)],
    ['size -1', Buffer.from([0xff, 0xff, 0xff, 0xff])],
    ['header cut short', sized(Buffer.from([0, 18, 0]))],
    ['client id past the frame', sized(shortClientId)],
    ['unknown api key', sized(requestV1(0x7fff, 0, 1))],
    ['Produce v999', sized(requestV1(0, 999, 1))],
    ['Metadata v12 with a garbage body', sized(requestV1(3, 12, 1, crypto.randomBytes(64)))],
  ];
}

export const malformedFrameProbe: Probe = {
  name: 'malformed frames',
  maxMs: 5_000,
  run: (t, until) => {
    const deadline = Math.min(until, Date.now() + 5_000);
    return Promise.all(
      malformedFrames().flatMap(([, frame]) => [
        sendAndWatch(connectPlain(t.plaintextPorts[0]), frame, deadline),
        sendAndWatch(connectTls(t.tlsPorts[0], t.client), frame, deadline),
      ]),
    );
  },
};

/** A size prefix over every cap (2 GiB−1, 200 MiB), then a little data that never completes the frame. */
export const oversizeFrameProbe: Probe = {
  name: 'oversize declared frames',
  maxMs: 5_000,
  run: (t, until) => {
    const deadline = Math.min(until, Date.now() + 5_000);
    const frames = [0x7fffffff, 200 * 1024 * 1024].map((size) => {
      const b = Buffer.alloc(4 + 1024);
      b.writeInt32BE(size);
      return b;
    });
    return Promise.all(
      frames.flatMap((frame) => [
        sendAndWatch(connectPlain(pick(t.plaintextPorts)), frame, deadline),
        sendAndWatch(connectTls(pick(t.tlsPorts), t.client), frame, deadline),
      ]),
    );
  },
};

const FLOOD_FRAMES = 50_000;
const FLOOD_HOLD_MS = 15_000;

/**
 * A Fetch that the broker holds (an empty partition, long max wait), then 50k ApiVersions v999 frames
 * (answered by the gateway itself) from a client that reads nothing. When the hold is over the probe
 * starts reading: a connection the gateway closed shows its end within a couple of seconds.
 */
export const apiVersionsFloodProbe: Probe = {
  name: 'ApiVersions v999 flood, never read',
  maxMs: FLOOD_HOLD_MS + 5_000,
  run: async (t, until) => {
    const { port, topic } = await t.pendingFetchTarget();
    const socket = connectPlain(port);
    socket.pause();
    const started = Date.now();
    let error: NodeJS.ErrnoException | undefined;
    let closed = false;
    socket.on('error', (e) => (error = e));
    socket.on('close', () => (closed = true));
    await new Promise<void>((resolve) => {
      socket.once('connect', resolve);
      socket.once('close', resolve);
    });
    if (!closed) {
      const fetch = fetchV11({ correlationId: 1, topic, offset: 0n, maxBytes: 1024, maxWaitMs: 30_000, minBytes: 1, sizePrefix: true });
      const flood = Buffer.concat(Array.from({ length: FLOOD_FRAMES }, (_, i) => sized(requestV1(18, 999, 2 + i))));
      socket.write(Buffer.concat([fetch, flood]));
      const holdUntil = Math.min(until, Date.now() + FLOOD_HOLD_MS);
      while (!closed && Date.now() < holdUntil) await sleep(200);
    }
    if (closed) return [{ ending: error ? classify(error) : 'closed by gateway', ms: Date.now() - started }];
    // Now read: the gateway's end (FIN or RST) arrives after whatever it had queued for us.
    const outcome = outcomeOf(socket, Date.now() + 3_000);
    socket.resume();
    const { ending } = await outcome;
    const seen = ending === 'open at probe end' ? ending : `${ending} (seen when reading resumed)`;
    return [{ ending: seen, ms: Date.now() - started }];
  },
};

const DRIBBLE_DECLARED = 100_000_000;
const DRIBBLE_MS = 15_000;
const DRIBBLE_RECORDS_PER_SECOND = 5_000;

/**
 * After one well-formed ApiVersions request, a frame that declares 100 MB, sent one byte per TLS record
 * (each write waits for the previous one, so no two bytes share a record), paced to 5,000 records a
 * second for up to 15 s.
 */
export const tlsDribbleProbe: Probe & { lastRecords: () => number } = (() => {
  let records = 0;
  return {
    name: 'TLS 1-byte records of a 100 MB frame',
    maxMs: DRIBBLE_MS + 2_000,
    lastRecords: () => records,
    run: async (t, until) => {
      records = 0;
      const socket = connectTls(t.tlsPorts[0], t.client);
      const outcome = outcomeOf(socket, Math.min(until, Date.now() + DRIBBLE_MS + 10_000));
      let closed = false;
      socket.once('close', () => (closed = true));
      const ready = await new Promise<boolean>((resolve) => {
        socket.once('secureConnect', () => resolve(true));
        socket.once('close', () => resolve(false));
      });
      if (ready) {
        const size = Buffer.alloc(4);
        size.writeInt32BE(DRIBBLE_DECLARED);
        // Resolves on the write's callback, or when the connection closes (a destroyed socket may never call back).
        const write = (b: Buffer) =>
          new Promise<void>((resolve) => {
            if (closed) return resolve();
            socket.once('close', resolve);
            socket.write(b, () => {
              socket.off('close', resolve);
              resolve();
            });
          });
        // A well-formed first request, so only the memory bound (not a first-request deadline) stands in the way.
        await write(Buffer.concat([sized(requestV1(18, 0, 1)), size]));
        const stopAt = Math.min(until, Date.now() + DRIBBLE_MS);
        const byte = Buffer.from([0x41]);
        const started = Date.now();
        while (!closed && Date.now() < stopAt) {
          await write(byte);
          records++;
          const ahead = (records / DRIBBLE_RECORDS_PER_SECOND) * 1000 - (Date.now() - started);
          if (ahead > 5) await sleep(ahead);
        }
        outcome.giveUp();
      }
      return [await outcome];
    },
  };
})();

const HOLD_MS = 20_000;

/** Connections that send nothing at all, to every port of every listener. */
export const idleConnectionProbe: Probe = {
  name: 'connections that send nothing',
  maxMs: HOLD_MS,
  run: (t, until) => {
    const deadline = Math.min(until, Date.now() + HOLD_MS);
    const ports = [...t.plaintextPorts, ...t.tlsPorts, ...(t.proxyPorts ?? [])];
    return Promise.all(ports.map((port) => outcomeOf(connectPlain(port), deadline)));
  },
};

let clientHello: Buffer | undefined;
/** The first flight of a real TLS client (its ClientHello), captured without a network. */
async function captureClientHello(): Promise<Buffer> {
  if (clientHello) return clientHello;
  clientHello = await new Promise<Buffer>((resolve) => {
    const wire = new Duplex({
      read: () => undefined,
      write: (chunk: Buffer, _enc, cb) => {
        resolve(Buffer.from(chunk));
        cb();
      },
    });
    const s = tls.connect({ socket: wire, servername: 'localhost', rejectUnauthorized: false });
    s.on('error', () => undefined);
    setImmediate(() => s.destroy());
  });
  return clientHello;
}

/** TLS handshakes left half done: a ClientHello and then silence, or a record header promising bytes that never come. */
export const halfTlsHandshakeProbe: Probe = {
  name: 'half-done TLS handshakes',
  maxMs: HOLD_MS,
  run: async (t, until) => {
    const deadline = Math.min(until, Date.now() + HOLD_MS);
    const hello = await captureClientHello();
    const partial = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]), crypto.randomBytes(10)]);
    return Promise.all(
      t.tlsPorts.flatMap((port) => [
        sendAndWatch(connectPlain(port), hello, deadline),
        sendAndWatch(connectPlain(port), partial, deadline),
      ]),
    );
  },
};

/** PROXY-protocol headers that are not: bad addresses, no CRLF, a v2 signature with a wrong version or length, no header at all. */
export const proxyGarbageProbe: Probe = {
  name: 'PROXY-protocol garbage',
  maxMs: 5_000,
  run: (t, until) => {
    if (!t.proxyPorts) return Promise.resolve([]);
    const deadline = Math.min(until, Date.now() + 5_000);
    const v2 = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
    const headers = [
      Buffer.from('PROXY TCP4 999.1.1.1 127.0.0.1 1 2\r\n'),
      Buffer.from('PROXY GARBAGE\r\n'),
      Buffer.from(`PROXY TCP4 ${'1'.repeat(300)}`),
      Buffer.concat([v2, Buffer.from([0x21, 0x11, 0xff, 0xff]), crypto.randomBytes(32)]),
      Buffer.concat([v2, Buffer.from([0x31, 0x11, 0x00, 0x0c]), crypto.randomBytes(12)]),
      sized(requestV1(18, 3, 1)),
      crypto.randomBytes(200),
    ];
    return Promise.all(headers.map((h) => sendAndWatch(connectPlain(pick(t.proxyPorts!)), h, deadline)));
  },
};

/** Random bytes, 1 to 4096 of them, to a random port of a random listener (TLS ones see them as a handshake). */
export const randomBytesProbe: Probe = {
  name: 'random bytes',
  maxMs: 5_000,
  run: (t, until) => {
    const deadline = Math.min(until, Date.now() + 5_000);
    const ports = [...t.plaintextPorts, ...t.tlsPorts, ...(t.proxyPorts ?? [])];
    return Promise.all(
      Array.from({ length: 12 }, () => sendAndWatch(connectPlain(pick(ports)), crypto.randomBytes(1 + crypto.randomInt(4096)), deadline)),
    );
  },
};

/** Probes that hit hard and briefly, run one after another. */
export const ACTIVE_PROBES: Probe[] = [
  malformedFrameProbe,
  oversizeFrameProbe,
  proxyGarbageProbe,
  randomBytesProbe,
  apiVersionsFloodProbe,
  tlsDribbleProbe,
];
/** Probes that hold connections open, run beside the active ones. */
export const HOLDING_PROBES: Probe[] = [idleConnectionProbe, halfTlsHandshakeProbe];
