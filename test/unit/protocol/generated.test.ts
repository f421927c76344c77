// The committed tables and body interfaces in gateway/protocol/messages/ are exactly what the generator
// writes from Kafka's definitions (the repository's parent folder holds shared/kafka-protocol/ with
// messages-4.3 and -3.9).

import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GENERATED_BANNER, generate, stripJsonComments } from '../../../gateway/protocol/codegen/generate.ts';
import { API_KEY } from '../../../gateway/protocol/messages/index.ts';

const shared = fileURLToPath(new URL('../../../../shared/kafka-protocol/', import.meta.url));
const messagesDir = fileURLToPath(new URL('../../../gateway/protocol/messages/', import.meta.url));
const inputs = ['messages-4.3', 'messages-3.9'].map((d) => shared + d);
const absent = inputs.some((d) => !existsSync(d));

test(
  'committed tables are current',
  { skip: absent ? 'shared/kafka-protocol/messages-4.3 and -3.9 are not beside the repository' : false },
  () => {
    const want = generate(inputs);
    const have = readdirSync(messagesDir)
      .filter((f) => f.endsWith('.ts'))
      .sort();
    assert.deepEqual(have, [...want.keys()].sort(), 'file set differs: run npm run gen:protocol');
    for (const [name, content] of want) {
      assert.ok(readFileSync(messagesDir + name, 'utf8') === content, `${name} is stale: run npm run gen:protocol`);
    }
  },
);

test('generation is deterministic and records no local paths', { skip: absent ? 'definitions absent' : false }, () => {
  const a = generate(inputs);
  const b = generate(inputs);
  assert.deepEqual([...a], [...b]);
  for (const [name, content] of a) {
    assert.ok(content.startsWith(GENERATED_BANNER + '\n'), `${name}: banner`);
    assert.ok(!content.includes(shared), `${name} contains a local path`);
    assert.ok(!/\/(home|work|tmp|Users)\//.test(content), `${name} contains a path`);
  }
});

test(
  'the generator writes body interfaces for every API and the api key → body maps',
  { skip: absent ? 'definitions absent' : false },
  () => {
    const files = generate(inputs);
    const types = files.get('types.ts');
    assert.ok(types, 'types.ts is generated');
    for (const [name, key] of Object.entries(API_KEY)) {
      const file = [...files.values()].find((c) => c.includes(`export interface ${name}Request {`));
      assert.ok(file?.includes(`export interface ${name}Response {`), `${name}: request and response interfaces`);
      assert.ok(types.includes(`  ${key}: ${name}Request;`) && types.includes(`  ${key}: ${name}Response;`), `${name} in the maps`);
    }
  },
);

test('every committed table starts with the generated banner', () => {
  for (const f of readdirSync(messagesDir).filter((n) => n.endsWith('.ts'))) {
    assert.ok(readFileSync(messagesDir + f, 'utf8').startsWith(GENERATED_BANNER), f);
  }
});

test('comment stripping keeps // inside strings', () => {
  assert.deepEqual(JSON.parse(stripJsonComments('{ "a": "http://x", // c\n "b": 1 } // end')), { a: 'http://x', b: 1 });
});
