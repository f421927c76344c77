// The differential catalogue's bodies are real requests (they go through the codec at their version) and
// it covers every API a broker listener serves at every version 4.3 defines: allowed and denied cases,
// partial ones where the spec gives the API per-item granularity.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  allApiKeys,
  apiName,
  apiSchema,
  decodeRequestFrame,
  encodeRequestFrame,
  isUnstableVersion,
  servedToClients,
  type Struct,
  ZERO_UUID,
} from '../../../gateway/protocol/index.ts';
import { parseVersions, versionBounds } from '../../../gateway/protocol/versions.ts';
import {
  CATALOGUED_API_KEYS,
  type DiffCase,
  SKIPPED_APIS,
  UNCOMPARED_SCENARIOS,
  differentialCases,
} from '../../harness/differential/catalogue.ts';
import type { SideInfo } from '../../harness/differential/catalogue-world.ts';

/** A side whose topic ids are stable per name (diff.missing has the zero id, as the harness promises). */
const side: SideInfo = {
  brokerId: 1,
  topicId: (name) =>
    name === 'diff.missing' ? ZERO_UUID : createHash('sha256').update(name).digest().subarray(0, 16).toString('base64url'),
};

type Versions = Map<number, { min: number; max: number }>;

/** What a 4.3 broker listener serves (spec §2.2): the codec's 4.3 ranges without unstable versions. */
function versions43(): Versions {
  const m: Versions = new Map();
  for (const k of allApiKeys()) {
    const s = apiSchema(k)!;
    const src = s.sources['messages-4.3'];
    if (!servedToClients(k) || !src) continue;
    const b = versionBounds(src);
    if (!b) continue;
    let max = b.max;
    while (max >= b.min && isUnstableVersion(k, max)) max--;
    if (max >= b.min) m.set(k, { min: b.min, max });
  }
  return m;
}

/** Every version the codec knows for the broker-listener keys (3.9's older versions included). */
function everyCodecVersion(): Versions {
  const m: Versions = new Map();
  for (const k of allApiKeys()) {
    const r = parseVersions(apiSchema(k)!.validVersions);
    if (servedToClients(k) && r.length) m.set(k, { min: r[0][0], max: r[r.length - 1][1] });
  }
  return m;
}

const NO_AUTHORIZATION = new Set([17, 18, 36, 71, 72]); // SASL, ApiVersions, telemetry: nothing to deny
const FILTER_ONLY = new Set([16, 66]); // ListGroups, ListTransactions: never an error, only filtering
/** Spec §2.3 granularity "item" / "filter" (FindCoordinator from v4, AddPartitionsToTxn through v3). */
function hasItemGranularity(apiKey: number, v: number): boolean {
  if (apiKey === 10) return v >= 4;
  if (apiKey === 24) return v <= 3;
  return [0, 1, 2, 3, 8, 9, 15, 16, 19, 20, 21, 23, 28, 32, 33, 37, 42, 44, 47, 61, 65, 66, 69, 75, 77, 78, 79, 89, 90, 91, 92].includes(
    apiKey,
  );
}

function roundTrip(c: DiffCase): Struct {
  const body = c.body(side);
  const frame = encodeRequestFrame({ requestApiKey: c.apiKey, requestApiVersion: c.version, correlationId: 7, clientId: 'diff' }, body);
  const decoded = decodeRequestFrame(frame);
  assert.equal(decoded.header.requestApiKey, c.apiKey);
  // Re-encoding what was decoded gives the same bytes: nothing in the body was lost or ambiguous.
  assert.deepEqual(encodeRequestFrame(decoded.header, decoded.body), frame, c.name);
  return decoded.body;
}

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const e of v) strings(e, out);
  else if (v && typeof v === 'object' && !Buffer.isBuffer(v)) for (const e of Object.values(v)) strings(e, out);
  return out;
}

for (const [label, map] of [
  ['4.3 ranges', versions43()],
  ['every codec version', everyCodecVersion()],
] as const) {
  test(`every case encodes at its version and decodes back (${label})`, () => {
    const cases = differentialCases({ apiVersions: map });
    assert.ok(cases.length > 300, `only ${cases.length} cases`);
    for (const c of cases) {
      try {
        roundTrip(c);
      } catch (e) {
        assert.fail(`${c.name}: ${(e as Error).message}`);
      }
    }
  });
}

test('every client-facing key and 4.3 version has allowed and denied cases, partial where items are authorized one by one', () => {
  const map = versions43();
  const cases = differentialCases({ apiVersions: map });
  const count = new Map<string, number>();
  for (const c of cases)
    count.set(`${c.apiKey}/${c.version}/${c.scenario}`, (count.get(`${c.apiKey}/${c.version}/${c.scenario}`) ?? 0) + 1);
  const skipped = new Set(SKIPPED_APIS.map((s) => s.apiKey));
  const rows: string[] = [];
  const missing: string[] = [];
  for (const [k, { min, max }] of map) {
    if (skipped.has(k)) continue;
    const totals = { allowed: 0, denied: 0, partial: 0 };
    for (let v = min; v <= max; v++) {
      const n = (s: string) => count.get(`${k}/${v}/${s}`) ?? 0;
      totals.allowed += n('allowed');
      totals.denied += n('denied');
      totals.partial += n('partial');
      const uncompared = (s: string) => UNCOMPARED_SCENARIOS.some((u) => u.apiKey === k && (u.scenarios as readonly string[]).includes(s));
      if (n('allowed') === 0 && !FILTER_ONLY.has(k) && !uncompared('allowed')) missing.push(`${apiName(k)} v${v} allowed`);
      if (n('denied') === 0 && !NO_AUTHORIZATION.has(k) && !FILTER_ONLY.has(k)) missing.push(`${apiName(k)} v${v} denied`);
      if (n('partial') === 0 && hasItemGranularity(k, v) && !uncompared('partial')) missing.push(`${apiName(k)} v${v} partial`);
    }
    rows.push(
      `${String(k).padStart(3)} ${(apiName(k) ?? '').padEnd(30)} v${min}-${max}`.padEnd(42) +
        `${String(totals.allowed).padStart(8)}${String(totals.denied).padStart(8)}${String(totals.partial).padStart(8)}`,
    );
  }
  console.log(`key api                            versions  allowed  denied partial\n${rows.join('\n')}\ntotal cases: ${cases.length}`);
  assert.deepEqual(missing, []);
});

test('every key a broker listener serves is catalogued or skipped with a reason, never both', () => {
  const catalogued = new Set(CATALOGUED_API_KEYS);
  for (const s of SKIPPED_APIS) {
    assert.ok(!catalogued.has(s.apiKey), `${s.name} is catalogued and skipped`);
    assert.ok(s.reason.length > 20, s.name);
  }
  const skipped = new Set(SKIPPED_APIS.map((s) => s.apiKey));
  for (const k of allApiKeys()) {
    if (servedToClients(k)) assert.ok(catalogued.has(k), `${apiName(k)} has no cases`);
    else assert.ok(skipped.has(k) || catalogued.has(k), `${apiName(k)} (${k}) is neither catalogued nor skipped`);
  }
});

test('case names are unique; versions not advertised produce no cases', () => {
  const map: Versions = new Map([
    [3, { min: 1, max: 2 }],
    [20, { min: 6, max: 6 }],
  ]);
  const cases = differentialCases({ apiVersions: map });
  assert.deepEqual([...new Set(cases.map((c) => `${c.apiKey} v${c.version}`))], ['3 v1', '3 v2', '20 v6']);
  const all = differentialCases({ apiVersions: versions43() });
  const names = all.map((c) => c.name);
  assert.equal(new Set(names).size, names.length, names.filter((n, i) => names.indexOf(n) !== i).join(', '));
  for (const c of all) assert.match(c.name, new RegExp(`^${apiName(c.apiKey)} v${c.version} ${c.scenario}: `));
});

test('topics that mutating cases change are created by the first case, and nothing creates diff.missing', () => {
  const cases = differentialCases({ apiVersions: versions43() });
  const setup = cases[0];
  assert.equal(setup.apiKey, 19);
  assert.equal(setup.principal, 'alice');
  const created = new Set((roundTrip(setup).topics as { name: string }[]).map((t) => t.name));
  for (const name of created) assert.match(name, /^diff\.created\./);
  // A created topic named by any later case is made by the setup case, by CreateTopics itself, or by Metadata auto-creation.
  for (const c of cases.slice(1)) {
    // ACL filters (DescribeAcls/DeleteAcls) and bindings (CreateAcls) name patterns, not topics that must exist.
    if (c.apiKey === 19 || c.apiKey === 3 || c.apiKey === 29 || c.apiKey === 30 || c.apiKey === 31) continue;
    for (const s of strings(roundTrip(c))) if (s.startsWith('diff.created.')) assert.ok(created.has(s), `${c.name} needs ${s}`);
  }
  for (const c of cases) {
    if (c.apiKey === 19) assert.ok(!strings(c.body(side)).includes('diff.missing'), c.name);
  }
});

test('destructive group cases come last, and every mutating case is marked', () => {
  const cases = differentialCases({ apiVersions: versions43() });
  const firstLate = cases.findIndex((c) => c.apiKey === 47 || c.apiKey === 42);
  assert.ok(firstLate > 0);
  assert.ok(cases.slice(firstLate).every((c) => c.apiKey === 47 || c.apiKey === 42));
  // Allowed cases of the state-changing APIs are marked as mutating.
  for (const c of cases) {
    if ([19, 20, 21, 33, 37, 44].includes(c.apiKey) && c.scenario === 'allowed' && c.principal === 'alice') assert.ok(c.mutates, c.name);
  }
});

test('records in produce cases are real batches: magic 2 with a valid CRC-32C from v3, magic 1 before', () => {
  const cases = differentialCases({ apiVersions: everyCodecVersion() }).filter((c) => c.apiKey === 0);
  for (const c of cases) {
    const records = (c.body(side).topicData as { partitionData: { records: Buffer }[] }[])[0].partitionData[0].records;
    if (c.version >= 3) {
      assert.equal(records.readInt8(16), 2, c.name);
      assert.equal(records.readInt32BE(8), records.length - 12, c.name);
      assert.equal(records.readUInt32BE(17), crc32c(records.subarray(21)), c.name);
    } else {
      assert.equal(records.readInt8(16), 1, c.name);
    }
  }
  // Known answer for CRC-32C ("123456789" → e3069283), so the check above checks something.
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
});

function crc32c(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
