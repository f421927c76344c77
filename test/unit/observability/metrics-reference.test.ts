// The README's metrics reference is what the registry holds: a metric added, renamed or re-labelled
// without `npm run gen:metrics-doc` fails here.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { metricsReference, withMetricsReference } from '../../../gateway/observability/metrics-reference.ts';

const README = path.resolve(import.meta.dirname, '../../../README.md');

test('the README lists every gatehouse_ metric with its type, labels and help, as generated from the registry', () => {
  const readme = fs.readFileSync(README, 'utf8');
  assert.equal(readme, withMetricsReference(readme), 'README metrics reference is out of date: run npm run gen:metrics-doc');
});

test('the reference names each metric once, with its labels', () => {
  const table = metricsReference();
  assert.match(table, /\| `gatehouse_authz_decisions_total` \| counter \| `api`, `resource_type`, `operation`, `decision`, `rule` \|/);
  assert.match(table, /\| `gatehouse_request_duration_seconds` \| histogram \| `api` \|/);
  const names = [...table.matchAll(/^\| `(gatehouse_[a-z_]+)`/gm)].map((m) => m[1]);
  assert.equal(new Set(names).size, names.length);
  assert.ok(names.length >= 25, `${names.length} metrics`);
});

test('a README without the markers is refused, not silently left alone', () => {
  assert.throws(() => withMetricsReference('# no markers here\n'), /markers/);
});
