// The topic id ↔ name cache stays within its cap, dropping the least recently used pair first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_MAX_TOPIC_IDS, TopicIdCache } from '../../../gateway/routing/topic-ids.ts';

const id = (i: number) => `id-${i}`;
const name = (i: number) => `topic-${i}`;

test('the cache never holds more than its cap, whatever a backend announces', () => {
  const cache = new TopicIdCache(1000);
  for (let i = 0; i < 50_000; i++) cache.remember(id(i), name(i));
  assert.equal(cache.size, 1000);
  assert.equal(cache.nameOf(id(49_999)), name(49_999), 'the newest pairs stay');
  assert.equal(cache.idOf(name(49_000)), id(49_000));
  assert.equal(cache.nameOf(id(48_999)), undefined, 'older ones are gone, in both directions');
  assert.equal(cache.idOf(name(0)), undefined);
});

test('a pair in use survives eviction; the least recently used goes first', () => {
  const cache = new TopicIdCache(3);
  cache.remember(id(1), name(1));
  cache.remember(id(2), name(2));
  cache.remember(id(3), name(3));
  assert.equal(cache.nameOf(id(1)), name(1)); // 1 is now the most recently used
  cache.remember(id(4), name(4)); // evicts 2
  assert.equal(cache.nameOf(id(2)), undefined);
  assert.equal(cache.idOf(name(2)), undefined);
  assert.equal(cache.idOf(name(3)), id(3)); // 3 is now the most recently used
  cache.remember(id(5), name(5)); // evicts 1
  assert.equal(cache.nameOf(id(1)), undefined);
  assert.deepEqual(
    [3, 4, 5].map((i) => cache.nameOf(id(i))),
    [name(3), name(4), name(5)],
  );
  assert.equal(cache.size, 3);
});

test('re-created topics and renamed ids keep both directions consistent within the cap', () => {
  const cache = new TopicIdCache(2);
  cache.remember('old', 't');
  cache.remember('new', 't'); // topic t re-created with a new id
  assert.equal(cache.nameOf('old'), undefined);
  assert.equal(cache.idOf('t'), 'new');
  cache.remember('x', 'u');
  cache.remember('y', 'v'); // evicts new/t
  assert.equal(cache.idOf('t'), undefined);
  assert.equal(cache.size, 2);
});

test('the default cap is 100k and a nonsensical cap is refused', () => {
  assert.equal(DEFAULT_MAX_TOPIC_IDS, 100_000);
  const cache = new TopicIdCache();
  for (let i = 0; i < DEFAULT_MAX_TOPIC_IDS + 10; i++) cache.remember(id(i), name(i));
  assert.equal(cache.size, DEFAULT_MAX_TOPIC_IDS);
  assert.throws(() => new TopicIdCache(0), RangeError);
});
