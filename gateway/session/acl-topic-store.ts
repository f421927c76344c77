// Managed ACLs kept in a compacted topic on the backend cluster (config `managedAcls: { store: kafka }`),
// the way Kafka keeps its own ACLs in its metadata log: every gateway instance consumes the topic from the
// start and holds the same set; a change made through any instance is a record every instance applies.
//
// Topic: one partition (one total order of changes), cleanup.policy=compact (the latest record per key is
// the state), compression.type=uncompressed (the reader here handles no codecs), replication factor
// min(3, brokers). It is created on the first write; until it exists every instance polls for it.
// Records: key = bindingKey(binding); value = JSON { binding, actor, at } for an add, null (a tombstone)
// for a remove. Compaction keeps the last record per key, so a fresh instance reads the same set.
//
// Propagation bound, backend healthy: an instance applies a record another instance wrote within
// fetchMaxWaitMs (200 ms) plus a round trip after the write was acknowledged — in practice a few ms, as its
// consumer is parked in a Fetch long-poll the broker answers as soon as the record is committed; when the
// instance had not yet seen the topic exist, within pollIntervalMs (1 s) plus a round trip. The
// integration test measures both and asserts under 1 s and 2 s. The writing instance applies its own
// records before add()/remove() resolve (read-your-writes), so a CreateAcls answered is already in force
// on the instance that answered.
//
// When the backend is away, the last set read stays in force (reads and writes retry with backoff). A
// topic that vanishes keeps the set in force too (a broker that just restarted may briefly not know it);
// one deleted and created again (new topic id, or an offset out of range) is read again from its start
// and replaces the set once caught up. Records this gateway did not write (not the JSON above, or a key
// that is not the binding's) are logged and ignored.
import type { AclActor, AclBinding } from '../authz/acls/acl-binding.ts';
import { bindingKey } from '../authz/acls/acl-binding.ts';
import type { ManagedAclStore } from '../authz/acls/managed-store.ts';
import { OPERATIONS, RESOURCE_TYPES, type Operation, type ResourceType } from '../authz/model.ts';
import { BackendClient, BackendError, type FetchResult, type TopicMetadata } from '../net/backend-client.ts';
import type { Logger } from '../observability/logger.ts';
import { ErrorCode, ZERO_UUID } from '../protocol/index.ts';
import type { RecordToWrite } from '../protocol/record-batch.ts';

export interface KafkaAclStoreOptions {
  /** The backend cluster (PLAINTEXT), as the gateway's upstream bootstrap. */
  readonly bootstrap: readonly { readonly host: string; readonly port: number }[];
  readonly topic: string;
  readonly logger: Logger;
  /** Per broker connection. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** How often to look for the topic while it does not exist. Default 1000. */
  readonly pollIntervalMs?: number;
  /** The consumer's Fetch long-poll wait (bounds how late other instances' changes arrive). Default 200. */
  readonly fetchMaxWaitMs?: number;
  /** start() rejects when the topic could not be read for this long. Default 60000. */
  readonly startTimeoutMs?: number;
  /** add()/remove() reject when their records could not be written and applied within this. Default 30000. */
  readonly writeTimeoutMs?: number;
}

/** Records per Produce: keeps a batch far below the broker's default 1 MB message limit. */
const RECORDS_PER_BATCH = 500;
const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2000;
/** How often the consumer checks the topic is still the one it has been reading (deleted and created again). */
const TOPIC_CHECK_INTERVAL_MS = 5000;

interface Waiter {
  /** Resolved once the consumer's position reaches this offset (one past the last record written). */
  readonly offset: bigint;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export class KafkaAclStore implements ManagedAclStore {
  readonly kind = 'kafka' as const;
  /**
   * Two clients, so two connections per broker: a broker answers one request per connection at a time, so
   * a write sent behind the consumer's parked Fetch long-poll would wait out the whole poll.
   */
  private readonly reader: BackendClient;
  private readonly writer: BackendClient;
  private readonly log: Logger;
  private readonly pollIntervalMs: number;
  private readonly fetchMaxWaitMs: number;
  private readonly startTimeoutMs: number;
  private readonly writeTimeoutMs: number;

  /** The managed set, in the order bindings were first added. */
  private set = new Map<string, AclBinding>();
  /** Set while the set is read again from the start (the topic was recreated or truncated): swapped in when caught up. */
  private rebuilding: Map<string, AclBinding> | null = null;
  /** Next offset to fetch. */
  private position = 0n;
  private topicExists = false;
  private readonly listeners: Array<() => void> = [];
  private waiters: Waiter[] = [];
  private started = false;
  private closed = false;
  private loopDone: Promise<void> = Promise.resolve();
  /** Ends the consumer's current pause early (a write just landed, or close()). */
  private wakeUp: (() => void) | null = null;
  private wakePending = false;
  /** Set when the topic must be read again from its first offset (it was recreated or truncated). */
  private rereadFromStart = false;
  private startSettled: { resolve: () => void; reject: (err: Error) => void } | null = null;
  /** End offset when start() began reading: start() resolves once the position reaches it. */
  private startTarget: bigint | null = null;
  private failures = 0;
  /** The id of the topic being read (null until seen), and when it was last looked up. */
  private topicId: string | null = null;
  private topicCheckedAt = 0;
  /** The one topic creation in flight: concurrent writes of this instance share it. */
  private creating: Promise<void> | null = null;

  constructor(readonly options: KafkaAclStoreOptions) {
    this.log = options.logger.child({ component: 'acl-topic-store', topic: options.topic });
    const client = (role: string): BackendClient =>
      new BackendClient({
        bootstrap: options.bootstrap,
        clientId: `gatehouse-acl-${role}`,
        connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      });
    this.reader = client('reader');
    this.writer = client('writer');
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.fetchMaxWaitMs = options.fetchMaxWaitMs ?? 200;
    this.startTimeoutMs = options.startTimeoutMs ?? 60_000;
    this.writeTimeoutMs = options.writeTimeoutMs ?? 30_000;
  }

  start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the ACL topic store is closed'));
    if (this.started) return Promise.reject(new Error('the ACL topic store was already started'));
    this.started = true;
    const ready = new Promise<void>((resolve, reject) => {
      this.startSettled = { resolve, reject };
    });
    const timer = setTimeout(() => {
      this.settleStart(new Error(`could not read the managed ACL topic ${this.options.topic} within ${this.startTimeoutMs} ms`));
      void this.close();
    }, this.startTimeoutMs);
    void ready.then(
      () => clearTimeout(timer),
      () => clearTimeout(timer),
    );
    this.loopDone = this.consume().catch((err: unknown) => {
      // consume() handles its own errors; this only guards against a bug turning into an unhandled rejection.
      this.log.error({ err }, 'managed ACL consumer stopped unexpectedly');
    });
    return ready;
  }

  bindings(): readonly AclBinding[] {
    return [...this.set.values()];
  }

  add(bindings: readonly AclBinding[], actor: AclActor): Promise<void> {
    const at = new Date().toISOString();
    const records = unique(bindings).map((binding): RecordToWrite => ({
      key: Buffer.from(bindingKey(binding)),
      value: Buffer.from(JSON.stringify({ binding: plainBinding(binding), actor: plainActor(actor), at })),
    }));
    return this.write(records, 'add');
  }

  remove(bindings: readonly AclBinding[], _actor: AclActor): Promise<void> {
    // The actor is audited by the service; a tombstone carries no value to hold it.
    const records = unique(bindings).map((binding): RecordToWrite => ({ key: Buffer.from(bindingKey(binding)), value: null }));
    return this.write(records, 'remove');
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return this.loopDone;
    this.closed = true;
    this.settleStart(new Error('the ACL topic store was closed before it had read the topic'));
    const err = new Error('the ACL topic store was closed');
    for (const w of this.waiters) w.reject(err);
    this.waiters = [];
    this.reader.close();
    this.writer.close();
    this.wake();
    await this.loopDone;
  }

  // ---------------------------------------------------------------------------------------------------
  // Writing

  private async write(records: RecordToWrite[], what: 'add' | 'remove'): Promise<void> {
    if (!this.started || this.closed)
      throw new Error(`cannot ${what} managed ACLs: the ACL topic store is ${this.closed ? 'closed' : 'not started'}`);
    if (records.length === 0) return;
    const deadline = Date.now() + this.writeTimeoutMs;
    let end = 0n;
    for (let i = 0; i < records.length; i += RECORDS_PER_BATCH) {
      end = await this.produce(records.slice(i, i + RECORDS_PER_BATCH), deadline, what);
    }
    // Read-your-writes: resolve only once the consumer has applied these records (and told the listeners).
    await this.appliedThrough(end, deadline);
  }

  /** Produces one batch, creating the topic first if needed; retries until the deadline. Returns the offset after it. */
  private async produce(records: RecordToWrite[], deadline: number, what: string): Promise<bigint> {
    let backoff = MIN_BACKOFF_MS;
    for (;;) {
      try {
        if (!this.topicExists) await (this.creating ??= this.ensureTopic().finally(() => (this.creating = null)));
        // A retry after a write whose answer was lost may append the same records twice. That is harmless
        // for them (a record sets or clears its key again); it could only undo a change another instance
        // made to the same binding within that one lost round trip (Kafka's non-idempotent producers share it).
        const base = await this.writer.produce(this.options.topic, 0, records);
        this.wake(); // the consumer may be pausing (topic just created, or backing off): read now
        return base + BigInt(records.length);
      } catch (err) {
        if (this.closed) throw new Error(`cannot ${what} managed ACLs: the ACL topic store was closed`, { cause: err });
        if (err instanceof BackendError && err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) this.topicExists = false;
        const message = (err as Error).message;
        if (Date.now() + backoff > deadline) {
          throw new Error(`could not write managed ACLs to topic ${this.options.topic}: ${message}`, { cause: err });
        }
        this.log.warn({ err: message, retryInMs: backoff }, `writing managed ACLs (${what}) failed; retrying`);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private async ensureTopic(): Promise<void> {
    const md = await this.writer.metadata([this.options.topic]);
    const t = md.topics.find((x) => x.name === this.options.topic);
    if (t && t.errorCode === ErrorCode.NONE) {
      this.topicExists = true;
      this.noteTopic(t);
      return;
    }
    const replicationFactor = Math.max(1, Math.min(3, md.brokers.length));
    const created = await this.writer.createTopic({
      name: this.options.topic,
      partitions: 1,
      replicationFactor,
      configs: { 'cleanup.policy': 'compact', 'compression.type': 'uncompressed' },
    });
    if (created) this.log.info({ replicationFactor }, 'created the managed ACL topic');
    else this.log.info('the managed ACL topic was created by another instance meanwhile');
    this.topicExists = true;
    this.wake();
  }

  private appliedThrough(offset: bigint, deadline: number): Promise<void> {
    if (!this.rereadFromStart && this.rebuilding === null && this.position >= offset) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new Error(`managed ACLs were written to topic ${this.options.topic} but not read back within the time allowed`));
        },
        Math.max(0, deadline - Date.now()),
      );
      const waiter: Waiter = {
        offset,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.waiters.push(waiter);
    });
  }

  // ---------------------------------------------------------------------------------------------------
  // Consuming

  private async consume(): Promise<void> {
    let backoff = MIN_BACKOFF_MS;
    while (!this.closed) {
      try {
        if (!this.topicExists && !(await this.lookForTopic())) {
          this.settleStart(); // no topic yet: nothing is managed
          await this.pause(this.pollIntervalMs);
          continue;
        }
        if (this.topicId === null || Date.now() - this.topicCheckedAt >= TOPIC_CHECK_INTERVAL_MS) await this.checkTopic();
        if (this.startSettled !== null) {
          this.startTarget ??= await this.reader.listOffset(this.options.topic, 0, 'latest');
          if (this.position >= this.startTarget) this.settleStart();
        }
        if (this.rereadFromStart) {
          const earliest = await this.reader.listOffset(this.options.topic, 0, 'earliest');
          this.rereadFromStart = false;
          this.position = earliest;
          this.rebuilding = new Map();
        }
        // While catching up at start there is no reason to wait on the broker.
        const maxWaitMs = this.startSettled === null ? this.fetchMaxWaitMs : 0;
        const fetched = await this.reader.fetch(this.options.topic, 0, this.position, { maxWaitMs });
        if (this.closed) return;
        this.apply(fetched);
        if (this.failures > 0) this.log.info({ failures: this.failures }, 'reading the managed ACL topic works again');
        this.failures = 0;
        backoff = MIN_BACKOFF_MS;
      } catch (err) {
        if (this.closed) return;
        this.onReadError(err);
        await this.pause(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** Whether the topic exists now (and if so, notes which one it is). */
  private async lookForTopic(): Promise<boolean> {
    const md = await this.reader.metadata([this.options.topic]);
    const t = md.topics.find((x) => x.name === this.options.topic);
    if (!t || t.errorCode !== ErrorCode.NONE) return false;
    this.topicExists = true;
    this.noteTopic(t);
    return true;
  }

  /**
   * Looks the topic up again now and then: a topic deleted and created again under the same name (by an
   * operator, or by another instance's write after that) has a new id and starts at offset 0 again, so
   * the set must be read again from its start rather than from the old position.
   */
  private async checkTopic(): Promise<void> {
    if (!(await this.lookForTopic())) {
      throw new BackendError(`topic ${this.options.topic} not found`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, true);
    }
  }

  private noteTopic(t: TopicMetadata): void {
    this.topicCheckedAt = Date.now();
    if (t.partitions.length !== 1) {
      this.log.warn({ partitions: t.partitions.length }, 'the managed ACL topic has more than one partition; only partition 0 is used');
    }
    if (t.topicId === ZERO_UUID) return; // brokers before 2.8 have no topic ids
    if (this.topicId !== null && this.topicId !== t.topicId) {
      this.log.warn(
        { was: this.topicId, now: t.topicId },
        'the managed ACL topic was deleted and created again; reading it from the start',
      );
      this.rereadAll();
    }
    this.topicId = t.topicId;
  }

  private onReadError(err: unknown): void {
    this.failures++;
    const message = (err as Error).message;
    if (err instanceof BackendError && err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && this.topicExists) {
      // Deleted under us: keep the set in force until the topic is back, then read it again from the start.
      this.log.warn({ err: message }, 'the managed ACL topic disappeared; keeping the last known set until it is back');
      this.topicExists = false;
      this.rereadAll();
      return;
    }
    if (err instanceof BackendError && err.code === ErrorCode.OFFSET_OUT_OF_RANGE) {
      this.log.warn(
        { err: message, position: String(this.position) },
        'the managed ACL topic was truncated or recreated; reading it again',
      );
      this.rereadAll();
      return;
    }
    // The first failure of a streak is a warning; the rest are counted and logged quietly until it works.
    const fields = { err: message, failures: this.failures };
    if (this.failures === 1) this.log.warn(fields, 'reading the managed ACL topic failed; retrying with backoff');
    else this.log.debug(fields, 'reading the managed ACL topic failed again');
  }

  /** Reads the topic again from its first offset into a fresh set, which replaces the current one once caught up. */
  private rereadAll(): void {
    this.rereadFromStart = true;
  }

  private apply(fetched: FetchResult): void {
    if (this.rereadFromStart) return; // asked for while this fetch was in flight: its records are from the old position
    const target = this.rebuilding ?? this.set;
    let changed = false;
    for (const r of fetched.records) {
      const key = r.key?.toString('utf8');
      if (key === undefined) {
        this.log.warn({ offset: String(r.offset) }, 'ignoring a managed ACL record without a key');
        continue;
      }
      if (r.value === null) {
        if (target.delete(key)) changed = true;
        continue;
      }
      const binding = parseRecordValue(r.value, key);
      if (binding === null) {
        this.log.error({ offset: String(r.offset) }, 'ignoring a managed ACL record that is not a binding this gateway wrote');
        continue;
      }
      if (!target.has(key)) {
        target.set(key, binding);
        changed = true;
      }
    }
    this.position = fetched.nextOffset > this.position ? fetched.nextOffset : this.position;
    if (this.rebuilding !== null) {
      if (this.position < fetched.highWatermark) return;
      changed = !sameKeys(this.set, this.rebuilding);
      this.set = this.rebuilding;
      this.rebuilding = null;
    }
    if (changed) this.notify();
    this.releaseWaiters();
    if (this.startTarget !== null && this.position >= this.startTarget) this.settleStart();
  }

  private notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.log.error({ err }, 'a managed ACL change listener threw');
      }
    }
  }

  private releaseWaiters(): void {
    const done = this.waiters.filter((w) => this.position >= w.offset);
    if (done.length === 0) return;
    this.waiters = this.waiters.filter((w) => this.position < w.offset);
    for (const w of done) w.resolve();
  }

  private settleStart(err?: Error): void {
    const s = this.startSettled;
    if (s === null) return;
    this.startSettled = null;
    if (err) s.reject(err);
    else {
      this.log.info({ bindings: this.set.size, topicExists: this.topicExists }, 'managed ACLs read from the backend');
      s.resolve();
    }
  }

  /** Waits `ms`, or less when woken; a wake that came while not pausing ends the next pause at once. */
  private pause(ms: number): Promise<void> {
    if (this.closed || this.wakePending) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    if (w) w();
    else this.wakePending = true;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function unique(bindings: readonly AclBinding[]): AclBinding[] {
  const seen = new Map<string, AclBinding>();
  for (const b of bindings) seen.set(bindingKey(b), b);
  return [...seen.values()];
}

function plainBinding(b: AclBinding): AclBinding {
  return {
    resource: { type: b.resource.type, patternType: b.resource.patternType, name: b.resource.name },
    principal: b.principal,
    host: b.host,
    operation: b.operation,
    permission: b.permission,
  };
}

function plainActor(a: AclActor): AclActor {
  return { principal: a.principal, clientAddress: a.clientAddress, listener: a.listener };
}

function sameKeys(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const k of a.keys()) if (!b.has(k)) return false;
  return true;
}

/**
 * The binding of an add record, or null when the value is not one this gateway writes or its key does not
 * match it (a record written by something else: never trusted into the rule set).
 */
export function parseRecordValue(value: Buffer, key: string): AclBinding | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return null;
  }
  const b = (parsed as { binding?: unknown } | null)?.binding as Record<string, unknown> | undefined;
  if (typeof b !== 'object' || b === null) return null;
  const r = b.resource as Record<string, unknown> | undefined;
  if (typeof r !== 'object' || r === null) return null;
  if (!RESOURCE_TYPES.includes(r.type as ResourceType)) return null;
  if (r.patternType !== 'LITERAL' && r.patternType !== 'PREFIXED') return null;
  if (typeof r.name !== 'string' || typeof b.principal !== 'string' || typeof b.host !== 'string') return null;
  if (!OPERATIONS.includes(b.operation as Operation)) return null;
  if (b.permission !== 'ALLOW' && b.permission !== 'DENY') return null;
  const binding: AclBinding = {
    resource: { type: r.type as ResourceType, patternType: r.patternType, name: r.name },
    principal: b.principal,
    host: b.host,
    operation: b.operation as Operation,
    permission: b.permission,
  };
  return bindingKey(binding) === key ? binding : null;
}
