// SASL/GSSAPI (Kerberos V5, RFC 4752) for kafkajs 2.x, which has no GSSAPI of its own: a custom
// `authenticationProvider` driving MIT's GSS-API initiator through the `kerberos` package.
//
//   new Kafka({ brokers, sasl: kafkajsGssapi({ serviceName: 'kafka' }) })
//
// The client's ticket cache (KRB5CCNAME, filled by kinit) must hold a TGT; KRB5_CONFIG names the realm.
// kafkajs sends SaslHandshake with the upper-cased mechanism name, so the mechanism is `GSSAPI`.
// Only brokers (or gateways) with SaslAuthenticate (Kafka 1.0+) are supported: kafkajs's legacy raw-token
// path cannot end an exchange on which the server writes nothing after the client's last token.
// Nothing here depends on kafkajs itself: the types below are the structural shape kafkajs calls.
import kerberos from 'kerberos';

export type GssapiClientOptions = {
  /** Kafka's sasl.kerberos.service.name: the primary of the broker's principal (default `kafka`). */
  serviceName?: string;
  /** The host of the broker's principal (`kafka/<host>@REALM`); default: the host kafkajs connects to. */
  host?: string;
  /** The client principal whose ticket to use (`alice@EXAMPLE.COM`); default: the cache's default principal. */
  principal?: string;
  /** Ask the server to prove itself (an AP-REP) before the security-layer step (default true, as librdkafka does). */
  mutualAuthentication?: boolean;
  /** RFC 4752's authorization identity (Kafka brokers ignore it); default none. */
  authorizationIdentity?: string;
};

/** The part of kafkajs's logger used here. */
type ProviderLogger = { debug(message: string, extra?: object): void };

type SaslRequest = { encode: () => Buffer | Promise<Buffer> };
type SaslResponse<T> = { decode: (raw: Buffer) => Buffer | Promise<Buffer>; parse: (data: Buffer) => T };

/** What kafkajs passes to an authentication provider (kafkajs's AuthenticationProviderArgs). */
export type GssapiAuthenticationProviderArgs = {
  host: string;
  port: number;
  logger: ProviderLogger;
  saslAuthenticate: <T>(args: { request: SaslRequest; response?: SaslResponse<T> }) => Promise<T | void>;
};

export type GssapiAuthenticator = { authenticate: () => Promise<void> };

/** Not retriable: kafkajs must not loop on a refused ticket or a server that breaks the protocol. */
export class GssapiAuthenticationError extends Error {
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GssapiAuthenticationError';
  }
}

/** RFC 4752 security-layer bit for "no layer", the only one Kafka offers and the one chosen here. */
const NO_SECURITY_LAYER = 0x01;

/** kafkajs hands mechanism bytes around as an int32 length followed by the bytes (its BYTES encoding). */
const lengthPrefixed = (token: Buffer): SaslRequest => ({
  encode: () => {
    const out = Buffer.alloc(4 + token.length);
    out.writeInt32BE(token.length);
    token.copy(out, 4);
    return out;
  },
});

const serverToken: SaslResponse<Buffer> = {
  decode: (raw) => {
    if (raw.length < 4) return Buffer.alloc(0);
    const length = raw.readInt32BE(0);
    return raw.subarray(4, 4 + Math.max(0, length));
  },
  parse: (data) => data,
};

/** The `authenticationProvider` for kafkajs's `sasl` option (mechanism `GSSAPI`). */
export function gssapiAuthenticationProvider(
  options: GssapiClientOptions = {},
): (args: GssapiAuthenticationProviderArgs) => GssapiAuthenticator {
  return ({ host, port, logger, saslAuthenticate }) => ({
    authenticate: async () => {
      const service = `${options.serviceName ?? 'kafka'}@${options.host ?? host}`;
      const broker = `${host}:${port}`;
      logger.debug('Authenticate with SASL GSSAPI', { broker, service });
      try {
        await authenticate(service, options, async (token, expectAnswer) => {
          if (!expectAnswer) {
            await saslAuthenticate({ request: lengthPrefixed(token) });
            return Buffer.alloc(0);
          }
          return (await saslAuthenticate({ request: lengthPrefixed(token), response: serverToken })) ?? Buffer.alloc(0);
        });
      } catch (err) {
        throw new GssapiAuthenticationError(`SASL GSSAPI authentication failed: ${(err as Error).message}`, { cause: err });
      }
      logger.debug('SASL GSSAPI authentication successful', { broker });
    },
  });
}

/** kafkajs's whole `sasl` option: `{ mechanism: 'GSSAPI', authenticationProvider }`. */
export function kafkajsGssapi(options: GssapiClientOptions = {}): {
  mechanism: 'GSSAPI';
  authenticationProvider: (args: GssapiAuthenticationProviderArgs) => GssapiAuthenticator;
} {
  return { mechanism: 'GSSAPI', authenticationProvider: gssapiAuthenticationProvider(options) };
}

/** Sends a token; resolves with the server's answer (empty when none is expected). */
type Send = (token: Buffer, expectAnswer: boolean) => Promise<Buffer>;

const b64 = (bytes: Buffer) => bytes.toString('base64');
const fromB64 = (text: string | null | undefined) => Buffer.from(text ?? '', 'base64');

/** The client side of RFC 4752 §3.1. */
async function authenticate(service: string, options: GssapiClientOptions, send: Send): Promise<void> {
  const mutual = options.mutualAuthentication ?? true;
  // The package's typings call the GSS flags `gssFlag`; its native code reads `flags`.
  const clientOptions: kerberos.InitializeClientOptions & { flags: number } = {
    mechOID: kerberos.GSS_MECH_OID_KRB5,
    ...(options.principal !== undefined ? { principal: options.principal } : {}),
    flags: mutual ? kerberos.GSS_C_MUTUAL_FLAG | kerberos.GSS_C_SEQUENCE_FLAG : 0,
  };
  const client = await kerberos.initializeClient(service, clientOptions);
  // Context tokens until the initiator's context is established.
  let challenge = await send(fromB64(await client.step('')), true);
  while (!client.contextComplete) {
    const answer = fromB64(await client.step(b64(challenge)));
    // The last step (AP-REP processed) gives no token: RFC 4752 has the client send an empty one,
    // to which the server answers with its security-layer offer.
    challenge = await send(answer, true);
  }
  const offer = fromB64(await client.unwrap(b64(challenge)));
  if (offer.length !== 4) throw new Error(`the server's security-layer offer has ${offer.length} bytes, not 4`);
  if ((offer[0] & NO_SECURITY_LAYER) === 0) throw new Error(`the server offers no "no security layer" option (0x${offer[0].toString(16)})`);
  // The package's wrap builds the reply from the offer: layer 0x01, the offered size, the authzid.
  // It reads 8 bytes where the offer has 4: pad it so that no read goes past the buffer.
  const padded = Buffer.concat([offer, Buffer.alloc(4)]);
  const reply = fromB64(await client.wrap(b64(padded), { user: options.authorizationIdentity ?? '' }));
  await send(reply, false);
}
