// Table-driven, sans-IO codec for Kafka request and response bodies (and the headers, see headers.ts).
//
// Decoded-object conventions (shared by every API and version):
// * Property names are the JSON definition's field names in camelCase (`TopicData` → `topicData`,
//   `PartitionIndex` → `partitionIndex`): `body.topicData[0].partitionData[0].records`.
// * Every field of the definition is present on a decoded struct, also when the version lacks it: absent
//   fields hold their default (the `default` of the definition, else 0 / 0n / '' / false / zero uuid / []
//   / an all-default struct / empty Buffer; records default to null). Tagged fields not sent hold their
//   default too. Objects for one (api, version) therefore always have the same shape.
// * int8/int16/int32/uint16/uint32/float64 → number; int64 → bigint (the encoder also takes a safe-integer
//   number); bool → boolean; string → string (invalid UTF-8 is a ProtocolError); uuid → the 22-character
//   unpadded base64url text Kafka prints (`AAAAAAAAAAAAAAAAAAAAAA` is the zero uuid); bytes and records →
//   a Buffer that is a view into the input (no copy) or null; arrays → JS arrays (mapKey collections too);
//   nullable values → null.
// * Tagged fields the tables do not know at that version are kept as `_unknownTagged: [{ tag, bytes }]`
//   on the struct that carried them (the property only exists when there were some) and are written back
//   byte for byte, merged with the known tagged fields in ascending tag order.
// * Encoding writes a tagged field only when its value differs from the default (as Kafka does); a field
//   the version cannot carry must hold its default (`undefined` counts as default) unless the definition
//   marks it ignorable; otherwise ProtocolError('invalid-value').
//
// Each (api, version, request|response) is compiled once, on first use, into a Layout: the fields in wire
// order with their resolved encoding (compact or not, nullable or not, tag), so the hot loops only switch
// on small integers.

import { apiSchema } from './api-keys.ts';
import { ProtocolError } from './errors.ts';
import { Reader } from './reader.ts';
import type { FieldDefault, FieldSchema } from './schema.ts';
import { inVersions } from './versions.ts';
import { Writer, describeValue } from './writer.ts';

/** A decoded struct: camelCase field names → values (see the conventions above). */
export type Struct = Record<string, any>;
export interface UnknownTaggedField {
  tag: number;
  bytes: Buffer;
}
export type MessageKind = 'request' | 'response';

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const EMPTY = Buffer.alloc(0);

// Field kinds (element kind for arrays).
export const enum Kind {
  Int8,
  Int16,
  Int32,
  Int64,
  Uint16,
  Uint32,
  Float64,
  Bool,
  Uuid,
  String,
  Bytes,
  Records,
  Struct,
}

const KIND_BY_TYPE: Record<string, Kind> = {
  int8: Kind.Int8,
  int16: Kind.Int16,
  int32: Kind.Int32,
  int64: Kind.Int64,
  uint16: Kind.Uint16,
  uint32: Kind.Uint32,
  float64: Kind.Float64,
  bool: Kind.Bool,
  uuid: Kind.Uuid,
  string: Kind.String,
  bytes: Kind.Bytes,
  records: Kind.Records,
};
/** Encoded sizes of the fixed-size kinds (Int8 … Uuid), indexed by Kind. */
export const FIXED_SIZE = [1, 2, 4, 8, 2, 4, 8, 1, 16];

export interface Op {
  readonly name: string;
  readonly kind: Kind;
  readonly array: boolean;
  readonly nullable: boolean;
  readonly compact: boolean;
  /** Tag number when the field is tagged at this version, else -1. */
  readonly tag: number;
  readonly present: boolean;
  readonly ignorable: boolean;
  readonly dflt: FieldDefault | undefined;
  readonly layout: Layout | null;
  /** For arrays: how one element is read and written. */
  readonly elem: Op | null;
  /** Smallest encoding of one value (used to bound array counts before allocating). */
  readonly minSize: number;
  readonly schema: FieldSchema;
}

export interface Layout {
  readonly label: string;
  readonly version: number;
  readonly flexible: boolean;
  /** Every field of the definition, in definition order. */
  readonly fields: readonly Op[];
  /** Present, untagged fields in wire order. */
  readonly body: readonly Op[];
  /** Present, tagged fields in ascending tag order. */
  readonly tagged: readonly Op[];
  readonly byTag: ReadonlyMap<number, Op>;
  /** Absent, non-ignorable fields: must hold their default when encoding. */
  readonly absent: readonly Op[];
  readonly minSize: number;
}

// ---------------------------------------------------------------------------------------------------------
// Compiling tables into layouts

export function compileLayout(fields: readonly FieldSchema[], version: number, flexible: boolean, label: string): Layout {
  const all: Op[] = fields.map((f) => compileOp(f, version, flexible, label));
  const body = all.filter((o) => o.present && o.tag < 0);
  const tagged = all.filter((o) => o.present && o.tag >= 0).sort((a, b) => a.tag - b.tag);
  const minSize = body.reduce((n, o) => n + o.minSize, flexible ? 1 : 0);
  return {
    label,
    version,
    flexible,
    fields: all,
    body,
    tagged,
    byTag: new Map(tagged.map((o) => [o.tag, o])),
    absent: all.filter((o) => !o.present && !o.ignorable),
    minSize,
  };
}

function compileOp(f: FieldSchema, v: number, flexible: boolean, label: string): Op {
  const array = f.type.startsWith('[]');
  const elemType = array ? f.type.slice(2) : f.type;
  const kind = KIND_BY_TYPE[elemType] ?? Kind.Struct;
  const present = inVersions(f.versions, v);
  const nullable = present && inVersions(f.nullableVersions, v);
  const tag = present && f.tag !== undefined && inVersions(f.taggedVersions, v) ? f.tag : -1;
  const compact = f.flexibleVersions !== undefined ? inVersions(f.flexibleVersions, v) : flexible;
  const layout = kind === Kind.Struct ? compileLayout(f.fields ?? [], v, flexible, `${label}.${f.name}`) : null;
  const scalarMin = (nullableScalar: boolean): number => {
    if (kind < Kind.String) return FIXED_SIZE[kind];
    if (kind === Kind.Struct) return nullableScalar ? 1 : Math.max(layout!.minSize, 0);
    return compact ? 1 : kind === Kind.String ? 2 : 4;
  };
  const elem: Op | null = array
    ? {
        name: f.name,
        kind,
        array: false,
        nullable: false,
        compact,
        tag: -1,
        present,
        ignorable: false,
        dflt: undefined,
        layout,
        elem: null,
        minSize: Math.max(scalarMin(false), 1),
        schema: f,
      }
    : null;
  return {
    name: f.name,
    kind,
    array,
    nullable,
    compact,
    tag,
    present,
    ignorable: !!f.ignorable,
    dflt: f.default,
    layout,
    elem,
    minSize: array ? (compact ? 1 : 4) : scalarMin(nullable),
    schema: f,
  };
}

const layouts = new Map<number, Layout>();

/** The compiled layout of a request or response body; ProtocolError for unknown apis and versions. */
export function messageLayout(apiKey: number, version: number, kind: MessageKind): Layout {
  const cacheKey = (apiKey * 2 + (kind === 'request' ? 0 : 1)) * 0x10000 + (version & 0xffff);
  let l = layouts.get(cacheKey);
  if (l && l.version === version) return l;
  const s = apiSchema(apiKey);
  if (!s) throw new ProtocolError('unknown-api', `unknown api key ${apiKey}`);
  if (!Number.isInteger(version) || !inVersions(s.validVersions, version)) {
    throw new ProtocolError('unsupported-version', `${s.name} v${version} is outside ${s.validVersions}`);
  }
  const m = kind === 'request' ? s.request : s.response;
  const label = `${s.name}${kind === 'request' ? 'Request' : 'Response'} v${version}`;
  l = compileLayout(m.fields, version, inVersions(m.flexibleVersions, version), label);
  layouts.set(cacheKey, l);
  return l;
}

// ---------------------------------------------------------------------------------------------------------
// Defaults

export function defaultValue(op: Op): unknown {
  const d = op.dflt;
  if (op.array) return d === null ? null : [];
  if (d !== undefined) return op.kind === Kind.Struct || op.kind === Kind.Bytes || op.kind === Kind.Records ? null : d;
  switch (op.kind) {
    case Kind.Struct:
      return defaultStruct(op.layout!);
    case Kind.Int64:
      return 0n;
    case Kind.String:
      return '';
    case Kind.Bool:
      return false;
    case Kind.Uuid:
      return ZERO_UUID;
    case Kind.Bytes:
      return EMPTY;
    case Kind.Records:
      return null;
    default:
      return 0;
  }
}

export function defaultStruct(layout: Layout): Struct {
  const o: Struct = {};
  for (const op of layout.fields) o[op.name] = defaultValue(op);
  return o;
}

/** Whether `v` equals the field's default (so a tagged field is not written). */
export function isDefault(op: Op, v: unknown): boolean {
  if (v === undefined) return true;
  const d = op.dflt;
  if (op.array) return d === null ? v === null : Array.isArray(v) && v.length === 0;
  switch (op.kind) {
    case Kind.Struct:
      return d === null ? v === null : v !== null && typeof v === 'object' && isDefaultStruct(op.layout!, v);
    case Kind.Bytes:
      return d === null ? v === null : v instanceof Uint8Array && v.length === 0;
    case Kind.Records:
      return v === null;
    case Kind.Int64:
      return typeof v === 'number' ? Number.isSafeInteger(v) && BigInt(v) === defaultValue(op) : v === defaultValue(op);
    default:
      return v === defaultValue(op);
  }
}

function isDefaultStruct(layout: Layout, o: Struct): boolean {
  const unknown = o._unknownTagged as unknown[] | undefined;
  if (unknown && unknown.length > 0) return false;
  for (const op of layout.fields) if (!isDefault(op, o[op.name])) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Decoding

export const invalidLength = (what: string, n: number): ProtocolError => new ProtocolError('invalid-length', `invalid ${what} ${n}`);

export function readStruct(r: Reader, layout: Layout): Struct {
  const o: Struct = {};
  const fields = layout.fields;
  let cur = '';
  try {
    for (let i = 0; i < fields.length; i++) {
      const op = fields[i];
      if (op.present && op.tag < 0) {
        cur = op.name;
        o[op.name] = op.array ? readArray(r, op) : readScalar(r, op);
      } else {
        o[op.name] = defaultValue(op);
      }
    }
    if (layout.flexible) {
      cur = '';
      readTaggedFields(r, layout, o);
    }
  } catch (e) {
    if (e instanceof ProtocolError) e.within(cur);
    throw e;
  }
  return o;
}

function readArray(r: Reader, op: Op): unknown[] | null {
  const n = op.compact ? r.unsignedVarint() - 1 : r.int32();
  if (n < 0) {
    if (n === -1 && op.nullable) return null;
    throw n === -1 ? new ProtocolError('invalid-length', 'null array in a non-nullable field') : invalidLength('array length', n);
  }
  const elem = op.elem!;
  if (n * elem.minSize > r.end - r.pos) {
    throw new ProtocolError('invalid-length', `array of ${n} elements does not fit the ${r.end - r.pos} bytes left`);
  }
  const out = new Array<unknown>(n);
  let i = 0;
  try {
    for (; i < n; i++) out[i] = readScalar(r, elem);
  } catch (e) {
    if (e instanceof ProtocolError) e.within(`[${i}]`);
    throw e;
  }
  return out;
}

function readScalar(r: Reader, op: Op): unknown {
  switch (op.kind) {
    case Kind.Int8:
      return r.int8();
    case Kind.Int16:
      return r.int16();
    case Kind.Int32:
      return r.int32();
    case Kind.Int64:
      return r.int64();
    case Kind.Uint16:
      return r.uint16();
    case Kind.Uint32:
      return r.uint32();
    case Kind.Float64:
      return r.float64();
    case Kind.Bool:
      return r.bool();
    case Kind.Uuid:
      return r.uuid();
    case Kind.String: {
      const n = op.compact ? r.unsignedVarint() - 1 : r.int16();
      if (n < 0) return nullOrThrow(op, n, 'string');
      return r.utf8(n);
    }
    case Kind.Bytes:
    case Kind.Records: {
      const n = op.compact ? r.unsignedVarint() - 1 : r.int32();
      if (n < 0) return nullOrThrow(op, n, 'bytes');
      return r.view(n);
    }
    default: {
      if (op.nullable && r.int8() < 0) return null;
      return readStruct(r, op.layout!);
    }
  }
}

export function nullOrThrow(op: Op, n: number, what: string): null {
  if (n === -1 && op.nullable) return null;
  throw n === -1 ? new ProtocolError('invalid-length', `null ${what} in a non-nullable field`) : invalidLength(`${what} length`, n);
}

/**
 * Tags must be strictly ascending. Kafka writes them so; a repeated tag would let two parsers disagree on
 * which value counts, so the codec refuses it rather than guess.
 */
export const tagOrder = (tag: number, last: number): ProtocolError =>
  new ProtocolError('invalid-value', `tagged field ${tag} after ${last}: tags must be strictly ascending`);

/** The checks on a tagged-field section (shared with the skip pass in walk.ts): the count fits the bytes left… */
export function taggedCount(count: number, left: number): number {
  if (count > left) throw invalidLength('tagged fields count', count);
  return count;
}

/** …each tag is above the one before… */
export function nextTag(tag: number, last: number): number {
  if (tag <= last) throw tagOrder(tag, last);
  return tag;
}

/** …and each field's size fits the bytes left. */
export function taggedSize(tag: number, size: number, left: number): number {
  if (size > left) throw new ProtocolError('invalid-length', `tagged field ${tag} of ${size} bytes exceeds the ${left} left`);
  return size;
}

function readTaggedFields(r: Reader, layout: Layout, o: Struct): void {
  const count = taggedCount(r.unsignedVarint(), r.end - r.pos);
  let last = -1;
  for (let i = 0; i < count; i++) {
    const tag = (last = nextTag(r.unsignedVarint(), last));
    const size = taggedSize(tag, r.unsignedVarint(), r.end - r.pos);
    const op = layout.byTag.get(tag);
    if (op === undefined) {
      const unknown = (o._unknownTagged ??= []) as UnknownTaggedField[];
      unknown.push({ tag, bytes: r.view(size) });
      continue;
    }
    const end = r.end;
    r.end = r.pos + size;
    try {
      o[op.name] = op.array ? readArray(r, op) : readScalar(r, op);
      if (r.pos !== r.end) throw new ProtocolError('invalid-length', `tagged field holds ${r.end - r.pos} bytes more than its value`);
    } catch (e) {
      if (e instanceof ProtocolError) e.within(op.name);
      throw e;
    }
    r.end = end;
  }
}

/** Decodes one body from `bytes[offset..]`; every byte must be used. */
export function decodeWith(layout: Layout, bytes: Buffer, offset = 0): Struct {
  try {
    if (!Buffer.isBuffer(bytes)) throw new ProtocolError('invalid-value', 'input is not a Buffer');
    if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length) {
      throw new ProtocolError('invalid-length', `offset ${offset} outside the ${bytes.length}-byte input`);
    }
    const r = new Reader(bytes, offset, bytes.length);
    const o = readStruct(r, layout);
    if (r.pos !== r.end) throw new ProtocolError('trailing-bytes', `${r.end - r.pos} bytes after the message`);
    return o;
  } catch (e) {
    if (e instanceof ProtocolError) e.inMessage(layout.label);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Encoding

const notNullable = (): ProtocolError => new ProtocolError('invalid-value', 'null in a non-nullable field');

export function writeStruct(w: Writer, layout: Layout, o: unknown): void {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    throw new ProtocolError('invalid-value', `struct expected, got ${describeValue(o)}`);
  }
  const s = o as Struct;
  let cur = '';
  try {
    for (const op of layout.body) {
      cur = op.name;
      writeValue(w, op, s[op.name]);
    }
    for (const op of layout.absent) {
      const v = s[op.name];
      if (v !== undefined && !isDefault(op, v)) {
        cur = op.name;
        throw new ProtocolError('invalid-value', `v${layout.version} cannot carry the non-default value ${describeValue(v)}`);
      }
    }
    cur = '';
    if (layout.flexible) writeTaggedFields(w, layout, s);
    else if (Array.isArray(s._unknownTagged) && s._unknownTagged.length > 0) {
      cur = '_unknownTagged';
      throw new ProtocolError('invalid-value', `v${layout.version} is not flexible and cannot carry tagged fields`);
    }
  } catch (e) {
    throw asProtocolError(e).within(cur);
  }
}

function writeValue(w: Writer, op: Op, v: unknown): void {
  if (v === undefined) v = defaultValue(op);
  if (!op.array) {
    writeScalar(w, op, v);
    return;
  }
  if (v === null) {
    if (!op.nullable) throw notNullable();
    w.length(-1, op.compact, true);
    return;
  }
  if (!Array.isArray(v)) throw new ProtocolError('invalid-value', `array expected, got ${describeValue(v)}`);
  w.length(v.length, op.compact, true);
  const elem = op.elem!;
  for (let i = 0; i < v.length; i++) {
    try {
      writeScalar(w, elem, v[i]);
    } catch (e) {
      throw asProtocolError(e).within(`[${i}]`);
    }
  }
}

function writeScalar(w: Writer, op: Op, v: unknown): void {
  switch (op.kind) {
    case Kind.Int8:
      return w.int8(v);
    case Kind.Int16:
      return w.int16(v);
    case Kind.Int32:
      return w.int32(v);
    case Kind.Int64:
      return w.int64(v);
    case Kind.Uint16:
      return w.uint16(v);
    case Kind.Uint32:
      return w.uint32(v);
    case Kind.Float64:
      return w.float64(v);
    case Kind.Bool:
      return w.bool(v);
    case Kind.Uuid:
      return w.uuid(v);
    case Kind.String:
      if (v === null) {
        if (!op.nullable) throw notNullable();
        return w.length(-1, op.compact, false);
      }
      return w.string(v, op.compact);
    case Kind.Bytes:
    case Kind.Records:
      if (v === null) {
        if (!op.nullable) throw notNullable();
        return w.length(-1, op.compact, true);
      }
      return w.bytes(v, op.compact);
    default:
      if (op.nullable) {
        w.int8(v === null ? -1 : 1);
        if (v === null) return;
      } else if (v === null) {
        throw notNullable();
      }
      return writeStruct(w, op.layout!, v);
  }
}

interface TaggedOut {
  tag: number;
  op: Op | null;
  value: unknown;
}

function writeTaggedFields(w: Writer, layout: Layout, s: Struct): void {
  const unknown = s._unknownTagged as unknown;
  if (unknown !== undefined && !Array.isArray(unknown)) {
    throw new ProtocolError('invalid-value', `_unknownTagged must be an array, got ${describeValue(unknown)}`);
  }
  if (layout.tagged.length === 0 && (unknown === undefined || unknown.length === 0)) {
    w.unsignedVarint(0);
    return;
  }
  const out: TaggedOut[] = [];
  for (const op of layout.tagged) {
    const v = s[op.name];
    if (!isDefault(op, v)) out.push({ tag: op.tag, op, value: v });
  }
  for (const u of (unknown ?? []) as unknown[]) {
    const t = u as Partial<UnknownTaggedField> | null;
    if (
      !t ||
      typeof t.tag !== 'number' ||
      !Number.isInteger(t.tag) ||
      t.tag < 0 ||
      t.tag > 0xffffffff ||
      !(t.bytes instanceof Uint8Array)
    ) {
      throw new ProtocolError('invalid-value', `_unknownTagged entries must be { tag, bytes }, got ${describeValue(u)}`);
    }
    if (layout.byTag.has(t.tag)) throw new ProtocolError('invalid-value', `_unknownTagged repeats the known tag ${t.tag}`);
    out.push({ tag: t.tag, op: null, value: t.bytes });
  }
  out.sort((a, b) => a.tag - b.tag);
  w.unsignedVarint(out.length);
  for (const t of out) {
    w.unsignedVarint(t.tag);
    if (t.op === null) {
      const bytes = t.value as Uint8Array;
      w.unsignedVarint(bytes.length);
      w.raw(bytes);
      continue;
    }
    const sub = new Writer(64);
    try {
      writeValue(sub, t.op, t.value);
    } catch (e) {
      throw asProtocolError(e).within(t.op.name);
    }
    const bytes = sub.finish();
    w.unsignedVarint(bytes.length);
    w.raw(bytes);
  }
}

/** Encoder safety net: a value of an unexpected shape must still surface as ProtocolError. */
function asProtocolError(e: unknown): ProtocolError {
  if (e instanceof ProtocolError) return e;
  return new ProtocolError('invalid-value', e instanceof Error ? e.message : String(e));
}

export function encodeWith(layout: Layout, obj: unknown, w: Writer = new Writer()): Buffer {
  try {
    writeStruct(w, layout, obj);
  } catch (e) {
    throw asProtocolError(e).inMessage(layout.label);
  }
  return w.finish();
}

// ---------------------------------------------------------------------------------------------------------
// Public body API

/** Decodes a request or response body (the bytes after the header). */
export function decode(bytes: Buffer, apiKey: number, version: number, kind: MessageKind, offset = 0): Struct {
  return decodeWith(messageLayout(apiKey, version, kind), bytes, offset);
}

/** Encodes a request or response body. */
export function encode(obj: Struct, apiKey: number, version: number, kind: MessageKind): Buffer {
  return encodeWith(messageLayout(apiKey, version, kind), obj);
}

export const decodeRequestBody = (bytes: Buffer, apiKey: number, version: number, offset = 0): Struct =>
  decode(bytes, apiKey, version, 'request', offset);
export const decodeResponseBody = (bytes: Buffer, apiKey: number, version: number, offset = 0): Struct =>
  decode(bytes, apiKey, version, 'response', offset);
export const encodeRequestBody = (obj: Struct, apiKey: number, version: number): Buffer => encode(obj, apiKey, version, 'request');
export const encodeResponseBody = (obj: Struct, apiKey: number, version: number): Buffer => encode(obj, apiKey, version, 'response');

// ---------------------------------------------------------------------------------------------------------
// One field at a time (for responses rewritten in place: see walk.ts for where a field's bytes lie)

/** Decodes the value of one field from exactly `bytes[start..end)` (for a tagged field: its value only). */
export function decodeField(op: Op, bytes: Buffer, start: number, end: number): unknown {
  const r = new Reader(bytes, start, end);
  try {
    const v = op.array ? readArray(r, op) : readScalar(r, op);
    if (r.pos !== r.end) throw new ProtocolError('trailing-bytes', `${r.end - r.pos} bytes after the field`);
    return v;
  } catch (e) {
    if (e instanceof ProtocolError) e.within(op.name);
    throw e;
  }
}

/** Encodes the value of one field as it sits in the body (a tagged field with its tag and size in front). */
export function encodeField(op: Op, value: unknown): Buffer {
  const w = new Writer(64);
  try {
    if (op.tag < 0) {
      writeValue(w, op, value);
      return w.finish();
    }
    const sub = new Writer(64);
    writeValue(sub, op, value);
    const bytes = sub.finish();
    w.unsignedVarint(op.tag);
    w.unsignedVarint(bytes.length);
    w.raw(bytes);
    return w.finish();
  } catch (e) {
    throw asProtocolError(e).within(op.name);
  }
}
