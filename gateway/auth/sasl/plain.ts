// SASL PLAIN (RFC 4616) as a Kafka broker serves it (spec §4.3): one client message
// `[authzid] NUL username NUL password`, checked against the credential store's scrypt hash, answered with
// an empty challenge on success. The failure messages are Kafka's own, sent verbatim to the client.
import { KafkaPrincipal } from '../../common/principal.ts';
import type { CredentialLookup } from '../credentials/credential-store.ts';
import { DUMMY_SCRYPT_VERIFIER, verifyScrypt } from '../credentials/scrypt-verifier.ts';
import type { SaslServerExchange, SaslServerMechanism, SaslStep } from './mechanism.ts';

const INVALID_CREDENTIALS = 'Authentication failed: Invalid username or password';

export function plainMechanism(credentials: CredentialLookup): SaslServerMechanism {
  return { name: 'PLAIN', start: () => new PlainExchange(credentials) };
}

class PlainExchange implements SaslServerExchange {
  private used = false;

  constructor(private readonly credentials: CredentialLookup) {}

  async evaluate(token: Buffer): Promise<SaslStep> {
    // PLAIN is one message: anything after it is a client out of step.
    if (this.used) return failure(null, 'PLAIN takes a single client message');
    this.used = true;
    try {
      return await this.authenticate(token);
    } catch {
      return failure('Authentication failed: credentials for user could not be verified', 'the password check failed to run');
    }
  }

  dispose(): void {}

  private async authenticate(token: Buffer): Promise<SaslStep> {
    // Split like Kafka's PlainSaslServer: at most four fields are cut, and exactly three must come out.
    const fields = token.toString('utf8').split('\u0000', 4);
    if (fields.length !== 3) return failure(`Invalid SASL/PLAIN response: expected 3 tokens, got ${fields.length}`, 'malformed message');
    const [authzid, username, password] = fields;
    if (username === '') return failure('Authentication failed: username not specified', 'empty username');
    if (password === '') return failure('Authentication failed: password not specified', 'empty password');
    const verifier = this.credentials.plain(username);
    // An unknown user is checked against a dummy hash: same work, same answer, nothing learnt from timing.
    const matches = await verifyScrypt(verifier ?? DUMMY_SCRYPT_VERIFIER, password);
    if (!verifier || !matches) return failure(INVALID_CREDENTIALS, verifier ? 'wrong password' : 'unknown user');
    if (authzid !== '' && authzid !== username) {
      return failure(
        'Authentication failed: Client requested an authorization id that is different from username',
        'authzid differs from username',
      );
    }
    return { kind: 'success', token: Buffer.alloc(0), principal: KafkaPrincipal.user(username), credentialExpiresAtMs: null };
  }
}

function failure(message: string | null, reason: string): SaslStep {
  return { kind: 'failure', message, reason };
}
