// One raw Produce request at an exact version and acks, on a fresh connection: for tests that must
// send what no client library sends (any version, acks=0 that is refused) and see the answer as bytes.
import net from 'node:net';
import { FrameReader } from '../../gateway/net/frame-reader.ts';
import { decodeResponseFrame, encodeRequestFrame, type ProduceResponse } from '../../gateway/protocol/index.ts';
import { recordsFor } from './differential/catalogue-world.ts';

export type ProduceOutcome = 'closed' | 'no answer' | Array<[string, number[]]>;

/** One Produce of one small batch per topic (partition 0) on a fresh connection: the error codes per topic, or how the connection ended. */
export async function produceOnce(port: number, version: number, acks: number, topics: string[]): Promise<ProduceOutcome> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const reader = new FrameReader(() => 1 << 30);
  const body = {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: topics.map((name) => ({ name, partitionData: [{ index: 0, records: recordsFor(version, `v${version} to ${name}`) }] })),
  };
  socket.write(
    encodeRequestFrame({ requestApiKey: 0, requestApiVersion: version, correlationId: 1, clientId: 'raw-produce' }, body, {
      sizePrefix: true,
    }),
  );
  try {
    return await new Promise<ProduceOutcome>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        for (const f of reader.push(chunk)) {
          const res = decodeResponseFrame(f.payload, 0, version).body as ProduceResponse;
          resolve(res.responses.map((r) => [r.name, r.partitionResponses.map((p) => p.errorCode)]));
        }
      });
      socket.on('close', () => resolve('closed'));
      // acks=0 that is allowed gets no answer; wait long enough for a close to show.
      setTimeout(() => resolve('no answer'), 1500);
    });
  } finally {
    socket.destroy();
  }
}
