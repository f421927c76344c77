// One TCP connection to a backend broker, cutting its byte stream into response frames.
import net from 'node:net';
import { FrameReader, type Frame } from './frame-reader.ts';
import { type Outgoing, writeFrame } from './frame-writer.ts';

export type UpstreamHandlers = {
  onFrame: (frame: Frame) => void;
  /**
   * When given, called instead of `onFrame` with the frames one read completed, in order (so a
   * caller can send the answers they make in one write).
   */
  onFrames?: (frames: readonly Frame[]) => void;
  /**
   * Called once, when the connection ends for any reason: error text (null for a clean close) and what
   * kind of end it was, for the metrics ('closed': the backend closed it; 'local': this side did).
   */
  onClose: (reason: string | null, kind: UpstreamEnd) => void;
};

/** How a backend connection ended. */
export type UpstreamEnd = 'local' | 'closed' | 'connect-refused' | 'connect-timeout' | 'connect-failed' | 'reset' | 'bad-frame' | 'error';

/** The kind of a socket error: before the connection was up, or after. */
function errorKind(err: NodeJS.ErrnoException, connected: boolean): UpstreamEnd {
  if (!connected) return err.code === 'ECONNREFUSED' ? 'connect-refused' : err.code === 'ETIMEDOUT' ? 'connect-timeout' : 'connect-failed';
  return err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'reset' : 'error';
}

/** Why `net.connect` must not be tried with this address (it throws on a port outside 0–65535), or null. */
function addressProblem(address: { host: string; port: number }): string | null {
  if (typeof address.host !== 'string' || address.host.length === 0) return 'empty host';
  if (!Number.isInteger(address.port) || address.port < 1 || address.port > 65535) return `port ${address.port} is outside 1–65535`;
  return null;
}

export class Upstream {
  readonly socket: net.Socket;
  private readonly reader: FrameReader;
  private closed = false;
  private connected = false;

  constructor(
    readonly address: { host: string; port: number },
    opts: { connectTimeoutMs: number; maxFrameBytes: number },
    private readonly handlers: UpstreamHandlers,
  ) {
    this.reader = new FrameReader(() => opts.maxFrameBytes);
    const problem = addressProblem(address);
    if (problem !== null) {
      // net.connect would throw on this: fail the connection the ordinary way instead (onClose, next tick).
      this.socket = new net.Socket();
      this.socket.on('error', () => undefined); // a write before the close below: the close says why
      process.nextTick(() => this.close(`cannot connect to backend ${address.host}:${address.port}: ${problem}`, 'connect-failed'));
      return;
    }
    this.socket = net.connect({ host: address.host, port: address.port, noDelay: true });
    this.socket.setTimeout(opts.connectTimeoutMs, () => this.close(`connect timeout after ${opts.connectTimeoutMs} ms`, 'connect-timeout'));
    this.socket.once('connect', () => {
      this.connected = true;
      this.socket.setTimeout(0);
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => this.close(err.message, errorKind(err, this.connected)));
    this.socket.on('close', () => this.close(null, this.connected ? 'closed' : 'connect-failed'));
  }

  /** Writes a whole frame; false means the socket buffer is full (pause the producer of frames). */
  write(frame: Outgoing): boolean {
    return writeFrame(this.socket, frame);
  }

  /** Ends the connection (`kind` defaults to 'local': this side chose to). */
  close(reason: string | null, kind: UpstreamEnd = 'local'): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.handlers.onClose(reason, kind);
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      this.close(`bad frame from backend: ${(err as Error).message}`, 'bad-frame');
      return;
    }
    if (frames.length === 0 || this.closed) return;
    if (this.handlers.onFrames) return this.handlers.onFrames(frames);
    for (const frame of frames) {
      if (this.closed) return;
      this.handlers.onFrame(frame);
    }
  }
}
