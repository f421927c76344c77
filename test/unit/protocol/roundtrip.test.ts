// Every API × every version × request/response: generated objects (defaults, nulls, random values with
// tagged and unknown tagged fields) → encode → decode → deep-equal, and the re-encode is byte-identical.
// Whole frames (request header v0/v1/v2, response header v0/v1) are round-tripped the same way.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestHeaderVersion, responseHeaderVersion } from '../../../gateway/protocol/api-keys.ts';
import { decode, encode } from '../../../gateway/protocol/codec.ts';
import { decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame } from '../../../gateway/protocol/headers.ts';
import { type Mode, allApiVersions, generateMessage, prng, randomBytes } from './support.ts';

const MODES: Mode[] = ['defaults', 'nulls', 'full', 'full', 'full'];
const byApi = new Map<string, { apiKey: number; version: number }[]>();
for (const av of allApiVersions()) {
  const key = `${av.apiKey} ${av.name}`;
  if (!byApi.has(key)) byApi.set(key, []);
  byApi.get(key)!.push(av);
}

let total = 0;
for (const [label, versions] of byApi) {
  test(`round-trip ${label} v${versions[0].version}-${versions[versions.length - 1].version}`, () => {
    for (const { apiKey, version } of versions) {
      for (const kind of ['request', 'response'] as const) {
        MODES.forEach((mode, i) => {
          const rng = prng(apiKey * 1000 + version * 10 + i + (kind === 'request' ? 0 : 5));
          const obj = generateMessage(rng, apiKey, version, kind, mode);
          const where = `${label} v${version} ${kind} ${mode}#${i}`;
          const bytes = encode(obj, apiKey, version, kind);
          const back = decode(bytes, apiKey, version, kind);
          assert.deepStrictEqual(back, obj, where);
          assert.ok(encode(back, apiKey, version, kind).equals(bytes), `${where}: re-encode differs`);
          total++;
        });
      }
    }
  });
}

test('frames: request headers v0/v1/v2 and response headers v0/v1 for every api and version', () => {
  const rng = prng(42);
  const seen = { req: new Set<number>(), resp: new Set<number>() };
  for (const { apiKey, version } of allApiVersions()) {
    const hv = requestHeaderVersion(apiKey, version);
    seen.req.add(hv);
    const header: Record<string, unknown> = {
      requestApiKey: apiKey,
      requestApiVersion: version,
      correlationId: (apiKey * 7919 + version) | 0,
      clientId: hv === 0 ? '' : rng() < 0.2 ? null : 'client-1',
    };
    if (hv === 2 && rng() < 0.5) header._unknownTagged = [{ tag: 3, bytes: randomBytes(rng, 4) }];
    const body = generateMessage(rng, apiKey, version, 'request', 'full');
    const frame = encodeRequestFrame(header as never, body);
    const back = decodeRequestFrame(frame);
    assert.deepStrictEqual(back.header, header);
    assert.deepStrictEqual(back.body, body);
    assert.ok(encodeRequestFrame(back.header, back.body).equals(frame));
    const sized = encodeRequestFrame(back.header, back.body, { sizePrefix: true });
    assert.equal(sized.readInt32BE(0), frame.length);
    assert.ok(sized.subarray(4).equals(frame));

    const rhv = responseHeaderVersion(apiKey, version);
    seen.resp.add(rhv);
    const rheader = { correlationId: header.correlationId as number };
    const rbody = generateMessage(rng, apiKey, version, 'response', 'full');
    const rframe = encodeResponseFrame(rheader, rbody, apiKey, version);
    const rback = decodeResponseFrame(rframe, apiKey, version);
    assert.deepStrictEqual(rback, { header: rheader, body: rbody });
    assert.ok(encodeResponseFrame(rback.header, rback.body, apiKey, version).equals(rframe));
  }
  assert.deepStrictEqual([...seen.req].sort(), [0, 1, 2]);
  assert.deepStrictEqual([...seen.resp].sort(), [0, 1]);
});

test('round-trip covered every api × version × kind × mode', () => {
  assert.equal(total, allApiVersions().length * 2 * MODES.length);
});
