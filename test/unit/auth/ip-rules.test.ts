import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CidrList, InvalidCidrError, IpAccessList, IpIdentityMap, normalizeAddress, parseCidr } from '../../../gateway/auth/ip-rules.ts';

describe('addresses and CIDRs', () => {
  test('IPv4-mapped IPv6 peers are IPv4; zones and brackets are dropped', () => {
    assert.deepEqual(normalizeAddress('::ffff:10.0.0.1'), { address: '10.0.0.1', family: 'ipv4' });
    assert.deepEqual(normalizeAddress('::FFFF:0a00:0001'), { address: '10.0.0.1', family: 'ipv4' });
    assert.deepEqual(normalizeAddress('0:0:0:0:0:ffff:10.1.2.3'), { address: '10.1.2.3', family: 'ipv4' });
    assert.deepEqual(normalizeAddress('fe80::1%eth0'), { address: 'fe80::1', family: 'ipv6' });
    assert.deepEqual(normalizeAddress('[::1]'), { address: '::1', family: 'ipv6' });
    assert.deepEqual(normalizeAddress('::10.0.0.1'), { address: '::10.0.0.1', family: 'ipv6' }); // IPv4-compatible, not mapped
    assert.equal(normalizeAddress('localhost'), undefined);
  });

  test('parseCidr: bare addresses, prefixes, mapped prefixes, errors', () => {
    assert.deepEqual(parseCidr('10.0.0.0/8'), { text: '10.0.0.0/8', address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    assert.deepEqual(parseCidr('192.168.1.7'), { text: '192.168.1.7', address: '192.168.1.7', prefix: 32, family: 'ipv4' });
    assert.deepEqual(parseCidr('2001:DB8::/32'), { text: '2001:DB8::/32', address: '2001:db8::', prefix: 32, family: 'ipv6' });
    assert.deepEqual(parseCidr('::ffff:10.0.0.0/104'), { text: '::ffff:10.0.0.0/104', address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'x/8', '::/129', '10.0.0.0/', '10.0.0.0/-1', 'fe80::1%eth0/64']) {
      assert.throws(() => parseCidr(bad), InvalidCidrError, bad);
    }
  });

  test('CidrList reports the first matching entry', () => {
    const l = new CidrList(['10.0.0.0/8', '10.1.0.0/16', '2001:db8::/32']);
    assert.equal(l.match('10.1.2.3')?.text, '10.0.0.0/8');
    assert.equal(l.match('::ffff:10.1.2.3')?.text, '10.0.0.0/8');
    assert.equal(l.match('2001:db8:1::1')?.text, '2001:db8::/32');
    assert.equal(l.match('11.0.0.1'), undefined);
    assert.equal(l.match('not an ip'), undefined);
  });
});

describe('listener allow/deny lists', () => {
  const acl = new IpAccessList({ allow: ['10.0.0.0/8', '2001:db8::/32'], deny: ['10.66.0.0/16', '2001:db8:bad::/48'] });

  test('allow list with the rule that decided', () => {
    assert.deepEqual(acl.check('10.1.2.3'), { allowed: true, address: '10.1.2.3', rule: 'allow 10.0.0.0/8' });
    assert.deepEqual(acl.check('2001:db8::7'), { allowed: true, address: '2001:db8::7', rule: 'allow 2001:db8::/32' });
    assert.deepEqual(acl.check('192.168.0.1'), { allowed: false, address: '192.168.0.1', rule: 'not in allow list' });
  });

  test('deny wins over allow, for IPv4, IPv4-mapped and IPv6 peers', () => {
    assert.deepEqual(acl.check('10.66.1.1'), { allowed: false, address: '10.66.1.1', rule: 'deny 10.66.0.0/16' });
    assert.deepEqual(acl.check('::ffff:10.66.1.1'), { allowed: false, address: '10.66.1.1', rule: 'deny 10.66.0.0/16' });
    assert.deepEqual(acl.check('::ffff:10.5.1.1'), { allowed: true, address: '10.5.1.1', rule: 'allow 10.0.0.0/8' });
    assert.deepEqual(acl.check('2001:db8:bad::1'), { allowed: false, address: '2001:db8:bad::1', rule: 'deny 2001:db8:bad::/48' });
  });

  test('empty allow list: allow all not denied by default; defaultAllow false refuses all', () => {
    const open = new IpAccessList({ deny: ['0.0.0.0/0'] });
    assert.deepEqual(open.check('1.2.3.4'), { allowed: false, address: '1.2.3.4', rule: 'deny 0.0.0.0/0' });
    assert.deepEqual(open.check('::1'), { allowed: true, address: '::1', rule: 'default allow' });
    assert.deepEqual(new IpAccessList().check('8.8.8.8'), { allowed: true, address: '8.8.8.8', rule: 'default allow' });
    assert.deepEqual(new IpAccessList({ defaultAllow: false }).check('8.8.8.8'), { allowed: false, address: '8.8.8.8', rule: 'default deny' });
    assert.deepEqual(new IpAccessList().check('bogus'), { allowed: false, address: 'bogus', rule: 'invalid address' });
  });

  test('an invalid CIDR in the configuration is an error', () => {
    assert.throws(() => new IpAccessList({ allow: ['10.0.0.0/40'] }), InvalidCidrError);
  });
});

describe('IP identities', () => {
  const ids = new IpIdentityMap({
    map: { '10.2.0.0/16': 'User:billing', '10.2.3.0/24': 'User:billing-batch', '10.0.0.0/8': 'internal', '2001:db8::/32': 'Service:edge' },
  });

  test('most specific prefix wins, regardless of order', () => {
    const r = ids.resolve('10.2.3.4');
    assert.ok(r.ok);
    assert.equal(r.principal.toString(), 'User:billing-batch');
    assert.equal(r.rule, '10.2.3.0/24 -> User:billing-batch');
    const b = ids.resolve('::ffff:10.2.9.9');
    assert.ok(b.ok && b.principal.toString() === 'User:billing');
    const i = ids.resolve('10.200.0.1');
    assert.ok(i.ok && i.principal.type === 'User' && i.principal.name === 'internal');
    const e = ids.resolve('2001:db8::1');
    assert.ok(e.ok && e.principal.toString() === 'Service:edge');
  });

  test('unmapped sources: refused by default, or User:ANONYMOUS', () => {
    assert.deepEqual(ids.resolve('192.168.1.1'), { ok: false, rule: 'unmapped source' });
    const anon = new IpIdentityMap({ map: [{ cidr: '10.2.0.0/16', principal: 'User:billing' }], unmapped: 'anonymous' }).resolve('192.168.1.1');
    assert.ok(anon.ok && anon.principal.toString() === 'User:ANONYMOUS');
  });

  test('malformed principals are configuration errors', () => {
    assert.throws(() => new IpIdentityMap({ map: { '10.0.0.0/8': 'User:' } }), /malformed principal/);
    assert.throws(() => new IpIdentityMap({ map: { '10.0.0.0/99': 'a' } }), InvalidCidrError);
  });
});
