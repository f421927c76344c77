// Writing frames to a socket. A frame that arrived in several chunks is written as those chunks, corked,
// so they leave together (one writev) without being joined first. (Corking across frames until the end of
// the tick was measured too: real clients rarely have two frames in one read, and the deferred flush cost
// the produce path ~15 % more gateway CPU.)
import type { Writable } from 'node:stream';

/** A frame to send: one Buffer, or the pieces it arrived in (in order). */
export type Outgoing = Buffer | readonly Buffer[];

/**
 * Writes one frame; false means the socket's buffer is full (pause whoever produces the frames).
 * `written`, when given, is called once the whole frame has left the process (or the socket failed):
 * pass the same function every time, so Node can batch the calls.
 */
export function writeFrame(socket: Writable, frame: Outgoing, written?: () => void): boolean {
  if (Buffer.isBuffer(frame)) return socket.write(frame, written) || stillRoom(socket);
  if (frame.length === 1) return socket.write(frame[0], written) || stillRoom(socket);
  socket.cork();
  const last = frame.length - 1;
  for (let i = 0; i < last; i++) socket.write(frame[i]);
  const ok = socket.write(frame[last], written);
  socket.uncork();
  return ok || stillRoom(socket);
}

/**
 * For a frame in pieces, the last write() inside the cork says false once the frame is above the
 * high-water mark (16 KB), though the uncork then hands it all to the kernel at once and nothing stays
 * queued. Pausing the producer on that cost a pause and a resume (and the reads queued meanwhile) per
 * large request; only bytes still held here are backpressure. (A socket corked by the caller or still
 * connecting holds them all, so it says full as before.) Node releases that work out write()'s answer
 * before writing say false for a single buffer above the mark too, hence the check on every path.
 */
function stillRoom(socket: Writable): boolean {
  return socket.writableLength < socket.writableHighWaterMark;
}
