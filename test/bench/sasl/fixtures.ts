// What the SASL benchmark's gateway verifies and its clients present, one user per mechanism family:
// a credential store (SCRAM keys and a PLAIN scrypt hash), a JWKS with a token signed by its key, and a
// Kerberos client principal with a credential cache holding its TGT.
import fs from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { formatCredentialFile } from '../../../gateway/auth/credentials/credential-file.ts';
import { deriveScramCredential, SCRAM_MECHANISM_NAMES } from '../../../gateway/auth/credentials/scram-keys.ts';
import { createScryptVerifier } from '../../../gateway/auth/credentials/scrypt-verifier.ts';
import type { Kdc } from '../../harness/kdc.ts';
import { kinit } from '../../harness/sasl/sasl-client-config.ts';

/** Writes a credential store with `username` for SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN. */
export async function writeCredentialStore(file: string, username: string, password: string, iterations: number): Promise<void> {
  const scram = new Map(
    await Promise.all(SCRAM_MECHANISM_NAMES.map(async (m) => [m, await deriveScramCredential(m, password, iterations)] as const)),
  );
  fs.writeFileSync(file, formatCredentialFile(new Map([[username, { scram, plain: await createScryptVerifier(password) }]])));
}

export const OAUTH_ISSUER = 'https://issuer.sasl-bench.test';
export const OAUTH_AUDIENCE = 'kafka';

/** Writes a JWKS file with one RS256 key and returns a token for `subject` signed with it, valid for 2 h. */
export async function writeJwksAndToken(jwksFile: string, subject: string): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = 'sasl-bench-1';
  fs.writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] }));
  return new SignJWT({ scope: 'kafka' })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(OAUTH_ISSUER)
    .setAudience(OAUTH_AUDIENCE)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(privateKey);
}

/**
 * A Kerberos client principal with a TGT in a credential cache of its own (`cache`), and `tgtOnlyCache`, a
 * copy of it before any service ticket went in. This process's GSSAPI client (the `kerberos` package, MIT's
 * library) reads KRB5_CONFIG from the environment, so it is set here.
 */
export async function kerberosClient(
  kdc: Kdc,
  name: string,
  dir: string,
): Promise<{ principal: string; cache: string; tgtOnlyCache: string }> {
  const { principal, keytab } = await kdc.addPrincipal(name);
  const env = await kinit({ mechanism: 'GSSAPI', principal, keytab, serviceName: 'kafka', krb5Config: kdc.env.KRB5_CONFIG });
  process.env.KRB5_CONFIG = env.KRB5_CONFIG;
  const cache = env.KRB5CCNAME.replace(/^FILE:/, '');
  const tgtOnlyCache = path.join(dir, 'tgt-only.ccache');
  fs.copyFileSync(cache, tgtOnlyCache);
  return { principal, cache, tgtOnlyCache };
}

/** Lines of the KDC's log that record a service-ticket (TGS) request: how often clients went to the KDC. */
export function kdcServiceTicketRequests(kdc: Kdc): number {
  const log = path.join(kdc.dir, 'kdc.log');
  return fs.existsSync(log)
    ? fs
        .readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.includes('TGS_REQ')).length
    : 0;
}
