// The one address/CIDR parser: normalisation of peers, Java's host rendering, CIDR errors, matching.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';
import {
  CidrList,
  cidrProblem,
  InvalidCidrError,
  javaHostAddress,
  normalizeAddress,
  parseCidr,
  parseIp,
} from '../../../gateway/common/address.ts';

describe('addresses', () => {
  test('IPv4-mapped IPv6 peers are IPv4; zones and brackets are dropped from peers; IPv6 is RFC 5952 text', () => {
    assert.deepEqual(normalizeAddress('::ffff:10.0.0.1'), { address: '10.0.0.1', family: 'ipv4' });
    assert.deepEqual(normalizeAddress('::FFFF:0a00:0001'), { address: '10.0.0.1', family: 'ipv4' });
    assert.deepEqual(normalizeAddress('0:0:0:0:0:ffff:10.1.2.3'), { address: '10.1.2.3', family: 'ipv4' });
    assert.deepEqual(normalizeAddress('fe80::1%eth0'), { address: 'fe80::1', family: 'ipv6' });
    assert.deepEqual(normalizeAddress('[::1]'), { address: '::1', family: 'ipv6' });
    assert.deepEqual(normalizeAddress('0:0:0:0:0:0:0:1'), { address: '::1', family: 'ipv6' });
    assert.deepEqual(normalizeAddress('2001:DB8:0:0:1:0:0:1'), { address: '2001:db8::1:0:0:1', family: 'ipv6' });
    assert.deepEqual(
      normalizeAddress('1:0:2:3:4:5:6:7'),
      { address: '1:0:2:3:4:5:6:7', family: 'ipv6' },
      'one zero group is not compressed',
    );
    assert.deepEqual(normalizeAddress('::10.0.0.1'), { address: '::a00:1', family: 'ipv6' }, 'IPv4-compatible is not mapped');
    for (const bad of ['localhost', '', ' 10.0.0.1', '10.0.0.1 ', '010.0.0.1', '10.0.0.256', '::ffff:1.2.3.04', 'unix-socket']) {
      assert.equal(normalizeAddress(bad), undefined, JSON.stringify(bad));
    }
  });

  test('parseIp is strict: no zone, no brackets', () => {
    assert.equal(parseIp('fe80::1%eth0'), undefined);
    assert.equal(parseIp('[::1]'), undefined);
    assert.deepEqual(parseIp('::ffff:192.0.2.1'), { address: '192.0.2.1', family: 'ipv4' });
  });

  test("Java's getHostAddress rendering", () => {
    const cases: [string, string][] = [
      ['10.0.0.5', '10.0.0.5'],
      ['::1', '0:0:0:0:0:0:0:1'],
      ['::', '0:0:0:0:0:0:0:0'],
      ['2001:DB8::a:0:1', '2001:db8:0:0:0:a:0:1'],
      ['::ffff:10.0.0.5', '10.0.0.5'],
      ['::10.0.0.5', '0:0:0:0:0:0:a00:5'],
      ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ];
    for (const [text, java] of cases) assert.equal(javaHostAddress(parseIp(text)!), java, text);
  });
});

describe('CIDRs', () => {
  test('bare addresses, prefixes, mapped prefixes', () => {
    assert.deepEqual(parseCidr('10.0.0.0/8'), { text: '10.0.0.0/8', address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    assert.deepEqual(parseCidr('192.168.1.7'), { text: '192.168.1.7', address: '192.168.1.7', prefix: 32, family: 'ipv4' });
    assert.deepEqual(parseCidr('2001:DB8::/32'), { text: '2001:DB8::/32', address: '2001:db8::', prefix: 32, family: 'ipv6' });
    assert.deepEqual(parseCidr('::ffff:10.0.0.0/104'), { text: '::ffff:10.0.0.0/104', address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    assert.deepEqual(parseCidr('::ffff:10.0.0.1'), { text: '::ffff:10.0.0.1', address: '10.0.0.1', prefix: 32, family: 'ipv4' });
    assert.deepEqual(parseCidr('::ffff:0:0/96'), { text: '::ffff:0:0/96', address: '0.0.0.0', prefix: 0, family: 'ipv4' });
  });

  test('errors name the CIDR and say what is wrong', () => {
    const cases: [string, RegExp][] = [
      [
        '::ffff:10.0.0.0/8',
        /^invalid CIDR '::ffff:10\.0\.0\.0\/8': an IPv4-mapped address needs a prefix length of 96\.\.128 .*for the IPv4 range write 10\.0\.0\.0\/8$/,
      ],
      ['::ffff:10.0.0.0/64', /needs a prefix length of 96\.\.128/],
      ['::ffff:10.0.0.0/129', /prefix length must be 96\.\.128 \(got '129'\)/],
      ['10.0.0.0/33', /prefix length must be 0\.\.32 \(got '33'\)/],
      ['::/129', /prefix length must be 0\.\.128 \(got '129'\)/],
      ['10.0.0.0/', /prefix length must be 0\.\.32 \(got ''\)/],
      ['10.0.0.0/-1', /prefix length must be 0\.\.32/],
      ['10.0.0.0/+8', /prefix length must be 0\.\.32/],
      ['10.0.0.0/ 8', /prefix length must be 0\.\.32/],
      ['10.0.0/8', /'10\.0\.0' is not an IP address/],
      ['x/8', /'x' is not an IP address/],
      ['', /'' is not an IP address/],
      [' 10.0.0.0/8', /is not an IP address/],
      ['[::1]/128', /is not an IP address/],
      ['fe80::1%eth0/64', /has a zone id/],
      ['fe80::1%eth0', /has a zone id/],
      ['10.0.0.0/8/8', /more than one '\/'/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseCidr(text),
        (err: unknown) => err instanceof InvalidCidrError && message.test(err.message),
        text,
      );
      assert.ok(cidrProblem(text), text);
    }
    assert.equal(cidrProblem('10.0.0.0/8'), undefined);
    assert.equal(
      cidrProblem('::ffff:10.0.0.0/8'),
      'an IPv4-mapped address needs a prefix length of 96..128 (::ffff:10.0.0.0/104 is 10.0.0.0/8); for the IPv4 range write 10.0.0.0/8',
    );
  });

  test('CidrList: first matching entry, families never cross, host bits ignored', () => {
    const l = new CidrList(['10.0.0.0/8', '10.1.0.0/16', '2001:db8::/32', '::/0', '172.16.5.5/12']);
    assert.equal(l.match('10.1.2.3')?.text, '10.0.0.0/8');
    assert.equal(l.match('::ffff:10.1.2.3')?.text, '10.0.0.0/8');
    assert.equal(l.match('2001:db8:1::1')?.text, '2001:db8::/32');
    assert.equal(l.match('fd00::1')?.text, '::/0');
    assert.equal(l.match('172.31.0.1')?.text, '172.16.5.5/12');
    assert.equal(l.match('11.0.0.1'), undefined, '::/0 is IPv6 only');
    assert.equal(l.match('not an ip'), undefined);
    assert.equal(l.contains('11.0.0.1'), false);
    assert.equal(l.containsIp({ address: '0:0:0:0:0:0:0:1', family: 'ipv6' }), true, 'any valid IPv6 text');
    const v4all = new CidrList(['0.0.0.0/0']);
    assert.equal(v4all.contains('::1.2.3.4'), false, 'IPv4 ranges never match IPv6 clients');
    assert.equal(v4all.contains('::ffff:1.2.3.4'), true);
    assert.throws(() => new CidrList(['::ffff:10.0.0.0/8']), InvalidCidrError);
  });
});

describe('hostile input', () => {
  test('never throws on junk (only InvalidCidrError from parseCidr); IPv6 text agrees with Node and round-trips', () => {
    let seed = 7;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const alphabet = '0123456789abcdefF:::..%/[] x';
    const node = (a: string) => new net.SocketAddress({ address: a, family: 'ipv6' }).address;
    let ipv6 = 0;
    for (let i = 0; i < 100_000; i++) {
      const text = Array.from({ length: 1 + Math.floor(rand() * 40) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      const peer = normalizeAddress(text);
      parseIp(text);
      try {
        parseCidr(text);
      } catch (err) {
        assert.ok(err instanceof InvalidCidrError, `${JSON.stringify(text)}: ${String(err)}`);
      }
      if (peer?.family !== 'ipv6') continue;
      ipv6++;
      assert.deepEqual(normalizeAddress(peer.address), peer, `${JSON.stringify(text)} round-trips`);
      // Node prints IPv4-compatible addresses (::a.b.c.d) with a dotted tail; everything else must match exactly.
      if (!node(peer.address).includes('.')) assert.equal(peer.address, node(peer.address), JSON.stringify(text));
    }
    assert.ok(ipv6 > 100, `enough IPv6 literals among the junk (${ipv6})`);
    // And addresses with many zero runs, written out in full: compression agrees with Node, Java's form is the groups.
    for (let i = 0; i < 20_000; i++) {
      const groups = Array.from({ length: 8 }, () => (rand() < 0.5 ? 0 : Math.floor(rand() * 65536)));
      const full = groups.map((g) => g.toString(16).padStart(rand() < 0.5 ? 4 : 1, '0')).join(':');
      const ip = parseIp(full)!;
      if (ip.family === 'ipv4') continue; // mapped
      if (!node(full).includes('.')) assert.equal(ip.address, node(full), full);
      assert.equal(javaHostAddress(ip), groups.map((g) => g.toString(16)).join(':'), full);
    }
  });
});
