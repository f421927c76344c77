// A small OAuth 2 authorization server on loopback for OAUTHBEARER tests: `/token` grants the
// client_credentials flow (client authentication by HTTP Basic or form client_id/client_secret, as the
// Java client and librdkafka send it) with RS256 JWTs signed by jose, and `/jwks` serves the public keys.
// The test rotates keys, and signs tokens of its own (expired, wrong audience, unknown key…) with them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export type SigningKey = { kid: string; privateKey: CryptoKey; publicJwk: JWK };

export type TokenEndpointOptions = {
  /** client id → secret. */
  clients: Record<string, string>;
  issuer?: string;
  audience?: string;
  /** Seconds a granted token lives (expires_in). */
  lifetimeSeconds?: number;
  /** Per client id, another lifetime (short-lived tokens for re-authentication tests). */
  lifetimes?: Record<string, number>;
  /** The scope claim of granted tokens when the request names none. */
  defaultScope?: string;
};

export type TokenEndpoint = {
  /** http://127.0.0.1:<port>/token and /jwks. */
  tokenUrl: string;
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** The JWKS served now (public keys only). */
  jwks: () => { keys: JWK[] };
  /** The key new tokens are signed with. */
  currentKey: () => SigningKey;
  /** Adds a new signing key (served from now on) and makes it current; `dropOld` stops serving the others. */
  rotate: (opts?: { dropOld?: boolean }) => Promise<SigningKey>;
  /** Signs `claims` (nothing added) with the current key, or with `key` given (served or not). */
  sign: (claims: JWTPayload, key?: SigningKey) => Promise<string>;
  /** A token as the endpoint grants it to `clientId` (iss, aud, sub, scope, iat, exp), with `overrides` applied. */
  grant: (clientId: string, overrides?: JWTPayload) => Promise<string>;
  /** Requests served, by path. */
  hits: { token: number; jwks: number };
  close: () => Promise<void>;
};

/** A fresh RS256 key pair with a random key id (not served by any endpoint until added). */
export async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `key-${Math.random().toString(36).slice(2, 10)}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicJwk };
}

/** An unsigned token (`alg: none`), which no server may accept. */
export function unsignedToken(claims: JWTPayload): string {
  return new UnsecuredJWT(claims).encode();
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64 (librdkafka does not encode; plain ids decode the same). */
function basicCredentials(header: string | undefined): { id: string; secret: string } | null {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return null;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  const decode = (s: string) => decodeURIComponent(s.replaceAll('+', ' '));
  return { id: decode(text.slice(0, colon)), secret: decode(text.slice(colon + 1)) };
}

export async function startTokenEndpoint(opts: TokenEndpointOptions): Promise<TokenEndpoint> {
  const lifetime = opts.lifetimeSeconds ?? 3600;
  const audience = opts.audience ?? 'kafka';
  let served: SigningKey[] = [await newSigningKey()];
  const hits = { token: 0, jwks: 0 };
  let issuer = opts.issuer ?? '';

  const sign = (claims: JWTPayload, key: SigningKey = served[served.length - 1]) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey);

  const lifetimeOf = (clientId: string) => opts.lifetimes?.[clientId] ?? lifetime;
  const grant = (clientId: string, overrides: JWTPayload = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return sign({
      iss: issuer,
      aud: audience,
      sub: clientId,
      scope: opts.defaultScope ?? 'kafka',
      iat: now,
      exp: now + lifetimeOf(clientId),
      ...overrides,
    });
  };

  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
      res.end(JSON.stringify(body));
    };
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'GET' && url.pathname === '/jwks') {
        hits.jwks++;
        return reply(200, { keys: served.map((k) => k.publicJwk) });
      }
      if (req.method === 'POST' && url.pathname === '/token') {
        hits.token++;
        const form = new URLSearchParams(await readBody(req));
        if (form.get('grant_type') !== 'client_credentials') return reply(400, { error: 'unsupported_grant_type' });
        const basic = basicCredentials(req.headers.authorization);
        const id = basic?.id ?? form.get('client_id');
        const secret = basic?.secret ?? form.get('client_secret');
        if (id === null || secret === null || !Object.hasOwn(opts.clients, id) || opts.clients[id] !== secret) {
          return reply(401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="token"' });
        }
        const scope = form.get('scope') ?? opts.defaultScope ?? 'kafka';
        const accessToken = await grant(id, { scope });
        return reply(200, { access_token: accessToken, token_type: 'Bearer', expires_in: lifetimeOf(id), scope });
      }
      reply(404, { error: 'not_found' });
    })().catch((error: unknown) => reply(500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer ||= base;

  return {
    tokenUrl: `${base}/token`,
    jwksUrl: `${base}/jwks`,
    issuer,
    audience,
    jwks: () => ({ keys: served.map((k) => k.publicJwk) }),
    currentKey: () => served[served.length - 1],
    rotate: async ({ dropOld = false } = {}) => {
      const key = await newSigningKey();
      served = dropOld ? [key] : [...served, key];
      return key;
    },
    sign,
    grant,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
