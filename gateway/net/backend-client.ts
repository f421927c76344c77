// A minimal Kafka client of the gateway's own, over its codec: just what the managed-ACL topic needs
// (metadata, create a topic, produce with acks=all, long-poll fetch, list offsets) on one partition at a
// time, PLAINTEXT to the backend. Requests are paired with responses by correlation id; every request has
// a deadline (a late answer closes the connection, as Kafka clients do, since the broker is presumed stuck).
// Leader changes and lost connections are retried a few times within one call; what still fails is
// thrown as a BackendError for the caller to retry on its own schedule.
import { API_KEY, ErrorCode, type Struct, decodeResponseFrame, encodeRequestFrame, errorName } from '../protocol/index.ts';
import { type ReadRecord, type RecordToWrite, encodeRecordBatch, readRecordBatches } from '../protocol/record-batch.ts';
import { Upstream } from './upstream.ts';

export interface BackendAddress {
  readonly host: string;
  readonly port: number;
}

export interface BackendClientOptions {
  readonly bootstrap: readonly BackendAddress[];
  /** Sent as the client id of every request (brokers log it). */
  readonly clientId?: string;
  /** Default 5000. */
  readonly connectTimeoutMs?: number;
  /** How long a broker may take to answer (a Fetch gets its maxWaitMs on top). Default 15000. */
  readonly requestTimeoutMs?: number;
  /** Attempts per call when the leader moved or a connection broke. Default 4. */
  readonly attempts?: number;
}

/** A failed call: `code` is the Kafka error code when the broker sent one, null for a transport failure. */
export class BackendError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
    /** Worth trying again later (leader moved, broker unreachable, timeout). */
    readonly retriable: boolean,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

/**
 * Versions this client speaks, per API: from the lowest that carries what it needs (v2 record batches,
 * allowAutoTopicCreation) to the highest that still names topics rather than ids.
 */
const SPOKEN: ReadonlyMap<number, { min: number; max: number }> = new Map([
  [API_KEY.Produce, { min: 3, max: 12 }],
  [API_KEY.Fetch, { min: 4, max: 12 }],
  [API_KEY.ListOffsets, { min: 1, max: 7 }],
  [API_KEY.Metadata, { min: 4, max: 12 }],
  [API_KEY.CreateTopics, { min: 2, max: 7 }],
]);

/** Errors that mean "ask again, maybe elsewhere": the partition's leader is somewhere else or not yet known. */
const LEADER_ERRORS = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.BROKER_NOT_AVAILABLE,
  ErrorCode.NOT_CONTROLLER,
]);
/** Errors a later try may not get (the cluster is busy or degraded), without the leader having moved. */
const TRANSIENT_ERRORS = new Set<number>([
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.OFFSET_NOT_AVAILABLE,
]);

function brokerError(what: string, code: number, message?: string | null): BackendError {
  const retriable = LEADER_ERRORS.has(code) || TRANSIENT_ERRORS.has(code) || code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  return new BackendError(`${what}: ${errorName(code)} (${code})${message ? `: ${message}` : ''}`, code, retriable);
}

interface Pending {
  readonly apiKey: number;
  readonly version: number;
  readonly resolve: (body: Struct) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** One connection to one broker: ApiVersions first, then requests by correlation id. */
class BrokerConnection {
  private readonly upstream: Upstream;
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private closedReason: string | null = null;
  /** Resolves with the version to use per API once ApiVersions has been answered. */
  readonly versions: Promise<Map<number, number>>;

  constructor(
    readonly address: BackendAddress,
    private readonly opts: { clientId: string; connectTimeoutMs: number; requestTimeoutMs: number },
    onClosed: (conn: BrokerConnection) => void,
  ) {
    this.upstream = new Upstream(
      address,
      { connectTimeoutMs: opts.connectTimeoutMs, maxFrameBytes: 64 * 1024 * 1024 },
      {
        onFrame: (frame) => this.onFrame(frame.payload),
        onClose: (reason) => {
          this.closedReason = reason ?? 'connection closed';
          const err = new BackendError(`backend ${address.host}:${address.port}: ${this.closedReason}`, null, true);
          for (const p of this.pending.values()) {
            clearTimeout(p.timer);
            p.reject(err);
          }
          this.pending.clear();
          onClosed(this);
        },
      },
    );
    // v0: every broker line answers it, and its answer is all this client needs.
    this.versions = this.send(API_KEY.ApiVersions, 0, {}, opts.connectTimeoutMs + opts.requestTimeoutMs).then((body) => {
      if (body.errorCode !== ErrorCode.NONE) throw brokerError('ApiVersions', body.errorCode as number);
      return pickVersions(body.apiKeys as Array<{ apiKey: number; minVersion: number; maxVersion: number }>);
    });
    this.versions.catch(() => undefined); // observed by every request that awaits it
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  async request(apiKey: number, body: Struct, extraTimeoutMs = 0): Promise<Struct> {
    const versions = await this.versions;
    const version = versions.get(apiKey);
    if (version === undefined) {
      throw new BackendError(`the backend offers no version of api ${apiKey} this client speaks`, null, false);
    }
    return this.send(apiKey, version, body, this.opts.requestTimeoutMs + extraTimeoutMs);
  }

  close(): void {
    this.upstream.close(null);
  }

  private send(apiKey: number, version: number, body: Struct, timeoutMs: number): Promise<Struct> {
    return new Promise((resolve, reject) => {
      if (this.closedReason !== null) {
        reject(new BackendError(`backend ${this.address.host}:${this.address.port}: ${this.closedReason}`, null, true));
        return;
      }
      const correlationId = this.nextCorrelationId;
      this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
      let frame: Buffer;
      try {
        const header = { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: this.opts.clientId };
        frame = encodeRequestFrame(header, body, { sizePrefix: true });
      } catch (err) {
        reject(new BackendError(`cannot encode api ${apiKey} v${version}: ${(err as Error).message}`, null, false));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new BackendError(`backend ${this.address.host}:${this.address.port} did not answer within ${timeoutMs} ms`, null, true));
        // The connection's state is unknown (a broker stuck mid-stream): start over on a fresh one.
        this.upstream.close(`request timed out after ${timeoutMs} ms`);
      }, timeoutMs);
      this.pending.set(correlationId, { apiKey, version, resolve, reject, timer });
      this.upstream.write(frame);
    });
  }

  private onFrame(payload: Buffer): void {
    const correlationId = payload.length >= 4 ? payload.readInt32BE(0) : -1;
    const p = this.pending.get(correlationId);
    if (!p) {
      this.upstream.close(`response with unknown correlation id ${correlationId}`);
      return;
    }
    this.pending.delete(correlationId);
    clearTimeout(p.timer);
    try {
      p.resolve(decodeResponseFrame(payload, p.apiKey, p.version).body);
    } catch (err) {
      p.reject(new BackendError(`cannot decode api ${p.apiKey} v${p.version} response: ${(err as Error).message}`, null, false));
      this.upstream.close('undecodable response');
    }
  }
}

function pickVersions(offered: ReadonlyArray<{ apiKey: number; minVersion: number; maxVersion: number }>): Map<number, number> {
  const out = new Map<number, number>();
  for (const o of offered) {
    const spoken = SPOKEN.get(o.apiKey);
    if (!spoken) continue;
    const v = Math.min(o.maxVersion, spoken.max);
    if (v >= spoken.min && v >= o.minVersion) out.set(o.apiKey, v);
  }
  return out;
}

export interface TopicMetadata {
  readonly name: string;
  /** The topic id (Metadata v10+, Kafka 2.8+), changed when a topic is deleted and created again; else the zero uuid. */
  readonly topicId: string;
  /** NONE, or e.g. UNKNOWN_TOPIC_OR_PARTITION when it does not exist. */
  readonly errorCode: number;
  readonly partitions: ReadonlyArray<{ readonly index: number; readonly leaderId: number; readonly errorCode: number }>;
}

export interface ClusterMetadata {
  readonly brokers: ReadonlyArray<{ readonly nodeId: number; readonly host: string; readonly port: number }>;
  readonly controllerId: number;
  readonly topics: readonly TopicMetadata[];
}

export interface NewTopic {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly configs: Readonly<Record<string, string>>;
}

export interface FetchResult {
  readonly records: ReadRecord[];
  /** Where to fetch next. */
  readonly nextOffset: bigint;
  readonly highWatermark: bigint;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class BackendClient {
  private readonly connections = new Map<string, BrokerConnection>();
  private readonly brokers = new Map<number, BackendAddress>();
  private readonly leaders = new Map<string, number>();
  private controllerId = -1;
  private bootstrapTurn = 0;
  private closed = false;
  private readonly conn: { clientId: string; connectTimeoutMs: number; requestTimeoutMs: number };
  private readonly attempts: number;

  constructor(private readonly options: BackendClientOptions) {
    if (options.bootstrap.length === 0) throw new Error('the backend client needs at least one bootstrap address');
    this.conn = {
      clientId: options.clientId ?? 'gatehouse',
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      requestTimeoutMs: options.requestTimeoutMs ?? 15000,
    };
    this.attempts = Math.max(1, options.attempts ?? 4);
  }

  /** Metadata of `topics` (never creates them), and the brokers. Tried on each bootstrap address in turn. */
  async metadata(topics: readonly string[]): Promise<ClusterMetadata> {
    return this.retrying('Metadata', async () => {
      const address = this.anyBroker();
      const body = await this.connection(address).request(API_KEY.Metadata, {
        topics: topics.map((name) => ({ name })),
        allowAutoTopicCreation: false,
      });
      return this.learn(body);
    });
  }

  /** Creates a topic; false when it already existed (another instance may have just created it). */
  async createTopic(topic: NewTopic): Promise<boolean> {
    return this.retrying('CreateTopics', async () => {
      // Sent to the controller (ZooKeeper clusters require it; KRaft brokers forward from any broker).
      if (this.controllerId < 0 || !this.brokers.has(this.controllerId)) await this.metadataOnce([]);
      const address = this.brokers.get(this.controllerId) ?? this.anyBroker();
      const body = await this.connection(address).request(API_KEY.CreateTopics, {
        topics: [
          {
            name: topic.name,
            numPartitions: topic.partitions,
            replicationFactor: topic.replicationFactor,
            assignments: [],
            configs: Object.entries(topic.configs).map(([name, value]) => ({ name, value })),
          },
        ],
        timeoutMs: this.conn.requestTimeoutMs,
        validateOnly: false,
      });
      const result = (body.topics as Struct[]).find((t) => t.name === topic.name);
      if (!result) throw new BackendError(`CreateTopics: no result for ${topic.name}`, null, true);
      const code = result.errorCode as number;
      if (code === ErrorCode.NONE) return true;
      if (code === ErrorCode.TOPIC_ALREADY_EXISTS) return false;
      if (code === ErrorCode.NOT_CONTROLLER) this.controllerId = -1;
      throw brokerError(`CreateTopics ${topic.name}`, code, result.errorMessage as string | null);
    });
  }

  /** Appends one batch with acks=all; resolves with the offset of its first record. */
  async produce(topic: string, partition: number, records: readonly RecordToWrite[]): Promise<bigint> {
    const batch = encodeRecordBatch(records);
    return this.onLeader('Produce', topic, partition, async (conn) => {
      const body = await conn.request(API_KEY.Produce, {
        transactionalId: null,
        acks: -1,
        timeoutMs: this.conn.requestTimeoutMs,
        topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
      });
      const p = partitionOf(body.responses as Struct[], 'name', 'partitionResponses', 'index', topic, partition);
      if (!p) throw new BackendError(`Produce ${topic}-${partition}: no result for the partition`, null, true);
      if (p.errorCode !== ErrorCode.NONE)
        throw brokerError(`Produce ${topic}-${partition}`, p.errorCode as number, p.errorMessage as string | null);
      return p.baseOffset as bigint;
    });
  }

  /** Records from `offset` on; waits up to `maxWaitMs` on the broker when there are none yet. */
  async fetch(topic: string, partition: number, offset: bigint, opts: { maxWaitMs: number; maxBytes?: number }): Promise<FetchResult> {
    const maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
    return this.onLeader('Fetch', topic, partition, async (conn) => {
      const body = await conn.request(
        API_KEY.Fetch,
        {
          replicaId: -1,
          maxWaitMs: opts.maxWaitMs,
          minBytes: 1,
          maxBytes,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1, // a full fetch with no session: nothing to keep on the broker
          topics: [
            {
              topic,
              partitions: [
                {
                  partition,
                  currentLeaderEpoch: -1,
                  fetchOffset: offset,
                  lastFetchedEpoch: -1,
                  logStartOffset: -1,
                  partitionMaxBytes: maxBytes,
                },
              ],
            },
          ],
          forgottenTopicsData: [],
          rackId: '',
        },
        opts.maxWaitMs,
      );
      if ((body.errorCode as number) !== ErrorCode.NONE) throw brokerError(`Fetch ${topic}-${partition}`, body.errorCode as number);
      const p = partitionOf(body.responses as Struct[], 'topic', 'partitions', 'partitionIndex', topic, partition);
      if (!p) throw new BackendError(`Fetch ${topic}-${partition}: no result for the partition`, null, true);
      if (p.errorCode !== ErrorCode.NONE) throw brokerError(`Fetch ${topic}-${partition} at ${offset}`, p.errorCode as number);
      let read;
      try {
        read = readRecordBatches(p.records as Buffer | null, offset);
      } catch (err) {
        throw new BackendError(`Fetch ${topic}-${partition} at ${offset}: ${(err as Error).message}`, null, false);
      }
      return { records: read.records, nextOffset: read.nextOffset, highWatermark: p.highWatermark as bigint };
    });
  }

  /** The log end offset ('latest') or log start offset ('earliest') of a partition. */
  async listOffset(topic: string, partition: number, which: 'earliest' | 'latest'): Promise<bigint> {
    return this.onLeader('ListOffsets', topic, partition, async (conn) => {
      const body = await conn.request(API_KEY.ListOffsets, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          { name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: which === 'latest' ? -1n : -2n }] },
        ],
      });
      const p = partitionOf(body.topics as Struct[], 'name', 'partitions', 'partitionIndex', topic, partition);
      if (!p) throw new BackendError(`ListOffsets ${topic}-${partition}: no result for the partition`, null, true);
      if (p.errorCode !== ErrorCode.NONE) throw brokerError(`ListOffsets ${topic}-${partition}`, p.errorCode as number);
      return p.offset as bigint;
    });
  }

  /** Closes every connection; calls in flight reject, later calls reject at once. */
  close(): void {
    this.closed = true;
    for (const c of [...this.connections.values()]) c.close();
    this.connections.clear();
  }

  /** Runs `call` against the partition's leader, finding it again after a leader error or a broken connection. */
  private onLeader<T>(what: string, topic: string, partition: number, call: (conn: BrokerConnection) => Promise<T>): Promise<T> {
    const key = `${topic}\u0000${partition}`;
    return this.retrying(`${what} ${topic}-${partition}`, async () => {
      let leader = this.leaders.get(key);
      if (leader === undefined || !this.brokers.has(leader)) {
        const md = await this.metadataOnce([topic]);
        const t = md.topics.find((x) => x.name === topic);
        if (!t || t.errorCode !== ErrorCode.NONE)
          throw brokerError(`${what} ${topic}`, t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        const p = t.partitions.find((x) => x.index === partition);
        if (!p) throw brokerError(`${what} ${topic}-${partition}`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        if (p.leaderId < 0 || !this.brokers.has(p.leaderId))
          throw brokerError(`${what} ${topic}-${partition}`, ErrorCode.LEADER_NOT_AVAILABLE);
        leader = p.leaderId;
        this.leaders.set(key, leader);
      }
      try {
        return await call(this.connection(this.brokers.get(leader)!));
      } catch (err) {
        // Whatever went wrong, the next try asks for the leader again.
        this.leaders.delete(key);
        throw err;
      }
    });
  }

  /** Tries `call` up to `attempts` times while it fails with a retriable error, backing off a little. */
  private async retrying<T>(what: string, call: () => Promise<T>): Promise<T> {
    let last: unknown;
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      if (this.closed) throw new BackendError(`${what}: the backend client is closed`, null, false);
      if (attempt > 0) await sleep(Math.min(100 * 2 ** (attempt - 1), 1000));
      try {
        return await call();
      } catch (err) {
        last = err;
        if (!(err instanceof BackendError) || !err.retriable) throw err;
      }
    }
    throw last;
  }

  private async metadataOnce(topics: readonly string[]): Promise<ClusterMetadata> {
    const body = await this.connection(this.anyBroker()).request(API_KEY.Metadata, {
      topics: topics.map((name) => ({ name })),
      allowAutoTopicCreation: false,
    });
    return this.learn(body);
  }

  private learn(body: Struct): ClusterMetadata {
    const brokers = (body.brokers as Struct[]).map((b) => ({ nodeId: b.nodeId as number, host: b.host as string, port: b.port as number }));
    if (brokers.length > 0) {
      this.brokers.clear();
      for (const b of brokers) this.brokers.set(b.nodeId, { host: b.host, port: b.port });
    }
    this.controllerId = body.controllerId as number;
    const topics = (body.topics as Struct[]).map((t) => ({
      name: t.name as string,
      topicId: t.topicId as string,
      errorCode: t.errorCode as number,
      partitions: (t.partitions as Struct[]).map((p) => ({
        index: p.partitionIndex as number,
        leaderId: p.leaderId as number,
        errorCode: p.errorCode as number,
      })),
    }));
    for (const t of topics) for (const p of t.partitions) if (p.leaderId >= 0) this.leaders.set(`${t.name}\u0000${p.index}`, p.leaderId);
    return { brokers, controllerId: this.controllerId, topics };
  }

  /** A broker to ask cluster-wide questions: the bootstrap addresses in turn (they may all be behind one name). */
  private anyBroker(): BackendAddress {
    const list = this.options.bootstrap;
    return list[this.bootstrapTurn++ % list.length];
  }

  private connection(address: BackendAddress): BrokerConnection {
    if (this.closed) throw new BackendError('the backend client is closed', null, false);
    const key = `${address.host}:${address.port}`;
    let c = this.connections.get(key);
    if (!c || c.closed) {
      c = new BrokerConnection(address, this.conn, (gone) => {
        if (this.connections.get(key) === gone) this.connections.delete(key);
      });
      this.connections.set(key, c);
    }
    return c;
  }
}

/** The result entry of one partition in a per-topic, per-partition response array. */
function partitionOf(
  topics: readonly Struct[],
  topicField: string,
  partitionsField: string,
  indexField: string,
  topic: string,
  partition: number,
): Struct | undefined {
  const t = topics.find((x) => x[topicField] === topic);
  return (t?.[partitionsField] as Struct[] | undefined)?.find((p) => p[indexField] === partition);
}
