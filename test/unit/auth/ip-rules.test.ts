import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IpAccessList, IpIdentityMap } from '../../../gateway/auth/ip-rules.ts';
import { InvalidCidrError } from '../../../gateway/common/address.ts';

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
    assert.deepEqual(new IpAccessList({ defaultAllow: false }).check('8.8.8.8'), {
      allowed: false,
      address: '8.8.8.8',
      rule: 'default deny',
    });
    assert.deepEqual(new IpAccessList().check('bogus'), { allowed: false, address: 'bogus', rule: 'invalid address' });
  });

  test('an invalid CIDR in the configuration is an error', () => {
    assert.throws(() => new IpAccessList({ allow: ['10.0.0.0/40'] }), InvalidCidrError);
    assert.throws(() => new IpAccessList({ allow: ['::ffff:10.0.0.0/8'] }), InvalidCidrError);
  });

  test('IPv6 ranges never match IPv4 clients, even ::/0; mapped ranges are IPv4 ranges', () => {
    const v6all = new IpAccessList({ deny: ['::/0'] });
    assert.deepEqual(v6all.check('10.0.0.1'), { allowed: true, address: '10.0.0.1', rule: 'default allow' });
    assert.deepEqual(v6all.check('::ffff:10.0.0.1'), { allowed: true, address: '10.0.0.1', rule: 'default allow' });
    assert.deepEqual(v6all.check('fd00::1'), { allowed: false, address: 'fd00::1', rule: 'deny ::/0' });
    const mapped = new IpAccessList({ allow: ['::ffff:10.0.0.0/104'] });
    assert.deepEqual(mapped.check('10.9.9.9'), { allowed: true, address: '10.9.9.9', rule: 'allow ::ffff:10.0.0.0/104' });
    assert.equal(mapped.check('11.0.0.1').allowed, false);
  });
});

describe('IP identities', () => {
  const ids = new IpIdentityMap({
    map: {
      '10.2.0.0/16': 'User:billing',
      '10.2.3.0/24': 'User:billing-batch',
      '10.0.0.0/8': 'User:internal',
      '2001:db8::/32': 'Service:edge',
    },
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
    const anon = new IpIdentityMap({ map: [{ cidr: '10.2.0.0/16', principal: 'User:billing' }], unmapped: 'anonymous' }).resolve(
      '192.168.1.1',
    );
    assert.ok(anon.ok && anon.principal.toString() === 'User:ANONYMOUS');
  });

  test('malformed principals are configuration errors', () => {
    assert.throws(() => new IpIdentityMap({ map: { '10.0.0.0/8': 'User:' } }), /malformed principal/);
    assert.throws(
      () => new IpIdentityMap({ map: { '10.0.0.0/8': 'billing' } }),
      /malformed principal/,
      'a bare name is not a principal, as in the configuration and policies',
    );
    assert.throws(() => new IpIdentityMap({ map: { '10.0.0.0/8': ' User:x' } }), /spaces/);
    assert.throws(() => new IpIdentityMap({ map: { '10.0.0.0/99': 'a' } }), InvalidCidrError);
  });
});
