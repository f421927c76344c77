// The OAUTHBEARER server mechanism (spec §4.6): a JWT validated against a JWKS file or URL. A refused
// token gets an error challenge with Kafka's JSON status, the client's 0x01 then gets the failure with
// the same JSON as its message; a malformed message fails at once with the generic message.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  oauthbearerMechanism,
  type OauthbearerJwksSource,
  type OauthbearerOptions,
} from '../../../../gateway/auth/sasl/oauthbearer/oauthbearer.ts';
import type { AuthLog, SaslStep } from '../../../../gateway/auth/sasl/mechanism.ts';
import { newSigningKey, startTokenEndpoint, unsignedToken, type SigningKey } from '../../../harness/sasl/token-endpoint.ts';
import { SignJWT, type JWTPayload } from 'jose';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-oauthbearer-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const ISSUER = 'https://issuer.example';
const INVALID_TOKEN = '{"status":"invalid_token"}';
const CONTEXT = { listener: 'sasl', clientAddress: '127.0.0.1', reauthentication: false };

const key = await newSigningKey();
const otherKey = await newSigningKey();

type LogLine = { level: string; fields: object; message: string };
function recordingLog(): AuthLog & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    error: (fields, message) => lines.push({ level: 'error', fields, message }),
  };
}

let fileCounter = 0;
function jwksFile(...keys: SigningKey[]): string {
  const file = path.join(dir, `jwks-${fileCounter++}.json`);
  fs.writeFileSync(file, JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
  return file;
}

function options(
  overrides: Partial<OauthbearerOptions> = {},
  jwks: OauthbearerJwksSource = { kind: 'file', path: jwksFile(key) },
): OauthbearerOptions {
  return {
    jwks,
    issuer: ISSUER,
    audience: ['kafka'],
    principalClaim: 'sub',
    scopeClaim: 'scope',
    requiredScopes: [],
    clockSkewSeconds: 30,
    algorithms: ['RS256', 'ES256'],
    ...overrides,
  };
}

const now = () => Math.floor(Date.now() / 1000);

function claims(overrides: JWTPayload = {}): JWTPayload {
  return { iss: ISSUER, aud: 'kafka', sub: 'alice', scope: 'kafka.read kafka.write', iat: now(), exp: now() + 600, ...overrides };
}

function sign(payload: JWTPayload, signer: SigningKey = key, kid = signer.kid): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(signer.privateKey);
}

function initialResponse(token: string, authzid = ''): Buffer {
  return Buffer.from(`n,${authzid ? `a=${authzid}` : ''},\x01auth=Bearer ${token}\x01\x01`);
}

async function authenticate(opts: OauthbearerOptions, token: string, authzid = '', log = recordingLog()): Promise<SaslStep> {
  const mechanism = oauthbearerMechanism(opts, log);
  const exchange = mechanism.start(CONTEXT);
  try {
    return await exchange.evaluate(initialResponse(token, authzid));
  } finally {
    exchange.dispose();
    mechanism.close?.();
  }
}

/** A refused token: the error challenge, then the failure answering the client's 0x01, with `json` in both. */
async function assertRefused(opts: OauthbearerOptions, token: string, json: string, reason: RegExp): Promise<void> {
  const log = recordingLog();
  const mechanism = oauthbearerMechanism(opts, log);
  const exchange = mechanism.start(CONTEXT);
  const first = await exchange.evaluate(initialResponse(token));
  assert.deepEqual(first, { kind: 'challenge', token: Buffer.from(json) });
  const second = await exchange.evaluate(Buffer.from([0x01]));
  assert.equal(second.kind, 'failure');
  if (second.kind === 'failure') {
    assert.equal(second.message, json);
    assert.match(second.reason, reason);
    assert.ok(!second.reason.includes(token), 'the reason never holds the token');
  }
  const payload = token.split('.')[1];
  for (const line of log.lines) assert.ok(!JSON.stringify(line).includes(payload), 'the log never holds the token');
  exchange.dispose();
  mechanism.close?.();
}

test('a valid token authenticates User:<sub> with an empty final challenge and its expiry as credential lifetime', async () => {
  const exp = now() + 900;
  const step = await authenticate(options(), await sign(claims({ exp })));
  assert.equal(step.kind, 'success');
  if (step.kind !== 'success') return;
  assert.equal(step.principal.toString(), 'User:alice');
  assert.equal(step.credentialExpiresAtMs, exp * 1000);
  assert.deepEqual(step.token, Buffer.alloc(0));
});

test('principalClaim picks another claim; its value is trimmed as Kafka does', async () => {
  const step = await authenticate(options({ principalClaim: 'client_id' }), await sign(claims({ client_id: '  svc-orders ' })));
  assert.equal(step.kind === 'success' && step.principal.toString(), 'User:svc-orders');
});

test('refused: an expired token (beyond the clock skew)', async () => {
  await assertRefused(options(), await sign(claims({ iat: now() - 3600, exp: now() - 31 })), INVALID_TOKEN, /expired/);
});

test('accepted: a token expired less than clockSkewSeconds ago; refused: one not valid before now + more than the skew', async () => {
  assert.equal((await authenticate(options(), await sign(claims({ exp: now() - 10 })))).kind, 'success');
  assert.equal((await authenticate(options(), await sign(claims({ nbf: now() + 10 })))).kind, 'success');
  await assertRefused(options(), await sign(claims({ nbf: now() + 120 })), INVALID_TOKEN, /nbf/);
  await assertRefused(options(), await sign(claims({ iat: now() + 120 })), INVALID_TOKEN, /iat/);
});

test('refused: a token without exp', async () => {
  await assertRefused(options(), await sign(claims({ exp: undefined })), INVALID_TOKEN, /"exp"/);
});

test('refused: a token without iat (Kafka 4 requires it too)', async () => {
  await assertRefused(options(), await sign(claims({ iat: undefined })), INVALID_TOKEN, /"iat"/);
});

test('refused: an unsigned token (alg none), even when the configuration lists none', async () => {
  const token = unsignedToken(claims());
  await assertRefused(options(), token, INVALID_TOKEN, /algorithm/);
  await assertRefused(options({ algorithms: ['none', 'RS256'] }), token, INVALID_TOKEN, /algorithm/);
  assert.throws(() => oauthbearerMechanism(options({ algorithms: ['none'] }), recordingLog()), /at least one signature algorithm/);
});

test('refused: an algorithm outside the allowed list', async () => {
  await assertRefused(options({ algorithms: ['ES256'] }), await sign(claims()), INVALID_TOKEN, /algorithm/);
});

test('refused: wrong audience, no audience, wrong issuer; not checked when not configured', async () => {
  await assertRefused(options(), await sign(claims({ aud: 'other' })), INVALID_TOKEN, /audience/);
  await assertRefused(options(), await sign(claims({ aud: undefined })), INVALID_TOKEN, /"aud"/);
  await assertRefused(options(), await sign(claims({ iss: 'https://evil.example' })), INVALID_TOKEN, /issuer/);
  assert.equal((await authenticate(options({ audience: ['x', 'kafka'] }), await sign(claims({ aud: ['kafka', 'y'] })))).kind, 'success');
  const unchecked = options({ issuer: null, audience: [] });
  assert.equal((await authenticate(unchecked, await sign(claims({ iss: 'anyone', aud: 'anything' })))).kind, 'success');
});

test('no audience or issuer configured: accepted, but said at start (as Kafka warns)', () => {
  const log = recordingLog();
  oauthbearerMechanism(options({ issuer: null, audience: [] }), log).close?.();
  const warnings = log.lines.filter((l) => l.level === 'warn').map((l) => l.message);
  assert.equal(warnings.length, 2);
  assert.ok(warnings.some((m) => /no audience/.test(m)) && warnings.some((m) => /no issuer/.test(m)));
  const quiet = recordingLog();
  oauthbearerMechanism(options(), quiet).close?.();
  assert.equal(quiet.lines.filter((l) => l.level === 'warn').length, 0);
});

test('refused: a bad signature (another key under a served kid, or a tampered payload)', async () => {
  await assertRefused(options(), await sign(claims(), otherKey, key.kid), INVALID_TOKEN, /bad signature/);
  const [h, , s] = (await sign(claims())).split('.');
  const forged = Buffer.from(JSON.stringify(claims({ sub: 'admin' }))).toString('base64url');
  await assertRefused(options(), `${h}.${forged}.${s}`, INVALID_TOKEN, /bad signature/);
});

test('refused: principal claim missing, empty or not a string', async () => {
  await assertRefused(options(), await sign(claims({ sub: undefined })), INVALID_TOKEN, /principal claim "sub"/);
  await assertRefused(options(), await sign(claims({ sub: '  ' })), INVALID_TOKEN, /empty/);
  await assertRefused(options({ principalClaim: 'uid' }), await sign(claims({ uid: 42 })), INVALID_TOKEN, /principal claim "uid"/);
});

test('required scopes: a missing one gets insufficient_scope with the required scopes; string and array claims both work', async () => {
  const required = options({ requiredScopes: ['kafka.read', 'kafka.write'] });
  await assertRefused(
    required,
    await sign(claims({ scope: 'kafka.read' })),
    '{"status":"insufficient_scope", "scope":"kafka.read kafka.write"}',
    /missing scope\(s\) kafka.write/,
  );
  await assertRefused(
    required,
    await sign(claims({ scope: undefined })),
    '{"status":"insufficient_scope", "scope":"kafka.read kafka.write"}',
    /scope/,
  );
  assert.equal((await authenticate(required, await sign(claims()))).kind, 'success');
  const arrays = options({ requiredScopes: ['a'], scopeClaim: 'scp' });
  assert.equal((await authenticate(arrays, await sign(claims({ scp: ['b', 'a'] })))).kind, 'success');
});

test('an authzid equal to the principal is accepted; a different one fails with Kafka message', async () => {
  const token = await sign(claims());
  assert.equal((await authenticate(options(), token, 'alice')).kind, 'success');
  const step = await authenticate(options(), token, 'bob');
  assert.deepEqual(step, {
    kind: 'failure',
    message: "Authentication failed: Client requested an authorization id (bob) that is different from the token's principal name (alice)",
    reason: 'authorization id differs from the token principal',
  });
});

test('a malformed initial response fails at once with the generic message; so does a 0x01 with no error pending', async () => {
  const mechanism = oauthbearerMechanism(options(), recordingLog());
  for (const bytes of [Buffer.from('n,,\x01auth=Basic abc\x01\x01'), Buffer.from([0x01]), Buffer.alloc(0), Buffer.from('garbage')]) {
    const step = await mechanism.start(CONTEXT).evaluate(bytes);
    assert.equal(step.kind, 'failure');
    assert.equal(step.kind === 'failure' && step.message, null);
    assert.match(step.kind === 'failure' ? step.reason : '', /malformed client initial response/);
  }
  mechanism.close?.();
});

test('after an error challenge, a new initial response is evaluated afresh (as Kafka does)', async () => {
  const mechanism = oauthbearerMechanism(options(), recordingLog());
  const exchange = mechanism.start(CONTEXT);
  assert.equal((await exchange.evaluate(initialResponse(await sign(claims({ aud: 'other' }))))).kind, 'challenge');
  assert.equal((await exchange.evaluate(initialResponse(await sign(claims())))).kind, 'success');
  assert.equal((await exchange.evaluate(Buffer.from([0x01]))).kind, 'failure', 'nothing is accepted after the end');
  mechanism.close?.();
});

test('JWKS file: an unknown kid is refused until the file holds the key; a bad rewrite keeps the last good keys', async () => {
  const file = jwksFile(key);
  const log = recordingLog();
  const mechanism = oauthbearerMechanism(options({}, { kind: 'file', path: file }), log);
  const run = async (token: string) => mechanism.start(CONTEXT).evaluate(initialResponse(token));
  const rotated = await newSigningKey();
  const newToken = await sign(claims(), rotated);
  const refused = await run(newToken);
  assert.equal(refused.kind, 'challenge');

  fs.writeFileSync(file, JSON.stringify({ keys: [key.publicJwk, rotated.publicJwk] }));
  assert.equal((await run(newToken)).kind, 'success');
  fs.writeFileSync(file, '{ not json');
  assert.equal((await run(newToken)).kind, 'success', 'last good keys still in force');
  assert.ok(log.lines.some((l) => l.level === 'warn' && /keeping the last good keys/.test(l.message)));
  // Rename over the file (as editors and ConfigMaps do) with the old key only.
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ keys: [key.publicJwk] }));
  fs.renameSync(tmp, file);
  assert.equal((await run(newToken)).kind, 'challenge');
  assert.equal((await run(await sign(claims()))).kind, 'success');
  mechanism.close?.();
});

test('JWKS file: missing or not a key set at start is a configuration error naming the file', () => {
  const missing = path.join(dir, 'missing.json');
  assert.throws(
    () => oauthbearerMechanism(options({}, { kind: 'file', path: missing }), recordingLog()),
    /cannot read the JWKS file .*missing\.json/,
  );
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ nokeys: [] }));
  assert.throws(
    () => oauthbearerMechanism(options({}, { kind: 'file', path: bad }), recordingLog()),
    /bad\.json is not a JSON Web Key Set/,
  );
});

test('JWKS URL: fetched once and cached; an unknown kid refetches, at most once per cooldown; rotation is picked up', async () => {
  const idp = await startTokenEndpoint({ clients: {} });
  const mechanism = oauthbearerMechanism(
    options({ issuer: idp.issuer }, { kind: 'url', url: idp.jwksUrl, refreshMs: 3_600_000, cooldownMs: 400 }),
    recordingLog(),
  );
  const run = async (token: string) => mechanism.start(CONTEXT).evaluate(initialResponse(token));
  try {
    for (let i = 0; i < 3; i++) assert.equal((await run(await idp.grant('alice'))).kind, 'success');
    assert.equal(idp.hits.jwks, 1, 'one fetch serves every authentication');

    // A kid no one serves: one refetch, then none until the cooldown is over.
    await new Promise((r) => setTimeout(r, 450));
    const stray = await sign(claims({ iss: idp.issuer }), otherKey);
    assert.equal((await run(stray)).kind, 'challenge');
    assert.equal(idp.hits.jwks, 2);
    assert.equal((await run(stray)).kind, 'challenge');
    assert.equal(idp.hits.jwks, 2, 'no refetch within the cooldown');

    // The provider rotates; after the cooldown the first token of the new key triggers the refetch.
    await idp.rotate({ dropOld: true });
    await new Promise((r) => setTimeout(r, 450));
    assert.equal((await run(await idp.grant('alice'))).kind, 'success');
    assert.equal(idp.hits.jwks, 3);
  } finally {
    mechanism.close?.();
    await idp.close();
  }
});

test('JWKS URL: refreshed every refreshMs; an unreachable endpoint keeps the last good keys', async () => {
  const idp = await startTokenEndpoint({ clients: {} });
  const log = recordingLog();
  const mechanism = oauthbearerMechanism(
    options({ issuer: idp.issuer }, { kind: 'url', url: idp.jwksUrl, refreshMs: 200, cooldownMs: 60_000 }),
    log,
  );
  const run = async (token: string) => mechanism.start(CONTEXT).evaluate(initialResponse(token));
  try {
    const token = await idp.grant('alice');
    assert.equal((await run(token)).kind, 'success');
    await new Promise((r) => setTimeout(r, 700));
    assert.ok(idp.hits.jwks >= 3, `refreshed in the background (${idp.hits.jwks} fetches)`);
    await idp.close();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await run(token)).kind, 'success');
    assert.ok(log.lines.some((l) => l.level === 'warn' && /keeping the last good keys/.test(l.message)));
  } finally {
    mechanism.close?.();
  }
});

test('JWKS URL never reachable: tokens are refused with invalid_token, not thrown', async () => {
  const idp = await startTokenEndpoint({ clients: {} });
  const token = await idp.grant('alice');
  await idp.close();
  await assertRefused(
    options({ issuer: idp.issuer }, { kind: 'url', url: idp.jwksUrl, refreshMs: 60_000, cooldownMs: 0 }),
    token,
    INVALID_TOKEN,
    /JWKS not available/,
  );
});

test('random client bytes never throw', async () => {
  const mechanism = oauthbearerMechanism(options(), recordingLog());
  for (let i = 0; i < 300; i++) {
    const random = Buffer.from(Array.from({ length: Math.floor(Math.random() * 64) }, () => Math.floor(Math.random() * 256)));
    const tokenish = Buffer.from(`n,,\x01auth=Bearer ${random.toString('base64url')}.${random.toString('base64url')}.x\x01\x01`);
    for (const bytes of [random, tokenish]) {
      const step = await mechanism.start(CONTEXT).evaluate(bytes);
      assert.ok(step.kind === 'failure' || step.kind === 'challenge');
    }
  }
  mechanism.close?.();
});
