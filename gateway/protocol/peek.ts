// Frame helpers for the hot path: read what routing and authorization need from a request frame (the
// bytes after the 4-byte size) without decoding its body. Every malformed input is a ProtocolError.

import { API_KEY } from './api-keys.ts';
import { ATTR_TRANSACTIONAL, ATTRIBUTES_LOW_AT, BATCH_HEADER_SIZE, MAGIC_AT, skipRecordsCounting } from './batch-headers.ts';
import { ChunkCursor } from './chunk-cursor.ts';
import { type Layout, type Struct, decode, decodeField, messageLayout, tagOrder } from './codec.ts';
import { ProtocolError, truncated } from './errors.ts';
import { decodeRequestHeader } from './headers.ts';
import { Reader } from './reader.ts';

export interface RequestHeaderPeek {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** null when the client sent a null client id; '' for header v0 (ControlledShutdown v0). */
  clientId: string | null;
}

function need(frame: Buffer, n: number, what: string): void {
  if (!Buffer.isBuffer(frame)) throw new ProtocolError('invalid-value', 'frame is not a Buffer');
  if (frame.length < n) throw truncated(n, frame.length).inMessage(what);
}

/** Api key of a request frame (first two bytes). */
export function peekApiKey(frame: Buffer): number {
  need(frame, 2, 'RequestHeader');
  return frame.readInt16BE(0);
}

/** Api version of a request frame. */
export function peekApiVersion(frame: Buffer): number {
  need(frame, 4, 'RequestHeader');
  return frame.readInt16BE(2);
}

/** Correlation id of a request frame. */
export function peekCorrelationId(frame: Buffer): number {
  need(frame, 8, 'RequestHeader');
  return frame.readInt32BE(4);
}

/** Correlation id of a response frame (the first field of every response header version). */
export function peekResponseCorrelationId(frame: Buffer): number {
  need(frame, 4, 'ResponseHeader');
  return frame.readInt32BE(0);
}

/**
 * Api key, version, correlation id and client id of a request, without reading the header's tagged
 * fields or the body. Works for api keys the tables do not know (header v1 layout assumed), so the
 * caller can log what it refuses.
 */
export function peekRequestHeader(frame: Buffer): RequestHeaderPeek {
  need(frame, 8, 'RequestHeader');
  const apiKey = frame.readInt16BE(0);
  const apiVersion = frame.readInt16BE(2);
  const correlationId = frame.readInt32BE(4);
  if (apiKey === API_KEY.ControlledShutdown && apiVersion === 0) return { apiKey, apiVersion, correlationId, clientId: '' };
  if (frame.length < 10)
    throw truncated(2, frame.length - 8)
      .within('clientId')
      .inMessage('RequestHeader');
  const n = frame.readInt16BE(8);
  if (n === -1) return { apiKey, apiVersion, correlationId, clientId: null };
  if (n < -1) throw new ProtocolError('invalid-length', `invalid string length ${n}`).within('clientId').inMessage('RequestHeader');
  const r = new Reader(frame, 10);
  try {
    return { apiKey, apiVersion, correlationId, clientId: r.utf8(n) };
  } catch (e) {
    if (e instanceof ProtocolError) e.within('clientId').inMessage('RequestHeader');
    throw e;
  }
}

/**
 * peekRequestHeader for the session's hot path: the same checks (and the same ProtocolErrors) at once,
 * but an ASCII client id, the usual kind, is turned into a string only when something reads it — most
 * requests are forwarded without anyone doing so. Any other client id is decoded (and checked) at once.
 */
export function peekRequestHeaderLazily(frame: Buffer): RequestHeaderPeek {
  need(frame, 8, 'RequestHeader');
  const apiKey = frame.readInt16BE(0);
  const apiVersion = frame.readInt16BE(2);
  if (apiKey === API_KEY.ControlledShutdown && apiVersion === 0) return peekRequestHeader(frame);
  if (frame.length < 10) return peekRequestHeader(frame); // throws as it does
  const n = frame.readInt16BE(8);
  if (n < 0 || n > frame.length - 10) return peekRequestHeader(frame); // null, or the same error
  for (let i = 10; i < 10 + n; i++) if (frame[i] > 0x7f) return peekRequestHeader(frame);
  return new LazyClientIdHeader(apiKey, apiVersion, frame.readInt32BE(4), frame, n);
}

/** A request header whose ASCII client id (already checked) is read from the frame on first use. */
class LazyClientIdHeader implements RequestHeaderPeek {
  private id: string | undefined;

  constructor(
    readonly apiKey: number,
    readonly apiVersion: number,
    readonly correlationId: number,
    private frame: Buffer | null,
    private readonly idLength: number,
  ) {}

  get clientId(): string {
    if (this.id === undefined) {
      this.id = this.frame!.toString('latin1', 10, 10 + this.idLength);
      this.frame = null; // the header may outlive the request's bytes
    }
    return this.id;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Produce

export interface ProducePartitionPeek {
  index: number;
  /** Offset of the records bytes in the frame and their length; both -1 for null records. */
  recordsOffset: number;
  recordsLength: number;
}

export interface ProduceTopicPeek {
  /** Topic name (v0–12); null from v13, which names topics by id. */
  name: string | null;
  /** Topic id (v13+); null before. */
  topicId: string | null;
  partitions: ProducePartitionPeek[];
}

export interface ProducePeek {
  apiVersion: number;
  correlationId: number;
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topics: ProduceTopicPeek[];
}

const PRODUCE = API_KEY.Produce;

/**
 * Versions whose body is exactly [transactionalId?] acks timeoutMs topicData[name|topicId, partitionData[index,
 * records]]: the hand-written walk below is only used for those (checked against the tables at load); any
 * other version falls back to the table-driven decoder.
 */
const fastProduce = new Set<number>();
for (let v = 0; v < 64; v++) {
  let l;
  try {
    l = messageLayout(PRODUCE, v, 'request');
  } catch {
    continue;
  }
  const names = l.body.map((o) => o.name).join(',');
  const topics = l.body.find((o) => o.name === 'topicData')?.layout;
  const parts = topics?.body.find((o) => o.name === 'partitionData')?.layout;
  const topicNames = topics?.body.map((o) => o.name).join(',');
  const ok =
    (names === 'acks,timeoutMs,topicData' || names === 'transactionalId,acks,timeoutMs,topicData') &&
    (topicNames === 'name,partitionData' || topicNames === 'topicId,partitionData') &&
    parts?.body.map((o) => o.name).join(',') === 'index,records' &&
    l.tagged.length + topics!.tagged.length + parts.tagged.length === 0 &&
    l.flexible === v >= 9;
  if (ok) fastProduce.add(v);
}

function skipTaggedFields(r: Reader): void {
  const count = r.unsignedVarint();
  if (count > r.remaining) throw new ProtocolError('invalid-length', `invalid tagged fields count ${count}`);
  let last = -1;
  for (let i = 0; i < count; i++) {
    const tag = r.unsignedVarint();
    if (tag <= last) throw tagOrder(tag, last);
    last = tag;
    r.skip(r.unsignedVarint());
  }
}

function readNullableString(r: Reader, compact: boolean): string | null {
  const n = compact ? r.unsignedVarint() - 1 : r.int16();
  if (n < -1) throw new ProtocolError('invalid-length', `invalid string length ${n}`);
  return n === -1 ? null : r.utf8(n);
}

function readCount(r: Reader, compact: boolean, minElem: number): number {
  const n = compact ? r.unsignedVarint() - 1 : r.int32();
  if (n < 0) throw new ProtocolError('invalid-length', `invalid array length ${n}`);
  if (n * minElem > r.remaining)
    throw new ProtocolError('invalid-length', `array of ${n} elements does not fit the ${r.remaining} bytes left`);
  return n;
}

/** A reader past a request header v1/v2 (client id, then tagged fields when flexible): the body starts there. */
function readerAfterHeader(frame: Buffer, flexible: boolean): Reader {
  const r = new Reader(frame, 8);
  try {
    const n = r.int16();
    if (n < -1) throw new ProtocolError('invalid-length', `invalid string length ${n}`).within('clientId');
    if (n > 0) r.skip(n);
    if (flexible) skipTaggedFields(r);
  } catch (e) {
    if (e instanceof ProtocolError) e.inMessage(`RequestHeader v${flexible ? 2 : 1}`);
    throw e;
  }
  return r;
}

/** A reader positioned after the request header of a Produce frame (checks api key and version). */
function skipProduceHeader(frame: Buffer): Reader {
  need(frame, 8, 'ProduceRequest');
  const apiKey = frame.readInt16BE(0);
  const version = frame.readInt16BE(2);
  if (apiKey !== PRODUCE) throw new ProtocolError('invalid-value', `api key ${apiKey} is not Produce`).inMessage('ProduceRequest');
  if (!fastProduce.has(version)) messageLayout(PRODUCE, version, 'request'); // unsupported versions throw here
  const flexible = version >= 9;
  return readerAfterHeader(frame, flexible);
}

/**
 * acks, transactional id and topics of a Produce request; record bytes are skipped by their length,
 * never read, so the cost does not depend on how many records the frame carries.
 */
export function peekProduce(frame: Buffer): ProducePeek {
  const r = skipProduceHeader(frame);
  const version = frame.readInt16BE(2);
  const correlationId = frame.readInt32BE(4);
  if (!fastProduce.has(version)) return peekProduceByDecoding(frame);
  const flexible = version >= 9;
  let where = 'transactionalId';
  try {
    const transactionalId = version >= 3 ? readNullableString(r, flexible) : null;
    where = 'acks';
    const acks = r.int16();
    where = 'timeoutMs';
    const timeoutMs = r.int32();
    where = 'topicData';
    const byId = version >= 13;
    const nTopics = readCount(r, flexible, 1 + (flexible ? 1 : 4));
    const topics = new Array<ProduceTopicPeek>(nTopics);
    for (let t = 0; t < nTopics; t++) {
      where = `topicData[${t}]`;
      const name = byId ? null : readNonNullString(r, flexible);
      const topicId = byId ? r.uuid() : null;
      const nParts = readCount(r, flexible, 4 + (flexible ? 1 : 4));
      const partitions = new Array<ProducePartitionPeek>(nParts);
      for (let p = 0; p < nParts; p++) {
        where = `topicData[${t}].partitionData[${p}]`;
        const index = r.int32();
        const len = flexible ? r.unsignedVarint() - 1 : r.int32();
        if (len < -1) throw new ProtocolError('invalid-length', `invalid records length ${len}`);
        const recordsOffset = len < 0 ? -1 : r.pos;
        if (len > 0) r.skip(len);
        if (flexible) skipTaggedFields(r);
        partitions[p] = { index, recordsOffset, recordsLength: len };
      }
      if (flexible) skipTaggedFields(r);
      topics[t] = { name, topicId, partitions };
    }
    where = '';
    if (flexible) skipTaggedFields(r);
    if (r.remaining !== 0) throw new ProtocolError('trailing-bytes', `${r.remaining} bytes after the message`);
    return { apiVersion: version, correlationId, transactionalId, acks, timeoutMs, topics };
  } catch (e) {
    if (e instanceof ProtocolError) e.within(where).inMessage(`ProduceRequest v${version}`);
    throw e;
  }
}

function readNonNullString(r: Reader, compact: boolean): string {
  const s = readNullableString(r, compact);
  if (s === null) throw new ProtocolError('invalid-length', 'null string in a non-nullable field');
  return s;
}

/**
 * The same answer as peekProduce, by the table-driven decoder: used for Produce versions whose layout the
 * hand-written walk does not know, and by the tests as the reference the walk must agree with.
 */
export function peekProduceByDecoding(frame: Buffer): ProducePeek {
  const { header, bodyOffset } = decodeRequestHeader(frame);
  const version = header.requestApiVersion;
  const correlationId = header.correlationId;
  if (header.requestApiKey !== PRODUCE)
    throw new ProtocolError('invalid-value', `api key ${header.requestApiKey} is not Produce`).inMessage('ProduceRequest');
  const body = decode(frame, PRODUCE, version, 'request', bodyOffset);
  return {
    apiVersion: version,
    correlationId,
    transactionalId: (body.transactionalId as string | null | undefined) ?? null,
    acks: body.acks as number,
    timeoutMs: body.timeoutMs as number,
    topics: (body.topicData as Struct[]).map((t): ProduceTopicPeek => ({
      name: version <= 12 ? (t.name as string) : null,
      topicId: version >= 13 ? (t.topicId as string) : null,
      partitions: (t.partitionData as Struct[]).map((p): ProducePartitionPeek => {
        const records = p.records as Buffer | null;
        return {
          index: p.index as number,
          recordsOffset: records ? records.byteOffset - frame.byteOffset : -1,
          recordsLength: records ? records.length : -1,
        };
      }),
    })),
  };
}

/** Only the acks of a Produce request (0 means the broker sends no response). */
export function peekProduceAcks(frame: Buffer): number {
  const r = skipProduceHeader(frame);
  const version = frame.readInt16BE(2);
  if (!fastProduce.has(version)) return peekProduce(frame).acks;
  const flexible = version >= 9;
  try {
    if (version >= 3) readNullableString(r, flexible);
    return r.int16();
  } catch (e) {
    if (e instanceof ProtocolError) e.inMessage(`ProduceRequest v${version}`);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Produce, chunk-aware: what authorization needs (transactional id, acks, topics and partition indexes, and
// whether some partition's first batch is transactional) read from the frame as the chunks it arrived in.
// A large Produce spans many chunks; joining them would copy every record byte just to read a few names.

/** One topic of a Produce request as authorization sees it. */
export interface ProduceTopicAuthPeek {
  /** Topic name (v0–12); null from v13. */
  readonly name: string | null;
  /** Topic id (v13+, base64url); null before. */
  readonly topicId: string | null;
  readonly partitions: number[];
  /** User records in the topic's record batches (counted from batch headers; for metrics). */
  readonly records: number;
  /** Bytes of the topic's records fields. */
  readonly bytes: number;
}

export interface ProduceAuthPeek {
  readonly transactionalId: string | null;
  readonly acks: number;
  /** The first record batch of at least one partition has the transactional attribute (spec §2.5). */
  readonly transactional: boolean;
  readonly topics: ProduceTopicAuthPeek[];
}

function chunkTaggedFields(r: ChunkCursor): void {
  const count = r.unsignedVarint();
  if (count > r.left) throw new ProtocolError('invalid-length', `invalid tagged fields count ${count}`);
  let last = -1;
  for (let i = 0; i < count; i++) {
    const tag = r.unsignedVarint();
    if (tag <= last) throw tagOrder(tag, last);
    last = tag;
    r.skip(r.unsignedVarint());
  }
}

function chunkString(r: ChunkCursor, compact: boolean, nullable: boolean): string | null {
  const n = compact ? r.unsignedVarint() - 1 : r.int16();
  if (n < -1 || (n === -1 && !nullable)) throw new ProtocolError('invalid-length', `invalid string length ${n}`);
  return n === -1 ? null : r.text(n, 'utf8');
}

function chunkCount(r: ChunkCursor, compact: boolean, minElem: number): number {
  const n = compact ? r.unsignedVarint() - 1 : r.int32();
  if (n < 0) throw new ProtocolError('invalid-length', `invalid array length ${n}`);
  if (n * minElem > r.left) throw new ProtocolError('invalid-length', `array of ${n} elements does not fit the ${r.left} bytes left`);
  return n;
}

/**
 * The authorization view of a Produce request frame given as chunks, 4-byte size prefix first (as a
 * RequestView's `parts`). Record bytes are skipped by their length; of each partition's records only the
 * first batch's magic and attributes bytes are looked at. Malformed input is a ProtocolError.
 */
export function peekProduceForAuthorization(parts: readonly Buffer[], offset = 4): ProduceAuthPeek {
  const r = new ChunkCursor(parts, offset);
  const apiKey = r.int16();
  const version = r.int16();
  if (apiKey !== PRODUCE) throw new ProtocolError('invalid-value', `api key ${apiKey} is not Produce`).inMessage('ProduceRequest');
  if (!fastProduce.has(version)) return authPeekByDecoding(Buffer.concat(parts).subarray(offset));
  const flexible = version >= 9;
  let where = 'RequestHeader';
  /** The topic entry being read when `where` is 'topicData[]' (its text is made only for an error). */
  let topic = 0;
  try {
    r.skip(4); // correlation id
    const clientIdLength = r.int16();
    if (clientIdLength < -1) throw new ProtocolError('invalid-length', `invalid string length ${clientIdLength}`);
    if (clientIdLength > 0) r.skip(clientIdLength);
    if (flexible) chunkTaggedFields(r);
    where = 'transactionalId';
    const transactionalId = version >= 3 ? chunkString(r, flexible, true) : null;
    where = 'acks';
    const acks = r.int16();
    r.skip(4); // timeoutMs
    where = 'topicData';
    const byId = version >= 13;
    const nTopics = chunkCount(r, flexible, 1 + (flexible ? 1 : 4));
    const topics = new Array<ProduceTopicAuthPeek>(nTopics);
    let transactional = false;
    for (let t = 0; t < nTopics; t++) {
      where = 'topicData[]';
      topic = t;
      const name = byId ? null : chunkString(r, flexible, false);
      const topicId = byId ? r.text(16, 'base64url') : null;
      const nParts = chunkCount(r, flexible, 4 + (flexible ? 1 : 4));
      const partitions = new Array<number>(nParts);
      let records = 0;
      let bytes = 0;
      for (let p = 0; p < nParts; p++) {
        partitions[p] = r.int32();
        const len = flexible ? r.unsignedVarint() - 1 : r.int32();
        if (len < -1) throw new ProtocolError('invalid-length', `invalid records length ${len}`);
        if (len > r.left) throw truncated(len, r.left);
        if (len >= BATCH_HEADER_SIZE && !transactional) {
          transactional = r.byteAhead(MAGIC_AT) === 2 && (r.byteAhead(ATTRIBUTES_LOW_AT) & ATTR_TRANSACTIONAL) !== 0;
        }
        if (len > 0) {
          bytes += len;
          records += skipRecordsCounting(r, len);
        }
        if (flexible) chunkTaggedFields(r);
      }
      if (flexible) chunkTaggedFields(r);
      topics[t] = { name, topicId, partitions, records, bytes };
    }
    where = '';
    if (flexible) chunkTaggedFields(r);
    if (r.left !== 0) throw new ProtocolError('trailing-bytes', `${r.left} bytes after the message`);
    return { transactionalId, acks, transactional, topics };
  } catch (e) {
    if (e instanceof ProtocolError) {
      if (where) e.within(where === 'topicData[]' ? `topicData[${topic}]` : where);
      e.inMessage(`ProduceRequest v${version}`);
    }
    throw e;
  }
}

function recordsIn(records: Buffer | null): number {
  return records === null ? 0 : skipRecordsCounting(new ChunkCursor([records], 0), records.length);
}

/** The same view by the table-driven decoder (versions the walk does not know; the tests' reference). */
export function authPeekByDecoding(frame: Buffer): ProduceAuthPeek {
  const { header, bodyOffset } = decodeRequestHeader(frame);
  const version = header.requestApiVersion;
  const body = decode(frame, PRODUCE, version, 'request', bodyOffset);
  let transactional = false;
  const topics = (body.topicData as Struct[]).map((t): ProduceTopicAuthPeek => ({
    name: version <= 12 ? (t.name as string) : null,
    topicId: version >= 13 ? (t.topicId as string) : null,
    records: (t.partitionData as Struct[]).reduce((n, p) => n + recordsIn(p.records as Buffer | null), 0),
    bytes: (t.partitionData as Struct[]).reduce((n, p) => n + ((p.records as Buffer | null)?.length ?? 0), 0),
    partitions: (t.partitionData as Struct[]).map((p) => {
      const records = p.records as Buffer | null;
      if (
        records &&
        records.length >= BATCH_HEADER_SIZE &&
        records[MAGIC_AT] === 2 &&
        (records[ATTRIBUTES_LOW_AT] & ATTR_TRANSACTIONAL) !== 0
      )
        transactional = true;
      return p.index as number;
    }),
  }));
  return { transactionalId: (body.transactionalId as string | null | undefined) ?? null, acks: body.acks as number, transactional, topics };
}

// ---------------------------------------------------------------------------------------------------------
// Fetch: what authorization needs (replica id, session id and epoch, topics with partition indexes,
// forgotten topics) read from the joined frame (Fetch requests are small) without building the body.
// Framing and values are checked as the decoder checks them (strings UTF-8, known tagged fields decoded
// and sized exactly, no trailing bytes), so a request the decoder refuses is refused here too.

/** A topic of a Fetch request (or of its forgotten topics) with the partition indexes it names. */
export interface FetchTopicAuthPeek {
  /** The topic name (v0–12) or topic id (v13+, base64url), as the version keys topics. */
  readonly key: string;
  readonly partitions: number[];
}

export interface FetchAuthPeek {
  /** ReplicaId (v0–14) or ReplicaState.ReplicaId (v15+); -1 for a consumer. */
  readonly replicaId: number;
  /** 0 and -1 (their defaults) before v7. */
  readonly sessionId: number;
  readonly sessionEpoch: number;
  readonly topics: FetchTopicAuthPeek[];
  /** Empty before v7. */
  readonly forgotten: FetchTopicAuthPeek[];
}

const FETCH = API_KEY.Fetch;

/** The field names a Fetch layout must have at version v for the walk below to read it (else: decode). */
function fetchLayoutIs(l: Layout, v: number): boolean {
  const names = (ops: readonly { name: string }[]): string => ops.map((o) => o.name).join(',');
  const topics = l.body.find((o) => o.name === 'topics')?.layout;
  const parts = topics?.body.find((o) => o.name === 'partitions')?.layout;
  const forgotten = l.body.find((o) => o.name === 'forgottenTopicsData')?.layout;
  const key = v >= 13 ? 'topicId' : 'topic';
  const top = [
    ...(v <= 14 ? ['replicaId'] : []),
    'maxWaitMs',
    'minBytes',
    ...(v >= 3 ? ['maxBytes'] : []),
    ...(v >= 4 ? ['isolationLevel'] : []),
    ...(v >= 7 ? ['sessionId', 'sessionEpoch'] : []),
    'topics',
    ...(v >= 7 ? ['forgottenTopicsData'] : []),
    ...(v >= 11 ? ['rackId'] : []),
  ];
  const partition = [
    'partition',
    ...(v >= 9 ? ['currentLeaderEpoch'] : []),
    'fetchOffset',
    ...(v >= 12 ? ['lastFetchedEpoch'] : []),
    ...(v >= 5 ? ['logStartOffset'] : []),
    'partitionMaxBytes',
  ];
  return (
    l.flexible === v >= 12 &&
    names(l.body) === top.join(',') &&
    (v < 15 || l.byTag.get(1)?.name === 'replicaState') &&
    topics != null &&
    names(topics.body) === `${key},partitions` &&
    parts != null &&
    names(parts.body) === partition.join(',') &&
    (v < 7 || (forgotten != null && names(forgotten.body) === `${key},partitions`))
  );
}

/** Fetch versions the walk reads; any other is decoded. */
const fastFetch = new Map<number, Layout>();
/** The versions the walk reads (for its tests). */
export const FETCH_WALK_VERSIONS: ReadonlySet<number> = {
  has: (v: number) => fastFetch.has(v),
  get size() {
    return fastFetch.size;
  },
} as ReadonlySet<number>;
for (let v = 0; v < 64; v++) {
  let l;
  try {
    l = messageLayout(FETCH, v, 'request');
  } catch {
    continue;
  }
  if (fetchLayoutIs(l, v)) fastFetch.set(v, l);
}

/** A tagged-field section: known tags decoded (and sized exactly) as the decoder does, unknown ones skipped. */
function checkTaggedFields(r: Reader, layout: Layout, payload: Buffer, seen?: (name: string, value: unknown) => void): void {
  const count = r.unsignedVarint();
  if (count > r.remaining) throw new ProtocolError('invalid-length', `invalid tagged fields count ${count}`);
  let last = -1;
  for (let i = 0; i < count; i++) {
    const tag = r.unsignedVarint();
    if (tag <= last) throw tagOrder(tag, last);
    last = tag;
    const size = r.unsignedVarint();
    if (size > r.remaining)
      throw new ProtocolError('invalid-length', `tagged field ${tag} of ${size} bytes exceeds the ${r.remaining} left`);
    const op = layout.byTag.get(tag);
    if (op !== undefined) {
      const value = decodeField(op, payload, r.pos, r.pos + size);
      seen?.(op.name, value);
    }
    r.skip(size);
  }
}

function fetchTopicKey(r: Reader, byId: boolean, flexible: boolean): string {
  return byId ? r.uuid() : readNonNullString(r, flexible);
}

/**
 * What Fetch authorization reads, from the request frame (header first, no size prefix). ProtocolError
 * when the request is malformed; versions the walk does not know are decoded by the tables.
 */
export function peekFetchForAuthorization(payload: Buffer): FetchAuthPeek {
  need(payload, 8, 'FetchRequest');
  const apiKey = payload.readInt16BE(0);
  const version = payload.readInt16BE(2);
  if (apiKey !== FETCH) throw new ProtocolError('invalid-value', `api key ${apiKey} is not Fetch`).inMessage('FetchRequest');
  const layout = fastFetch.get(version);
  if (layout === undefined) return fetchPeekByDecoding(payload);
  const flexible = version >= 12;
  const byId = version >= 13;
  const r = readerAfterHeader(payload, flexible);
  const topicsLayout = layout.body.find((o) => o.name === 'topics')!.layout!;
  const partsLayout = topicsLayout.body.find((o) => o.name === 'partitions')!.layout!;
  const forgottenLayout = layout.body.find((o) => o.name === 'forgottenTopicsData')?.layout;
  try {
    let replicaId = version <= 14 ? r.int32() : -1;
    r.skip(version >= 4 ? 13 : version >= 3 ? 12 : 8); // maxWaitMs, minBytes, maxBytes (3+), isolationLevel (4+)
    const sessionId = version >= 7 ? r.int32() : 0;
    const sessionEpoch = version >= 7 ? r.int32() : -1;
    const topics: FetchTopicAuthPeek[] = [];
    const topicCount = readCount(r, flexible, 1);
    for (let t = 0; t < topicCount; t++) {
      const key = fetchTopicKey(r, byId, flexible);
      const partitionCount = readCount(r, flexible, 1);
      const partitions: number[] = [];
      for (let p = 0; p < partitionCount; p++) {
        partitions.push(r.int32());
        // currentLeaderEpoch (9+), fetchOffset, lastFetchedEpoch (12+), logStartOffset (5+), partitionMaxBytes
        r.skip((version >= 9 ? 4 : 0) + 8 + (version >= 12 ? 4 : 0) + (version >= 5 ? 8 : 0) + 4);
        if (flexible) checkTaggedFields(r, partsLayout, payload);
      }
      if (flexible) checkTaggedFields(r, topicsLayout, payload);
      topics.push({ key, partitions });
    }
    const forgotten: FetchTopicAuthPeek[] = [];
    if (version >= 7) {
      const forgottenCount = readCount(r, flexible, 1);
      for (let t = 0; t < forgottenCount; t++) {
        const key = fetchTopicKey(r, byId, flexible);
        const partitionCount = readCount(r, flexible, 4);
        const partitions: number[] = [];
        for (let p = 0; p < partitionCount; p++) partitions.push(r.int32());
        if (flexible) checkTaggedFields(r, forgottenLayout!, payload);
        forgotten.push({ key, partitions });
      }
    }
    if (version >= 11) readNonNullString(r, flexible); // rackId
    if (flexible)
      checkTaggedFields(r, layout, payload, (name, value) => {
        if (name === 'replicaState') replicaId = (value as { replicaId: number }).replicaId;
      });
    if (r.remaining !== 0) throw new ProtocolError('trailing-bytes', `${r.remaining} bytes after the message`);
    return { replicaId, sessionId, sessionEpoch, topics, forgotten };
  } catch (e) {
    if (e instanceof ProtocolError) e.inMessage(`FetchRequest v${version}`);
    throw e;
  }
}

/** The same answer as peekFetchForAuthorization, by the table-driven decoder (other versions; the tests' reference). */
export function fetchPeekByDecoding(payload: Buffer): FetchAuthPeek {
  const { header, bodyOffset } = decodeRequestHeader(payload);
  const version = header.requestApiVersion;
  const body = decode(payload, FETCH, version, 'request', bodyOffset);
  const byId = version >= 13;
  const keyOf = (t: Struct): string => (byId ? t.topicId : t.topic) as string;
  return {
    replicaId:
      version >= 15 ? (((body.replicaState as Struct | undefined)?.replicaId as number | undefined) ?? -1) : (body.replicaId as number),
    sessionId: body.sessionId as number,
    sessionEpoch: body.sessionEpoch as number,
    topics: (body.topics as Struct[]).map((t) => ({
      key: keyOf(t),
      partitions: (t.partitions as Struct[]).map((p) => p.partition as number),
    })),
    forgotten: (body.forgottenTopicsData as Struct[]).map((t) => ({ key: keyOf(t), partitions: t.partitions as number[] })),
  };
}
