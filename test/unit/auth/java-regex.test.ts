import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileJavaRegex, expandJavaReplacement, javaMatches, javaReplace, JavaRegexError } from '../../../gateway/auth/java-regex.ts';

test('Java semantics kept in translation: $ before a final line terminator, . excludes \\u0085, \\Z, \\z, \\A', () => {
  const p = compileJavaRegex('a$');
  assert.equal(new RegExp(p.source).test('a\n'), true);
  assert.equal(javaMatches(compileJavaRegex('a.b'), 'a\u0085b'), false);
  assert.equal(javaMatches(compileJavaRegex('(?s)a.b'), 'a\u0085b'), true);
  assert.equal(new RegExp(compileJavaRegex('a\\Z').source).test('a\r\n'), true);
  assert.equal(new RegExp(compileJavaRegex('a\\z').source).test('a\n'), false);
  assert.equal(javaMatches(compileJavaRegex('\\Aab'), 'ab'), true);
});

test('escapes: \\Q…\\E, octal, \\x{…}, \\h, POSIX classes, slash', () => {
  assert.equal(javaMatches(compileJavaRegex('\\Q.*+?[]\\E'), '.*+?[]'), true);
  assert.equal(javaMatches(compileJavaRegex('\\0101'), 'A'), true);
  assert.equal(javaMatches(compileJavaRegex('\\x{1F600}'), '😀'), true);
  assert.equal(javaMatches(compileJavaRegex('a\\hb'), 'a\u00a0b'), true);
  assert.equal(javaMatches(compileJavaRegex('[\\p{Upper}\\p{Digit}]+'), 'A1'), true);
  assert.equal(javaMatches(compileJavaRegex('\\P{Lower}'), 'a'), false);
  assert.equal(javaMatches(compileJavaRegex('a/b[/]c'), 'a/b/c'), true);
});

test('group count counts named and plain groups, not lookarounds or escaped parentheses', () => {
  const p = compileJavaRegex('(a)(?:b)(?<n>c)(?=d)(?<=e)\\(x\\)[(]');
  assert.equal(p.groupCount, 2);
  assert.equal(p.groupNames.get('n'), 2);
});

test('unsupported constructs are refused', () => {
  for (const p of [
    'a*+',
    'a++',
    'a?+',
    'a{2}+',
    '(?>a)',
    '[a[b]]',
    '[a&&b]',
    '(?x)a',
    'a(?i)b',
    '\\pL',
    '\\p{IsLatin}',
    '\\R',
    '[]a]',
    'a{',
    '[a',
    'a\\',
    '(',
  ]) {
    assert.throws(() => compileJavaRegex(p), JavaRegexError, p);
  }
});

test('replacement strings: greedy group numbers, named groups, escapes, errors', () => {
  const p = compileJavaRegex('(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)');
  const m = new RegExp(p.source).exec('abcdefghijk')!;
  assert.equal(expandJavaReplacement('$11|$10|$1x|$111', p, m), 'k|j|ax|k1');
  assert.equal(expandJavaReplacement('\\$1\\\\', p, m), '$1\\');
  assert.throws(() => expandJavaReplacement('$', p, m), /group index is missing/);
  assert.throws(() => expandJavaReplacement('$x', p, m), /Illegal group reference/);
  assert.throws(() => expandJavaReplacement('x\\', p, m), /character to be escaped/);
  assert.throws(() => expandJavaReplacement('${nope}', p, m), /No group with name/);
  const opt = compileJavaRegex('(a)|(b)');
  assert.equal(javaReplace('b', opt, '[$1]', true), '[]'); // a group that did not take part is empty
  assert.equal(javaReplace('aXa', compileJavaRegex('a'), 'b', false), 'bXa');
});
