// Golden frames captured from real clients and brokers (test/harness/capture-fixtures.ts): every frame
// decodes, re-encodes byte for byte, and the header peek and Produce peek agree with the full decode.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
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
const MIN_FRAMES = 300;

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
        assert.deepEqual(peek, { apiKey: header.requestApiKey, apiVersion: header.requestApiVersion, correlationId: header.correlationId, clientId: header.clientId }, where);
        assert.equal(header.requestApiKey, f.apiKey, where);
        assert.equal(header.correlationId, f.correlationId, where);
        assert.equal(encodeRequestFrame(header, body).toString('hex'), f.hex, `${where}: re-encode differs`);
        if (f.apiKey === 0) {
          const p = peekProduce(frame);
          assert.equal(p.acks, body.acks, where);
          assert.deepEqual(p.topics.map((t) => t.name ?? t.topicId), body.topicData.map((t: { name: string; topicId: string }) => (f.apiVersion >= 13 ? t.topicId : t.name)), where);
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
