// One TCP connection to a backend broker, cutting its byte stream into response frames.
import net from 'node:net';
import { FrameReader, type Frame } from './frame-reader.ts';
import { type Outgoing, writeFrame } from './frame-writer.ts';

export type UpstreamHandlers = {
  onFrame: (frame: Frame) => void;
  /** Called once, when the connection ends for any reason (error text, or null for a clean close). */
  onClose: (reason: string | null) => void;
};

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
    for (const frame of frames) {
      if (this.closed) return;
      this.handlers.onFrame(frame);
    }
  }
}
