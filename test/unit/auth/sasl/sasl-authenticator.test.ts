// The per-connection SASL state machine (spec §3.3, §3.4, §4.1, §4.2, §4.8) with a scripted test-double
// mechanism: request frames in, actions out, every answer decoded with the protocol codec.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SaslMechanismName, SaslServerMechanism, SaslStep } from '../../../../gateway/auth/sasl/mechanism.ts';
import { type SaslAction, SaslAuthenticator, genericFailureMessage } from '../../../../gateway/auth/sasl/sasl-authenticator.ts';
import { KafkaPrincipal } from '../../../../gateway/common/principal.ts';
import { API_KEY, ErrorCode, type Struct, ZERO_UUID, decodeResponseFrame, encodeRequestFrame } from '../../../../gateway/protocol/index.ts';

/** A mechanism that answers each token from a script: the steps of one exchange, in order. */
function scripted(name: SaslMechanismName, ...exchanges: Array<Array<SaslStep | Error>>) {
  const log = { started: 0, disposed: 0, tokens: [] as string[], reauth: [] as boolean[] };
  const mechanism: SaslServerMechanism = {
    name,
    start(ctx) {
      const steps = exchanges[log.started++] ?? [];
      log.reauth.push(ctx.reauthentication);
      let i = 0;
      return {
        evaluate: async (token) => {
          log.tokens.push(token.toString());
          const step = steps[i++];
          if (step instanceof Error) throw step;
          return step ?? { kind: 'failure', message: null, reason: 'script ran out' };
        },
        dispose: () => void log.disposed++,
      };
    },
  };
  return { mechanism, log };
}

const alice = KafkaPrincipal.user('alice');
const success = (principal = alice, credentialExpiresAtMs: number | null = null, token: Buffer | null = Buffer.alloc(0)): SaslStep => ({
  kind: 'success',
  token,
  principal,
  credentialExpiresAtMs,
});

function machine(opts: { mechanisms: SaslServerMechanism[]; sessionLifetimeMs?: number; now?: () => number }) {
  return new SaslAuthenticator({
    listener: 'sasl',
    clientAddress: '10.0.0.1',
    mechanisms: new Map(opts.mechanisms.map((m) => [m.name, m])),
    sessionLifetimeMs: opts.sessionLifetimeMs ?? 0,
    failedAuthenticationDelayMs: 100,
    apiVersions: () => ({
      apiKeys: [
        { apiKey: API_KEY.Metadata, minVersion: 0, maxVersion: 12 },
        { apiKey: API_KEY.SaslHandshake, minVersion: 0, maxVersion: 1 },
      ],
      features: {
        supportedFeatures: [{ name: 'transaction.version', minVersion: 0, maxVersion: 2 }],
        finalizedFeaturesEpoch: 7n,
        finalizedFeatures: [{ name: 'transaction.version', maxVersionLevel: 2, minVersionLevel: 2 }],
        zkMigrationReady: false,
      },
    }),
    now: opts.now,
  });
}

let correlation = 0;
/** A request's bytes after the size prefix, as the session hands them over. */
function request(apiKey: number, apiVersion: number, body: Struct): { payload: Buffer; correlationId: number } {
  const correlationId = ++correlation;
  const payload = encodeRequestFrame({ requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId, clientId: 'test' }, body);
  return { payload, correlationId };
}
const handshake = (mechanism: string, version = 1) => request(API_KEY.SaslHandshake, version, { mechanism });
const authenticate = (token: string, version = 2) => request(API_KEY.SaslAuthenticate, version, { authBytes: Buffer.from(token) });
const metadata = () => request(API_KEY.Metadata, 12, { topics: [{ topicId: ZERO_UUID, name: 't' }], allowAutoTopicCreation: false });

function decoded(frame: Buffer | null, apiKey: number, version: number): Struct {
  assert.ok(frame, 'an answer');
  assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix');
  return decodeResponseFrame(frame.subarray(4), apiKey, version).body;
}

function expectAnswer(action: SaslAction, apiKey: number, version: number): Struct {
  assert.equal(action.kind, 'answer', JSON.stringify(action));
  return decoded((action as { frame: Buffer }).frame, apiKey, version);
}

function expectFail(action: SaslAction): Extract<SaslAction, { kind: 'fail' }> {
  assert.equal(action.kind, 'fail', JSON.stringify(action));
  return action;
}

/** Handshake v1 for `mechanism`, then the tokens: the last action. */
async function run(m: SaslAuthenticator, mechanism: string, ...tokens: string[]): Promise<SaslAction> {
  expectAnswer(await m.onFrame(handshake(mechanism).payload), API_KEY.SaslHandshake, 1);
  let last: SaslAction | undefined;
  for (const t of tokens) last = await m.onFrame(authenticate(t).payload);
  return last!;
}

describe('before the handshake (§3.3 points 1–3)', () => {
  test('bytes that are not a Kafka request close without an answer', async () => {
    const m = machine({ mechanisms: [scripted('PLAIN').mechanism] });
    const fail = expectFail(await m.onFrame(Buffer.from('GET / HTTP/1.1\r\n')));
    assert.equal(fail.frame, null);
  });

  test('another API first closes without an answer', async () => {
    const m = machine({ mechanisms: [scripted('PLAIN').mechanism] });
    assert.equal(expectFail(await m.onFrame(metadata().payload)).frame, null);
  });

  test('ApiVersions is answered locally with the advertised ranges, once; a second one closes', async () => {
    const m = machine({ mechanisms: [scripted('PLAIN').mechanism] });
    const req = request(API_KEY.ApiVersions, 3, { clientSoftwareName: 'kafka-java', clientSoftwareVersion: '4.0.0' });
    const body = expectAnswer(await m.onFrame(req.payload), API_KEY.ApiVersions, 3);
    assert.equal(body.errorCode, 0);
    assert.deepEqual(
      (body.apiKeys as Array<{ apiKey: number; minVersion: number; maxVersion: number }>).map((k) => [
        k.apiKey,
        k.minVersion,
        k.maxVersion,
      ]),
      [
        [3, 0, 12],
        [17, 0, 1],
      ],
    );
    // The backend's features, as a client reads them to pick e.g. transactions v2 (KIP-890).
    assert.equal(body.finalizedFeaturesEpoch, 7n);
    assert.deepEqual(
      (body.finalizedFeatures as Array<{ name: string; maxVersionLevel: number }>).map((f) => [f.name, f.maxVersionLevel]),
      [['transaction.version', 2]],
    );
    assert.deepEqual(
      (body.supportedFeatures as Array<{ name: string }>).map((f) => f.name),
      ['transaction.version'],
    );
    const again = request(API_KEY.ApiVersions, 3, { clientSoftwareName: 'kafka-java', clientSoftwareVersion: '4.0.0' });
    assert.equal(expectFail(await m.onFrame(again.payload)).frame, null);
  });

  test('a newer ApiVersions gets the v0 answer with 35 and the state stays (the client may retry)', async () => {
    const m = machine({ mechanisms: [scripted('PLAIN').mechanism] });
    const newer = request(API_KEY.ApiVersions, 0, {});
    newer.payload.writeInt16BE(99, 2); // a version from the future: the body is not read
    const body = expectAnswer(await m.onFrame(newer.payload), API_KEY.ApiVersions, 0);
    assert.equal(body.errorCode, ErrorCode.UNSUPPORTED_VERSION);
    const retry = request(API_KEY.ApiVersions, 3, { clientSoftwareName: 'a', clientSoftwareVersion: '1' });
    assert.equal(expectAnswer(await m.onFrame(retry.payload), API_KEY.ApiVersions, 3).errorCode, 0);
  });

  test('an ApiVersions v3 with an invalid software name gets 42 and the state stays', async () => {
    const m = machine({ mechanisms: [scripted('PLAIN').mechanism] });
    const bad = request(API_KEY.ApiVersions, 3, { clientSoftwareName: '-bad-', clientSoftwareVersion: '1' });
    assert.equal(expectAnswer(await m.onFrame(bad.payload), API_KEY.ApiVersions, 3).errorCode, ErrorCode.INVALID_REQUEST);
    const good = request(API_KEY.ApiVersions, 3, { clientSoftwareName: 'good', clientSoftwareVersion: '1.0' });
    assert.equal(expectAnswer(await m.onFrame(good.payload), API_KEY.ApiVersions, 3).errorCode, 0);
  });

  test('an unsupported mechanism: 33 with the enabled list in configured order, closed after the delay', async () => {
    const m = machine({ mechanisms: [scripted('SCRAM-SHA-512').mechanism, scripted('PLAIN').mechanism] });
    const fail = expectFail(await m.onFrame(handshake('GSSAPI').payload));
    assert.equal(fail.delayMs, 100);
    assert.equal(fail.mechanism, null);
    assert.deepEqual(decoded(fail.frame, API_KEY.SaslHandshake, 1), {
      errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
      mechanisms: ['SCRAM-SHA-512', 'PLAIN'],
    });
  });

  test('a SaslHandshake newer than v1 closes without an answer', async () => {
    const m = machine({ mechanisms: [scripted('PLAIN').mechanism] });
    const h = handshake('PLAIN');
    h.payload.writeInt16BE(2, 2);
    assert.equal(expectFail(await m.onFrame(h.payload)).frame, null);
  });
});

describe('the v1 token exchange (§3.3 point 4, §3.4, §4.1)', () => {
  test('challenges and the final success are SaslAuthenticate answers; the exchange is disposed once', async () => {
    const { mechanism, log } = scripted('SCRAM-SHA-256', [
      { kind: 'challenge', token: Buffer.from('server-first') },
      success(alice, null, Buffer.from('v=sig')),
    ]);
    const m = machine({ mechanisms: [mechanism] });
    assert.ok(m.authenticating);
    expectAnswer(await m.onFrame(handshake('SCRAM-SHA-256').payload), API_KEY.SaslHandshake, 1);
    const first = expectAnswer(await m.onFrame(authenticate('client-first').payload), API_KEY.SaslAuthenticate, 2);
    assert.deepEqual(first, { errorCode: 0, errorMessage: null, authBytes: Buffer.from('server-first'), sessionLifetimeMs: 0n });
    const done = await m.onFrame(authenticate('client-final', 1).payload);
    assert.equal(done.kind, 'authenticated');
    if (done.kind !== 'authenticated') return;
    assert.equal(done.principal.toString(), 'User:alice');
    assert.equal(done.mechanism, 'SCRAM-SHA-256');
    assert.equal(done.reauthentication, false);
    assert.deepEqual(decoded(done.frame, API_KEY.SaslAuthenticate, 1), {
      errorCode: 0,
      errorMessage: null,
      authBytes: Buffer.from('v=sig'),
      sessionLifetimeMs: 0n,
    });
    assert.equal(m.authenticating, false);
    assert.deepEqual(log.tokens, ['client-first', 'client-final']);
    assert.equal(log.disposed, 1);
    m.dispose();
    assert.equal(log.disposed, 1);
  });

  test("another API during the exchange: that API's error response with 34, then close after the delay", async () => {
    const m = machine({ mechanisms: [scripted('PLAIN').mechanism] });
    expectAnswer(await m.onFrame(handshake('PLAIN').payload), API_KEY.SaslHandshake, 1);
    const fail = expectFail(await m.onFrame(metadata().payload));
    const body = decoded(fail.frame, API_KEY.Metadata, 12);
    assert.deepEqual(
      (body.topics as Array<{ name: string; errorCode: number }>).map((t) => [t.name, t.errorCode]),
      [['t', ErrorCode.ILLEGAL_SASL_STATE]],
    );
    assert.equal(fail.delayMs, 100);
  });

  test('an API with a top-level error code gets 34 there (FindCoordinator v2)', async () => {
    const m = machine({ mechanisms: [scripted('PLAIN').mechanism] });
    await m.onFrame(handshake('PLAIN').payload);
    const fail = expectFail(await m.onFrame(request(API_KEY.FindCoordinator, 2, { key: 'g', keyType: 0 }).payload));
    assert.equal(decoded(fail.frame, API_KEY.FindCoordinator, 2).errorCode, ErrorCode.ILLEGAL_SASL_STATE);
  });

  test('an unsupported SaslAuthenticate version closes without an answer', async () => {
    const m = machine({ mechanisms: [scripted('PLAIN').mechanism] });
    await m.onFrame(handshake('PLAIN').payload);
    const a = authenticate('x', 0);
    a.payload.writeInt16BE(3, 2);
    assert.equal(expectFail(await m.onFrame(a.payload)).frame, null);
  });

  test("a failure with the mechanism's own text: 58 with it verbatim, after the delay", async () => {
    const { mechanism } = scripted('PLAIN', [
      { kind: 'failure', message: 'Authentication failed: Invalid username or password', reason: 'wrong password' },
    ]);
    const fail = expectFail(await run(machine({ mechanisms: [mechanism] }), 'PLAIN', '\0alice\0nope'));
    assert.equal(fail.reason, 'wrong password');
    assert.equal(fail.mechanism, 'PLAIN');
    assert.equal(fail.delayMs, 100);
    assert.deepEqual(decoded(fail.frame, API_KEY.SaslAuthenticate, 2), {
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Authentication failed: Invalid username or password',
      authBytes: Buffer.alloc(0),
      sessionLifetimeMs: 0n,
    });
  });

  test('a failure without a text: the generic message naming the mechanism', async () => {
    const { mechanism } = scripted('SCRAM-SHA-512', [{ kind: 'failure', message: null, reason: 'invalid proof' }]);
    const fail = expectFail(await run(machine({ mechanisms: [mechanism] }), 'SCRAM-SHA-512', 'x'));
    assert.equal(
      decoded(fail.frame, API_KEY.SaslAuthenticate, 2).errorMessage,
      'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
    );
  });

  test('a transient failure closes at once without an answer', async () => {
    const { mechanism } = scripted('GSSAPI', [{ kind: 'failure', message: null, reason: 'replay cache', transient: true }]);
    const fail = expectFail(await run(machine({ mechanisms: [mechanism] }), 'GSSAPI', 'x'));
    assert.equal(fail.frame, null);
    assert.equal(fail.delayMs, 0);
  });

  test('a mechanism that throws (a bug) fails the authentication, never lets it through', async () => {
    const { mechanism, log } = scripted('PLAIN', [new Error('boom')]);
    const fail = expectFail(await run(machine({ mechanisms: [mechanism] }), 'PLAIN', 'x'));
    assert.equal(decoded(fail.frame, API_KEY.SaslAuthenticate, 2).errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
    assert.equal(log.disposed, 1);
  });

  test('the ACL wildcard principal is refused', async () => {
    const { mechanism } = scripted('PLAIN', [success(KafkaPrincipal.user('*'))]);
    const fail = expectFail(await run(machine({ mechanisms: [mechanism] }), 'PLAIN', 'x'));
    assert.equal(decoded(fail.frame, API_KEY.SaslAuthenticate, 2).errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  });

  test('closing mid-exchange disposes the exchange once', async () => {
    const { mechanism, log } = scripted('GSSAPI', [{ kind: 'challenge', token: Buffer.from('c') }]);
    const m = machine({ mechanisms: [mechanism] });
    await run(m, 'GSSAPI', 'x');
    m.dispose();
    m.dispose();
    assert.equal(log.disposed, 1);
  });
});

describe('the legacy v0 path (§4.2)', () => {
  test('raw tokens both ways; a success without a token writes nothing', async () => {
    const { mechanism } = scripted('GSSAPI', [
      { kind: 'challenge', token: Buffer.from('ap-rep') },
      { kind: 'challenge', token: Buffer.alloc(0) },
      success(alice, null, null),
    ]);
    const m = machine({ mechanisms: [mechanism] });
    expectAnswer(await m.onFrame(handshake('GSSAPI', 0).payload), API_KEY.SaslHandshake, 0);
    const c1 = await m.onFrame(Buffer.from('ap-req'));
    assert.deepEqual(c1, { kind: 'answer', frame: Buffer.from([0, 0, 0, 6, ...Buffer.from('ap-rep')]) });
    assert.deepEqual(await m.onFrame(Buffer.alloc(0)), { kind: 'answer', frame: Buffer.from([0, 0, 0, 0]) });
    const done = await m.onFrame(Buffer.from('wrapped-reply'));
    assert.equal(done.kind, 'authenticated');
    assert.equal((done as { frame: Buffer | null }).frame, null);
  });

  test('a success with an empty token writes the empty token (PLAIN, which kafka-python waits for)', async () => {
    const { mechanism } = scripted('PLAIN', [success()]);
    const m = machine({ mechanisms: [mechanism] });
    await m.onFrame(handshake('PLAIN', 0).payload);
    const done = await m.onFrame(Buffer.from('\0alice\0secret'));
    assert.deepEqual((done as { frame: Buffer | null }).frame, Buffer.from([0, 0, 0, 0]));
  });

  test('a failure closes with no frame', async () => {
    const { mechanism } = scripted('PLAIN', [
      { kind: 'failure', message: 'Authentication failed: Invalid username or password', reason: 'x' },
    ]);
    const m = machine({ mechanisms: [mechanism] });
    await m.onFrame(handshake('PLAIN', 0).payload);
    const fail = expectFail(await m.onFrame(Buffer.from('\0alice\0nope')));
    assert.equal(fail.frame, null);
    assert.equal(fail.delayMs, 100);
  });
});

describe('after authentication and re-authentication (§3.3 point 5, §4.8)', () => {
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => void (t += ms) };
  };
  const header = (r: { payload: Buffer; correlationId: number }, apiKey: number, apiVersion: number) => ({
    apiKey,
    apiVersion,
    correlationId: r.correlationId,
    clientId: 'test',
  });
  const authenticatedHandshake = (m: SaslAuthenticator, mechanism = 'PLAIN') => {
    const h = handshake(mechanism);
    return m.onAuthenticatedSaslRequest(h.payload, header(h, API_KEY.SaslHandshake, 1));
  };

  test('without a session expiry a SaslHandshake gets 34 and no mechanisms; SaslAuthenticate 34 with the broker text', async () => {
    const m = machine({ mechanisms: [scripted('PLAIN', [success()]).mechanism] });
    await run(m, 'PLAIN', 'x');
    assert.equal(m.expiresAtMs, null);
    assert.deepEqual(expectAnswer(authenticatedHandshake(m), API_KEY.SaslHandshake, 1), {
      errorCode: ErrorCode.ILLEGAL_SASL_STATE,
      mechanisms: [],
    });
    const a = authenticate('x');
    const answer = expectAnswer(
      m.onAuthenticatedSaslRequest(a.payload, header(a, API_KEY.SaslAuthenticate, 2)),
      API_KEY.SaslAuthenticate,
      2,
    );
    assert.equal(answer.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
    assert.equal(answer.errorMessage, 'SaslAuthenticate request received after successful authentication');
  });

  test('SessionLifetimeMs: the configured lifetime, capped by the credential expiry; the session expires then', async () => {
    const c = clock();
    const { mechanism } = scripted('OAUTHBEARER', [success(alice, c.now() + 3000)]);
    const m = machine({ mechanisms: [mechanism], sessionLifetimeMs: 60_000, now: c.now });
    const done = await run(m, 'OAUTHBEARER', 'x');
    assert.equal((done as { sessionLifetimeMs: number }).sessionLifetimeMs, 3000);
    assert.equal(decoded((done as { frame: Buffer }).frame, API_KEY.SaslAuthenticate, 2).sessionLifetimeMs, 3000n);
    assert.equal(m.expired(), false);
    c.advance(3000);
    assert.equal(m.expired(), true);
  });

  test('re-authentication as the same principal: a new lifetime; another within a second is not one (34)', async () => {
    const c = clock();
    const { mechanism, log } = scripted('PLAIN', [success()], [success()]);
    const m = machine({ mechanisms: [mechanism], sessionLifetimeMs: 5000, now: c.now });
    await run(m, 'PLAIN', 'x');
    c.advance(4000);
    assert.ok(m.mayStartReauthentication());
    assert.deepEqual(expectAnswer(authenticatedHandshake(m), API_KEY.SaslHandshake, 1), { errorCode: 0, mechanisms: ['PLAIN'] });
    assert.ok(m.authenticating);
    const done = await m.onFrame(authenticate('again').payload);
    assert.equal(done.kind, 'authenticated');
    assert.equal((done as { reauthentication: boolean }).reauthentication, true);
    assert.equal(m.expiresAtMs, c.now() + 5000);
    assert.deepEqual(log.reauth, [false, true]);
    c.advance(500);
    assert.equal(m.mayStartReauthentication(), false);
    assert.equal(expectAnswer(authenticatedHandshake(m), API_KEY.SaslHandshake, 1).errorCode, ErrorCode.ILLEGAL_SASL_STATE);
  });

  test('re-authentication as another principal: 58 "Cannot change principals…"', async () => {
    const { mechanism } = scripted('PLAIN', [success()], [success(KafkaPrincipal.user('bob'))]);
    const m = machine({ mechanisms: [mechanism], sessionLifetimeMs: 5000 });
    await run(m, 'PLAIN', 'x');
    authenticatedHandshake(m);
    const fail = expectFail(await m.onFrame(authenticate('bob').payload));
    assert.equal(fail.reauthentication, true);
    assert.equal(
      decoded(fail.frame, API_KEY.SaslAuthenticate, 2).errorMessage,
      'Cannot change principals during re-authentication from User:alice: User:bob',
    );
  });

  test('re-authentication with another (enabled) mechanism: handshake accepted, then closed without an answer', async () => {
    const plain = scripted('PLAIN', [success()]);
    const scram = scripted('SCRAM-SHA-256', [success()]);
    const m = machine({ mechanisms: [plain.mechanism, scram.mechanism], sessionLifetimeMs: 5000 });
    await run(m, 'PLAIN', 'x');
    assert.equal(expectAnswer(authenticatedHandshake(m, 'SCRAM-SHA-256'), API_KEY.SaslHandshake, 1).errorCode, 0);
    const fail = expectFail(await m.onFrame(authenticate('y').payload));
    assert.equal(fail.frame, null);
    assert.equal(scram.log.started, 0);
  });

  test('a failed re-authentication says "re-authentication" in the generic text', async () => {
    const { mechanism } = scripted('SCRAM-SHA-512', [success()], [{ kind: 'failure', message: null, reason: 'bad proof' }]);
    const m = machine({ mechanisms: [mechanism], sessionLifetimeMs: 5000 });
    await run(m, 'SCRAM-SHA-512', 'x');
    authenticatedHandshake(m, 'SCRAM-SHA-512');
    const fail = expectFail(await m.onFrame(authenticate('y').payload));
    assert.equal(decoded(fail.frame, API_KEY.SaslAuthenticate, 2).errorMessage, genericFailureMessage('SCRAM-SHA-512', true));
    assert.match(genericFailureMessage('SCRAM-SHA-512', true), /during re-authentication due to/);
  });
});
