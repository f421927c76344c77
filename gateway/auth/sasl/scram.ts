// SASL SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) as a Kafka broker serves them (spec §4.4):
// client-first → server-first (nonce, salt, iterations) → client-final with the proof → server-final
// with the server signature. Every refusal but one sends Kafka's generic message, so a client cannot
// tell an unknown user from a wrong password; the exception is an authorization id other than the user
// name, which Kafka answers with its own text. A wrong proof gets no RFC `e=` message (Kafka sends none).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { KafkaPrincipal } from '../../common/principal.ts';
import type { CredentialLookup } from '../credentials/credential-store.ts';
import { digest, hmac, SCRAM_MIN_ITERATIONS, scramHash, type ScramCredential, type ScramMechanismName } from '../credentials/scram-keys.ts';
import type { SaslServerExchange, SaslServerMechanism, SaslStep } from './mechanism.ts';
import { formatServerFinal, formatServerFirst, parseClientFinal, parseClientFirst, type ClientFirstMessage } from './scram-messages.ts';

export type ScramMechanismOptions = {
  /** The server's half of the nonce; random unless a test needs a fixed one (RFC 7677's test vector). */
  readonly serverNonce?: () => string;
};

export function scramMechanism(
  name: ScramMechanismName,
  credentials: CredentialLookup,
  options: ScramMechanismOptions = {},
): SaslServerMechanism {
  // 24 random bytes: 192 bits, well above Kafka's 130, in base64url (printable, no comma).
  const serverNonce = options.serverNonce ?? (() => randomBytes(24).toString('base64url'));
  return { name, start: () => new ScramExchange(name, credentials, serverNonce) };
}

type Waiting = { client: ClientFirstMessage; serverFirst: string; credential: ScramCredential; nonce: string };

class ScramExchange implements SaslServerExchange {
  private state: 'first' | 'final' | 'done' = 'first';
  private waiting: Waiting | undefined;

  constructor(
    private readonly mechanism: ScramMechanismName,
    private readonly credentials: CredentialLookup,
    private readonly serverNonce: () => string,
  ) {}

  evaluate(token: Buffer): Promise<SaslStep> {
    let step: SaslStep;
    try {
      step = this.state === 'first' ? this.first(token) : this.state === 'final' ? this.final(token) : failure('exchange already finished');
    } catch {
      step = failure('the SCRAM exchange could not be evaluated');
    }
    if (step.kind !== 'challenge') this.finish();
    return Promise.resolve(step);
  }

  dispose(): void {
    this.finish();
  }

  private first(token: Buffer): SaslStep {
    const client = parseClientFirst(token.toString('utf8'));
    if (typeof client === 'string') return failure(`malformed client-first-message: ${client}`);
    // Kafka's `tokenauth=true` is a delegation-token login; the gateway serves no delegation tokens.
    if (client.extensions.get('tokenauth')?.toLowerCase() === 'true') return failure('delegation token authentication is not supported');
    const credential = this.credentials.scram(client.username, this.mechanism);
    if (!credential) return failure(`no ${this.mechanism} credential for the user`);
    if (client.authzid !== '' && client.authzid !== client.username) {
      return {
        kind: 'failure',
        message: 'Authentication failed: Client requested an authorization id that is different from username',
        reason: 'authzid differs from username',
      };
    }
    if (credential.iterations < SCRAM_MIN_ITERATIONS) {
      return failure(`the stored credential has ${credential.iterations} iterations, below the minimum ${SCRAM_MIN_ITERATIONS}`);
    }
    const nonce = client.nonce + this.serverNonce();
    const serverFirst = formatServerFirst(nonce, credential.salt, credential.iterations);
    this.waiting = { client, serverFirst, credential, nonce };
    this.state = 'final';
    return { kind: 'challenge', token: Buffer.from(serverFirst, 'utf8') };
  }

  private final(token: Buffer): SaslStep {
    const { client, serverFirst, credential, nonce } = this.waiting!;
    const final = parseClientFinal(token.toString('utf8'));
    if (typeof final === 'string') return failure(`malformed client-final-message: ${final}`);
    if (final.channelBinding !== Buffer.from(client.gs2Header, 'utf8').toString('base64'))
      return failure('channel binding (c=) does not match the GS2 header');
    if (final.nonce !== nonce) return failure('nonce in client-final-message differs from the server-first nonce');
    const hash = scramHash(this.mechanism);
    if (final.proof.length !== hash.length) return failure('client proof has the wrong length');
    const authMessage = `${client.bare},${serverFirst},${final.withoutProof}`;
    const clientSignature = hmac(hash, credential.storedKey, authMessage);
    // ClientKey = ClientProof XOR ClientSignature; it is right when its hash is the StoredKey.
    const clientKey = Buffer.alloc(hash.length);
    for (let i = 0; i < hash.length; i++) clientKey[i] = final.proof[i] ^ clientSignature[i];
    if (!timingSafeEqual(digest(hash, clientKey), credential.storedKey)) return failure('invalid client proof');
    const serverSignature = hmac(hash, credential.serverKey, authMessage);
    return {
      kind: 'success',
      token: Buffer.from(formatServerFinal(serverSignature), 'utf8'),
      principal: KafkaPrincipal.user(client.username),
      credentialExpiresAtMs: null,
    };
  }

  private finish(): void {
    this.state = 'done';
    this.waiting = undefined;
  }
}

/** A refusal with Kafka's generic message: the reason is for the log only. */
function failure(reason: string): SaslStep {
  return { kind: 'failure', message: null, reason };
}
