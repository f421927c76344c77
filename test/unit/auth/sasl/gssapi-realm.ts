// A throwaway Kerberos realm for the GSSAPI unit tests: a real MIT KDC, client principals with tickets
// in a cache collection this process uses (KRB5CCNAME=DIR:…; a client picks its cache with the
// `principal` option), and service keytabs.
import fs from 'node:fs';
import path from 'node:path';
import kerberos from 'kerberos';
import { startKdc, type Kdc } from '../../../harness/kdc.ts';
import { expectSuccess, run } from '../../../harness/run.ts';

export const REALM = 'EXAMPLE.COM';

export type TestRealm = {
  kdc: Kdc;
  /** The keys of kafka/localhost AND other/localhost: only the configured one may be accepted. */
  twoServiceKeytab: string;
  /** other/localhost's key only. */
  otherKeytab: string;
  /** alice's key only (no service key at all). */
  aliceKeytab: string;
  stop: () => Promise<void>;
};

/** Starts the realm and points this process's Kerberos initiators at it (KRB5_CONFIG, KRB5CCNAME). */
export async function startTestRealm(): Promise<TestRealm> {
  const kdc = await startKdc({ realm: REALM });
  const ccaches = path.join(kdc.dir, 'ccaches');
  fs.mkdirSync(ccaches);
  process.env.KRB5_CONFIG = kdc.env.KRB5_CONFIG;
  process.env.KRB5CCNAME = `DIR:${ccaches}`;
  const env = { ...kdc.env, KRB5CCNAME: process.env.KRB5CCNAME };
  const alice = await kdc.addPrincipal('alice');
  const carol = await kdc.addPrincipal('carol/admin');
  const other = await kdc.addPrincipal('other/localhost');
  const twoServiceKeytab = path.join(kdc.dir, 'two-services.keytab');
  for (const principal of [kdc.service.principal, other.principal]) {
    // -norandkey: the keys stay those of the per-principal keytabs.
    expectSuccess(
      'ktadd',
      await run('kadmin.local', ['-r', REALM, '-q', `ktadd -norandkey -k ${twoServiceKeytab} ${principal}`], { env: kdc.env }),
    );
  }
  // kinit makes its cache the collection's primary: alice last, so that she is the default client.
  for (const client of [carol, alice]) {
    expectSuccess('kinit', await run('kinit', ['-k', '-t', client.keytab, client.principal], { env }));
  }
  return { kdc, twoServiceKeytab, otherKeytab: other.keytab, aliceKeytab: alice.keytab, stop: () => kdc.stop() };
}

/** A GSS initiator for `service` (`name@host`) as `principal` (default alice). */
export function initiator(service: string, opts: { principal?: string; mutual?: boolean } = {}): Promise<kerberos.KerberosClient> {
  // The package's typings call the flags `gssFlag`; its native code reads `flags`. Its default asks for
  // mutual authentication and sequencing; the JDK client asks for neither.
  const clientOptions: kerberos.InitializeClientOptions & { flags: number } = {
    mechOID: kerberos.GSS_MECH_OID_KRB5,
    principal: opts.principal ?? `alice@${REALM}`,
    flags: opts.mutual === false ? 0 : kerberos.GSS_C_MUTUAL_FLAG | kerberos.GSS_C_SEQUENCE_FLAG,
  };
  return kerberos.initializeClient(service, clientOptions);
}
