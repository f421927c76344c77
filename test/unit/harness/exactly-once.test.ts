// The smoke suite's verdict comes from this checker; show it rejects what it must.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertExactlyOnceInOrder, parseConsoleConsumer } from '../../harness/verify.ts';

const sent = ['a', 'b', 'c', 'd'];

test('accepts every message once, in send order within each partition', () => {
  assertExactlyOnceInOrder(
    sent,
    [
      { partition: 1, value: 'b' },
      { partition: 0, value: 'a' },
      { partition: 0, value: 'c' },
      { partition: 1, value: 'd' },
    ],
    'ok',
  );
});

test('rejects a missing message', () => {
  assert.throws(() =>
    assertExactlyOnceInOrder(
      sent,
      sent.slice(1).map((value) => ({ partition: 0, value })),
      'missing',
    ),
  );
});

test('rejects a duplicate', () => {
  assert.throws(() =>
    assertExactlyOnceInOrder(
      sent,
      [...sent, 'c'].map((value) => ({ partition: 0, value })),
      'dup',
    ),
  );
});

test('rejects reordering within a partition', () => {
  assert.throws(() =>
    assertExactlyOnceInOrder(
      sent,
      ['a', 'c', 'b', 'd'].map((value) => ({ partition: 0, value })),
      'order',
    ),
  );
});

test('rejects a message nobody sent', () => {
  assert.throws(() =>
    assertExactlyOnceInOrder(
      sent,
      [...sent, 'x'].map((value) => ({ partition: 0, value })),
      'extra',
    ),
  );
});

test('console consumer lines parse into partition and value', () => {
  assert.deepEqual(parseConsoleConsumer('Partition:2\tOffset:7\tv-1\nnoise\nPartition:0\tv-2\n'), [
    { partition: 2, value: 'v-1' },
    { partition: 0, value: 'v-2' },
  ]);
});
