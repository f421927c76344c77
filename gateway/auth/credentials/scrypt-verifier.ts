// PLAIN's stored form of a password: `scrypt$N$r$p$<salt base64>$<hash base64>`. scrypt is memory-hard,
// so a leaked store costs an attacker far more per guess than a fast hash would; the parameters travel
// with each hash, so they can be raised later without invalidating existing entries.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export type ScryptVerifier = {
  readonly cost: number;
  readonly blockSize: number;
  readonly parallelization: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
};

/** What `gatehouse users add` writes: about 16 MiB and a few tens of milliseconds per verification. */
export const DEFAULT_SCRYPT = { cost: 16384, blockSize: 8, parallelization: 1, saltBytes: 16, hashBytes: 32 } as const;

// Upper bounds on what a stored entry may ask for, so one edited line cannot make each login take
// gigabytes of memory.
const MAX_COST = 1 << 20;
const MAX_BLOCK_SIZE = 32;
const MAX_PARALLELIZATION = 16;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Parses a stored verifier; a string saying what is wrong when it is malformed. */
export function parseScryptVerifier(text: string): ScryptVerifier | string {
  const parts = text.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return 'expected scrypt$N$r$p$salt$hash';
  const [cost, blockSize, parallelization] = parts.slice(1, 4).map((p) => (/^[1-9][0-9]{0,9}$/.test(p) ? Number(p) : NaN));
  if (!(cost > 1 && cost <= MAX_COST && (cost & (cost - 1)) === 0)) return `scrypt N must be a power of two from 2 to ${MAX_COST}`;
  if (!(blockSize >= 1 && blockSize <= MAX_BLOCK_SIZE)) return `scrypt r must be from 1 to ${MAX_BLOCK_SIZE}`;
  if (!(parallelization >= 1 && parallelization <= MAX_PARALLELIZATION)) return `scrypt p must be from 1 to ${MAX_PARALLELIZATION}`;
  const [salt, hash] = parts.slice(4);
  if (!BASE64.test(salt) || salt === '') return 'scrypt salt must be non-empty base64';
  if (!BASE64.test(hash) || hash.length < 24) return 'scrypt hash must be base64 of at least 16 bytes';
  return { cost, blockSize, parallelization, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}

export function formatScryptVerifier(v: ScryptVerifier): string {
  return `scrypt$${v.cost}$${v.blockSize}$${v.parallelization}$${v.salt.toString('base64')}$${v.hash.toString('base64')}`;
}

export async function createScryptVerifier(password: string): Promise<ScryptVerifier> {
  const params = { cost: DEFAULT_SCRYPT.cost, blockSize: DEFAULT_SCRYPT.blockSize, parallelization: DEFAULT_SCRYPT.parallelization };
  const salt = randomBytes(DEFAULT_SCRYPT.saltBytes);
  const hash = await scryptHash(password, { ...params, salt }, DEFAULT_SCRYPT.hashBytes);
  return { ...params, salt, hash };
}

/** True when `password` hashes to the verifier's hash (compared in constant time). */
export async function verifyScrypt(verifier: ScryptVerifier, password: string): Promise<boolean> {
  const computed = await scryptHash(password, verifier, verifier.hash.length);
  return timingSafeEqual(computed, verifier.hash);
}

/**
 * A verifier no password matches in practice (random salt and hash), with the default parameters:
 * an unknown user is checked against it so that refusing them costs what refusing a known user costs.
 */
export const DUMMY_SCRYPT_VERIFIER: ScryptVerifier = {
  cost: DEFAULT_SCRYPT.cost,
  blockSize: DEFAULT_SCRYPT.blockSize,
  parallelization: DEFAULT_SCRYPT.parallelization,
  salt: randomBytes(DEFAULT_SCRYPT.saltBytes),
  hash: randomBytes(DEFAULT_SCRYPT.hashBytes),
};

function scryptHash(password: string, v: Omit<ScryptVerifier, 'hash'>, length: number): Promise<Buffer> {
  const options = {
    N: v.cost,
    r: v.blockSize,
    p: v.parallelization,
    // scrypt needs about 128·N·r bytes; Node's default cap (32 MiB) would refuse larger stored parameters.
    maxmem: 256 * v.cost * v.blockSize + 32 * 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scrypt(Buffer.from(password, 'utf8'), v.salt, length, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}
