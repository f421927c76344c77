// The table of recent texts the chunk walkers use for topic names and ids: always the string
// Buffer.toString gives, whatever was seen before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CACHED_TEXT_BYTES, TextCache } from '../../../gateway/protocol/text-cache.ts';

test('a text seen again is the same string, and equal to what toString gives', () => {
  const cache = new TextCache('utf8');
  const a = Buffer.from('xx orders.eu-west xx');
  const b = Buffer.from('-- orders.eu-west --');
  const first = cache.text(a, 3, 17);
  assert.equal(first, 'orders.eu-west');
  assert.equal(cache.text(b, 3, 17), first);
  // The bytes were copied: changing the buffer they came from changes nothing cached.
  a.write('ORDERS', 3);
  assert.equal(cache.text(a, 3, 17), 'ORDERS.eu-west');
  assert.equal(cache.text(b, 3, 17), 'orders.eu-west');
});

test('different bytes never come back as another text (every slot of the table replaced many times)', () => {
  const cache = new TextCache('utf8');
  const names = Array.from({ length: 5000 }, (_, i) => `topic-${i}`);
  for (let round = 0; round < 3; round++) {
    for (const name of names) {
      const buf = Buffer.from(`|${name}|`);
      assert.equal(cache.text(buf, 1, buf.length - 1), name);
    }
  }
  // Same bytes, different lengths: a prefix is not its longer text.
  const buf = Buffer.from('abcabc');
  assert.equal(cache.text(buf, 0, 6), 'abcabc');
  assert.equal(cache.text(buf, 0, 3), 'abc');
  assert.equal(cache.text(buf, 0, 0), '');
});

test('base64url for topic ids; invalid UTF-8 and long texts as toString gives them', () => {
  const ids = new TextCache('base64url');
  const id = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
  assert.equal(ids.text(id, 0, 16), id.toString('base64url'));
  assert.equal(ids.text(Buffer.from(id), 0, 16), id.toString('base64url'));

  const names = new TextCache('utf8');
  const invalid = Buffer.from([0x61, 0xff, 0xfe, 0x62]);
  assert.equal(names.text(invalid, 0, 4), invalid.toString('utf8'));
  assert.equal(names.text(invalid, 0, 4), 'a\ufffd\ufffdb');
  const long = Buffer.alloc(MAX_CACHED_TEXT_BYTES + 10, 0x6b);
  assert.equal(names.text(long, 0, long.length), long.toString('utf8'));
  assert.equal(names.text(long, 0, long.length), 'k'.repeat(MAX_CACHED_TEXT_BYTES + 10));
});
