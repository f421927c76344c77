// SCRAM key derivation (RFC 5802 §3) for the two hashes Kafka offers. The store keeps only what the
// server needs (salt, StoredKey, ServerKey, iterations): enough to verify a proof, not to forge one.
import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';

export type ScramMechanismName = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export const SCRAM_MECHANISM_NAMES: readonly ScramMechanismName[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** Kafka refuses to authenticate against credentials weaker than this (ScramMechanism.minIterations). */
export const SCRAM_MIN_ITERATIONS = 4096;
/** Kafka creates credentials with at most this many iterations (ScramMechanism.maxIterations). */
export const SCRAM_MAX_CREATE_ITERATIONS = 16384;

export type ScramCredential = {
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
  readonly iterations: number;
};

export type ScramHash = { readonly algorithm: 'sha256' | 'sha512'; readonly length: number };

export function scramHash(mechanism: ScramMechanismName): ScramHash {
  return mechanism === 'SCRAM-SHA-256' ? { algorithm: 'sha256', length: 32 } : { algorithm: 'sha512', length: 64 };
}

export function hmac(hash: ScramHash, key: Buffer, text: string | Buffer): Buffer {
  return createHmac(hash.algorithm, key).update(text).digest();
}

export function digest(hash: ScramHash, data: Buffer): Buffer {
  return createHash(hash.algorithm).update(data).digest();
}

/** Hi(password, salt, i) of RFC 5802: PBKDF2 with the mechanism's HMAC, one hash length long. */
export function saltedPassword(hash: ScramHash, password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Kafka uses the password's UTF-8 bytes as they are (no SASLprep); so do its clients.
    pbkdf2(Buffer.from(password, 'utf8'), salt, iterations, hash.length, hash.algorithm, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** The stored form of a password for one mechanism; a fresh random salt unless one is given (test vectors). */
export async function deriveScramCredential(
  mechanism: ScramMechanismName,
  password: string,
  iterations: number,
  salt: Buffer = randomBytes(32),
): Promise<ScramCredential> {
  const hash = scramHash(mechanism);
  const salted = await saltedPassword(hash, password, salt, iterations);
  const clientKey = hmac(hash, salted, 'Client Key');
  return { salt, storedKey: digest(hash, clientKey), serverKey: hmac(hash, salted, 'Server Key'), iterations };
}
