// SCRAM message parsing (RFC 5802 §7): the parts the signature covers are kept exactly as sent, names
// are unescaped, and each malformed message is reported as a reason, not an exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeSaslName, parseClientFinal, parseClientFirst, unescapeSaslName } from '../../../../gateway/auth/sasl/scram-messages.ts';

test('saslname escaping round-trips; bad escapes are refused', () => {
  for (const name of ['alice', 'a,b', 'a=b', '=2C', 'x=3D,=', 'üser', 'CN=x,O=y']) {
    assert.equal(unescapeSaslName(escapeSaslName(name)), name);
  }
  assert.equal(escapeSaslName('a=,b'), 'a=3D=2Cb');
  for (const bad of ['', 'a=', 'a=2', 'a=2c', 'a=41', 'a\u0000b']) assert.equal(unescapeSaslName(bad), undefined, bad);
});

test('client-first: header, authzid, name, nonce and extensions; the bare message exactly as sent', () => {
  const plain = parseClientFirst('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL');
  assert.deepEqual(plain, {
    gs2Header: 'n,,',
    authzid: '',
    username: 'user',
    nonce: 'fyko+d2lbbFgONRv9qkxdawL',
    extensions: new Map(),
    bare: 'n=user,r=fyko+d2lbbFgONRv9qkxdawL',
  });
  const full = parseClientFirst('n,a=a=2Cb,n=a=2Cb,r=abc,tokenauth=true,zz=1');
  assert.ok(typeof full !== 'string');
  assert.equal(full.gs2Header, 'n,a=a=2Cb,');
  assert.equal(full.authzid, 'a,b');
  assert.equal(full.username, 'a,b');
  assert.deepEqual(
    [...full.extensions],
    [
      ['tokenauth', 'true'],
      ['zz', '1'],
    ],
  );
  assert.equal(full.bare, 'n=a=2Cb,r=abc,tokenauth=true,zz=1');
  assert.match(parseClientFirst('y,,n=user,r=abc') as string, /channel binding/);
  assert.match(parseClientFirst('n,,m=ext,n=user,r=abc') as string, /mandatory extension/);
  assert.match(parseClientFirst('n,,n=user,r=abc,e=') as string, /malformed extension/);
});

test('client-final: binding, nonce, proof; the message without proof exactly as sent', () => {
  const final = parseClientFinal('c=biws,r=abcdef,x=1,p=AAECAw==');
  assert.ok(typeof final !== 'string');
  assert.equal(final.channelBinding, 'biws');
  assert.equal(final.nonce, 'abcdef');
  assert.deepEqual(final.proof, Buffer.from([0, 1, 2, 3]));
  assert.equal(final.withoutProof, 'c=biws,r=abcdef,x=1');
  for (const bad of ['c=biws,r=abc', 'c=,r=abc,p=AAAA', 'c=biws,p=AAAA', 'c=biws,r=abc,p=AAA', 'c=biws,r=abc,p=', 'c=biws,r=a,bc,p=AAAA']) {
    assert.equal(typeof parseClientFinal(bad), 'string', bad);
  }
});
