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
  /** Called once, when the connection ends for any reason (error text, or null for a clean close). */
  onClose: (reason: string | null) => void;
};

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
      process.nextTick(() => this.close(`cannot connect to backend ${address.host}:${address.port}: ${problem}`));
      return;
    }
    this.socket = net.connect({ host: address.host, port: address.port, noDelay: true });
    this.socket.setTimeout(opts.connectTimeoutMs, () => this.close(`connect timeout after ${opts.connectTimeoutMs} ms`));
    this.socket.once('connect', () => this.socket.setTimeout(0));
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => this.close(err.message));
    this.socket.on('close', () => this.close(null));
  }

  /** Writes a whole frame; false means the socket buffer is full (pause the producer of frames). */
  write(frame: Outgoing): boolean {
    return writeFrame(this.socket, frame);
  }

  close(reason: string | null): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.handlers.onClose(reason);
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      this.close(`bad frame from backend: ${(err as Error).message}`);
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
