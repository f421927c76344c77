// Building blocks of the differential request catalogue: the world's names, the case-spec shape each
// per-API file returns, a fitter that keeps only the fields a version carries, and real record batches.
import { apiSchema, type Struct, ZERO_UUID } from '../../../gateway/protocol/index.ts';
import type { FieldSchema } from '../../../gateway/protocol/schema.ts';
import { inVersions } from '../../../gateway/protocol/versions.ts';

export type Scenario = 'allowed' | 'denied' | 'partial';
export type Principal = 'alice' | 'carol' | 'admin' | 'bob';

export interface SideInfo {
  /** The side's id for a topic (ZERO_UUID for diff.missing). */
  topicId(name: string): string;
  brokerId: number;
}

/** The world both clusters are set up with (see the differential harness). */
export const T = {
  allowed: 'diff.allowed', // alice ALL (2 partitions)
  readonly: 'diff.readonly', // alice READ
  describe: 'diff.describe', // alice DESCRIBE
  denied: 'diff.denied', // bob ALL, alice nothing
  missing: 'diff.missing', // never exists, no ACL for alice
} as const;
export const G = { allowed: 'g.allowed', denied: 'g.denied' } as const;
export const TX = { allowed: 'tx.allowed', denied: 'tx.denied' } as const;

/** A topic alice may create, alter and delete (PREFIXED ACL `diff.created.`); unique per label and version. */
export const createdTopic = (label: string, v: number): string => `diff.created.${label}-v${v}`;
/** A topic nobody but carol and admin may create: alice's CREATE is denied, and it must never exist. */
export const uncreatableTopic = (label: string, v: number): string => `diff.nocreate.${label}-v${v}`;
/** A group only carol (ALL on GROUP *) may use: fresh per label and version so memberships never collide. */
export const carolGroup = (label: string, v: number): string => `g.carol.${label}-v${v}`;

/** Producer id/epoch of no live producer: transactional APIs then fail after authorization on both sides alike. */
export const NO_PRODUCER = { id: 4242n, epoch: 0 } as const;
/** A well-formed topic id no cluster knows (not the zero uuid). */
export const UNKNOWN_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
export { ZERO_UUID };

/**
 * The id a client would send for a topic: the side's id, or an id nobody knows for a topic that does not
 * exist. Never the zero uuid, which no client sends (a 4.3 broker fails a whole Fetch on it with -1).
 */
export const idOf = (side: SideInfo, name: string): string => {
  const id = side.topicId(name);
  return id === ZERO_UUID ? UNKNOWN_TOPIC_ID : id;
};

/** Resource-type codes used in bodies: ACL resource types (TOPIC) and config resource types (the rest; TOPIC is 2 in both). */
export const RES = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CONFIG_GROUP: 32 } as const;

/** One case of an API before it is bound to a version (the catalogue adds key, version and name). */
export interface CaseSpec {
  scenario: Scenario;
  /** What the case sends, for its name: 'diff.allowed + diff.denied'. */
  what: string;
  principal?: Principal;
  body(side: SideInfo): Struct;
  mutates?: boolean;
  ignore?: string[];
  expectedDifference?: string;
  /** Topics (`createdTopic`) that must exist before this case runs: created by the catalogue's setup case. */
  needsTopics?: string[];
}

/** The cases of one API at one version (empty: nothing meaningful at that version). */
export type ApiCases = (v: number) => CaseSpec[];

/**
 * Keeps only the fields version `v` of the request carries, recursively, so one body literal serves every
 * version (a field a version lacks must hold its default for the codec; dropping it says the same).
 */
export function fit(apiKey: number, v: number, body: Struct): Struct {
  const schema = apiSchema(apiKey);
  if (!schema) throw new Error(`unknown api key ${apiKey}`);
  return fitStruct(schema.request.fields, v, body);
}

function fitStruct(fields: readonly FieldSchema[], v: number, o: Struct): Struct {
  const out: Struct = {};
  for (const f of fields) {
    if (!(f.name in o) || !inVersions(f.versions, v)) continue;
    const val: unknown = o[f.name];
    if (f.fields && Array.isArray(val)) out[f.name] = val.map((e: Struct) => fitStruct(f.fields!, v, e));
    else if (f.fields && val !== null && typeof val === 'object' && !Buffer.isBuffer(val)) out[f.name] = fitStruct(f.fields, v, val);
    else out[f.name] = val;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Record batches: real, checksummed, so the broker appends them (a broker validates the CRC).

const CRC32C_TABLE = crcTable(0x82f63b78);
const CRC32_TABLE = crcTable(0xedb88320);

function crcTable(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

function crc(table: Uint32Array, b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = table[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function varint(n: number): Buffer {
  let z = (n << 1) ^ (n >> 31);
  const out: number[] = [];
  while ((z & ~0x7f) !== 0) {
    out.push((z & 0x7f) | 0x80);
    z >>>= 7;
  }
  out.push(z);
  return Buffer.from(out);
}

const TIMESTAMP = 1_700_000_000_000n;

/** One magic-v2 batch with one record; `transactional` sets the attribute bit and a producer id. */
export function recordBatch(value: string, opts: { transactional?: boolean } = {}): Buffer {
  const v = Buffer.from(value);
  const body = Buffer.concat([Buffer.from([0]), varint(0), varint(0), varint(-1), varint(v.length), v, varint(0)]);
  const record = Buffer.concat([varint(body.length), body]);
  const tail = Buffer.alloc(40);
  tail.writeInt16BE(opts.transactional ? 0x10 : 0, 0); // attributes
  tail.writeInt32BE(0, 2); // last offset delta
  tail.writeBigInt64BE(TIMESTAMP, 6);
  tail.writeBigInt64BE(TIMESTAMP, 14);
  tail.writeBigInt64BE(opts.transactional ? NO_PRODUCER.id : -1n, 22);
  tail.writeInt16BE(opts.transactional ? NO_PRODUCER.epoch : -1, 30);
  tail.writeInt32BE(opts.transactional ? 0 : -1, 32); // base sequence
  tail.writeInt32BE(1, 36); // record count
  const crcPart = Buffer.concat([tail, record]);
  const head = Buffer.alloc(21);
  head.writeBigInt64BE(0n, 0);
  head.writeInt32BE(crcPart.length + 9, 8); // partition leader epoch + magic + crc + rest
  head.writeInt32BE(-1, 12);
  head.writeInt8(2, 16);
  head.writeUInt32BE(crc(CRC32C_TABLE, crcPart), 17);
  return Buffer.concat([head, crcPart]);
}

/** A magic-v1 message set with one message: what Produce v0–2 (3.x brokers only) carries. */
export function legacyMessageSet(value: string): Buffer {
  const v = Buffer.from(value);
  const msg = Buffer.alloc(1 + 1 + 8 + 4 + 4 + v.length);
  msg.writeInt8(1, 0); // magic
  msg.writeInt8(0, 1); // attributes
  msg.writeBigInt64BE(TIMESTAMP, 2);
  msg.writeInt32BE(-1, 10); // null key
  msg.writeInt32BE(v.length, 14);
  v.copy(msg, 18);
  const head = Buffer.alloc(16);
  head.writeBigInt64BE(0n, 0);
  head.writeInt32BE(msg.length + 4, 8);
  head.writeUInt32BE(crc(CRC32_TABLE, msg), 12);
  return Buffer.concat([head, msg]);
}

/** The records a Produce of version `v` carries for one partition. */
export const recordsFor = (v: number, value: string, transactional = false): Buffer =>
  v < 3 ? legacyMessageSet(value) : recordBatch(value, { transactional });
