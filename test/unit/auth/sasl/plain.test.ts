// SASL PLAIN server exchanges (spec §4.3, §3.4): Kafka's exact failure messages, scrypt verification,
// an unknown user refused like a wrong password (same message, the same scrypt work), and bytes that
// are not a PLAIN message answered with a failure, never an exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StaticCredentials } from '../../../../gateway/auth/credentials/credential-store.ts';
import { createScryptVerifier, type ScryptVerifier } from '../../../../gateway/auth/credentials/scrypt-verifier.ts';
import type { SaslStep } from '../../../../gateway/auth/sasl/mechanism.ts';
import { plainMechanism } from '../../../../gateway/auth/sasl/plain.ts';

const CONTEXT = { listener: 'sasl', clientAddress: '127.0.0.1', reauthentication: false };

async function mechanism() {
  const plain = await createScryptVerifier('secret');
  return plainMechanism(new StaticCredentials(new Map([['alice', { scram: new Map(), plain }]])));
}

async function once(token: Buffer | string): Promise<SaslStep> {
  const exchange = (await mechanismPromise).start(CONTEXT);
  try {
    return await exchange.evaluate(Buffer.isBuffer(token) ? token : Buffer.from(token));
  } finally {
    exchange.dispose();
  }
}
const mechanismPromise = mechanism();

function message(step: SaslStep): string | null | undefined {
  return step.kind === 'failure' ? step.message : undefined;
}

test('the right password logs in: empty server token, principal User:<name>', async () => {
  // The spec's example bytes for alice/secret.
  const step = await once(Buffer.from('00616c69636500736563726574', 'hex'));
  assert.equal(step.kind, 'success');
  if (step.kind !== 'success') return;
  assert.deepEqual(step.token, Buffer.alloc(0));
  assert.equal(step.principal.toString(), 'User:alice');
  assert.equal(step.credentialExpiresAtMs, null);
  assert.equal((await once('alice\0alice\0secret')).kind, 'success', 'an authzid equal to the user name');
});

test('wrong password and unknown user: the same message', async () => {
  assert.equal(message(await once('\0alice\0wrong')), 'Authentication failed: Invalid username or password');
  assert.equal(message(await once('\0mallory\0secret')), 'Authentication failed: Invalid username or password');
  assert.equal(message(await once('\0Alice\0secret')), 'Authentication failed: Invalid username or password', 'names are exact');
});

test('an unknown user costs the same scrypt work as a known one', async () => {
  // Median of a few runs each; an unknown user answered without hashing would be ~100x faster.
  const time = async (token: string) => {
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = process.hrtime.bigint();
      await once(token);
      runs.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return runs.sort((a, b) => a - b)[2];
  };
  const known = await time('\0alice\0wrong');
  const unknown = await time('\0mallory\0wrong');
  assert.ok(unknown > known / 3, `unknown user ${unknown.toFixed(1)} ms vs known ${known.toFixed(1)} ms`);
});

test('Kafka’s messages for malformed and incomplete messages', async () => {
  assert.equal(message(await once('\0\0secret')), 'Authentication failed: username not specified');
  assert.equal(message(await once('\0alice\0')), 'Authentication failed: password not specified');
  assert.equal(message(await once('')), 'Invalid SASL/PLAIN response: expected 3 tokens, got 1');
  assert.equal(message(await once('alice')), 'Invalid SASL/PLAIN response: expected 3 tokens, got 1');
  assert.equal(message(await once('\0alice')), 'Invalid SASL/PLAIN response: expected 3 tokens, got 2');
  assert.equal(message(await once('\0alice\0secret\0')), 'Invalid SASL/PLAIN response: expected 3 tokens, got 4');
  assert.equal(message(await once('\0\0\0\0\0\0')), 'Invalid SASL/PLAIN response: expected 3 tokens, got 4');
  // The authzid is checked after the password, as Kafka does: a wrong password never reveals more.
  assert.equal(
    message(await once('admin\0alice\0secret')),
    'Authentication failed: Client requested an authorization id that is different from username',
  );
  assert.equal(message(await once('admin\0alice\0wrong')), 'Authentication failed: Invalid username or password');
  const binary = await once(Buffer.from([0xff, 0x00, 0xfe, 0x00, 0x80]));
  assert.equal(message(binary), 'Authentication failed: Invalid username or password');
});

test('one message per exchange; a verifier that cannot run is "could not be verified", not a crash', async () => {
  const exchange = (await mechanismPromise).start(CONTEXT);
  assert.equal((await exchange.evaluate(Buffer.from('\0alice\0secret'))).kind, 'success');
  const again = await exchange.evaluate(Buffer.from('\0alice\0secret'));
  assert.equal(again.kind, 'failure');
  exchange.dispose();

  // Parameters scrypt refuses (N·r too large for maxmem is capped by the parser; here r·p ≥ 2^30).
  const broken: ScryptVerifier = { cost: 2, blockSize: 1 << 20, parallelization: 1 << 12, salt: Buffer.alloc(16), hash: Buffer.alloc(32) };
  const lookup = new StaticCredentials(new Map([['bob', { scram: new Map(), plain: broken }]]));
  const step = await plainMechanism(lookup).start(CONTEXT).evaluate(Buffer.from('\0bob\0pw'));
  assert.equal(message(step), 'Authentication failed: credentials for user could not be verified');
});
