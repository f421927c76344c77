// Test support for the protocol suites: a seeded PRNG, a value generator driven by the compiled field
// tables, and a record-batch builder.

import { type Layout, type Op, type Struct, Kind, defaultValue, messageLayout } from '../../../gateway/protocol/codec.ts';
import { allApiKeys, apiSchema } from '../../../gateway/protocol/api-keys.ts';
import { parseVersions } from '../../../gateway/protocol/versions.ts';

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;
export const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

/** Every (apiKey, version) the tables know. */
export function allApiVersions(): { apiKey: number; name: string; version: number }[] {
  const out: { apiKey: number; name: string; version: number }[] = [];
  for (const apiKey of allApiKeys()) {
    const s = apiSchema(apiKey)!;
    for (const [a, b] of parseVersions(s.validVersions)) for (let v = a; v <= b; v++) out.push({ apiKey, name: s.name, version: v });
  }
  return out;
}

/**
 * How generated values look: 'defaults' (every field at its default), 'nulls' (every nullable value null,
 * arrays empty), 'full' (random values, 1–3 element arrays, tagged fields set, unknown tagged fields added).
 */
export type Mode = 'defaults' | 'nulls' | 'full';

const STRINGS = ['', 'a', 'topic-1', 'grüße', '日本語', '😀 emoji', 'x'.repeat(40)];

export function randomUuid(rng: Rng): string {
  const b = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) b[i] = int(rng, 0, 255);
  return b.toString('base64url');
}

export function randomBytes(rng: Rng, max = 24): Buffer {
  const b = Buffer.alloc(int(rng, 0, max));
  for (let i = 0; i < b.length; i++) b[i] = int(rng, 0, 255);
  return b;
}

function scalar(rng: Rng, op: Op, mode: Mode): unknown {
  if (op.nullable && (mode === 'nulls' || (mode === 'full' && rng() < 0.2))) return null;
  switch (op.kind) {
    case Kind.Int8:
      return int(rng, -128, 127);
    case Kind.Int16:
      return int(rng, -32768, 32767);
    case Kind.Int32:
      return int(rng, -2147483648, 2147483647);
    case Kind.Int64:
      return BigInt.asIntN(64, (BigInt(int(rng, 0, 0x7fffffff)) << 33n) ^ BigInt(int(rng, -1e9, 1e9)));
    case Kind.Uint16:
      return int(rng, 0, 0xffff);
    case Kind.Uint32:
      return int(rng, 0, 0xffffffff);
    case Kind.Float64:
      return [0, 1.5, -2.25, 1e300, Number.MIN_VALUE, -0][int(rng, 0, 5)];
    case Kind.Bool:
      return rng() < 0.5;
    case Kind.Uuid:
      return randomUuid(rng);
    case Kind.String:
      return STRINGS[int(rng, 0, STRINGS.length - 1)];
    case Kind.Bytes:
    case Kind.Records:
      return randomBytes(rng);
    default:
      return generateStruct(rng, op.layout!, mode);
  }
}

function value(rng: Rng, op: Op, mode: Mode): unknown {
  if (mode === 'defaults') return defaultValue(op);
  if (!op.array) return scalar(rng, op, mode);
  if (op.nullable && (mode === 'nulls' || rng() < 0.15)) return null;
  const n = mode === 'nulls' ? 0 : int(rng, 1, 3);
  return Array.from({ length: n }, () => scalar(rng, op.elem!, mode));
}

/** A struct whose present fields are generated and absent fields hold their defaults. */
export function generateStruct(rng: Rng, layout: Layout, mode: Mode): Struct {
  const o: Struct = {};
  for (const op of layout.fields) {
    o[op.name] = op.present ? value(rng, op, mode) : defaultValue(op);
  }
  if (layout.flexible && mode === 'full' && rng() < 0.5) {
    const tags: number[] = [];
    for (const candidate of [int(rng, 0, 12), int(rng, 13, 200), 100000 + int(rng, 0, 1000)]) {
      if (!layout.byTag.has(candidate) && !tags.includes(candidate)) tags.push(candidate);
    }
    tags.sort((a, b) => a - b);
    o._unknownTagged = tags.map((tag) => ({ tag, bytes: randomBytes(rng, 6) }));
  }
  return o;
}

export function generateMessage(rng: Rng, apiKey: number, version: number, kind: 'request' | 'response', mode: Mode): Struct {
  return generateStruct(rng, messageLayout(apiKey, version, kind), mode);
}

// ---------------------------------------------------------------------------------------------------------
// Record batches

export interface BatchSpec {
  records?: number;
  /** Bytes of (fake) record payload after the 61-byte header. */
  payload?: number;
  attributes?: number;
  magic?: number;
  producerId?: bigint;
}

/** A magic-v2 batch with a valid header layout (the CRC is not computed; nothing here checks it). */
export function buildBatch(spec: BatchSpec = {}): Buffer {
  const payload = spec.payload ?? 10;
  const b = Buffer.alloc(61 + payload, 0xab);
  b.writeBigInt64BE(0n, 0);
  b.writeInt32BE(49 + payload, 8);
  b.writeInt32BE(-1, 12);
  b.writeInt8(spec.magic ?? 2, 16);
  b.writeUInt32BE(0, 17);
  b.writeInt16BE(spec.attributes ?? 0, 21);
  b.writeInt32BE((spec.records ?? 1) - 1, 23);
  b.writeBigInt64BE(1700000000000n, 27);
  b.writeBigInt64BE(1700000000000n, 35);
  b.writeBigInt64BE(spec.producerId ?? -1n, 43);
  b.writeInt16BE(-1, 51);
  b.writeInt32BE(-1, 53);
  b.writeInt32BE(spec.records ?? 1, 57);
  return b;
}
