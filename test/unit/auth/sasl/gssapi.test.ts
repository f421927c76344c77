// The GSSAPI acceptor against a real MIT KDC, driven by a real initiator (the `kerberos` package's
// client, MIT libgssapi underneath): both RFC 4752 client flows, refusals, principal mapping.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GssLibrary } from '../../../../gateway/auth/sasl/gssapi/gss-library.ts';
import { gssapiMechanism, type GssapiOptions } from '../../../../gateway/auth/sasl/gssapi/gssapi.ts';
import type { AuthLog, SaslServerMechanism, SaslStep } from '../../../../gateway/auth/sasl/mechanism.ts';
import type { Kdc } from '../../../harness/kdc.ts';
import { initiator, REALM, startTestRealm, type TestRealm } from './gssapi-realm.ts';

const CONTEXT = { listener: 'sasl', clientAddress: '127.0.0.1', reauthentication: false };

type Logged = { level: string; fields: object; message: string };
function recordingLog(): AuthLog & { lines: Logged[] } {
  const lines: Logged[] = [];
  return {
    lines,
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    error: (fields, message) => lines.push({ level: 'error', fields, message }),
  };
}

let realm: TestRealm;
let kdc: Kdc;

before(async () => {
  realm = await startTestRealm();
  kdc = realm.kdc;
});

after(async () => {
  await realm?.stop();
});

function options(overrides: Partial<GssapiOptions> = {}): GssapiOptions {
  return {
    keytab: realm.twoServiceKeytab,
    servicePrincipal: kdc.service.principal,
    principalToLocalRules: ['DEFAULT'],
    krb5Config: kdc.env.KRB5_CONFIG,
    ...overrides,
  };
}

type Flow = {
  /** The service the client asks a ticket for (GSS host-based form `service@host`). */
  service?: string;
  principal?: string;
  mutual?: boolean;
  authzid?: string;
};

type Transcript = { steps: SaslStep[]; offer?: Buffer; result: SaslStep };

/** The full client side of RFC 4752 with a real initiator, against one exchange of `mechanism`. */
async function authenticate(mechanism: SaslServerMechanism, flow: Flow = {}): Promise<Transcript> {
  const client = await initiator(flow.service ?? 'kafka@localhost', {
    principal: flow.principal ?? `alice@${REALM}`,
    // The `kerberos` package asks for mutual authentication and sequencing by default; the JDK asks for neither.
    mutual: flow.mutual !== false,
  });
  const exchange = mechanism.start(CONTEXT);
  const steps: SaslStep[] = [];
  const send = async (token: Buffer) => {
    const step = await exchange.evaluate(token);
    steps.push(step);
    return step;
  };
  try {
    let step = await send(Buffer.from(await client.step(''), 'base64'));
    while (step.kind === 'challenge' && !client.contextComplete) {
      const answer = await client.step(step.token.toString('base64'));
      step = await send(Buffer.from(answer ?? '', 'base64'));
    }
    if (step.kind !== 'challenge') return { steps, result: step };
    if (step.token.length === 0) throw new Error('unexpected empty challenge');
    // Mutual flow: the client has the AP-REP and its context is complete; it says so with an empty token.
    if (steps.length === 1 && flow.mutual !== false) step = await send(Buffer.alloc(0));
    if (step.kind !== 'challenge') return { steps, result: step };
    const offer = Buffer.from(await client.unwrap(step.token.toString('base64')), 'base64');
    // The package's wrap builds RFC 4752's reply from the offer: layer 0x01, the offered size, the authzid.
    const reply = Buffer.from(await client.wrap(offer.toString('base64'), { user: flow.authzid ?? '' }), 'base64');
    return { steps, offer, result: await send(reply) };
  } finally {
    exchange.dispose();
  }
}

function assertSuccess(step: SaslStep, principal: string): void {
  assert.equal(step.kind, 'success', JSON.stringify(step));
  if (step.kind !== 'success') return;
  assert.equal(step.principal.toString(), principal);
  assert.equal(step.token, null);
  assert.equal(step.credentialExpiresAtMs, null);
}

function assertFailure(step: SaslStep, reason: RegExp): void {
  assert.equal(step.kind, 'failure', JSON.stringify(step));
  if (step.kind !== 'failure') return;
  assert.equal(step.message, null, 'GSSAPI failures send the generic text');
  assert.match(step.reason, reason);
}

describe('the full exchange with a real Kerberos initiator', () => {
  test('mutual authentication: AP-REP, empty token, wrapped offer, wrapped reply → User:alice', async () => {
    const mechanism = gssapiMechanism(options(), recordingLog());
    try {
      const { steps, offer, result } = await authenticate(mechanism);
      assert.equal(mechanism.name, 'GSSAPI');
      assert.equal(steps.length, 3);
      assert.equal(steps[0].kind, 'challenge', 'the AP-REP');
      assert.equal(steps[1].kind, 'challenge', 'the wrapped offer, after the empty token');
      assert.deepEqual(offer, Buffer.from([0x01, 0x01, 0x00, 0x00]), 'no security layer, 65536-byte buffer (the JDK server offer)');
      assertSuccess(result, 'User:alice');
    } finally {
      mechanism.close?.();
    }
  });

  test('no mutual authentication (the JDK client): the offer answers the AP-REQ directly', async () => {
    const mechanism = gssapiMechanism(options(), recordingLog());
    try {
      const { steps, offer, result } = await authenticate(mechanism, { mutual: false });
      assert.equal(steps.length, 2);
      assert.deepEqual(offer, Buffer.from([0x01, 0x01, 0x00, 0x00]));
      assertSuccess(result, 'User:alice');
    } finally {
      mechanism.close?.();
    }
  });

  test("the client's authorization identity is ignored: the authenticated name is the principal", async () => {
    const mechanism = gssapiMechanism(options(), recordingLog());
    try {
      assertSuccess((await authenticate(mechanism, { authzid: 'admin' })).result, 'User:alice');
    } finally {
      mechanism.close?.();
    }
  });

  test('a two-component client name maps with DEFAULT to its primary', async () => {
    const mechanism = gssapiMechanism(options(), recordingLog());
    try {
      assertSuccess((await authenticate(mechanism, { principal: `carol/admin@${REALM}` })).result, 'User:carol');
    } finally {
      mechanism.close?.();
    }
  });

  test('one mechanism serves many exchanges, one after the other and interleaved', async () => {
    const mechanism = gssapiMechanism(options(), recordingLog());
    try {
      const results = await Promise.all([1, 2, 3, 4].map(() => authenticate(mechanism)));
      for (const { result } of results) assertSuccess(result, 'User:alice');
      assertSuccess((await authenticate(mechanism, { mutual: false })).result, 'User:alice');
    } finally {
      mechanism.close?.();
    }
  });
});

describe('refusals: a failure step, never a throw', () => {
  test('a ticket for another service principal is refused, even with its key in the keytab', async () => {
    const mechanism = gssapiMechanism(options(), recordingLog());
    try {
      const { steps, result } = await authenticate(mechanism, { service: 'other@localhost' });
      assert.equal(steps.length, 1);
      assertFailure(result, /^GSSAPI: gss_accept_sec_context: .*other\/localhost/);
      assert.notEqual(result.kind === 'failure' && result.transient, true, 'a wrong service is not retriable');
    } finally {
      mechanism.close?.();
    }
  });

  test('the same ticket for the other service is accepted when that service is configured', async () => {
    const mechanism = gssapiMechanism(options({ servicePrincipal: `other/localhost@${REALM}` }), recordingLog());
    try {
      assertSuccess((await authenticate(mechanism, { service: 'other@localhost' })).result, 'User:alice');
      assertFailure((await authenticate(mechanism)).result, /kafka\/localhost/);
    } finally {
      mechanism.close?.();
    }
  });

  test("an empty servicePrincipal is MIT's default acceptor: any service key of the keytab", async () => {
    const mechanism = gssapiMechanism(options({ servicePrincipal: '' }), recordingLog());
    try {
      assertSuccess((await authenticate(mechanism)).result, 'User:alice');
      assertSuccess((await authenticate(mechanism, { service: 'other@localhost' })).result, 'User:alice');
    } finally {
      mechanism.close?.();
    }
  });

  test('garbage context tokens are refused', async () => {
    const mechanism = gssapiMechanism(options(), recordingLog());
    try {
      const tokens = [
        Buffer.alloc(0),
        Buffer.from('hello'),
        Buffer.from([0x60]),
        Buffer.from([0x60, 0x82, 0xff, 0xff, 0x06, 0x09]),
        Buffer.concat([
          Buffer.from([0x60, 0x20, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02]),
          crypto.randomBytes(40),
        ]),
        crypto.randomBytes(2000),
      ];
      for (const token of tokens) {
        const exchange = mechanism.start(CONTEXT);
        const step = await exchange.evaluate(token);
        assertFailure(step, /^GSSAPI: /);
        assertFailure(await exchange.evaluate(Buffer.alloc(0)), /the exchange is over/);
        exchange.dispose();
        exchange.dispose();
      }
    } finally {
      mechanism.close?.();
    }
  });

  test('a replayed AP-REQ is refused as transient (Kafka closes without a 58 answer)', async () => {
    const mechanism = gssapiMechanism(options(), recordingLog());
    try {
      const client = await initiator('kafka@localhost');
      const apReq = Buffer.from(await client.step(''), 'base64');
      const first = mechanism.start(CONTEXT);
      assert.equal((await first.evaluate(apReq)).kind, 'challenge');
      first.dispose();
      const second = mechanism.start(CONTEXT);
      const step = await second.evaluate(apReq);
      second.dispose();
      assertFailure(step, /replay/i);
      assert.equal(step.kind === 'failure' && step.transient, true);
    } finally {
      mechanism.close?.();
    }
  });

  test('a non-empty token where the empty one belongs (after the AP-REP) is refused', async () => {
    const mechanism = gssapiMechanism(options(), recordingLog());
    try {
      const client = await initiator('kafka@localhost');
      const exchange = mechanism.start(CONTEXT);
      const apRep = await exchange.evaluate(Buffer.from(await client.step(''), 'base64'));
      assert.equal(apRep.kind, 'challenge');
      assertFailure(await exchange.evaluate(Buffer.from([0x01, 0x00, 0x00, 0x00])), /expected an empty token/);
      exchange.dispose();
    } finally {
      mechanism.close?.();
    }
  });

  test('a security-layer reply that is not a valid wrap token from the client is refused', async () => {
    const mechanism = gssapiMechanism(options(), recordingLog());
    try {
      for (const reply of ['unwrapped', 'echoed offer', 'truncated']) {
        const client = await initiator('kafka@localhost', { mutual: false });
        const exchange = mechanism.start(CONTEXT);
        const offer = await exchange.evaluate(Buffer.from(await client.step(''), 'base64'));
        assert.equal(offer.kind, 'challenge');
        if (offer.kind !== 'challenge') continue;
        const token =
          reply === 'unwrapped'
            ? Buffer.from([0x01, 0x00, 0x00, 0x00])
            : reply === 'echoed offer'
              ? offer.token // the acceptor's own token: MIT refuses it (wrong direction)
              : offer.token.subarray(0, offer.token.length - 3);
        assertFailure(await exchange.evaluate(token), /^GSSAPI: gss_unwrap: /);
        exchange.dispose();
      }
    } finally {
      mechanism.close?.();
    }
  });

  test('after dispose an exchange refuses everything (its context is gone)', async () => {
    const mechanism = gssapiMechanism(options(), recordingLog());
    try {
      const client = await initiator('kafka@localhost');
      const exchange = mechanism.start(CONTEXT);
      assert.equal((await exchange.evaluate(Buffer.from(await client.step(''), 'base64'))).kind, 'challenge');
      exchange.dispose();
      assertFailure(await exchange.evaluate(Buffer.alloc(0)), /the exchange is over/);
      exchange.dispose();
    } finally {
      mechanism.close?.();
    }
  });
});

describe('principal mapping (sasl.kerberos.principal.to.local.rules)', () => {
  const mapped = async (rules: string[], principal = `alice@${REALM}`) => {
    const mechanism = gssapiMechanism(options({ principalToLocalRules: rules }), recordingLog());
    try {
      return (await authenticate(mechanism, { principal })).result;
    } finally {
      mechanism.close?.();
    }
  };

  test('RULE:[1:$1@$0](.*@EXAMPLE\\.COM)s/@.*// → User:alice', async () =>
    assertSuccess(await mapped(['RULE:[1:$1@$0](.*@EXAMPLE\\.COM)s/@.*//']), 'User:alice'));
  test('a rule with /U → User:ALICE', async () => assertSuccess(await mapped(['RULE:[1:$1@$0](.*@EXAMPLE\\.COM)s/@.*///U']), 'User:ALICE'));
  test('the first applicable rule wins', async () =>
    assertSuccess(await mapped(['RULE:[2:$1-$2]', 'RULE:[1:kafka-$1]', 'DEFAULT'], `carol/admin@${REALM}`), 'User:carol-admin'));
  test('no rule maps the name → failure naming the Kerberos name', async () =>
    assertFailure(await mapped(['RULE:[2:$1@$0](.*@EXAMPLE\\.COM)s/@.*//']), /alice@EXAMPLE\.COM: No rules apply/));
  test('a rule giving a non-simple name → failure', async () =>
    assertFailure(await mapped(['RULE:[2:$1/$2@$0]'], `carol/admin@${REALM}`), /Non-simple name/));
  test('DEFAULT uses default_realm from krb5Config: another default realm maps nothing', async () => {
    const conf = path.join(kdc.dir, 'krb5-other-default.conf');
    fs.writeFileSync(conf, fs.readFileSync(kdc.env.KRB5_CONFIG, 'utf8').replace(`default_realm = ${REALM}`, 'default_realm = PARTNER.ORG'));
    const log = recordingLog();
    const mechanism = gssapiMechanism(options({ krb5Config: conf }), log);
    try {
      assertFailure((await authenticate(mechanism)).result, /No rules apply to alice@EXAMPLE\.COM/);
      assert.ok(log.lines.some((l) => l.message === 'GSSAPI acceptor ready' && JSON.stringify(l.fields).includes('PARTNER.ORG')));
    } finally {
      mechanism.close?.();
      process.env.KRB5_CONFIG = kdc.env.KRB5_CONFIG;
    }
  });
});

describe('construction', () => {
  test('a missing keytab → a clear Error', () =>
    assert.throws(
      () => gssapiMechanism(options({ keytab: path.join(kdc.dir, 'missing.keytab') }), recordingLog()),
      /^Error: GSSAPI: cannot read keytab .*missing\.keytab/,
    ));

  test('a keytab without the service principal → a clear Error', () =>
    assert.throws(
      () => gssapiMechanism(options({ keytab: realm.aliceKeytab }), recordingLog()),
      /^Error: GSSAPI: cannot accept for kafka\/localhost@EXAMPLE\.COM with keytab .*alice\.keytab: gss_acquire_cred: /,
    ));

  test('a file that is not a keytab → a clear Error', () => {
    const bogus = path.join(kdc.dir, 'bogus.keytab');
    fs.writeFileSync(bogus, 'not a keytab\n');
    assert.throws(() => gssapiMechanism(options({ keytab: bogus }), recordingLog()), /^Error: GSSAPI: cannot accept for kafka\/localhost/);
  });

  test('a missing krb5Config → a clear Error', () =>
    assert.throws(
      () => gssapiMechanism(options({ krb5Config: path.join(kdc.dir, 'missing.conf') }), recordingLog()),
      /GSSAPI: cannot read krb5Config/,
    ));

  test('invalid principal-to-local rules → a clear Error', () =>
    assert.throws(
      () => gssapiMechanism(options({ principalToLocalRules: ['RULE:[1:$1'] }), recordingLog()),
      /GSSAPI: principalToLocalRules: Invalid rule/,
    ));

  test('a library that cannot be loaded → an Error naming it', () =>
    assert.throws(
      () => GssLibrary.load('libgssapi_krb5_missing.so.2'),
      /^Error: GSSAPI: cannot load libgssapi_krb5_missing\.so\.2 \(MIT Kerberos/,
    ));

  test('the keytab registration is process-wide, but a credential keeps the keytab it was acquired with', async () => {
    const kafkaOnly = gssapiMechanism(options({ keytab: kdc.service.keytab }), recordingLog());
    // Registered last, without kafka/localhost's key: kafkaOnly must keep accepting with its own keytab.
    const otherOnly = gssapiMechanism(options({ keytab: realm.otherKeytab, servicePrincipal: `other/localhost@${REALM}` }), recordingLog());
    try {
      assertSuccess((await authenticate(kafkaOnly)).result, 'User:alice');
      assertSuccess((await authenticate(otherOnly, { service: 'other@localhost' })).result, 'User:alice');
    } finally {
      kafkaOnly.close?.();
      otherOnly.close?.();
    }
  });

  test('close is idempotent; an exchange started or running after close refuses (its credential is gone)', async () => {
    const mechanism = gssapiMechanism(options(), recordingLog());
    const running = mechanism.start(CONTEXT);
    mechanism.close?.();
    mechanism.close?.();
    const client = await initiator('kafka@localhost');
    const apReq = Buffer.from(await client.step(''), 'base64');
    assertFailure(await running.evaluate(apReq), /the mechanism is closed/);
    const late = mechanism.start(CONTEXT);
    assertFailure(await late.evaluate(apReq), /the mechanism is closed/);
    running.dispose();
    late.dispose();
  });
});
