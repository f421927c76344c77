// What a real SASL client is told, whichever client it is: the mechanism with its credentials, and the
// transport (SASL_PLAINTEXT, or SASL_SSL trusting a CA). jaas.ts, kcat-sasl.ts and python-clients.ts
// turn this into each client's own settings.
import path from 'node:path';
import { expectSuccess, run } from '../run.ts';

export type GssapiLogin = {
  mechanism: 'GSSAPI';
  /** The client principal, e.g. alice@GATEHOUSE.TEST, and the keytab holding its key. */
  principal: string;
  keytab: string;
  /** The service the client asks a ticket for: `kafka` unless a test wants a wrong one. */
  serviceName: string;
  /** The realm's krb5.conf (the KDC harness's KRB5_CONFIG). */
  krb5Config: string;
};

export type PasswordLogin = {
  mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username: string;
  password: string;
};

export type SaslLogin = GssapiLogin | PasswordLogin;

/** SASL_SSL carries the CA (PEM) the client trusts; SASL_PLAINTEXT nothing. */
export type SaslTransport = { protocol: 'SASL_PLAINTEXT' } | { protocol: 'SASL_SSL'; caFile: string };

export type SaslClientConfig = { login: SaslLogin; transport: SaslTransport };

/**
 * The Kerberos environment of a GSSAPI client process: the realm's krb5.conf and a credential cache of
 * the principal's own, so that clients of different principals (or a stale ticket) never share one. The
 * cache lives beside the krb5.conf, in the realm's folder, and goes when the realm does.
 */
export function kerberosEnv(login: GssapiLogin): { KRB5_CONFIG: string; KRB5CCNAME: string } {
  const name = `ccache-${login.principal.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  return { KRB5_CONFIG: login.krb5Config, KRB5CCNAME: `FILE:${path.join(path.dirname(login.krb5Config), name)}` };
}

/** Fills the principal's credential cache from its keytab (for clients that take no keytab: kafka-python). */
export async function kinit(login: GssapiLogin): Promise<{ KRB5_CONFIG: string; KRB5CCNAME: string }> {
  const env = kerberosEnv(login);
  expectSuccess(`kinit ${login.principal}`, await run('kinit', ['-k', '-t', login.keytab, login.principal], { env }));
  return env;
}
