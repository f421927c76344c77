// The exported kafkajs GSSAPI mechanism (gateway/clients/kafkajs-gssapi.ts) against the gateway's
// acceptor and a real KDC, with kafkajs's SaslAuthenticate transport replaced by a direct call (the
// integration test runs it inside kafkajs against a real broker and the gateway). A scripted acceptor
// on MIT's library checks the bytes the client wraps and plays servers that break RFC 4752.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Mechanism } from 'kafkajs';
import { GssLibrary, type GssHandle } from '../../../../gateway/auth/sasl/gssapi/gss-library.ts';
import { gssapiMechanism } from '../../../../gateway/auth/sasl/gssapi/gssapi.ts';
import type { SaslStep } from '../../../../gateway/auth/sasl/mechanism.ts';
import {
  GssapiAuthenticationError,
  gssapiAuthenticationProvider,
  kafkajsGssapi,
  type GssapiAuthenticationProviderArgs,
  type GssapiClientOptions,
} from '../../../../gateway/clients/kafkajs-gssapi.ts';
import { REALM, startTestRealm, type TestRealm } from './gssapi-realm.ts';

const SILENT = { info: () => undefined, warn: () => undefined, error: () => undefined };
const GENERIC = 'Authentication failed during authentication due to invalid credentials with SASL mechanism GSSAPI';

let realm: TestRealm;
before(async () => {
  realm = await startTestRealm();
});
after(async () => {
  await realm?.stop();
});

/** A server: the next client token in, the SaslAuthenticate answer out (throws as kafkajs does on error 58). */
type Server = (token: Buffer) => Promise<Buffer>;

/** kafkajs's saslAuthenticate (v1 path): encode() is int32 length + token; the answer is handed to decode() the same way. */
function transport(server: Server, seen: Buffer[]): GssapiAuthenticationProviderArgs['saslAuthenticate'] {
  return async ({ request, response }) => {
    const encoded = await request.encode();
    assert.equal(encoded.readInt32BE(0), encoded.length - 4, 'the request is length-prefixed');
    const token = encoded.subarray(4);
    seen.push(token);
    const answer = await server(token);
    if (!response) return undefined;
    const framed = Buffer.alloc(4 + answer.length);
    framed.writeInt32BE(answer.length);
    answer.copy(framed, 4);
    return response.parse(await response.decode(framed));
  };
}

async function runProvider(server: Server, options: GssapiClientOptions): Promise<Buffer[]> {
  const seen: Buffer[] = [];
  const provider = gssapiAuthenticationProvider(options);
  await provider({
    host: 'localhost',
    port: 9092,
    logger: { debug: () => undefined },
    saslAuthenticate: transport(server, seen),
  }).authenticate();
  return seen;
}

/** The gateway's acceptor as the server; resolves with the client tokens and the outcome. */
async function againstGateway(options: GssapiClientOptions = {}, servicePrincipal = realm.kdc.service.principal) {
  const mechanism = gssapiMechanism(
    { keytab: realm.twoServiceKeytab, servicePrincipal, principalToLocalRules: ['DEFAULT'], krb5Config: realm.kdc.env.KRB5_CONFIG },
    SILENT,
  );
  const exchange = mechanism.start({ listener: 'sasl', clientAddress: '127.0.0.1', reauthentication: false });
  const steps: SaslStep[] = [];
  try {
    const seen = await runProvider(async (token) => {
      const step = await exchange.evaluate(token);
      steps.push(step);
      if (step.kind === 'failure') throw new Error(GENERIC);
      return step.kind === 'challenge' ? step.token : (step.token ?? Buffer.alloc(0));
    }, options);
    return { seen, steps };
  } finally {
    exchange.dispose();
    mechanism.close?.();
  }
}

describe('the kafkajs GSSAPI mechanism against the gateway acceptor', () => {
  test('kafkajsGssapi() is a kafkajs `sasl` option (mechanism GSSAPI, sent upper-case in SaslHandshake)', () => {
    const sasl: Mechanism = kafkajsGssapi({ serviceName: 'kafka' });
    assert.equal(sasl.mechanism, 'GSSAPI');
    assert.equal(typeof sasl.authenticationProvider, 'function');
  });

  test('mutual authentication (default): AP-REQ, empty token, wrapped reply → User:alice', async () => {
    const { seen, steps } = await againstGateway();
    assert.equal(seen.length, 3);
    assert.equal(seen[0][0], 0x60, 'a GSS initial context token');
    assert.equal(seen[1].length, 0, 'the empty token after the AP-REP');
    assert.deepEqual(
      steps.map((s) => s.kind),
      ['challenge', 'challenge', 'success'],
    );
    const last = steps[2];
    assert.equal(last.kind === 'success' && last.principal.toString(), 'User:alice');
  });

  test('without mutual authentication: AP-REQ, wrapped reply', async () => {
    const { seen, steps } = await againstGateway({ mutualAuthentication: false });
    assert.equal(seen.length, 2);
    const last = steps[1];
    assert.equal(last.kind === 'success' && last.principal.toString(), 'User:alice');
  });

  test('the principal option picks the client ticket', async () => {
    const { steps } = await againstGateway({ principal: `carol/admin@${REALM}` });
    const last = steps.at(-1)!;
    assert.equal(last.kind === 'success' && last.principal.toString(), 'User:carol');
  });

  test('a ticket for another service: a non-retriable GssapiAuthenticationError with the server message', async () => {
    await assert.rejects(
      againstGateway({ serviceName: 'other' }),
      (err: unknown) =>
        err instanceof GssapiAuthenticationError &&
        err.retriable === false &&
        err.message === `SASL GSSAPI authentication failed: ${GENERIC}`,
    );
  });

  test('no ticket for the client principal: refused before anything is sent', async () => {
    await assert.rejects(againstGateway({ principal: `nobody@${REALM}` }), GssapiAuthenticationError);
  });
});

/** A hand-played acceptor on MIT's library: accepts the context, then sends `offer` wrapped; records the unwrapped reply. */
function scriptedServer(offer: Buffer) {
  const lib = GssLibrary.load();
  lib.registerAcceptorKeytab(realm.kdc.service.keytab);
  const name = lib.importPrincipalName(realm.kdc.service.principal);
  const credential = lib.acquireAcceptorCredential(name);
  lib.releaseName(name);
  let context: GssHandle = null;
  const replies: Buffer[] = [];
  const server: Server = (token) => {
    if (context === null) {
      const step = lib.accept(null, credential, token);
      context = step.context;
      lib.releaseName(step.sourceName);
      // The AP-REP when the client asked for mutual authentication, else the offer right away.
      return Promise.resolve(step.output.length > 0 ? step.output : lib.wrap(context, offer));
    }
    if (token.length === 0) return Promise.resolve(lib.wrap(context, offer));
    replies.push(lib.unwrap(context, token));
    return Promise.resolve(Buffer.alloc(0));
  };
  return {
    server,
    replies,
    close: () => {
      lib.deleteContext(context);
      lib.releaseCredential(credential);
    },
  };
}

describe('the security-layer step, byte by byte', () => {
  test('the reply chooses no layer (0x01), echoes the offered size and carries the authzid', async () => {
    const scripted = scriptedServer(Buffer.from([0x07, 0x00, 0x10, 0x00]));
    try {
      await runProvider(scripted.server, { authorizationIdentity: 'admin' });
      assert.deepEqual(scripted.replies, [Buffer.concat([Buffer.from([0x01, 0x00, 0x10, 0x00]), Buffer.from('admin')])]);
    } finally {
      scripted.close();
    }
  });

  test('without an authzid the reply is the 4 octets only', async () => {
    const scripted = scriptedServer(Buffer.from([0x01, 0x01, 0x00, 0x00]));
    try {
      await runProvider(scripted.server, { mutualAuthentication: false });
      assert.deepEqual(scripted.replies, [Buffer.from([0x01, 0x01, 0x00, 0x00])]);
    } finally {
      scripted.close();
    }
  });

  for (const [what, offer, message] of [
    ['an offer without "no layer"', Buffer.from([0x06, 0x01, 0x00, 0x00]), /offers no "no security layer" option \(0x6\)/],
    ['an offer of 5 octets', Buffer.from([0x01, 0x01, 0x00, 0x00, 0x00]), /offer has 5 bytes, not 4/],
    ['an offer of 3 octets', Buffer.from([0x01, 0x01, 0x00]), /offer has 3 bytes, not 4/],
  ] as const) {
    test(`${what} is refused by the client, nothing wrapped`, async () => {
      const scripted = scriptedServer(offer);
      try {
        await assert.rejects(
          runProvider(scripted.server, {}),
          (err: unknown) => err instanceof GssapiAuthenticationError && message.test(err.message),
        );
        assert.deepEqual(scripted.replies, []);
      } finally {
        scripted.close();
      }
    });
  }
});
