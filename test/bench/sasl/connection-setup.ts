// What a Kafka client does on a new connection before its first useful request, timed: connect (TCP, or
// TCP + TLS), ApiVersions, SaslHandshake and the SaslAuthenticate round trips when the listener wants SASL,
// one Metadata request for a topic, close. A batch runs N such connections, C at a time. The versions are
// those a current Java client (Kafka 4) sends: ApiVersions v3, SaslHandshake v1, SaslAuthenticate v2, Metadata v12.
import {
  API_KEY,
  ErrorCode,
  errorName,
  ZERO_UUID,
  type MetadataResponse,
  type CreateTopicsResponse,
} from '../../../gateway/protocol/index.ts';
import { RawSaslClient } from '../../harness/sasl/raw-sasl-client.ts';
import { cpuSeconds } from '../perf-tools.ts';
import type { SaslClient } from './sasl-clients.ts';

/** Where to connect: host:port, and the CA to trust when the listener speaks TLS. */
export type ConnectTarget = { hostPort: string; tlsCa?: Buffer };

/** One row of the benchmark: where to connect, and the mechanism to authenticate with (null: no SASL). */
export type SetupPath = { name: string; target: ConnectTarget; sasl: SaslClient | null };

function connect(target: ConnectTarget): Promise<RawSaslClient> {
  const colon = target.hostPort.lastIndexOf(':');
  return RawSaslClient.connect({
    host: target.hostPort.slice(0, colon),
    port: Number(target.hostPort.slice(colon + 1)),
    clientId: 'sasl-bench',
    ...(target.tlsCa && { tls: { ca: target.tlsCa } }),
  });
}

function expectNoError(what: string, answer: { errorCode: number; errorMessage?: string | null } | null): void {
  if (answer === null) throw new Error(`${what}: the server closed the connection`);
  if (answer.errorCode !== ErrorCode.NONE)
    throw new Error(`${what}: ${errorName(answer.errorCode)}${answer.errorMessage ? ` (${answer.errorMessage})` : ''}`);
}

async function authenticate(conn: RawSaslClient, sasl: SaslClient): Promise<void> {
  const handshake = await conn.handshake(sasl.mechanism);
  expectNoError(`SaslHandshake ${sasl.mechanism} (server offers ${handshake?.mechanisms.join(', ')})`, handshake);
  const exchange = sasl.start();
  let serverToken: Buffer | null = null;
  for (;;) {
    const token = await exchange.next(serverToken);
    if (token === null) return;
    const answer = await conn.authenticate(token);
    expectNoError(`SaslAuthenticate ${sasl.mechanism}`, answer);
    serverToken = answer!.authBytes;
  }
}

/** One client connection's set-up on `path`, ending with a Metadata request for `topic`. */
export async function setUpConnection(path: SetupPath, topic: string): Promise<void> {
  const conn = await connect(path.target);
  try {
    expectNoError('ApiVersions', (await conn.apiVersions()) as { errorCode: number } | null);
    if (path.sasl) await authenticate(conn, path.sasl);
    const metadata = (await conn.request(API_KEY.Metadata, 12, {
      topics: [{ topicId: ZERO_UUID, name: topic }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    })) as MetadataResponse | null;
    expectNoError(`Metadata for ${topic}`, metadata && (metadata.topics[0] ?? { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR }));
  } finally {
    conn.close();
  }
}

/** Creates a one-partition topic through `target` (the direct broker listener). */
export async function createTopic(target: ConnectTarget, topic: string): Promise<void> {
  const conn = await connect(target);
  try {
    const created = (await conn.request(API_KEY.CreateTopics, 7, {
      topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 30_000,
      validateOnly: false,
    })) as CreateTopicsResponse | null;
    const result = created?.topics[0] ?? null;
    if (result?.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) expectNoError(`CreateTopics ${topic}`, result);
  } finally {
    conn.close();
  }
}

export type SetupBatch = {
  connections: number;
  concurrency: number;
  wallMs: number;
  /** Each connection's set-up time, in ms, sorted. */
  setupMs: number[];
  /** CPU-seconds the gateway process spent during the batch (null when the path has no gateway). */
  gatewayCpu: number | null;
};

/**
 * Runs up to `connections` set-ups on `path`, `concurrency` at a time, and times each one and the whole
 * batch. No connection starts after `maxMs` (a slow mechanism then does fewer: the rate stays comparable).
 */
export async function runSetupBatch(
  path: SetupPath,
  opts: { connections: number; concurrency: number; topic: string; gatewayPid: number | null; maxMs: number },
): Promise<SetupBatch> {
  const setupMs: number[] = [];
  let started = 0;
  const cpu = () => (opts.gatewayPid === null ? 0 : cpuSeconds(opts.gatewayPid));
  const cpu0 = cpu();
  const t0 = performance.now();
  const worker = async () => {
    while (started < opts.connections && performance.now() - t0 < opts.maxMs) {
      started++;
      const t = performance.now();
      await setUpConnection(path, opts.topic);
      setupMs.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, opts.connections) }, worker));
  const wallMs = performance.now() - t0;
  return {
    connections: setupMs.length,
    concurrency: opts.concurrency,
    wallMs,
    setupMs: setupMs.sort((a, b) => a - b),
    gatewayCpu: opts.gatewayPid === null ? null : cpu() - cpu0,
  };
}

/** The q-quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
