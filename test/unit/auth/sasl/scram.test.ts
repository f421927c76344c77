// SCRAM-SHA-256/512 server exchanges (spec §4.4) driven by the test harness's client and by hand-made
// messages: the RFC 7677 test vector byte for byte, wrong proofs, unknown users, authorization ids,
// weak stored credentials, and malformed input that must end in a failure, never an exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StaticCredentials } from '../../../../gateway/auth/credentials/credential-store.ts';
import type { UserCredentials } from '../../../../gateway/auth/credentials/credential-file.ts';
import { deriveScramCredential, type ScramMechanismName } from '../../../../gateway/auth/credentials/scram-keys.ts';
import type { SaslServerMechanism, SaslStep } from '../../../../gateway/auth/sasl/mechanism.ts';
import { scramMechanism } from '../../../../gateway/auth/sasl/scram.ts';
import { ScramClient } from '../../../harness/sasl/scram-client.ts';

const CONTEXT = { listener: 'sasl', clientAddress: '127.0.0.1', reauthentication: false };
const AUTHZID_MESSAGE = 'Authentication failed: Client requested an authorization id that is different from username';

async function store(users: Record<string, { password: string; iterations?: number; mechanisms?: ScramMechanismName[] }>) {
  const map = new Map<string, UserCredentials>();
  for (const [name, u] of Object.entries(users)) {
    const scram = new Map();
    for (const m of u.mechanisms ?? (['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)) {
      scram.set(m, await deriveScramCredential(m, u.password, u.iterations ?? 4096));
    }
    map.set(name, { scram, plain: undefined });
  }
  return new StaticCredentials(map);
}

/** Runs a whole exchange with the harness client; returns the last server step. */
async function login(mechanism: SaslServerMechanism, client: ScramClient): Promise<SaslStep> {
  const exchange = mechanism.start(CONTEXT);
  try {
    const first = await exchange.evaluate(client.firstMessage());
    if (first.kind !== 'challenge') return first;
    const last = await exchange.evaluate(client.finalMessage(first.token));
    if (last.kind === 'success') client.verifyServerFinal(last.token!);
    return last;
  } finally {
    exchange.dispose();
  }
}

function assertGenericFailure(step: SaslStep): void {
  assert.equal(step.kind, 'failure');
  assert.equal(step.kind === 'failure' && step.message, null, 'the generic 58 message (message: null)');
}

test('RFC 7677 test vector: SCRAM-SHA-256 server messages byte for byte', async () => {
  const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
  const credential = await deriveScramCredential('SCRAM-SHA-256', 'pencil', 4096, salt);
  const credentials = new StaticCredentials(new Map([['user', { scram: new Map([['SCRAM-SHA-256', credential]]), plain: undefined }]]));
  const mechanism = scramMechanism('SCRAM-SHA-256', credentials, { serverNonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0' });
  const exchange = mechanism.start(CONTEXT);
  const first = await exchange.evaluate(Buffer.from('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
  assert.equal(first.kind, 'challenge');
  assert.equal(
    first.kind === 'challenge' && first.token.toString(),
    'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  );
  const final = await exchange.evaluate(
    Buffer.from('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='),
  );
  assert.equal(final.kind, 'success');
  if (final.kind !== 'success') return;
  assert.equal(final.token?.toString(), 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  assert.equal(final.principal.toString(), 'User:user');
  assert.equal(final.credentialExpiresAtMs, null);
  // The harness client computes the same messages from the same inputs.
  const client = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', { nonce: 'rOprNGfwEbeRWgbNEkqO' });
  assert.equal(client.firstMessage().toString(), 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
  const clientFinal = client.finalMessage(
    Buffer.from('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'),
  );
  assert.equal(
    clientFinal.toString(),
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  );
  client.verifyServerFinal(final.token);
});

test('SCRAM-SHA-256 and SCRAM-SHA-512: the right password logs in, with a verifiable server signature', async () => {
  const credentials = await store({ alice: { password: 'secret', iterations: 8192 }, 'a,b=c': { password: 'p' } });
  for (const name of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    const ok = await login(scramMechanism(name, credentials), new ScramClient(name, 'alice', 'secret'));
    assert.equal(ok.kind, 'success', name);
    assert.equal(ok.kind === 'success' && ok.principal.toString(), 'User:alice');
    // `,` and `=` travel escaped (=2C, =3D) and come back as the user's real name.
    const escaped = await login(scramMechanism(name, credentials), new ScramClient(name, 'a,b=c', 'p'));
    assert.equal(escaped.kind === 'success' && escaped.principal.toString(), 'User:a,b=c', name);
  }
});

test('a wrong password fails at the proof with the generic message; an unknown user fails at the first message, same message', async () => {
  const credentials = await store({ alice: { password: 'secret' } });
  const mechanism = scramMechanism('SCRAM-SHA-512', credentials);
  const wrong = mechanism.start(CONTEXT);
  const client = new ScramClient('SCRAM-SHA-512', 'alice', 'not-it');
  const first = await wrong.evaluate(client.firstMessage());
  assert.equal(first.kind, 'challenge');
  const last = await wrong.evaluate(client.finalMessage((first as { token: Buffer }).token));
  assertGenericFailure(last);
  assert.match((last as { reason: string }).reason, /invalid client proof/);

  const unknown = await mechanism.start(CONTEXT).evaluate(new ScramClient('SCRAM-SHA-512', 'mallory', 'x').firstMessage());
  assertGenericFailure(unknown);
  // A user with only the other SCRAM mechanism is unknown to this one.
  const only256 = await store({ bob: { password: 'x', mechanisms: ['SCRAM-SHA-256'] } });
  assertGenericFailure(
    await scramMechanism('SCRAM-SHA-512', only256)
      .start(CONTEXT)
      .evaluate(new ScramClient('SCRAM-SHA-512', 'bob', 'x').firstMessage()),
  );
});

test('authorization id: equal to the user name is fine, another one gets Kafka’s own message', async () => {
  const credentials = await store({ alice: { password: 'secret' } });
  const mechanism = scramMechanism('SCRAM-SHA-256', credentials);
  const same = await login(mechanism, new ScramClient('SCRAM-SHA-256', 'alice', 'secret', { authzid: 'alice' }));
  assert.equal(same.kind, 'success');
  const other = await login(mechanism, new ScramClient('SCRAM-SHA-256', 'alice', 'secret', { authzid: 'admin' }));
  assert.deepEqual([other.kind, other.kind === 'failure' && other.message], ['failure', AUTHZID_MESSAGE]);
  // Unknown user with an authzid: the generic message (the user's absence is checked first, as Kafka does).
  const unknown = await login(mechanism, new ScramClient('SCRAM-SHA-256', 'nobody', 'x', { authzid: 'admin' }));
  assertGenericFailure(unknown);
});

test('stored credentials below 4096 iterations are refused; delegation-token logins (tokenauth=true) are refused', async () => {
  const weak = await store({ alice: { password: 'secret', iterations: 4095 } });
  assertGenericFailure(await login(scramMechanism('SCRAM-SHA-256', weak), new ScramClient('SCRAM-SHA-256', 'alice', 'secret')));
  const credentials = await store({ alice: { password: 'secret' } });
  const mechanism = scramMechanism('SCRAM-SHA-256', credentials);
  const token = await login(mechanism, new ScramClient('SCRAM-SHA-256', 'alice', 'secret', { extensions: { tokenauth: 'true' } }));
  assertGenericFailure(token);
  // Other extensions are ignored, as Kafka ignores them.
  const ignored = await login(
    mechanism,
    new ScramClient('SCRAM-SHA-256', 'alice', 'secret', { extensions: { foo: 'bar', tokenauth: 'false' } }),
  );
  assert.equal(ignored.kind, 'success');
});

test('client-final: the nonce must be the server-first nonce, c= must be the GS2 header, the proof must fit', async () => {
  const credentials = await store({ alice: { password: 'secret' } });
  const mechanism = scramMechanism('SCRAM-SHA-256', credentials);
  const tamper = async (edit: (final: string) => string) => {
    const exchange = mechanism.start(CONTEXT);
    const client = new ScramClient('SCRAM-SHA-256', 'alice', 'secret');
    const first = (await exchange.evaluate(client.firstMessage())) as { token: Buffer };
    return exchange.evaluate(Buffer.from(edit(client.finalMessage(first.token).toString())));
  };
  assert.equal((await tamper((f) => f)).kind, 'success');
  // librdkafka before 2.6.1 repeated the client nonce: Kafka 4 refuses that, and so does the gateway.
  assertGenericFailure(await tamper((f) => f.replace(/,r=([^,]+)/, (_m, n: string) => `,r=${n}${n}`)));
  assertGenericFailure(await tamper((f) => f.replace(/,r=([^,]+)/, (_m, n: string) => `,r=${n.slice(0, -1)}`)));
  assertGenericFailure(await tamper((f) => f.replace('c=biws', 'c=eSws'))); // y,,
  assertGenericFailure(await tamper((f) => f.replace(/,p=.*/, ',p=AAAA')));
  assertGenericFailure(await tamper((f) => f.replace(/,p=.*/, '')));
  const flipped = await tamper((f) => {
    const proof = Buffer.from(f.slice(f.indexOf(',p=') + 3), 'base64');
    proof[0] ^= 1;
    return `${f.slice(0, f.indexOf(',p=') + 3)}${proof.toString('base64')}`;
  });
  assertGenericFailure(flipped);
});

test('malformed messages end in a failure, never an exception', async () => {
  const credentials = await store({ alice: { password: 'secret' } });
  const mechanism = scramMechanism('SCRAM-SHA-256', credentials);
  const firsts = [
    '',
    'n',
    'n,',
    'y,,n=alice,r=abc',
    'p=tls-unique,,n=alice,r=abc',
    'n,,m=x,n=alice,r=abc',
    'n,,n=,r=abc',
    'n,,n=al=ice,r=abc',
    'n,,n=al=2Cice',
    'n,,r=abc,n=alice',
    'n,,n=alice,r=',
    'n,,n=alice,r=a b',
    'n,,n=alice,r=abc,',
    'n,,n=alice,r=abc,1=2',
    'n,,n=alice,r=abc,x',
    'n,a=,n=alice,r=abc',
    'n,b=alice,n=alice,r=abc',
    '\u0000\u0000\u0000',
  ];
  for (const text of [...firsts.map((t) => Buffer.from(t)), Buffer.from([0xff, 0xfe, 0x00, 0x80]), Buffer.alloc(100_000, 0x2c)]) {
    const step = await mechanism.start(CONTEXT).evaluate(text);
    assertGenericFailure(step);
  }
  const finals = [
    '',
    'c=biws',
    'c=biws,r=x',
    'c=biws,p=AAAA',
    'r=x,c=biws,p=AAAA',
    'c=%%%%,r=x,p=AAAA',
    'c=biws,r=x,p=not base64!',
    ',,,,,',
  ];
  for (const text of finals) {
    const exchange = mechanism.start(CONTEXT);
    const client = new ScramClient('SCRAM-SHA-256', 'alice', 'secret');
    assert.equal((await exchange.evaluate(client.firstMessage())).kind, 'challenge');
    assertGenericFailure(await exchange.evaluate(Buffer.from(text)));
    // Once failed, the exchange stays failed.
    assertGenericFailure(await exchange.evaluate(Buffer.from(text)));
  }
  // A message after success is a client out of step.
  const exchange = mechanism.start(CONTEXT);
  const client = new ScramClient('SCRAM-SHA-256', 'alice', 'secret');
  const first = (await exchange.evaluate(client.firstMessage())) as { token: Buffer };
  assert.equal((await exchange.evaluate(client.finalMessage(first.token))).kind, 'success');
  assertGenericFailure(await exchange.evaluate(client.firstMessage()));
});

test('each exchange gets a fresh server nonce', async () => {
  const credentials = await store({ alice: { password: 'secret' } });
  const mechanism = scramMechanism('SCRAM-SHA-256', credentials);
  const client = new ScramClient('SCRAM-SHA-256', 'alice', 'secret', { nonce: 'fixed' });
  const nonces = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const step = (await mechanism.start(CONTEXT).evaluate(client.firstMessage())) as { token: Buffer };
    const nonce = /^r=([^,]+),/.exec(step.token.toString())![1];
    assert.ok(nonce.startsWith('fixed') && nonce.length >= 'fixed'.length + 24, nonce);
    nonces.add(nonce);
  }
  assert.equal(nonces.size, 20);
});
