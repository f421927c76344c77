import assert from 'node:assert/strict';
import fs from 'node:fs';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, parseConfig } from '../../../gateway/config/schema.ts';
import { refusalOf } from './refusal.ts';

const minimal = (listenerExtra = '') => `backend:
  bootstrapServers: ["127.0.0.1:9092"]
authorization: { mode: off }
listeners:
  - name: a
    bind: 0.0.0.0:9092
    advertisedHost: gw.example.com
    plaintext: true
    routing: { basePort: 9100 }${listenerExtra}
`;

const errorOf = (text: string): ConfigError => refusalOf(text, 'gatehouse.yaml');

test('the annotated example in deploy/ is valid and means what it says', () => {
  const example = fileURLToPath(new URL('../../../deploy/gatehouse.example.yaml', import.meta.url));
  const config = parseConfig(fs.readFileSync(example, 'utf8'), example);
  assert.equal(config.listeners[0].advertisedHost, 'kafka.example.com');
  const routing = config.listeners[0].routing;
  assert.equal(routing.mode === 'port-per-broker' && routing.basePort, 9100);
  assert.deepEqual(config.backend.bootstrapServers[1], { host: '10.0.0.12', port: 9092 });
  assert.deepEqual(config.admin.bind, { host: '127.0.0.1', port: 9644 });
});

test('defaults fill what is not said', () => {
  const config = parseConfig(minimal(), 'gatehouse.yaml');
  assert.equal(config.limits.maxUnauthenticatedFrameBytes, 512 * 1024);
  assert.equal(config.limits.maxFrameBytes, 100 * 1024 * 1024);
  assert.equal(config.admin.bind, null);
  assert.equal(config.log.level, 'info');
  assert.equal(config.backend.healthCheckIntervalMs, 5_000);
  assert.equal(config.backend.unreadyAfterFailedChecks, 2);
});

test('backend health checks: values from the file, and a bad one refused with its line', () => {
  const text = (extra: string) =>
    minimal().replace('bootstrapServers: ["127.0.0.1:9092"]', `bootstrapServers: ["127.0.0.1:9092"]\n  ${extra}`);
  const config = parseConfig(text('healthCheckIntervalMs: 750\n  unreadyAfterFailedChecks: 3'), 'gatehouse.yaml');
  assert.deepEqual([config.backend.healthCheckIntervalMs, config.backend.unreadyAfterFailedChecks], [750, 3]);
  const err = errorOf(text('unreadyAfterFailedChecks: 0'));
  assert.equal(err.line, 3);
  assert.match(err.message, /unreadyAfterFailedChecks/);
});

test('an unknown key is refused at its line and column', () => {
  const err = errorOf(minimal('\n    colour: blue'));
  assert.deepEqual([err.file, err.line, err.column], ['gatehouse.yaml', 10, 5]);
  assert.match(err.reason, /unknown key 'colour'/);
});

test('a listener without TLS and without plaintext: true is refused (closed by default)', () => {
  const err = errorOf(minimal().replace('    plaintext: true\n', ''));
  assert.equal(err.line, 5);
  assert.match(err.reason, /no tls section; set 'plaintext: true'/);
});

test('a wildcard bind needs an advertised host', () => {
  const err = errorOf(minimal().replace('    advertisedHost: gw.example.com\n', ''));
  assert.match(err.reason, /set advertisedHost/);
});

test('malformed values name the field', () => {
  assert.match(errorOf(minimal().replace('127.0.0.1:9092', 'nohost')).reason, /backend\.bootstrapServers\[0\] must be host:port/);
  assert.match(errorOf(minimal() + 'limits:\n  maxInFlightRequests: -5\n').reason, /limits\.maxInFlightRequests must be an integer/);
  assert.match(errorOf(minimal() + 'log:\n  level: loud\n').reason, /log\.level must be one of/);
  assert.match(errorOf('backend: [unclosed\n').reason, /must be sufficiently indented and end with a \]/);
});

test('duplicate listener names and duplicate keys are refused', () => {
  const two = minimal() + minimal().split('listeners:\n')[1];
  assert.match(errorOf(two).reason, /duplicate listener name 'a'/);
  assert.match(errorOf(minimal() + 'log: {}\nlog: {}\n').reason, /[Dd]uplicate|unique/);
});

test('workers: a number, or auto for one per core; 1 when not said; 0 refused', () => {
  const text = (value: string) => `${minimal()}workers: ${value}\n`;
  assert.equal(parseConfig(minimal(), 'gatehouse.yaml').workers, 1);
  assert.equal(parseConfig(text('3'), 'gatehouse.yaml').workers, 3);
  assert.equal(parseConfig(text('auto'), 'gatehouse.yaml').workers, availableParallelism());
  assert.match(errorOf(text('0')).message, /workers/);
});

test('admin: tls needs both PEM files, basicAuth a readable password file, maxTopicLabels a bounded number; each refused at its line', () => {
  const text = (admin: string) => `${minimal()}admin:\n  bind: 127.0.0.1:9644\n${admin}\n`;
  assert.deepEqual(parseConfig(text(''), 'gatehouse.yaml').admin, {
    bind: { host: '127.0.0.1', port: 9644 },
    tls: null,
    basicAuth: null,
    maxTopicLabels: 100,
  });
  assert.equal(parseConfig(text('  maxTopicLabels: 5'), 'gatehouse.yaml').admin.maxTopicLabels, 5);
  const tooMany = errorOf(text('  maxTopicLabels: 1000000'));
  assert.match(tooMany.message, /maxTopicLabels/);
  assert.equal(tooMany.line, 12);
  assert.match(errorOf(text('  tls: { certificate: /etc/hostname }')).message, /admin\.tls needs certificate and key/);
  const missing = errorOf(text('  basicAuth: { username: prometheus, passwordFile: /nonexistent/admin-password }'));
  assert.match(missing.message, /cannot read \/nonexistent\/admin-password/);
  assert.equal(missing.line, 12); // the basicAuth line
});
