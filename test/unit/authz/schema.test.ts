// The JSON Schema for editors and the loader accept the same language; the examples are valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { OPERATIONS } from '../../../gateway/authz/model.ts';
import { RESOURCE_KEYS, RULE_KEYS, RULE_MODES, TOP_LEVEL_KEYS } from '../../../gateway/authz/policy-file.ts';
import { loadPolicy } from '../../../gateway/authz/policy-loader.ts';

const root = new URL('../../../policies/', import.meta.url);

test('schema and loader agree on keys, operations and modes', async () => {
  type Properties = { properties: Record<string, { enum?: string[] }> };
  const schema = JSON.parse(await readFile(new URL('schema/policy.schema.json', root), 'utf8')) as Properties & {
    $schema: string;
    $defs: { rule: Properties; resource: Properties; operation: { enum: string[] } };
  };
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.deepEqual(Object.keys(schema.properties).sort(), [...TOP_LEVEL_KEYS].sort());
  assert.deepEqual(Object.keys(schema.$defs.rule.properties).sort(), [...RULE_KEYS].sort());
  assert.deepEqual(Object.keys(schema.$defs.resource.properties).sort(), Object.keys(RESOURCE_KEYS).sort());
  assert.deepEqual([...schema.$defs.operation.enum].sort(), [...OPERATIONS].sort());
  assert.deepEqual(schema.$defs.rule.properties.mode.enum, RULE_MODES);
});

test('the example directory loads as one merged policy', async () => {
  const result = await loadPolicy(new URL('examples', root).pathname);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  assert.equal(result.policy.files.length, 5);
  assert.deepEqual(result.policy.superUsers, ['User:break-glass']);
});
