// Every layer that reads addresses agrees with every other (issue: the configuration accepted
// `allow: ["::ffff:10.0.0.0/8"]`, admission then threw). The same strings go to the configuration, to
// a listener's admission, and to a policy's hosts: what the configuration accepts, admission never
// throws on and a policy accepts too; what it refuses, a policy refuses; and an accepted CIDR matches
// the same client addresses in the listener's allow list, its IP identities and a policy's hosts.
import assert from 'node:assert/strict';
import net from 'node:net';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import type { ClientIdentity } from '../../../gateway/auth/client-identity.ts';
import { IpAccessList, IpIdentityMap } from '../../../gateway/auth/ip-rules.ts';
import { clientHost, HostMatcher, parseHost } from '../../../gateway/authz/host.ts';
import { ConfigError, parseConfig, type ListenerConfig } from '../../../gateway/config/schema.ts';
import { GatewayMetrics } from '../../../gateway/observability/gateway-metrics.ts';
import { ListenerAdmission } from '../../../gateway/session/admission.ts';

const silent = pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() }));
/** What the admissions count into (one gateway's connection series). */
const metrics = new GatewayMetrics().proxy;

/** A small deterministic PRNG, so a failure names a reproducible case. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Address-like strings, valid and not: IPv4, IPv6, mapped and compatible forms, zones, brackets, odd prefixes. */
function candidates(count: number, rand: () => number): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const octet = () => pick(['0', '10', '127', '192', '255', '256', '010', String(Math.floor(rand() * 256))]);
  const v4 = () => [octet(), octet(), octet(), octet()].join('.');
  const group = () => pick(['0', 'ffff', 'FFFF', 'db8', '2001', 'fe80', '1', '0000', 'g', Math.floor(rand() * 65536).toString(16)]);
  const v6 = () =>
    pick([
      () => Array.from({ length: 8 }, group).join(':'),
      () => `${group()}::${group()}`,
      () => `::${group()}`,
      () => '::',
      () => `::ffff:${v4()}`,
      () => `0:0:0:0:0:ffff:${v4()}`,
      () => `::ffff:${group()}:${group()}`,
      () => `::${v4()}`,
      () => `${group()}:${group()}::${v4()}`,
      () => `fe80::${group()}%eth0`,
      () => `[${pick(['::1', '::ffff:10.0.0.1'])}]`,
    ])();
  const prefix = () =>
    pick(['', '/0', '/1', '/8', '/32', '/33', '/64', '/95', '/96', '/104', '/120', '/128', '/129', '/', '/-1', '/08', '/x', '/8/8', ` /8`]);
  const decorate = (s: string) => pick([s, s, s, s, s, ` ${s}`, `${s} `, s.toUpperCase()]);
  const fixed = [
    '::ffff:10.0.0.0/8',
    '::ffff:10.0.0.0/104',
    '::ffff:0:0/96',
    '::/0',
    '0.0.0.0/0',
    '10.1.2.3/8',
    'fe80::1%eth0/64',
    '::ffff:10.0.0.1',
    '[::1]',
    '10.0.0.0/8/8',
    '::1.2.3.4/128',
    'localhost',
    '',
    '*',
  ];
  return [...fixed, ...Array.from({ length: count }, () => decorate(`${rand() < 0.5 ? v4() : v6()}${prefix()}`))];
}

/** Client addresses to try an accepted CIDR with: its own network, its neighbours, their mapped forms, random ones. */
function probes(cidr: string, rand: () => number): string[] {
  const base = cidr
    .split('/')[0]
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '');
  const out = new Set<string>(['10.0.0.1', '127.0.0.1', '::1', 'fd00::1', '::ffff:10.0.0.1', '2001:db8::1', '0.0.0.0', '255.255.255.255']);
  if (net.isIPv4(base)) {
    const n = base
      .split('.')
      .map(Number)
      .reduce((a, b) => a * 256 + b, 0);
    for (const d of [0, 1, -1, 255, 256, 65536, 1 << 24]) {
      const v = (n + d + 2 ** 32) % 2 ** 32;
      const quad = [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
      out.add(quad).add(`::ffff:${quad}`);
    }
  } else if (net.isIPv6(base)) {
    out.add(base);
  }
  for (let i = 0; i < 4; i++) out.add(Array.from({ length: 4 }, () => Math.floor(rand() * 256)).join('.'));
  return [...out];
}

function configWith(network: string): ListenerConfig | ConfigError {
  const yaml = `backend: { bootstrapServers: ["127.0.0.1:9092"] }
listeners:
  - name: t
    bind: 127.0.0.1:9093
    plaintext: true
    routing: { basePort: 9100 }
${network.replace(/^/gm, '    ')}
authorization: { mode: off }
`;
  try {
    return parseConfig(yaml, 'gatehouse.yaml').listeners[0];
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
}

test('configuration, admission and policy hosts accept the same CIDRs and match the same clients', () => {
  const seed = 20261201;
  const rand = random(seed);
  let accepted = 0;
  for (const text of candidates(3000, rand)) {
    const q = JSON.stringify(text);
    const where = `${q} (seed ${seed})`;
    const configs = [
      configWith(`network: { allow: [${q}] }`),
      configWith(`network: { deny: [${q}] }`),
      configWith(`network: { identities: { ${q}: User:x } }`),
      configWith(`proxyProtocol: { trustedSources: [${q}] }`),
    ];
    const verdicts = configs.map((c) => !(c instanceof ConfigError));
    assert.ok(
      verdicts.every((v) => v === verdicts[0]),
      `every address key of the configuration agrees on ${where}`,
    );
    const host = parseHost(text);
    if (!verdicts[0]) {
      // What the configuration refuses as a CIDR, a policy refuses as a CIDR (a bare string is a Kafka host literal).
      if (text.includes('/')) assert.ok('error' in host, `a policy refuses ${where} too`);
      continue;
    }
    accepted++;
    for (const c of configs as ListenerConfig[]) {
      // The real admission of a listener with these rules: it must be built without an exception.
      const admission = new ListenerAdmission(c, silent, { metrics });
      admission.close();
    }
    assert.ok(!('error' in host), `a policy accepts ${where} too`);
    const hosts = new HostMatcher([host]);
    const allow = new IpAccessList({ allow: [text] });
    const identities = new IpIdentityMap({ map: [{ cidr: text, principal: 'User:x' }] });
    for (const peer of probes(text, rand)) {
      const inAllow = allow.check(peer).allowed;
      assert.equal(identities.resolve(peer).ok, inAllow, `IP identity and allow list agree on ${peer} for ${where}`);
      assert.equal(hosts.matches(clientHost(peer)), inAllow, `policy host and allow list agree on ${peer} for ${where}`);
    }
  }
  assert.ok(accepted > 300, `enough accepted cases to mean something (${accepted})`);
});

test('a real plaintext listener admits by the IPv4-mapped /104 rule as the IPv4 range it denotes', async () => {
  const config = configWith(
    'network:\n  allow: ["::ffff:127.0.0.0/104"]\n  identities: { "::ffff:127.0.0.2": User:two, "127.0.0.0/8": User:loopback }',
  );
  assert.ok(!(config instanceof ConfigError), config instanceof ConfigError ? config.message : '');
  const admission = new ListenerAdmission(config, silent, { metrics });
  const admitted: ClientIdentity[] = [];
  const server = net.createServer((raw) =>
    admission.admit(raw, (socket, identity) => {
      admitted.push(identity);
      socket.end();
    }),
  );
  // Dual-stack where the machine has IPv6: IPv4 clients then arrive as ::ffff:127.0.0.x.
  const host = await new Promise<string>((resolve) => {
    server.once('error', () => server.listen(0, '127.0.0.1', () => resolve('127.0.0.1')));
    server.listen(0, '::', () => resolve('::'));
  });
  const port = (server.address() as net.AddressInfo).port;
  try {
    for (const localAddress of ['127.0.0.2', '127.0.0.3']) {
      await new Promise<void>((resolve, reject) => {
        const s = net.connect({ host: '127.0.0.1', port, localAddress }, () => s.on('close', () => resolve()));
        s.on('error', reject);
      });
    }
    assert.deepEqual(
      admitted.map((i) => [i.address, i.principal.toString()]),
      [
        ['127.0.0.2', 'User:two'],
        ['127.0.0.3', 'User:loopback'],
      ],
      `listening on ${host}`,
    );
  } finally {
    admission.close();
    server.close();
  }
});
