// Hostile input: every malformed frame raises one ProtocolError naming the field; nothing allocates more
// than the frame's remaining bytes; nothing else is thrown.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ProtocolError,
  decode,
  decodeRequestFrame,
  decodeResponseFrame,
  encode,
  encodeRequestFrame,
  peekProduce,
  peekRequestHeader,
} from '../../../gateway/protocol/index.ts';
import { allApiVersions, generateMessage, prng } from './support.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s|]+/g, ''), 'hex');

function protocolError(f: () => unknown, kind?: string, path?: string | RegExp): ProtocolError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ProtocolError, `expected ProtocolError, got ${String(caught)}`);
  if (kind) assert.equal(caught.kind, kind, caught.message);
  if (typeof path === 'string') assert.equal(caught.path, path);
  else if (path) assert.match(caught.path, path);
  return caught;
}

test('every truncation of generated messages of every api/version is a ProtocolError', () => {
  const rng = prng(7);
  let cuts = 0;
  for (const { apiKey, version } of allApiVersions()) {
    for (const kind of ['request', 'response'] as const) {
      const bytes = encode(generateMessage(rng, apiKey, version, kind, 'full'), apiKey, version, kind);
      const step = Math.max(1, Math.floor(bytes.length / 12));
      for (let n = 0; n < bytes.length; n += step) {
        try {
          decode(bytes.subarray(0, n), apiKey, version, kind);
        } catch (e) {
          assert.ok(e instanceof ProtocolError, `${apiKey} v${version} ${kind} cut at ${n}: ${String(e)}`);
        }
        cuts++;
      }
    }
  }
  assert.ok(cuts > 3000);
});

test('trailing garbage after a complete message', () => {
  const ok = encode({ topics: null, allowAutoTopicCreation: true }, 3, 4, 'request');
  protocolError(() => decode(Buffer.concat([ok, hex('00')]), 3, 4, 'request'), 'trailing-bytes', 'MetadataRequest v4');
});

test('negative lengths other than -1, and -1 where not nullable', () => {
  // Metadata v0 request: topics array (int32 count), not nullable in v0.
  protocolError(() => decode(hex('ffffffff'), 3, 0, 'request'), 'invalid-length', 'MetadataRequest v0: topics');
  protocolError(() => decode(hex('fffffffe'), 3, 1, 'request'), 'invalid-length', 'MetadataRequest v1: topics');
  // String length -2.
  protocolError(() => decode(hex('00000001 fffe'), 3, 1, 'request'), 'invalid-length', 'MetadataRequest v1: topics[0].name');
  // Null name where v1 does not allow it.
  protocolError(() => decode(hex('00000001 ffff'), 3, 1, 'request'), 'invalid-length', 'MetadataRequest v1: topics[0].name');
  // Produce v3 records length -7.
  protocolError(
    () => decode(hex('ffff 0001 00000064 00000001 0001 74 00000001 00000000 fffffff9'), 0, 3, 'request'),
    'invalid-length',
    'ProduceRequest v3: topicData[0].partitionData[0].records',
  );
});

test('huge counts and lengths are refused before allocating', () => {
  const t0 = process.hrtime.bigint();
  const heap0 = process.memoryUsage().heapUsed;
  // An int32 array count of 2^31-1 in a 20-byte frame.
  protocolError(() => decode(hex('7fffffff' + '00'.repeat(16)), 3, 1, 'request'), 'invalid-length', 'MetadataRequest v1: topics');
  // A compact array count of 2^32-2 elements.
  protocolError(() => decode(hex('ffffffff0f 00 00 00'), 3, 9, 'request'), 'invalid-length', 'MetadataRequest v9: topics');
  // int32 arrays: 1000 elements need 4000 bytes.
  const tooFew = Buffer.concat([hex('00000000 00000001 0000 0001 74 00000001 0000 00000000 00000000 000003e8'), Buffer.alloc(3999)]);
  protocolError(() => decode(tooFew, 3, 0, 'response'), 'invalid-length', /topics\[0\]\.partitions\[0\]\.replicaNodes$/);
  // A string or bytes length beyond the frame.
  protocolError(() => decode(hex('00000001 7fff 6162'), 3, 1, 'request'), 'truncated', 'MetadataRequest v1: topics[0].name');
  protocolError(() => decode(hex('ffffff7f 00'), 36, 2, 'request'), 'truncated', 'SaslAuthenticateRequest v2: authBytes');
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.ok(ms < 200, `took ${ms} ms`);
  assert.ok(process.memoryUsage().heapUsed - heap0 < 32 * 1024 * 1024);
});

test('varint overflow in compact lengths and tagged fields', () => {
  protocolError(() => decode(hex('ffffffffff'), 3, 9, 'request'), 'varint-overflow', 'MetadataRequest v9: topics');
  protocolError(() => decode(hex('01 01 00 ffffffffff7f'), 3, 9, 'request'), 'varint-overflow');
});

test('tagged fields: size beyond the frame, count beyond the frame, known field with extra bytes', () => {
  // ApiVersions v3 request: two empty compact strings, then the tagged section.
  protocolError(() => decode(hex('01 01 01 05 10 00'), 18, 3, 'request'), 'invalid-length');
  protocolError(() => decode(hex('01 01 7f'), 18, 3, 'request'), 'invalid-length');
  // ApiVersions v3 response, tag 3 (bool) with 2 bytes.
  protocolError(
    () => decode(hex('0000 01 00000000 01 03 02 0100'), 18, 3, 'response'),
    'invalid-length',
    'ApiVersionsResponse v3: zkMigrationReady',
  );
});

test('invalid UTF-8 in a string field names the field', () => {
  const frame = encode(
    {
      throttleTimeMs: 0,
      brokers: [],
      clusterId: null,
      controllerId: 1,
      topics: [{ errorCode: 0, name: 'ab', isInternal: false, partitions: [], topicAuthorizedOperations: 0 }],
      clusterAuthorizedOperations: 0,
    },
    3,
    9,
    'response',
  );
  const i = frame.indexOf(Buffer.from('ab'));
  frame[i] = 0xc3;
  frame[i + 1] = 0x28;
  protocolError(() => decode(frame, 3, 9, 'response'), 'invalid-utf8', 'MetadataResponse v9: topics[0].name');
});

test('frames: unknown api key, unsupported version, too short for a header', () => {
  protocolError(() => decodeRequestFrame(hex('03e7 0000 00000001 0000')), 'unknown-api');
  protocolError(() => decodeRequestFrame(hex('0003 0063 00000001 0000')), 'unsupported-version');
  protocolError(() => decodeRequestFrame(hex('0003')), 'truncated');
  protocolError(() => decodeRequestFrame(hex('0003 0001 000000')), 'truncated');
  protocolError(() => decodeRequestFrame(hex('0003 0001 00000001 0005 61')), 'truncated', 'RequestHeader v1: clientId');
  protocolError(() => decodeResponseFrame(hex('000000'), 3, 1), 'truncated', 'ResponseHeader v0: correlationId');
  protocolError(() => peekRequestHeader(hex('0003 0001 0000')), 'truncated');
  protocolError(() => peekRequestHeader(hex('0003 0001 00000001 0003 61ff62')), 'invalid-utf8', 'RequestHeader: clientId');
  protocolError(() => decodeRequestFrame('nope' as never), 'invalid-value');
  protocolError(() => decode(hex('00'), 3, 0.5, 'request'), 'unsupported-version');
  protocolError(() => decode(hex('00'), NaN, 0, 'request'), 'unknown-api');
});

test('Produce peek: malformed inputs are ProtocolErrors with paths', () => {
  const frame = encodeRequestFrame(
    { requestApiKey: 0, requestApiVersion: 9, correlationId: 1, clientId: 'c' },
    {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.alloc(100) }] }],
    },
  );
  for (let n = 0; n < frame.length; n++) protocolError(() => peekProduce(frame.subarray(0, n)));
  protocolError(() => peekProduce(Buffer.concat([frame, hex('00')])), 'trailing-bytes');
  protocolError(
    () => peekProduce(encodeRequestFrame({ requestApiKey: 3, requestApiVersion: 1, correlationId: 1, clientId: null }, { topics: [] })),
    'invalid-value',
  );
  const bad = Buffer.from(frame);
  bad[bad.indexOf(Buffer.from('t'))] = 0xff;
  protocolError(() => peekProduce(bad), 'invalid-utf8', 'ProduceRequest v9: topicData[0]');
});
