// emptyObjectArray: an empty array V8 already holds as an array of objects (what the session's queues
// rely on so that a new connection does not throw away code optimised on earlier ones).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { emptyObjectArray } from '../../../gateway/common/object-array.ts';

test('it is an empty array that queues objects', () => {
  const queue = emptyObjectArray<{ n: number }>();
  assert.ok(Array.isArray(queue) && queue.length === 0);
  queue.push({ n: 1 }, { n: 2 });
  assert.equal(queue.shift()?.n, 1);
  assert.equal(queue.length, 1);
});

test('V8 holds it with object elements from the start, where a [] holds small integers', () => {
  const helper = fileURLToPath(new URL('../../../gateway/common/object-array.ts', import.meta.url));
  const script =
    `const { emptyObjectArray } = await import(${JSON.stringify(helper)});` +
    'console.log(JSON.stringify([%HasObjectElements(emptyObjectArray()), %HasObjectElements([]), %HasSmiElements([])]));';
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.deepEqual(JSON.parse(out), [true, false, true]);
});
