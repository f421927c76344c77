// The skip pass that finds top-level tagged fields (KIP-951 NodeEndpoints) without decoding: it must
// agree with the decoder on every response the decoder accepts, in one Buffer or cut into chunks, and
// refuse malformed frames with ProtocolError.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Struct, messageLayout } from '../../../gateway/protocol/codec.ts';
import {
  API_KEY,
  ProtocolError,
  decodeResponseFrame,
  encodeResponseFrame,
  decodeField,
  encodeField,
  responseHasTaggedField,
  topLevelField,
  topLevelTag,
  walkResponse,
} from '../../../gateway/protocol/index.ts';
import { allApiVersions, buildBatch, generateMessage, int, prng, randomUuid } from './support.ts';

const ENDPOINTS = [
  { nodeId: 1, host: 'kafka-1.internal', port: 9092, rack: null },
  { nodeId: 2, host: 'kafka-2.internal', port: 9092, rack: 'rack-b' },
];

function fetchResponse(version: number, nodeEndpoints: Struct[], partitions = 3): Buffer {
  const body = {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 7,
    responses: [
      {
        topic: 'orders',
        topicId: randomUuid(prng(version)),
        partitions: Array.from({ length: partitions }, (_, p) => ({
          partitionIndex: p,
          errorCode: p === 1 ? 6 : 0, // NOT_LEADER_OR_FOLLOWER: the case that brings NodeEndpoints
          highWatermark: 100n,
          lastStableOffset: 100n,
          logStartOffset: 0n,
          currentLeader: p === 1 && version >= 12 ? { leaderId: 2, leaderEpoch: 5 } : { leaderId: -1, leaderEpoch: -1 },
          abortedTransactions: p === 2 ? [{ producerId: 9n, firstOffset: 3n }] : null,
          preferredReadReplica: -1,
          records: p === 1 ? null : buildBatch({ records: 5, payload: 2000 }),
        })),
      },
    ],
    nodeEndpoints,
  };
  return encodeResponseFrame({ correlationId: 42 }, body, API_KEY.Fetch, version);
}

function produceResponse(version: number, nodeEndpoints: Struct[]): Buffer {
  const body = {
    responses: [
      {
        name: 'orders',
        topicId: randomUuid(prng(version)),
        partitionResponses: [
          { index: 0, errorCode: 0, baseOffset: 10n, recordErrors: [], currentLeader: { leaderId: -1, leaderEpoch: -1 } },
          {
            index: 1,
            errorCode: 6,
            baseOffset: -1n,
            recordErrors: [{ batchIndex: 0, batchIndexErrorMessage: 'moved' }],
            errorMessage: 'not leader',
            currentLeader: { leaderId: 2, leaderEpoch: 5 },
          },
        ],
      },
    ],
    throttleTimeMs: 0,
    nodeEndpoints,
  };
  return encodeResponseFrame({ correlationId: 42 }, body, API_KEY.Produce, version);
}

/** `bytes` cut at `cuts` (sorted offsets), empty pieces included when cuts repeat. */
function cut(bytes: Buffer, cuts: number[]): Buffer[] {
  const parts: Buffer[] = [];
  let at = 0;
  for (const c of cuts) {
    parts.push(bytes.subarray(at, c));
    at = c;
  }
  parts.push(bytes.subarray(at));
  return parts;
}

const isProtocolError = (kind?: string) => (e: unknown) => e instanceof ProtocolError && (kind === undefined || e.kind === kind);

test('the NodeEndpoints tag comes from the tables: tag 0 in Produce v10+ and Fetch v16+, absent before', () => {
  for (let v = 10; v <= 13; v++) assert.equal(topLevelTag(API_KEY.Produce, v, 'response', 'nodeEndpoints'), 0, `Produce v${v}`);
  for (let v = 16; v <= 18; v++) assert.equal(topLevelTag(API_KEY.Fetch, v, 'response', 'nodeEndpoints'), 0, `Fetch v${v}`);
  assert.equal(topLevelTag(API_KEY.Produce, 9, 'response', 'nodeEndpoints'), -1);
  assert.equal(topLevelTag(API_KEY.Fetch, 15, 'response', 'nodeEndpoints'), -1);
  // ShareFetch carries its endpoints as a regular field: not a tag, so always decoded.
  assert.equal(topLevelTag(API_KEY.ShareFetch, 1, 'response', 'nodeEndpoints'), -1);
});

test('Fetch v16–18 and Produce v10–13 responses: found when NodeEndpoints is there, not otherwise', () => {
  for (let v = 16; v <= 18; v++) {
    assert.equal(responseHasTaggedField(fetchResponse(v, ENDPOINTS), API_KEY.Fetch, v, 0), true, `Fetch v${v} with endpoints`);
    assert.equal(responseHasTaggedField(fetchResponse(v, []), API_KEY.Fetch, v, 0), false, `Fetch v${v} without`);
  }
  for (let v = 10; v <= 13; v++) {
    assert.equal(responseHasTaggedField(produceResponse(v, ENDPOINTS), API_KEY.Produce, v, 0), true, `Produce v${v} with endpoints`);
    assert.equal(responseHasTaggedField(produceResponse(v, []), API_KEY.Produce, v, 0), false, `Produce v${v} without`);
  }
  // Older versions have no top-level tagged section at all (v11: not even flexible).
  assert.equal(responseHasTaggedField(fetchResponse(11, []), API_KEY.Fetch, 11, 0), false);
  assert.equal(responseHasTaggedField(fetchResponse(13, []), API_KEY.Fetch, 13, 0), false);
});

test('a frame cut into chunks anywhere (even inside a varint or an int32) gives the same answer', () => {
  for (const [frame, apiKey, version, expected] of [
    [fetchResponse(17, ENDPOINTS, 2), API_KEY.Fetch, 17, true],
    [fetchResponse(18, [], 2), API_KEY.Fetch, 18, false],
    [produceResponse(12, ENDPOINTS), API_KEY.Produce, 12, true],
    [produceResponse(13, []), API_KEY.Produce, 13, false],
  ] as const) {
    for (let at = 0; at <= frame.length; at += frame.length > 600 ? 7 : 1) {
      assert.equal(responseHasTaggedField(cut(frame, [at]), apiKey, version, 0), expected, `cut at ${at}`);
    }
    const rng = prng(frame.length);
    for (let i = 0; i < 200; i++) {
      const cuts = Array.from({ length: int(rng, 1, 12) }, () => int(rng, 0, frame.length)).sort((a, b) => a - b);
      assert.equal(responseHasTaggedField(cut(frame, cuts), apiKey, version, 0), expected, `cuts ${cuts.join(',')}`);
    }
  }
});

test('an offset skips the size prefix, also when the prefix is split over chunks', () => {
  const payload = fetchResponse(17, ENDPOINTS, 1);
  const frame = Buffer.concat([Buffer.alloc(4), payload]);
  frame.writeInt32BE(payload.length);
  assert.equal(responseHasTaggedField(frame, API_KEY.Fetch, 17, 0, 4), true);
  assert.equal(responseHasTaggedField(cut(frame, [2, 3, 5]), API_KEY.Fetch, 17, 0, 4), true);
  assert.throws(() => responseHasTaggedField(frame, API_KEY.Fetch, 17, 0, frame.length + 1), isProtocolError('invalid-length'));
});

test('every truncation, trailing bytes, and tags out of order are ProtocolErrors', () => {
  for (const [frame, apiKey, version] of [
    [fetchResponse(16, ENDPOINTS, 2), API_KEY.Fetch, 16],
    [fetchResponse(18, [], 1), API_KEY.Fetch, 18],
    [produceResponse(10, ENDPOINTS), API_KEY.Produce, 10],
    [produceResponse(13, []), API_KEY.Produce, 13],
  ] as const) {
    for (let n = 0; n < frame.length; n++) {
      assert.throws(
        () => responseHasTaggedField(frame.subarray(0, n), apiKey, version, 0),
        isProtocolError(),
        `${n} of ${frame.length} bytes`,
      );
      assert.throws(
        () => responseHasTaggedField(cut(frame.subarray(0, n), [n >> 1]), apiKey, version, 0),
        isProtocolError(),
        `${n} bytes in two chunks`,
      );
    }
    assert.throws(
      () => responseHasTaggedField(Buffer.concat([frame, Buffer.from([0])]), apiKey, version, 0),
      isProtocolError('trailing-bytes'),
    );
  }
  // Top-level section holding tag 3 then tag 0: refused as the decoder refuses it.
  const clean = produceResponse(11, []);
  const disordered = Buffer.concat([clean.subarray(0, clean.length - 1), Buffer.from([2, 3, 0, 0, 1, 0])]);
  assert.throws(() => decodeResponseFrame(disordered, API_KEY.Produce, 11), isProtocolError('invalid-value'));
  assert.throws(() => responseHasTaggedField(disordered, API_KEY.Produce, 11, 0), isProtocolError('invalid-value'));
  // A records length far beyond the frame.
  const lying = Buffer.from(fetchResponse(12, [], 1));
  const recordsAt = lying.indexOf(buildBatch({ records: 5, payload: 2000 }).subarray(0, 12));
  lying[recordsAt - 2] = 0xff; // the compact length's varint (2001 + 61 + 1 fits two bytes)
  assert.throws(() => responseHasTaggedField(lying, API_KEY.Fetch, 12, 0), isProtocolError());
});

test('agrees with the decoder on random responses of every api and version (known and unknown tags)', () => {
  const rng = prng(951);
  for (const { apiKey, version } of allApiVersions()) {
    const layout = messageLayout(apiKey, version, 'response');
    for (let i = 0; i < 3; i++) {
      const body = generateMessage(rng, apiKey, version, 'response', 'full');
      const frame = encodeResponseFrame({ correlationId: i }, body, apiKey, version);
      const decoded = decodeResponseFrame(frame, apiKey, version).body;
      const present = new Set<number>();
      for (const op of layout.tagged) {
        // The encoder writes a tagged field only when it differs from its default: re-encode without it to tell.
        const without = encodeResponseFrame({ correlationId: i }, { ...decoded, [op.name]: undefined }, apiKey, version);
        if (without.length !== frame.length) present.add(op.tag);
      }
      for (const u of (decoded._unknownTagged ?? []) as Array<{ tag: number }>) present.add(u.tag);
      const candidates = new Set([...present, ...layout.tagged.map((o) => o.tag), 0, 1, 99_999]);
      for (const tag of candidates) {
        const label = `${apiKey} v${version} tag ${tag}`;
        assert.equal(responseHasTaggedField(frame, apiKey, version, tag), present.has(tag), label);
        assert.equal(
          responseHasTaggedField(cut(frame, [int(rng, 0, frame.length), frame.length]), apiKey, version, tag),
          present.has(tag),
          `${label}, cut`,
        );
      }
    }
  }
});

test('on mangled frames it throws nothing but ProtocolError, never refuses what the decoder accepts, never misses endpoints', () => {
  const rng = prng(7);
  const seeds = [fetchResponse(17, ENDPOINTS, 2), fetchResponse(18, [], 2), produceResponse(12, ENDPOINTS), produceResponse(13, [])];
  const keys = [
    [API_KEY.Fetch, 17],
    [API_KEY.Fetch, 18],
    [API_KEY.Produce, 12],
    [API_KEY.Produce, 13],
  ] as const;
  for (let i = 0; i < 4000; i++) {
    const which = i % seeds.length;
    const [apiKey, version] = keys[which];
    const bytes = Buffer.from(seeds[which]);
    for (let m = int(rng, 1, 3); m > 0; m--) bytes[int(rng, 0, bytes.length - 1)] = int(rng, 0, 255);
    let decoded: Struct | null = null;
    try {
      decoded = decodeResponseFrame(bytes, apiKey, version).body;
    } catch (e) {
      assert.ok(e instanceof ProtocolError);
    }
    try {
      const found = responseHasTaggedField(bytes, apiKey, version, 0);
      // Never a miss: endpoints the decoder sees are always found (an empty list may be found too).
      if (decoded && (decoded.nodeEndpoints as unknown[]).length > 0) assert.equal(found, true, `mutation ${i}`);
    } catch (e) {
      assert.ok(e instanceof ProtocolError, `mutation ${i}: ${String(e)}`);
      assert.equal(decoded, null, `mutation ${i}: the walker refused what the decoder accepted: ${e}`);
    }
  }
});

test("walkResponse: every top-level field's span decodes to the decoder's value and re-encodes to the same bytes, for every api and version", () => {
  const rng = prng(4242);
  for (const { apiKey, version } of allApiVersions()) {
    for (let i = 0; i < 2; i++) {
      const body = generateMessage(rng, apiKey, version, 'response', 'full');
      const frame = encodeResponseFrame({ correlationId: i }, body, apiKey, version);
      const decoded = decodeResponseFrame(frame, apiKey, version).body;
      const walk = walkResponse(cut(frame, [int(rng, 0, frame.length), frame.length]), apiKey, version);
      let at = walk.bodyStart;
      for (const span of walk.fields) {
        const label = `${apiKey} v${version} ${span.name}`;
        const op = topLevelField(apiKey, version, 'response', span.name)!;
        assert.ok(span.start >= at, `${label}: spans in order`);
        at = span.end;
        assert.deepEqual(decodeField(op, frame, span.valueStart, span.end), decoded[span.name], label);
        assert.deepEqual(encodeField(op, decoded[span.name]), frame.subarray(span.start, span.end), `${label} re-encodes byte for byte`);
      }
    }
  }
});

test('walkResponse: elements of a top-level struct array with picked fields; until stops early; malformed frames are ProtocolErrors', () => {
  const body = {
    throttleTimeMs: 0,
    brokers: ENDPOINTS,
    clusterId: 'c',
    controllerId: 1,
    topics: [
      {
        errorCode: 0,
        name: 'a',
        topicId: randomUuid(prng(1)),
        isInternal: false,
        partitions: [{ partitionIndex: 0, replicaNodes: [1, 2], isrNodes: [1], offlineReplicas: [] }],
      },
      { errorCode: 3, name: 'bb', topicId: randomUuid(prng(2)), isInternal: true, partitions: [] },
    ],
  };
  const frame = encodeResponseFrame({ correlationId: 1 }, body, API_KEY.Metadata, 12);
  const walk = walkResponse(frame, API_KEY.Metadata, 12, { elementsOf: 'topics', pick: ['name', 'topicId', 'errorCode'] });
  assert.deepEqual(
    walk.elements.map((e) => e.values),
    body.topics.map((t) => ({ errorCode: t.errorCode, name: t.name, topicId: t.topicId })),
  );
  const topics = walk.fields.find((f) => f.name === 'topics')!;
  assert.equal(walk.elements[0].start, topics.start + 1, 'after the compact count');
  assert.equal(walk.elements[1].end, topics.end);
  const early = walkResponse(frame, API_KEY.Metadata, 12, { until: 'brokers' });
  assert.deepEqual(
    early.fields.map((f) => f.name),
    ['throttleTimeMs', 'brokers'],
  );
  // Stopping early reads nothing behind the field: a truncated tail is not even looked at.
  assert.doesNotThrow(() => walkResponse(frame.subarray(0, early.fields[1].end + 1), API_KEY.Metadata, 12, { until: 'brokers' }));
  assert.throws(() => walkResponse(frame.subarray(0, frame.length - 1), API_KEY.Metadata, 12), isProtocolError());
  assert.throws(() => walkResponse(Buffer.concat([frame, Buffer.from([0])]), API_KEY.Metadata, 12), isProtocolError('trailing-bytes'));
});
