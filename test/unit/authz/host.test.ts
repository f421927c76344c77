// Host rendering (Java's getHostAddress) and matching (exact, *, CIDR, IPv4-mapped peers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientHost, HostMatcher, parseHost, type HostSpec } from '../../../gateway/authz/host.ts';

test('peers render as Java renders them', () => {
  const cases: [string, string][] = [
    ['10.0.0.5', '10.0.0.5'],
    ['::1', '0:0:0:0:0:0:0:1'],
    ['::', '0:0:0:0:0:0:0:0'],
    ['2001:DB8::a:0:1', '2001:db8:0:0:0:a:0:1'],
    ['fe80::1%eth0', 'fe80:0:0:0:0:0:0:1'],
    ['::ffff:10.0.0.5', '10.0.0.5'],
    ['::ffff:a00:5', '10.0.0.5'],
    ['::10.0.0.5', '0:0:0:0:0:0:a00:5'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ];
  for (const [peer, rendered] of cases) assert.equal(clientHost(peer).rendered, rendered, peer);
  assert.deepEqual(clientHost('unix-socket'), { rendered: 'unix-socket', checkable: undefined });
});

function matcher(...hosts: string[]): HostMatcher {
  return new HostMatcher(hosts.map((h) => parseHost(h) as HostSpec));
}

test('exact, wildcard and CIDR matching', () => {
  assert.equal(matcher('*').matches(clientHost('203.0.113.1')), true);
  assert.equal(matcher('10.0.0.6').matches(clientHost('10.0.0.5')), false);
  assert.equal(matcher('::1').matches(clientHost('0:0:0:0:0:0:0:1')), true, 'policy IPs are normalised');
  assert.equal(matcher('10.0.0.0/24').matches(clientHost('10.0.0.200')), true);
  assert.equal(matcher('10.0.0.0/24').matches(clientHost('10.0.1.1')), false);
  assert.equal(matcher('10.0.0.0/24').matches(clientHost('::ffff:10.0.0.9')), true, 'mapped peers match IPv4 ranges');
  assert.equal(matcher('10.0.0.5').matches(clientHost('::ffff:10.0.0.5')), true);
  assert.equal(matcher('::ffff:10.0.0.0/104').matches(clientHost('10.0.0.9')), true, 'mapped range = IPv4 range');
  assert.equal(matcher('fd00::/8').matches(clientHost('fd12::1')), true);
  assert.equal(matcher('fd00::/8').matches(clientHost('10.0.0.1')), false);
  assert.equal(matcher('kafka.example.com').matches(clientHost('10.0.0.1')), false, 'host names never match');
  // The same semantics as the listener's network rules (common/address.ts): families never cross.
  assert.equal(matcher('::/0').matches(clientHost('10.0.0.1')), false, 'an IPv6 range never matches an IPv4 client');
  assert.equal(matcher('::/0').matches(clientHost('::ffff:10.0.0.1')), false, 'nor a mapped one');
  assert.equal(matcher('::/0').matches(clientHost('fd00::1')), true);
  assert.equal(matcher('0.0.0.0/0').matches(clientHost('::1.2.3.4')), false, 'an IPv4 range never matches an IPv6 client');
  assert.equal(matcher('[::1]').matches(clientHost('::1')), true, 'a bracketed literal is the address, as for peers');
});

test('malformed CIDRs are rejected with a reason', () => {
  assert.match((parseHost('10.0.0.0/33') as { error: string }).error, /prefix length must be 0\.\.32/);
  assert.match((parseHost('fd00::/129') as { error: string }).error, /0\.\.128/);
  assert.match((parseHost('::ffff:10.0.0.0/8') as { error: string }).error, /96\.\.128/);
  assert.match((parseHost('nope/8') as { error: string }).error, /not an IP address/);
  assert.match((parseHost('10.0.0.0/x') as { error: string }).error, /prefix length/);
  assert.match((parseHost('fe80::1%eth0/64') as { error: string }).error, /zone id/);
  assert.match((parseHost('10.0.0.0/8/8') as { error: string }).error, /more than one/);
});
