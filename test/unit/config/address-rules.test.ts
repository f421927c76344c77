// Addresses in the configuration are checked by the gateway's one CIDR parser (common/address.ts):
// a CIDR the gateway cannot match with is refused at its own key, with its line, and an IPv4-mapped
// CIDR with a prefix below /96 (`::ffff:10.0.0.0/8`) is refused with what to write instead.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../../gateway/config/schema.ts';
import { refusalOf } from './refusal.ts';

const listener = (lines: string) => `backend:
  bootstrapServers: ["127.0.0.1:9092"]
listeners:
  - name: edge
    bind: 127.0.0.1:9093
    plaintext: true
    routing: { basePort: 9100 }
${lines.replace(/^/gm, '    ')}
authorization: { mode: off }
`;
const FIRST_LISTENER_LINE = 8;

const errorOf = (yaml: string): ConfigError => refusalOf(yaml, 'gatehouse.yaml');

test('an IPv4-mapped CIDR below /96 is refused at its own key and line, in every address list', () => {
  const cases: Array<{ lines: string; at: string; line: number }> = [
    {
      lines: 'network:\n  allow:\n    - 10.0.0.0/8\n    - "::ffff:10.0.0.0/8"',
      at: 'listeners[0].network.allow[1]',
      line: FIRST_LISTENER_LINE + 3,
    },
    { lines: 'network:\n  deny: ["::ffff:10.0.0.0/8"]', at: 'listeners[0].network.deny[0]', line: FIRST_LISTENER_LINE + 1 },
    {
      lines: 'network:\n  identities:\n    "10.1.0.0/16": User:a\n    "::ffff:10.0.0.0/8": User:b',
      at: 'listeners[0].network.identities.::ffff:10.0.0.0/8',
      line: FIRST_LISTENER_LINE + 3,
    },
    {
      lines: 'proxyProtocol:\n  trustedSources:\n    - "::ffff:10.0.0.0/8"',
      at: 'listeners[0].proxyProtocol.trustedSources[0]',
      line: FIRST_LISTENER_LINE + 2,
    },
  ];
  for (const c of cases) {
    const err = errorOf(listener(c.lines));
    assert.equal(err.line, c.line, c.at);
    assert.equal(
      err.reason,
      `${c.at} must be an IPv4 or IPv6 address or CIDR (got '::ffff:10.0.0.0/8'): an IPv4-mapped address needs a prefix length of 96..128 (::ffff:10.0.0.0/104 is 10.0.0.0/8); for the IPv4 range write 10.0.0.0/8`,
    );
  }
});

test('the IPv4-mapped form with a /96+ prefix is accepted, as the IPv4 range it denotes', () => {
  const l = parseConfig(listener('network:\n  allow: ["::ffff:10.0.0.0/104", "::ffff:192.0.2.7"]'), 'gatehouse.yaml').listeners[0];
  assert.deepEqual(l.network.allow, ['::ffff:10.0.0.0/104', '::ffff:192.0.2.7']);
});

test('other malformed CIDRs: the reason, at the key', () => {
  const cases: Array<[string, RegExp]> = [
    ['"fe80::1%eth0/64"', /\(got 'fe80::1%eth0\/64'\): 'fe80::1%eth0' has a zone id/],
    ['"10.0.0.0/8/8"', /more than one '\/'/],
    ['"10.0.0.0/"', /prefix length must be 0\.\.32 \(got ''\)/],
    ['"::/129"', /prefix length must be 0\.\.128 \(got '129'\)/],
    ['" 10.0.0.0/8"', /' 10\.0\.0\.0' is not an IP address/],
    ['"[::1]"', /'\[::1\]' is not an IP address/],
  ];
  for (const [value, reason] of cases) {
    const err = errorOf(listener(`network:\n  allow:\n    - ${value}`));
    assert.equal(err.line, FIRST_LISTENER_LINE + 2, value);
    assert.match(err.reason, /^listeners\[0\]\.network\.allow\[0\] must be an IPv4 or IPv6 address or CIDR/, value);
    assert.match(err.reason, reason, value);
  }
});

test('IP identity principals follow the one principal rule (Type:name, no surrounding spaces)', () => {
  const err = errorOf(listener('network:\n  identities:\n    "10.0.0.0/8": " User:padded"'));
  assert.equal(err.line, FIRST_LISTENER_LINE + 2);
  assert.match(err.reason, /principal must be Type:name, e.g\. User:billing, without surrounding spaces \(got ' User:padded'\)/);
  const ok = parseConfig(listener('network:\n  identities:\n    "10.0.0.0/8": "User:CN=svc,O=Acme"'), 'gatehouse.yaml').listeners[0];
  assert.deepEqual(ok.network.identities, [{ cidr: '10.0.0.0/8', principal: 'User:CN=svc,O=Acme' }]);
});

test('`gatehouse start` refuses the mapped /8 at network.allow[0], with its line, before opening any port', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-address-'));
  const file = path.join(dir, 'gatehouse.yaml');
  fs.writeFileSync(file, listener('network:\n  allow:\n    - "::ffff:10.0.0.0/8"'));
  try {
    const root = path.resolve(import.meta.dirname, '../../..');
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [path.join(root, 'gateway', 'gatehouse.mjs'), 'start', '-c', file],
        { cwd: root, timeout: 60_000 },
        (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
      ),
    );
    assert.equal(code, 2, stderr);
    assert.ok(stderr.includes(`invalid configuration: ${file}:${FIRST_LISTENER_LINE + 2}:`), stderr);
    assert.match(stderr, /: listeners\[0\]\.network\.allow\[0\] must be an IPv4 or IPv6 address or CIDR \(got '::ffff:10\.0\.0\.0\/8'\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
