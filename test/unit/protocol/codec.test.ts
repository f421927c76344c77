// Specific wire behaviours of the table-driven codec and the headers, checked against hand-assembled bytes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  API_KEY,
  ProtocolError,
  apiKeyOf,
  apiName,
  decode,
  decodeRequestFrame,
  decodeRequestHeader,
  decodeResponseFrame,
  encode,
  encodeRequestFrame,
  encodeResponseFrame,
  firstFlexibleVersion,
  isSupportedVersion,
  isUnstableVersion,
  requestHeaderVersion,
  responseHeaderVersion,
  versionRange,
} from '../../../gateway/protocol/index.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s|]+/g, ''), 'hex');

test('api keys, version ranges (union of 4.3 and 3.9), flexible thresholds, unstable versions', () => {
  assert.equal(API_KEY.Produce, 0);
  assert.equal(apiName(74), 'ListConfigResources');
  assert.equal(apiKeyOf('ApiVersions'), 18);
  assert.equal(apiName(999), undefined);
  assert.deepEqual(versionRange(API_KEY.Produce), { min: 0, max: 13 });
  assert.deepEqual(versionRange(API_KEY.Fetch), { min: 0, max: 18 });
  assert.deepEqual(versionRange(API_KEY.LeaderAndIsr), { min: 0, max: 7 });
  assert.deepEqual(versionRange(API_KEY.ShareFetch), { min: 0, max: 2 });
  assert.equal(isSupportedVersion(API_KEY.Produce, 14), false);
  assert.equal(isSupportedVersion(API_KEY.Produce, -1), false);
  assert.equal(firstFlexibleVersion(API_KEY.Produce), 9);
  assert.equal(firstFlexibleVersion(API_KEY.SaslHandshake), null);
  assert.equal(isUnstableVersion(API_KEY.InitProducerId, 6), true);
  assert.equal(isUnstableVersion(API_KEY.InitProducerId, 5), false);
  assert.equal(isUnstableVersion(API_KEY.ShareFetch, 0), true);
  assert.equal(isUnstableVersion(API_KEY.ShareFetch, 1), false);
});

test('header versions: flexible → request v2 / response v1; ApiVersions response v0; ControlledShutdown v0 request v0', () => {
  assert.equal(requestHeaderVersion(API_KEY.Metadata, 8), 1);
  assert.equal(requestHeaderVersion(API_KEY.Metadata, 9), 2);
  assert.equal(responseHeaderVersion(API_KEY.Metadata, 8), 0);
  assert.equal(responseHeaderVersion(API_KEY.Metadata, 9), 1);
  assert.equal(requestHeaderVersion(API_KEY.ApiVersions, 3), 2);
  assert.equal(responseHeaderVersion(API_KEY.ApiVersions, 3), 0);
  assert.equal(requestHeaderVersion(API_KEY.ControlledShutdown, 0), 0);
  assert.equal(requestHeaderVersion(API_KEY.ControlledShutdown, 1), 1);
  assert.throws(
    () => requestHeaderVersion(999, 0),
    (e: unknown) => e instanceof ProtocolError && e.kind === 'unknown-api',
  );
  assert.throws(
    () => responseHeaderVersion(0, 99),
    (e: unknown) => e instanceof ProtocolError && e.kind === 'unsupported-version',
  );
});

test('ApiVersions v3 request: header v2 keeps the int16 client id, body is compact with tagged fields', () => {
  const frame = hex('0012 0003 0000002a 0003 616263 00 | 08 6b61666b616a73 06 322e322e34 00');
  const { header, body } = decodeRequestFrame(frame);
  assert.deepEqual(header, { requestApiKey: 18, requestApiVersion: 3, correlationId: 42, clientId: 'abc' });
  assert.deepEqual(body, { clientSoftwareName: 'kafkajs', clientSoftwareVersion: '2.2.4' });
  assert.ok(encodeRequestFrame(header, body).equals(frame));
  assert.equal(decodeRequestHeader(frame).bodyOffset, 14);
});

test('ApiVersions v0 error response from spec §3.2 decodes (response header v0)', () => {
  const sized = hex('00000010 | 00000007 | 0023 | 00000001 | 0012 0000 0004');
  const { header, body } = decodeResponseFrame(sized.subarray(4), API_KEY.ApiVersions, 0);
  assert.deepEqual(header, { correlationId: 7 });
  assert.equal(body.errorCode, 35);
  assert.deepEqual(body.apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
  assert.equal(body.throttleTimeMs, 0); // absent in v0: default
  assert.equal(body.finalizedFeaturesEpoch, -1n); // default from the definition
  assert.ok(encodeResponseFrame(header, body, API_KEY.ApiVersions, 0, { sizePrefix: true }).equals(sized));
});

test('ApiVersions v3 response: header v0 although flexible; known tagged fields decoded, unknown kept byte-exact', () => {
  const frame = hex(
    '00000009' + // header v0: correlation id only
      '0000' +
      '02' +
      '0012 0000 0004 00' +
      '00000000' +
      '03' + // three tagged fields
      '01 08 0000000000000005' + // tag 1 finalizedFeaturesEpoch = 5
      '03 01 01' + // tag 3 zkMigrationReady = true
      '07 02 beef', // tag 7 unknown
  );
  const { header, body } = decodeResponseFrame(frame, 18, 3);
  assert.deepEqual(header, { correlationId: 9 });
  assert.equal(body.finalizedFeaturesEpoch, 5n);
  assert.equal(body.zkMigrationReady, true);
  assert.deepEqual(body.supportedFeatures, []);
  assert.deepEqual(body._unknownTagged, [{ tag: 7, bytes: hex('beef') }]);
  assert.ok(encodeResponseFrame(header, body, 18, 3).equals(frame));
  // Default-valued tagged fields are not written.
  const plain = encode(
    { errorCode: 0, apiKeys: [], throttleTimeMs: 0, finalizedFeaturesEpoch: -1n, zkMigrationReady: false },
    18,
    3,
    'response',
  );
  assert.equal(plain.toString('hex'), '00000100000000' + '00');
});

test('fields absent in a version decode to their defaults; the encoder refuses non-default values it cannot carry', () => {
  const v2 = encode({ acks: 1, timeoutMs: 100, topicData: [{ name: 't', partitionData: [{ index: 0, records: null }] }] }, 0, 2, 'request');
  assert.equal(v2.toString('hex'), '0001 00000064 00000001 0001 74 00000001 00000000 ffffffff'.replace(/\s/g, ''));
  const body = decode(v2, 0, 2, 'request');
  assert.deepEqual(body, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 100,
    topicData: [{ name: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionData: [{ index: 0, records: null }] }],
  });
  // topicId is ignorable in Produce: silently dropped; transactionalId is not.
  encode({ ...body, topicData: [{ name: 't', topicId: 'AQIDBAUGBwgJCgsMDQ4PEA', partitionData: [] }] }, 0, 2, 'request');
  assert.throws(
    () => encode({ ...body, transactionalId: 'tx' }, 0, 2, 'request'),
    (e: unknown) => e instanceof ProtocolError && e.kind === 'invalid-value' && e.path === 'ProduceRequest v2: transactionalId',
  );
});

test('nullable struct: int8 marker -1 / 1; null where not nullable is refused', () => {
  // DescribeTopicPartitions v0 request: topics, responsePartitionLimit, cursor (nullable struct)
  const withCursor = encode({ topics: [], responsePartitionLimit: 10, cursor: { topicName: 'a', partitionIndex: 3 } }, 75, 0, 'request');
  assert.equal(withCursor.toString('hex'), '01' + '0000000a' + '01' + '0261' + '00000003' + '00' + '00');
  const without = encode({ topics: [], responsePartitionLimit: 10, cursor: null }, 75, 0, 'request');
  assert.equal(without.toString('hex'), '01' + '0000000a' + 'ff' + '00');
  assert.deepEqual(decode(without, 75, 0, 'request').cursor, null);
  assert.throws(
    () => encode({ topics: null }, 75, 0, 'request'),
    (e: unknown) => e instanceof ProtocolError && e.path.endsWith('topics'),
  );
});

test('int64 accepts safe-integer numbers on encode and decodes to bigint', () => {
  const a = encode({ transactionalId: null, transactionTimeoutMs: 1, producerId: 7, producerEpoch: 1 }, 22, 3, 'request');
  assert.equal(decode(a, 22, 3, 'request').producerId, 7n);
});

test('encoder errors name the field path', () => {
  assert.throws(
    () => encode({ acks: 1, timeoutMs: 1, topicData: [{ name: 't', partitionData: [{ index: 0, records: 'nope' }] }] }, 0, 9, 'request'),
    (e: unknown) => e instanceof ProtocolError && e.path === 'ProduceRequest v9: topicData[0].partitionData[0].records',
  );
  assert.throws(() => encode({ _unknownTagged: [{ tag: 0, bytes: Buffer.alloc(0) }] }, 18, 3, 'response'), ProtocolError);
  assert.throws(() => encode({ _unknownTagged: [{ tag: 9, bytes: Buffer.alloc(0) }] }, 18, 2, 'response'), ProtocolError);
  assert.throws(() => encode(null as never, 18, 2, 'response'), ProtocolError);
  assert.throws(
    () => encode({}, 18, 9, 'response'),
    (e: unknown) => e instanceof ProtocolError && e.kind === 'unsupported-version',
  );
  assert.throws(
    () => encode({}, 1000, 0, 'response'),
    (e: unknown) => e instanceof ProtocolError && e.kind === 'unknown-api',
  );
});
