// A skip pass over a response, driven by the same compiled layouts as the codec: every field is stepped
// over by its length, nothing is decoded and nothing is allocated. It answers one question for the hot
// path: does the top-level tagged-field section carry a given tag (KIP-951 NodeEndpoints in Produce v10+
// and Fetch v16+ responses)? Only then must the response be decoded; otherwise its bytes pass as they are.
// walkResponse answers a second: where does each top-level field lie (and each element of one top-level
// array, with a few of its scalars read)? A rewrite then decodes and replaces just those bytes.
//
// The input may be one Buffer or a frame as the list of chunks it arrived in (never joined here).
// Framing is checked as strictly as the decoder checks it — lengths and counts against the bytes left,
// nulls only where nullable, tags strictly ascending, no trailing bytes — and every failure is a
// ProtocolError. Values are not: strings are not checked for UTF-8, and the contents of tagged fields
// are skipped by their size.

import {
  FIXED_SIZE,
  type Layout,
  type Op,
  Kind,
  invalidLength,
  messageLayout,
  nextTag,
  nullOrThrow,
  taggedCount,
  taggedSize,
} from './codec.ts';
import { API_KEY, responseHeaderVersion } from './api-keys.ts';
import { skipRecordsCounting } from './batch-headers.ts';
import { ChunkCursor } from './chunk-cursor.ts';
import { ProtocolError } from './errors.ts';
import { responseHeaderLayout } from './headers.ts';

/** One Buffer, or a frame as the chunks it arrived in. */
export type Chunks = Buffer | readonly Buffer[];

/** Skips one struct; returns whether its tagged-field section held `wanted` (-1: look for nothing). */
function skipStruct(c: ChunkCursor, layout: Layout, wanted = -1): boolean {
  const body = layout.body;
  let i = 0;
  try {
    for (; i < body.length; i++) {
      const op = body[i];
      if (op.array) skipArray(c, op);
      else skipScalar(c, op);
    }
  } catch (e) {
    if (e instanceof ProtocolError) e.within(body[i].name);
    throw e;
  }
  return layout.flexible ? skipTaggedFields(c, wanted) : false;
}

function skipArray(c: ChunkCursor, op: Op): void {
  const n = op.compact ? c.unsignedVarint() - 1 : c.int32();
  if (n < 0) {
    if (n === -1 && op.nullable) return;
    throw n === -1 ? new ProtocolError('invalid-length', 'null array in a non-nullable field') : invalidLength('array length', n);
  }
  const elem = op.elem!;
  if (n * elem.minSize > c.left) {
    throw new ProtocolError('invalid-length', `array of ${n} elements does not fit the ${c.left} bytes left`);
  }
  if (elem.kind < Kind.String) {
    c.skip(n * FIXED_SIZE[elem.kind]);
    return;
  }
  let i = 0;
  try {
    for (; i < n; i++) skipScalar(c, elem);
  } catch (e) {
    if (e instanceof ProtocolError) e.within(`[${i}]`);
    throw e;
  }
}

function skipScalar(c: ChunkCursor, op: Op): void {
  const kind = op.kind;
  if (kind < Kind.String) return c.skip(FIXED_SIZE[kind]);
  if (kind === Kind.Struct) {
    if (!op.nullable || c.int8() >= 0) skipStruct(c, op.layout!);
    return;
  }
  // String, Bytes, Records: a length (compact: length + 1 as an unsigned varint), then that many bytes.
  const n = op.compact ? c.unsignedVarint() - 1 : kind === Kind.String ? c.int16() : c.int32();
  if (n < 0) nullOrThrow(op, n, kind === Kind.String ? 'string' : 'bytes');
  else c.skip(n);
}

/** Skips a tagged-field section; returns whether it held `wanted` (-1: look for nothing). */
function skipTaggedFields(c: ChunkCursor, wanted: number): boolean {
  let found = false;
  for (let n = taggedCount(c.unsignedVarint(), c.left), last = -1; n > 0; n--) {
    last = nextTag(c.unsignedVarint(), last);
    if (last === wanted) found = true;
    c.skip(taggedSize(last, c.unsignedVarint(), c.left));
  }
  return found;
}

const layoutCache = new Map<number, readonly [header: Layout, body: Layout]>();

/** The response header and body layouts of an (api, version), looked up once. */
function responseLayouts(apiKey: number, apiVersion: number): readonly [header: Layout, body: Layout] {
  const key = apiKey * 0x10000 + (apiVersion & 0xffff);
  let l = layoutCache.get(key);
  if (!l || l[1].version !== apiVersion) {
    l = [responseHeaderLayout(responseHeaderVersion(apiKey, apiVersion)), messageLayout(apiKey, apiVersion, 'response')];
    layoutCache.set(key, l);
  }
  return l;
}

/**
 * Whether the response frame in `frame` (the bytes after the 4-byte size prefix, from `offset` on) holds
 * the top-level tagged field `tag`. Walks the response header and the whole body; ProtocolError when the
 * frame is malformed (truncated, a bad length, tags out of order, bytes left over).
 */
export function responseHasTaggedField(frame: Chunks, apiKey: number, apiVersion: number, tag: number, offset = 0): boolean {
  const [header, layout] = responseLayouts(apiKey, apiVersion);
  const c = new ChunkCursor(Buffer.isBuffer(frame) ? [frame] : frame, offset);
  let label = header.label;
  try {
    skipStruct(c, header);
    label = layout.label;
    const found = skipStruct(c, layout, tag);
    if (c.left !== 0) throw new ProtocolError('trailing-bytes', `${c.left} bytes after the message`);
    return found;
  } catch (e) {
    if (e instanceof ProtocolError) e.inMessage(label);
    throw e;
  }
}

/** The tag of a top-level tagged field at this version (by its camelCase name), or -1 when it is not tagged there. */
export function topLevelTag(apiKey: number, apiVersion: number, kind: 'request' | 'response', name: string): number {
  const op = messageLayout(apiKey, apiVersion, kind).tagged.find((o) => o.name === name);
  return op ? op.tag : -1;
}

// ---------------------------------------------------------------------------------------------------------
// Where each top-level field of a response lies, so a rewrite can replace one field's bytes and pass the
// rest through (Metadata's broker list without touching its partitions).

/** The bytes of one top-level field: [start, end) in the frame; for a tagged field, start is its tag. */
export interface FieldSpan {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  /** Where the value begins (after the tag and size of a tagged field; `start` otherwise). */
  readonly valueStart: number;
}

/** One element of a top-level array of structs: its bytes, and the scalar fields asked for by name. */
export interface ElementSpan {
  readonly start: number;
  readonly end: number;
  readonly values: Record<string, string | number | null>;
}

export interface ResponseWalk {
  /** Where the body starts (after the response header). */
  readonly bodyStart: number;
  /** The present top-level fields, in wire order (tagged fields last, by tag). */
  readonly fields: readonly FieldSpan[];
  /** The elements of the `elementsOf` field, when one was named. */
  readonly elements: readonly ElementSpan[];
}

export type WalkOptions = {
  offset?: number;
  /** A top-level array of structs whose elements to report (Metadata's `topics`). */
  elementsOf?: string;
  /** Scalar fields (strings, uuids, integers) of those elements to read while skipping the rest. */
  pick?: readonly string[];
  /**
   * Stop after this top-level field: the fields before it are reported and nothing after it is read (or
   * checked), so finding an early field costs nothing for the bytes behind it.
   */
  until?: string;
};

/**
 * Walks a whole response frame (checked as strictly as responseHasTaggedField checks it) and reports
 * where each top-level field lies; nothing is decoded except the element fields asked for by `pick`.
 */
export function walkResponse(frame: Chunks, apiKey: number, apiVersion: number, opts: WalkOptions = {}): ResponseWalk {
  const [header, layout] = responseLayouts(apiKey, apiVersion);
  const c = new ChunkCursor(Buffer.isBuffer(frame) ? [frame] : frame, opts.offset ?? 0);
  const at = (): number => c.total - c.left;
  const fields: FieldSpan[] = [];
  const elements: ElementSpan[] = [];
  let label = header.label;
  let cur = '';
  try {
    skipStruct(c, header);
    label = layout.label;
    const bodyStart = at();
    for (const op of layout.body) {
      cur = op.name;
      const start = at();
      if (op.name === opts.elementsOf && op.array && op.kind === Kind.Struct) walkElements(c, op, opts.pick ?? [], elements, at);
      else if (op.array) skipArray(c, op);
      else skipScalar(c, op);
      fields.push({ name: op.name, start, end: at(), valueStart: start });
      if (op.name === opts.until) return { bodyStart, fields, elements };
    }
    cur = '';
    if (layout.flexible) {
      for (let n = taggedCount(c.unsignedVarint(), c.left), last = -1; n > 0; n--) {
        const start = at();
        last = nextTag(c.unsignedVarint(), last);
        const size = taggedSize(last, c.unsignedVarint(), c.left);
        const valueStart = at();
        c.skip(size);
        const op = layout.byTag.get(last);
        if (op) fields.push({ name: op.name, start, end: at(), valueStart });
      }
    }
    if (c.left !== 0) throw new ProtocolError('trailing-bytes', `${c.left} bytes after the message`);
    return { bodyStart, fields, elements };
  } catch (e) {
    if (e instanceof ProtocolError) {
      if (cur) e.within(cur);
      e.inMessage(label);
    }
    throw e;
  }
}

function walkElements(c: ChunkCursor, op: Op, pick: readonly string[], out: ElementSpan[], at: () => number): void {
  const n = op.compact ? c.unsignedVarint() - 1 : c.int32();
  if (n < 0) {
    if (n === -1 && op.nullable) return;
    throw n === -1 ? new ProtocolError('invalid-length', 'null array in a non-nullable field') : invalidLength('array length', n);
  }
  const elem = op.elem!;
  if (n * elem.minSize > c.left) throw new ProtocolError('invalid-length', `array of ${n} elements does not fit the ${c.left} bytes left`);
  const layout = elem.layout!;
  let i = 0;
  try {
    for (; i < n; i++) {
      const start = at();
      const values: Record<string, string | number | null> = {};
      for (const f of layout.body) {
        if (!f.array && pick.includes(f.name)) values[f.name] = readPicked(c, f);
        else if (f.array) skipArray(c, f);
        else skipScalar(c, f);
      }
      if (layout.flexible) skipTaggedFields(c, -1);
      out.push({ start, end: at(), values });
    }
  } catch (e) {
    if (e instanceof ProtocolError) e.within(`[${i}]`);
    throw e;
  }
}

function readPicked(c: ChunkCursor, op: Op): string | number | null {
  switch (op.kind) {
    case Kind.Int8:
      return c.int8();
    case Kind.Int16:
      return c.int16();
    case Kind.Int32:
      return c.int32();
    case Kind.Uuid:
      return c.take(16).toString('base64url');
    case Kind.String: {
      const n = op.compact ? c.unsignedVarint() - 1 : c.int16();
      if (n < 0) return nullOrThrow(op, n, 'string');
      return c.take(n).toString('utf8');
    }
    default:
      skipScalar(c, op);
      return null;
  }
}

/** A top-level field of a message at this version (by its camelCase name), or undefined when it is absent there. */
export function topLevelField(apiKey: number, apiVersion: number, kind: 'request' | 'response', name: string): Op | undefined {
  const op = messageLayout(apiKey, apiVersion, kind).fields.find((o) => o.name === name);
  return op?.present ? op : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// What a Fetch answer carries per topic, for the per-topic metrics: only the record batch headers are
// read (records.ts's rule: counts from headers, never the records), every other field is skipped.

/** One topic of a Fetch answer: its name (v0–12) or id (v13+), its user records and its records bytes. */
export type FetchTopicRecords = (name: string | null, topicId: string | null, records: number, bytes: number) => void;

/**
 * Calls `onTopic` for each topic entry of a Fetch response frame (the bytes after the size prefix, from
 * `offset` on). Stops after the topics (what follows carries no records). ProtocolError when malformed.
 */
export function walkFetchRecords(frame: Chunks, apiVersion: number, onTopic: FetchTopicRecords, offset = 0): void {
  const [header, layout] = responseLayouts(API_KEY.Fetch, apiVersion);
  const c = new ChunkCursor(Buffer.isBuffer(frame) ? [frame] : frame, offset);
  skipStruct(c, header);
  for (const op of layout.body) {
    if (op.name === 'responses') return walkFetchTopics(c, op, onTopic);
    if (op.array) skipArray(c, op);
    else skipScalar(c, op);
  }
}

function arrayLength(c: ChunkCursor, op: Op): number {
  const n = op.compact ? c.unsignedVarint() - 1 : c.int32();
  if (n < -1 || (n === -1 && !op.nullable)) throw invalidLength('array length', n);
  if (n > 0 && n * op.elem!.minSize > c.left)
    throw new ProtocolError('invalid-length', `array of ${n} elements does not fit the ${c.left} bytes left`);
  return Math.max(n, 0);
}

function walkFetchTopics(c: ChunkCursor, op: Op, onTopic: FetchTopicRecords): void {
  const topicLayout = op.elem!.layout!;
  for (let t = arrayLength(c, op); t > 0; t--) {
    let name: string | null = null;
    let topicId: string | null = null;
    let records = 0;
    let bytes = 0;
    for (const f of topicLayout.body) {
      if (f.name === 'topic') name = readPicked(c, f) as string | null;
      else if (f.name === 'topicId') topicId = readPicked(c, f) as string | null;
      else if (f.name === 'partitions' && f.array) {
        const partitionLayout = f.elem!.layout!;
        for (let p = arrayLength(c, f); p > 0; p--) {
          for (const pf of partitionLayout.body) {
            if (pf.kind !== Kind.Records) {
              if (pf.array) skipArray(c, pf);
              else skipScalar(c, pf);
              continue;
            }
            const len = pf.compact ? c.unsignedVarint() - 1 : c.int32();
            if (len < 0) nullOrThrow(pf, len, 'bytes');
            else if (len > c.left) throw invalidLength('records length', len);
            else {
              bytes += len;
              records += skipRecordsCounting(c, len);
            }
          }
          if (partitionLayout.flexible) skipTaggedFields(c, -1);
        }
      } else if (f.array) skipArray(c, f);
      else skipScalar(c, f);
    }
    if (topicLayout.flexible) skipTaggedFields(c, -1);
    onTopic(name, topicId, records, bytes);
  }
}
