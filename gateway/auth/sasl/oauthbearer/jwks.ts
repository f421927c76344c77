// The keys OAUTHBEARER tokens are verified with: a JSON Web Key Set from a file (re-read when the file
// changes) or from a URL (cached, refreshed every refreshMs, and re-fetched early when a token names a
// key id the cached set does not hold — key rotation — but at most once per cooldownMs, so that tokens
// with made-up key ids cannot turn the gateway into a request amplifier against the identity provider).
// A set that fails to load or parse never replaces the last good one.
import { readFileSync, statSync, type BigIntStats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey, type LocalJWKSet } from 'jose';
import type { AuthLog } from '../mechanism.ts';

export type OauthbearerJwksSource = { kind: 'file'; path: string } | { kind: 'url'; url: string; refreshMs: number; cooldownMs: number };

export interface JwksKeys {
  /** The key for a token's protected header (jose's key-resolver signature); rejects when none matches. */
  readonly getKey: JWTVerifyGetKey;
  /** Stops the refresh timer. */
  close(): void;
}

/** A JWKS body larger than this is refused (a real one holds a handful of public keys). */
const MAX_JWKS_BYTES = 1024 * 1024;
const FETCH_TIMEOUT_MS = 10_000;

/** Parses and checks a JWKS document; throws with a reason (never the document). */
export function parseJwks(text: string): LocalJWKSet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error('not JSON', { cause: error });
  }
  // createLocalJWKSet checks the shape ({ keys: [objects] }) itself.
  try {
    return createLocalJWKSet(json as JSONWebKeySet);
  } catch (error) {
    throw new Error(`not a JSON Web Key Set (${message(error)})`, { cause: error });
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function openJwks(source: OauthbearerJwksSource, log: AuthLog): JwksKeys {
  return source.kind === 'file' ? new FileJwks(source.path, log) : new UrlJwks(source, log);
}

/** Changes when the file is written in place, renamed over or swapped behind a link. */
function statKeyOf(s: BigIntStats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

/**
 * The file is read at start (a bad one is a configuration error) and stat'ed on each use: one cheap call
 * per authentication sees any rewrite, rename or link swap at once, with no watcher to keep or leak.
 */
class FileJwks implements JwksKeys {
  private keys: LocalJWKSet;
  private statKey: string;
  private checking: Promise<void> | undefined;

  constructor(
    private readonly path: string,
    private readonly log: AuthLog,
  ) {
    let text: string;
    try {
      this.statKey = statKeyOf(statSync(path, { bigint: true }));
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`OAUTHBEARER: cannot read the JWKS file ${path}: ${message(error)}`, { cause: error });
    }
    try {
      this.keys = parseJwks(text);
    } catch (error) {
      throw new Error(`OAUTHBEARER: the JWKS file ${path} is ${message(error)}`, { cause: error });
    }
    log.info({ jwks: path, keys: this.keys.jwks().keys.length }, 'OAUTHBEARER JWKS loaded');
  }

  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    this.checking ??= this.reloadIfChanged().finally(() => {
      this.checking = undefined;
    });
    await this.checking;
    return this.keys(header, token);
  };

  close(): void {}

  private async currentStatKey(): Promise<string> {
    try {
      return statKeyOf(await stat(this.path, { bigint: true }));
    } catch {
      return 'absent';
    }
  }

  private async reloadIfChanged(): Promise<void> {
    const key = await this.currentStatKey();
    if (key === this.statKey) return;
    this.statKey = key;
    try {
      this.keys = parseJwks(await readFile(this.path, 'utf8'));
      this.log.info({ jwks: this.path, keys: this.keys.jwks().keys.length }, 'OAUTHBEARER JWKS reloaded');
    } catch (error) {
      this.log.warn({ jwks: this.path, error: message(error) }, 'OAUTHBEARER JWKS file unusable; keeping the last good keys');
    }
  }
}

class UrlJwks implements JwksKeys {
  private keys: LocalJWKSet | undefined;
  /** When the last fetch started (successful or not); the cooldown counts from it. */
  private lastFetchAt = Number.NEGATIVE_INFINITY;
  private fetching: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly source: { url: string; refreshMs: number; cooldownMs: number },
    private readonly log: AuthLog,
  ) {
    void this.fetchNow();
    this.timer = setInterval(() => void this.fetchNow(), source.refreshMs);
    this.timer.unref();
  }

  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    if (this.fetching) await this.fetching;
    if (!this.keys) {
      await this.fetchUnlessCoolingDown();
      if (!this.keys) throw new Error('JWKS not available');
    }
    try {
      return await this.keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // Perhaps a key the provider rotated in since the last fetch.
      if (!(await this.fetchUnlessCoolingDown())) throw error;
      return this.keys(header, token);
    }
  };

  close(): void {
    clearInterval(this.timer);
  }

  /** Fetches unless one is under way (then waits for it) or the last started less than cooldownMs ago; true if keys may have changed. */
  private async fetchUnlessCoolingDown(): Promise<boolean> {
    if (this.fetching) {
      await this.fetching;
      return true;
    }
    if (Date.now() - this.lastFetchAt < this.source.cooldownMs) return false;
    await this.fetchNow();
    return true;
  }

  private fetchNow(): Promise<void> {
    this.fetching ??= this.fetchOnce().finally(() => {
      this.fetching = undefined;
    });
    return this.fetching;
  }

  private async fetchOnce(): Promise<void> {
    this.lastFetchAt = Date.now();
    try {
      const response = await fetch(this.source.url, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      const body = await response.text();
      if (body.length > MAX_JWKS_BYTES) throw new Error(`larger than ${MAX_JWKS_BYTES} bytes`);
      this.keys = parseJwks(body);
      this.log.info({ jwks: this.source.url, keys: this.keys.jwks().keys.length }, 'OAUTHBEARER JWKS fetched');
    } catch (error) {
      this.log.warn(
        { jwks: this.source.url, error: message(error) },
        this.keys ? 'OAUTHBEARER JWKS fetch failed; keeping the last good keys' : 'OAUTHBEARER JWKS fetch failed',
      );
    }
  }
}
