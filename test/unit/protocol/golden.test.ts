// Golden frames captured from real clients and brokers (test/harness/capture-fixtures.ts): every frame
// decodes, re-encodes byte for byte, and the header peek and Produce peek agree with the full decode.
// Each capture must also cover the APIs and client families below, so a re-capture cannot silently lose them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  API_KEY,
  type ApiName,
  countProduceRecords,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  peekProduce,
  peekRequestHeader,
} from '../../../gateway/protocol/index.ts';
import { loadFixtures } from './fixtures.ts';

/** Raise as captures are added; an empty or shrunken fixture folder fails the suite. */
const MIN_FRAMES = 600;

/** Every capture holds requests and responses of these: the basics, admin, groups and transactions. */
const REQUIRED_APIS: ApiName[] = [
  'Produce',
  'Fetch',
  'ListOffsets',
  'Metadata',
  'ApiVersions',
  'FindCoordinator',
  'JoinGroup',
  'SyncGroup',
  'LeaveGroup',
  'OffsetCommit',
  'OffsetFetch',
  'ListGroups',
  'DescribeGroups',
  'CreateTopics',
  'DeleteTopics',
  'DescribeConfigs',
  'DescribeAcls',
  'InitProducerId',
  'AddPartitionsToTxn',
  'AddOffsetsToTxn',
  'TxnOffsetCommit',
  'EndTxn',
];

/** Client families the captures drive, recognised by the client id the capture sets or the software name Java sends. */
const CLIENTS: Record<string, { label: string; matches: (clientId: string | null, softwareName: string | undefined) => boolean }> = {
  java: { label: 'Java tools', matches: (_, software) => software === 'apache-kafka-java' },
  kcat: { label: 'kcat', matches: (id) => id === 'golden-kcat' },
  kafkajs: { label: 'kafkajs', matches: (id) => id === 'golden-kafkajs' },
  platformatic: { label: '@platformatic/kafka', matches: (id) => id === 'golden-platformatic' },
};

/** @platformatic/kafka cannot talk to 2.x brokers (see capture-fixtures.ts), so those captures lack it. */
function expectedClients(file: string): string[] {
  const major = Number(/^kafka-(\d+)\./.exec(file)?.[1]);
  return Object.keys(CLIENTS).filter((c) => c !== 'platformatic' || major >= 3);
}

const fixtures = loadFixtures();

test('golden fixtures are present', () => {
  const frames = fixtures.reduce((n, f) => n + f.fixture.frames.length, 0);
  assert.ok(frames >= MIN_FRAMES, `expected at least ${MIN_FRAMES} captured frames in test/fixtures/protocol/, found ${frames}`);
});

for (const { file, fixture } of fixtures) {
  test(`golden ${file}: every frame decodes and re-encodes byte-identically`, () => {
    const apis = new Set<string>();
    for (const [i, f] of fixture.frames.entries()) {
      const frame = Buffer.from(f.hex, 'hex');
      const where = `${file} #${i} ${f.direction} api ${f.apiKey} v${f.apiVersion}`;
      apis.add(`${f.apiKey}v${f.apiVersion}`);
      if (f.direction === 'request') {
        const peek = peekRequestHeader(frame);
        const { header, body } = decodeRequestFrame(frame);
        assert.deepEqual(
          peek,
          {
            apiKey: header.requestApiKey,
            apiVersion: header.requestApiVersion,
            correlationId: header.correlationId,
            clientId: header.clientId,
          },
          where,
        );
        assert.equal(header.requestApiKey, f.apiKey, where);
        assert.equal(header.correlationId, f.correlationId, where);
        assert.equal(encodeRequestFrame(header, body).toString('hex'), f.hex, `${where}: re-encode differs`);
        if (f.apiKey === 0) {
          const p = peekProduce(frame);
          assert.equal(p.acks, body.acks, where);
          assert.deepEqual(
            p.topics.map((t) => t.name ?? t.topicId),
            (body.topicData as Array<{ name: string; topicId: string }>).map((t) => (f.apiVersion >= 13 ? t.topicId : t.name)),
            where,
          );
          for (const c of countProduceRecords(frame)) {
            assert.ok(c.records > 0 && c.truncatedBytes === 0 && !c.malformed, `${where}: ${JSON.stringify(c)}`);
          }
        }
      } else {
        const { header, body } = decodeResponseFrame(frame, f.apiKey, f.apiVersion);
        assert.equal(header.correlationId, f.correlationId, where);
        assert.equal(encodeResponseFrame(header, body, f.apiKey, f.apiVersion).toString('hex'), f.hex, `${where}: re-encode differs`);
      }
    }
    console.log(`# ${file}: ${fixture.frames.length} frames, ${apis.size} api/version pairs`);
  });
}

for (const { file, fixture } of fixtures) {
  test(`golden ${file}: covers admin, group and transaction APIs and every client family`, () => {
    const seen = new Set<string>();
    const clients = new Set<string>();
    const txnIds = new Set<string>();
    const endTxn = new Set<boolean>();
    for (const f of fixture.frames) {
      seen.add(`${f.direction} ${f.apiKey}`);
      if (f.direction !== 'request') continue;
      const { header, body } = decodeRequestFrame(Buffer.from(f.hex, 'hex'));
      const software = f.apiKey === API_KEY.ApiVersions ? (body.clientSoftwareName as string | undefined) : undefined;
      for (const [name, c] of Object.entries(CLIENTS)) if (c.matches(header.clientId, software)) clients.add(name);
      if (f.apiKey === API_KEY.InitProducerId && body.transactionalId !== null) txnIds.add(body.transactionalId as string);
      if (f.apiKey === API_KEY.EndTxn) endTxn.add(body.committed as boolean);
    }
    const missing = REQUIRED_APIS.flatMap((name) =>
      (['request', 'response'] as const).filter((d) => !seen.has(`${d} ${API_KEY[name]}`)).map((d) => `${name} ${d}`),
    );
    assert.deepEqual(missing, [], `${file} lacks captured frames`);
    assert.ok(txnIds.size > 0, `${file}: no InitProducerId with a transactional id`);
    assert.deepEqual([...endTxn].sort(), [false, true], `${file}: EndTxn must be captured both aborting and committing`);
    for (const name of expectedClients(file)) {
      assert.ok(clients.has(name), `${file}: no requests from ${CLIENTS[name].label}`);
      assert.ok(fixture.description.includes(CLIENTS[name].label), `${file}: description does not name ${CLIENTS[name].label}`);
    }
  });
}
