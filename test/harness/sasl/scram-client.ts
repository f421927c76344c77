// The client side of SCRAM-SHA-256/512 (RFC 5802, RFC 7677) for tests and benchmarks: builds the two
// client messages and checks the server's signature. Written from the RFC with node:crypto alone (it
// shares no code with the gateway's server side, so a mistake there is not mirrored here).
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramClientOptions = {
  /** The client nonce (random by default; fixed for RFC test vectors). */
  readonly nonce?: string;
  /** An authorization identity to request (`a=` in the GS2 header). */
  readonly authzid?: string;
  /** Extensions appended to client-first (Kafka's `tokenauth=true`). */
  readonly extensions?: Readonly<Record<string, string>>;
};

export class ScramClient {
  private readonly algorithm: 'sha256' | 'sha512';
  private readonly length: number;
  private readonly nonce: string;
  private readonly gs2Header: string;
  private readonly firstBare: string;
  private authMessage: string | undefined;
  private serverKey: Buffer | undefined;

  constructor(
    mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
    username: string,
    private readonly password: string,
    options: ScramClientOptions = {},
  ) {
    this.algorithm = mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
    this.length = mechanism === 'SCRAM-SHA-256' ? 32 : 64;
    this.nonce = options.nonce ?? randomBytes(18).toString('base64');
    this.gs2Header = `n,${options.authzid === undefined ? '' : `a=${saslName(options.authzid)}`},`;
    const extensions = Object.entries(options.extensions ?? {}).map(([k, v]) => `,${k}=${v}`);
    this.firstBare = `n=${saslName(username)},r=${this.nonce}${extensions.join('')}`;
  }

  /** client-first-message. */
  firstMessage(): Buffer {
    return Buffer.from(this.gs2Header + this.firstBare, 'utf8');
  }

  /** client-final-message for the server's first message; throws when that message is not valid. */
  finalMessage(serverFirst: Buffer): Buffer {
    const text = serverFirst.toString('utf8');
    const match = /^r=([^,]+),s=([A-Za-z0-9+/=]+),i=([0-9]+)(?:,.*)?$/.exec(text);
    if (!match) throw new Error(`SCRAM client: malformed server-first-message '${text}'`);
    const [, nonce, salt, iterations] = match;
    if (!nonce.startsWith(this.nonce) || nonce === this.nonce)
      throw new Error('SCRAM client: the server nonce does not extend the client nonce');
    const salted = pbkdf2Sync(
      Buffer.from(this.password, 'utf8'),
      Buffer.from(salt, 'base64'),
      Number(iterations),
      this.length,
      this.algorithm,
    );
    const clientKey = this.hmac(salted, 'Client Key');
    const storedKey = createHash(this.algorithm).update(clientKey).digest();
    const withoutProof = `c=${Buffer.from(this.gs2Header, 'utf8').toString('base64')},r=${nonce}`;
    this.authMessage = `${this.firstBare},${text},${withoutProof}`;
    const signature = this.hmac(storedKey, this.authMessage);
    const proof = Buffer.alloc(this.length);
    for (let i = 0; i < this.length; i++) proof[i] = clientKey[i] ^ signature[i];
    this.serverKey = this.hmac(salted, 'Server Key');
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  /** Checks server-final-message's `v=`: the server knew the password's keys. Throws when it did not. */
  verifyServerFinal(serverFinal: Buffer): void {
    if (!this.authMessage || !this.serverKey) throw new Error('SCRAM client: server-final before client-final');
    const text = serverFinal.toString('utf8');
    if (!text.startsWith('v=')) throw new Error(`SCRAM client: server-final-message is not a verifier: '${text}'`);
    const expected = this.hmac(this.serverKey, this.authMessage);
    const got = Buffer.from(text.slice(2), 'base64');
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) throw new Error('SCRAM client: wrong server signature');
  }

  private hmac(key: Buffer, text: string): Buffer {
    return createHmac(this.algorithm, key).update(text).digest();
  }
}

function saslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}
