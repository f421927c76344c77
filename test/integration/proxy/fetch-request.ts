// A Fetch v11 request (topic names, not ids; the newest version every backend of the bed speaks).
import { API_KEY, encodeRequestFrame } from '../../../gateway/protocol/index.ts';

/** With `sizePrefix` the frame is ready for a socket; without, it is the payload `connectRaw().send` takes. */
export function fetchV11(opts: {
  correlationId: number;
  topic: string;
  offset: bigint;
  maxBytes: number;
  maxWaitMs?: number;
  minBytes?: number;
  sizePrefix?: boolean;
}): Buffer {
  return encodeRequestFrame(
    { requestApiKey: API_KEY.Fetch, requestApiVersion: 11, correlationId: opts.correlationId, clientId: 'raw-fetch' },
    {
      replicaId: -1,
      maxWaitMs: opts.maxWaitMs ?? 500,
      minBytes: opts.minBytes ?? 1,
      maxBytes: opts.maxBytes,
      topics: [{ topic: opts.topic, partitions: [{ partition: 0, fetchOffset: opts.offset, partitionMaxBytes: opts.maxBytes }] }],
    },
    { sizePrefix: opts.sizePrefix },
  );
}
