// The OAUTHBEARER client initial response grammar as Kafka's broker reads it (spec §4.6): what the Java
// client and kafkajs send is accepted, everything Kafka's pattern refuses is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInitialResponse } from '../../../../gateway/auth/sasl/oauthbearer/initial-response.ts';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
const A = '\x01';

function parse(text: string) {
  return parseInitialResponse(Buffer.from(text, 'latin1'));
}

function accepted(text: string) {
  const result = parse(text);
  assert.ok(result.ok, `expected ${JSON.stringify(text)} to parse, got ${result.ok ? '' : result.problem}`);
  return result.response;
}

function refused(text: string, problem: RegExp) {
  const result = parse(text);
  assert.equal(result.ok, false, `expected ${JSON.stringify(text)} to be refused`);
  if (!result.ok) assert.match(result.problem, problem);
}

test('the Java client message: no authzid, no extensions', () => {
  const r = accepted(`n,,${A}auth=Bearer ${JWT}${A}${A}`);
  assert.equal(r.token, JWT);
  assert.equal(r.authzid, '');
  assert.equal(r.extensions.size, 0);
});

test('an authzid is kept as sent (escapes included, as Kafka compares it)', () => {
  assert.equal(accepted(`n,a=alice,${A}auth=Bearer ${JWT}${A}${A}`).authzid, 'alice');
  assert.equal(accepted(`n,a=a=2Cb=3Dc,${A}auth=Bearer ${JWT}${A}${A}`).authzid, 'a=2Cb=3Dc');
});

test('extensions before or after auth are returned without auth; a repeated key keeps the last value', () => {
  const r = accepted(`n,,${A}traceId=abc 123${A}auth=Bearer ${JWT}${A}logicalCluster=lkc-1${A}logicalCluster=lkc-2${A}${A}`);
  assert.equal(r.token, JWT);
  assert.deepEqual(
    [...r.extensions],
    [
      ['traceId', 'abc 123'],
      ['logicalCluster', 'lkc-2'],
    ],
  );
});

test('extension values may hold =, TAB, CR and LF', () => {
  const r = accepted(`n,,${A}auth=Bearer ${JWT}${A}k=a=b\t\r\nc${A}${A}`);
  assert.equal(r.extensions.get('k'), 'a=b\t\r\nc');
});

test('the scheme is case-insensitive, several spaces may follow it, and the token may carry b64token characters and padding', () => {
  assert.equal(accepted(`n,,${A}auth=bEaReR   ${JWT}${A}${A}`).token, JWT);
  assert.equal(accepted(`n,,${A}auth=Bearer a-b_c~d+e/f.g==${A}${A}`).token, 'a-b_c~d+e/f.g==');
});

test('refused: GS2 headers other than n with an optional authzid', () => {
  refused(`y,,${A}auth=Bearer ${JWT}${A}${A}`, /GS2/);
  refused(`p=tls-unique,,${A}auth=Bearer ${JWT}${A}${A}`, /GS2/);
  refused(`n,b=alice,${A}auth=Bearer ${JWT}${A}${A}`, /authzid/);
  refused(`n,a=,${A}auth=Bearer ${JWT}${A}${A}`, /authzid/);
  refused(`n,a=al=ice,${A}auth=Bearer ${JWT}${A}${A}`, /authzid/);
  refused(`n${A}auth=Bearer ${JWT}${A}${A}`, /GS2/);
});

test("refused: no auth, a scheme other than Bearer, a bad 'auth' value", () => {
  refused(`n,,${A}${A}`, /'auth' not specified/);
  refused(`n,,${A}foo=bar${A}${A}`, /'auth' not specified/);
  refused(`n,,${A}auth=Basic ${JWT}${A}${A}`, /scheme/);
  refused(`n,,${A}auth=Bearer${JWT}${A}${A}`, /'auth' format/);
  refused(`n,,${A}auth=Bearer ${JWT} ${A}${A}`, /'auth' format/);
  refused(`n,,${A}auth=Bearer ab=c${A}${A}`, /'auth' format/);
  refused(`n,,${A}auth=Bearer a*b${A}${A}`, /'auth' format/);
});

test('refused: separators missing or extra, bad keys and values', () => {
  refused(`n,,auth=Bearer ${JWT}${A}${A}`, /separator/);
  refused(`n,,${A}auth=Bearer ${JWT}${A}`, /not terminated|separator/);
  refused(`n,,${A}auth=Bearer ${JWT}`, /separator/);
  refused(`n,,${A}auth=Bearer ${JWT}${A}${A}${A}`, /pair/);
  refused(`n,,${A}auth=Bearer ${JWT}${A}k1=v${A}${A}`, /pair/);
  refused(`n,,${A}auth=Bearer ${JWT}${A}k=${A}${A}`, /pair/);
  refused(`n,,${A}auth=Bearer ${JWT}${A}novalue${A}${A}`, /=/);
  refused(`n,,${A}auth=Bearer ${JWT}${A}k=a\x00b${A}${A}`, /pair/);
  refused(`n,,${A}auth=Bearer ${JWT}${A}${A}trailing`, /separator/);
});

test('refused: any byte above 0x7F, the empty message, and the lone 0x01', () => {
  assert.equal(parseInitialResponse(Buffer.from(`n,,${A}auth=Bearer ${JWT}${A}k=é${A}${A}`, 'utf8')).ok, false);
  assert.equal(parseInitialResponse(Buffer.alloc(0)).ok, false);
  assert.equal(parseInitialResponse(Buffer.from([1])).ok, false);
});

test('random bytes never throw', () => {
  for (let i = 0; i < 2000; i++) {
    const bytes = Buffer.from(Array.from({ length: Math.floor(Math.random() * 40) }, () => Math.floor(Math.random() * 256)));
    parseInitialResponse(Buffer.concat([Buffer.from('n,,\x01'), bytes]));
    parseInitialResponse(bytes);
  }
});
