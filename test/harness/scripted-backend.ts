// A scripted Kafka backend for tests that need a backend to misbehave in a precise way: it answers
// ApiVersions and Metadata (with the broker list the test sets, bad routes included), holds Fetch
// requests for as long as told, and counts the connections it accepts.
import net from 'node:net';
import { FrameReader } from '../../gateway/net/frame-reader.ts';
import { API_KEY, type Struct, encodeResponseFrame, peekRequestHeader, versionRange } from '../../gateway/protocol/index.ts';

export type ScriptedBroker = { nodeId: number; host: string; port: number };

export type ScriptedBackend = {
  /** host:port to use as the gateway's bootstrap server. */
  bootstrap: string;
  port: number;
  /** Brokers announced in Metadata answers; defaults to this backend as node 1. Change it at any time. */
  brokers: ScriptedBroker[];
  /** How long a Fetch is held before its (empty) answer; Infinity holds it until the connection closes. */
  fetchDelayMs: number;
  /** Connections accepted so far, and how many are open now. */
  accepted: () => number;
  open: () => number;
  /** Requests received so far, by api key. */
  received: (apiKey: number) => number;
  close: () => Promise<void>;
};

/** The APIs the backend advertises (at the gateway's own ranges). */
const ADVERTISED = [API_KEY.Produce, API_KEY.Fetch, API_KEY.ListOffsets, API_KEY.Metadata, API_KEY.FindCoordinator, API_KEY.ApiVersions];

function answer(backend: ScriptedBackend, apiKey: number): Struct {
  switch (apiKey) {
    case API_KEY.ApiVersions:
      return { errorCode: 0, apiKeys: ADVERTISED.map((k) => ({ apiKey: k, minVersion: 0, maxVersion: versionRange(k)!.max })) };
    case API_KEY.Metadata:
      return {
        brokers: backend.brokers.map((b) => ({ ...b, rack: null })),
        clusterId: 'scripted',
        controllerId: backend.brokers[0]?.nodeId ?? -1,
        topics: [],
      };
    case API_KEY.Fetch:
      return { responses: [] };
    default:
      throw new Error(`the scripted backend has no answer for api key ${apiKey}`);
  }
}

export async function startScriptedBackend(): Promise<ScriptedBackend> {
  const sockets = new Set<net.Socket>();
  const counts = new Map<number, number>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const reader = new FrameReader(() => 1 << 24);
    // Answers leave in request order, as a broker's do: each waits for the one before it.
    let queue = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        const { apiKey, apiVersion, correlationId } = peekRequestHeader(frame.payload);
        counts.set(apiKey, (counts.get(apiKey) ?? 0) + 1);
        const bytes = encodeResponseFrame({ correlationId }, answer(backend, apiKey), apiKey, apiVersion, { sizePrefix: true });
        const delay = apiKey === API_KEY.Fetch ? backend.fetchDelayMs : 0;
        queue = queue.then(async () => {
          if (delay === Infinity) await new Promise((r) => socket.once('close', r));
          else if (delay > 0) await new Promise((r) => setTimeout(r, delay));
          if (!socket.destroyed) socket.write(bytes);
        });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const backend: ScriptedBackend = {
    bootstrap: `127.0.0.1:${port}`,
    port,
    brokers: [{ nodeId: 1, host: '127.0.0.1', port }],
    fetchDelayMs: 0,
    accepted: () => accepted,
    open: () => sockets.size,
    received: (apiKey) => counts.get(apiKey) ?? 0,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  return backend;
}
