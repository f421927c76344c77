import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createDelegationTokenEnforcer } from '../../../../../gateway/authz/enforce/security/create-delegation-token.ts';
import { describeDelegationTokenEnforcer } from '../../../../../gateway/authz/enforce/security/describe-delegation-token.ts';
import { expireDelegationTokenEnforcer } from '../../../../../gateway/authz/enforce/security/expire-delegation-token.ts';
import { renewDelegationTokenEnforcer } from '../../../../../gateway/authz/enforce/security/renew-delegation-token.ts';
import type { AnyEnforcer } from '../../../../../gateway/authz/enforce/enforcer.ts';
import type { Struct, TypedApiKey } from '../../../../../gateway/protocol/index.ts';
import { requestView, roundTripResponse, testContext, type TestContext } from '../context.ts';

function answer(enforcer: AnyEnforcer, version: number, body: Struct, ctx: TestContext): Struct {
  const d = enforcer.onRequest(requestView(enforcer.apiKey as TypedApiKey, version, body), ctx) as { action: string; body?: Struct };
  assert.equal(d.action, 'answer');
  return roundTripResponse(enforcer.apiKey as number, version, d.body ?? {});
}

const tokenConnection = (acls: string[] = [], principal = 'User:alice') => testContext(acls, { principal, tokenRequestsAllowed: true });
const plaintextConnection = (acls: string[] = []) => testContext(acls, { tokenRequestsAllowed: false });

test('the token APIs cover every version of the codec tables', () => {
  assert.deepEqual(createDelegationTokenEnforcer.versions, { min: 0, max: 3 });
  assert.deepEqual(renewDelegationTokenEnforcer.versions, { min: 0, max: 2 });
  assert.deepEqual(expireDelegationTokenEnforcer.versions, { min: 0, max: 2 });
  assert.deepEqual(describeDelegationTokenEnforcer.versions, { min: 0, max: 3 });
});

describe('CreateDelegationToken', () => {
  // No owner fields: v0–2 cannot carry them, and a v3 request without them asks for the requester's own token.
  const own: Struct = { renewers: [], maxLifetimeMs: -1n };
  const forBob = { ...own, ownerPrincipalType: 'User', ownerPrincipalName: 'bob' };

  for (const v of [0, 2, 3]) {
    test(`v${v}: a connection that may not ask for tokens → 64, owner = requester, timestamps −1`, () => {
      const body = answer(createDelegationTokenEnforcer, v, own, plaintextConnection());
      assert.equal(body.errorCode, 64);
      assert.deepEqual([body.principalType, body.principalName], ['User', 'alice']);
      assert.deepEqual([body.issueTimestampMs, body.expiryTimestampMs, body.maxTimestampMs], [-1n, -1n, -1n]);
      assert.equal(body.tokenId, '');
      assert.deepEqual(body.hmac, Buffer.alloc(0));
      assert.equal(body.throttleTimeMs, 0);
      if (v >= 3) assert.deepEqual([body.tokenRequesterPrincipalType, body.tokenRequesterPrincipalName], ['User', 'alice']);
    });

    test(`v${v}: its own token on an allowed connection → 61 from the disabled token manager (timestamps 0)`, () => {
      const ctx = tokenConnection();
      const body = answer(createDelegationTokenEnforcer, v, own, ctx);
      assert.equal(body.errorCode, 61);
      assert.deepEqual([body.principalType, body.principalName], ['User', 'alice']);
      assert.deepEqual([body.issueTimestampMs, body.expiryTimestampMs, body.maxTimestampMs], [0n, 0n, 0n]);
      assert.deepEqual(ctx.asked, [], 'a token for oneself needs no ACL');
    });

    test(`v${v}: a renewer that is not of type User → 67`, () => {
      const body = answer(
        createDelegationTokenEnforcer,
        v,
        { ...own, renewers: [{ principalType: 'Group', principalName: 'ops' }] },
        tokenConnection(),
      );
      assert.equal(body.errorCode, 67);
    });
  }

  test('v3: a token owned by someone else needs CREATE_TOKENS on that user → else 65', () => {
    const ctx = tokenConnection();
    const body = answer(createDelegationTokenEnforcer, 3, forBob, ctx);
    assert.equal(body.errorCode, 65);
    assert.deepEqual([body.principalType, body.principalName, body.tokenRequesterPrincipalName], ['User', 'bob', 'alice']);
    assert.deepEqual([body.issueTimestampMs, body.expiryTimestampMs, body.maxTimestampMs], [-1n, -1n, -1n]);
    assert.deepEqual(ctx.asked, [{ operation: 'CREATE_TOKENS', type: 'USER', name: 'User:bob', quiet: false }]);
  });

  test('v3: with CREATE_TOKENS on the owner → past authorization, 61', () => {
    const body = answer(createDelegationTokenEnforcer, 3, forBob, tokenConnection(['User:alice ALLOW CREATE_TOKENS USER User:bob']));
    assert.equal(body.errorCode, 61);
  });

  test('the connection check comes first: 64 without asking about the owner', () => {
    const ctx = plaintextConnection();
    assert.equal(answer(createDelegationTokenEnforcer, 3, forBob, ctx).errorCode, 64);
    assert.deepEqual(ctx.asked, []);
  });

  test('owner authorization comes before the renewers check (65, not 67)', () => {
    const body = answer(
      createDelegationTokenEnforcer,
      3,
      { ...forBob, renewers: [{ principalType: 'Group', principalName: 'x' }] },
      tokenConnection(),
    );
    assert.equal(body.errorCode, 65);
  });

  test('an owner named like the requester is the requester: no question', () => {
    const ctx = tokenConnection();
    assert.equal(
      answer(createDelegationTokenEnforcer, 3, { ...own, ownerPrincipalType: 'User', ownerPrincipalName: 'alice' }, ctx).errorCode,
      61,
    );
    assert.deepEqual(ctx.asked, []);
  });

  test('a named owner without a type → −1 with ANONYMOUS owner and requester, before any other check', () => {
    const body = answer(
      createDelegationTokenEnforcer,
      3,
      { ...own, ownerPrincipalType: null, ownerPrincipalName: 'bob' },
      plaintextConnection(),
    );
    assert.equal(body.errorCode, -1);
    assert.deepEqual([body.principalName, body.tokenRequesterPrincipalName], ['ANONYMOUS', 'ANONYMOUS']);
  });
});

describe('RenewDelegationToken / ExpireDelegationToken', () => {
  const bodies: [AnyEnforcer, Struct][] = [
    [renewDelegationTokenEnforcer, { hmac: Buffer.from('mac'), renewPeriodMs: 1000n }],
    [expireDelegationTokenEnforcer, { hmac: Buffer.from('mac'), expiryTimePeriodMs: -1n }],
  ];
  for (const [enforcer, request] of bodies) {
    for (const v of [0, 1, 2]) {
      test(`key ${enforcer.apiKey} v${v}: 64 with expiry −1 on a connection that may not ask; else 61 with expiry 0`, () => {
        assert.deepEqual(answer(enforcer, v, request, plaintextConnection()), { errorCode: 64, expiryTimestampMs: -1n, throttleTimeMs: 0 });
        const ctx = tokenConnection();
        assert.deepEqual(answer(enforcer, v, request, ctx), { errorCode: 61, expiryTimestampMs: 0n, throttleTimeMs: 0 });
        assert.deepEqual(ctx.asked, []);
      });
    }
  }
});

describe('DescribeDelegationToken', () => {
  for (const v of [0, 2, 3]) {
    test(`v${v}: 64 on a connection that may not ask; else 61; never a token`, () => {
      const owners = [{ principalType: 'User', principalName: 'bob' }];
      assert.deepEqual(answer(describeDelegationTokenEnforcer, v, { owners }, plaintextConnection()), {
        errorCode: 64,
        tokens: [],
        throttleTimeMs: 0,
      });
      assert.deepEqual(answer(describeDelegationTokenEnforcer, v, { owners: null }, tokenConnection()), {
        errorCode: 61,
        tokens: [],
        throttleTimeMs: 0,
      });
    });
  }

  test('an empty owner list still gets 61: the broker checks token support before the owners', () => {
    assert.equal(answer(describeDelegationTokenEnforcer, 3, { owners: [] }, tokenConnection()).errorCode, 61);
  });
});
