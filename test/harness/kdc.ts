import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './ports.ts';
import { startServerProcess, tail } from './processes.ts';
import { expectSuccess, run } from './run.ts';

export type Kdc = {
  realm: string;
  port: number;
  dir: string;
  /** KRB5_CONFIG and KRB5_KDC_PROFILE pointing at this realm's files: pass to clients and tools. */
  env: { KRB5_CONFIG: string; KRB5_KDC_PROFILE: string };
  /** The service principal every Kafka client asks a ticket for, and its keytab. */
  service: { principal: string; keytab: string };
  /** Adds a principal with a random key and exports its keytab; returns the keytab path. */
  addPrincipal: (name: string) => Promise<{ principal: string; keytab: string }>;
  stop: () => Promise<void>;
};

function krb5Conf(realm: string, port: number, dir: string): string {
  // MIT's parser wants braces on lines of their own; DNS and reverse lookups are off so that
  // `localhost` stays `localhost` (the service principal is kafka/localhost).
  return `[libdefaults]
    default_realm = ${realm}
    dns_lookup_kdc = false
    dns_lookup_realm = false
    rdns = false
    dns_canonicalize_hostname = false
    udp_preference_limit = 1
    ticket_lifetime = 1h
    renew_lifetime = 1d
    forwardable = true
    default_ccache_name = FILE:${dir}/ccache-default

[realms]
    ${realm} =
    {
        kdc = 127.0.0.1:${port}
        admin_server = 127.0.0.1:${port}
    }

[domain_realm]
    localhost = ${realm}
    .localhost = ${realm}
`;
}

function kdcConf(realm: string, port: number, dir: string): string {
  return `[kdcdefaults]
    kdc_listen = 127.0.0.1:${port}
    kdc_tcp_listen = 127.0.0.1:${port}

[realms]
    ${realm} =
    {
        database_name = ${dir}/principal
        key_stash_file = ${dir}/stash
        acl_file = ${dir}/kadm5.acl
        kdc_listen = 127.0.0.1:${port}
        kdc_tcp_listen = 127.0.0.1:${port}
        max_life = 1h
        max_renewable_life = 1d
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
    }

[logging]
    kdc = FILE:${dir}/kdc.log
`;
}

/**
 * Starts a throwaway MIT Kerberos realm on a free loopback port, everything under a temp dir,
 * with the service principal kafka/localhost@REALM and its keytab.
 */
export async function startKdc(opts: { realm?: string } = {}): Promise<Kdc> {
  const realm = opts.realm ?? 'GATEHOUSE.TEST';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-kdc-'));
  const port = await freePort();
  const env = { KRB5_CONFIG: path.join(dir, 'krb5.conf'), KRB5_KDC_PROFILE: path.join(dir, 'kdc.conf') };
  fs.writeFileSync(env.KRB5_CONFIG, krb5Conf(realm, port, dir));
  fs.writeFileSync(env.KRB5_KDC_PROFILE, kdcConf(realm, port, dir));
  fs.writeFileSync(path.join(dir, 'kadm5.acl'), `*/admin@${realm} *\n`);
  const master = 'gatehouse-test-master-key';
  expectSuccess('kdb5_util create', await run('kdb5_util', ['create', '-s', '-r', realm, '-P', master], { env }));

  const kadmin = async (query: string) =>
    expectSuccess(`kadmin.local ${query}`, await run('kadmin.local', ['-r', realm, '-q', query], { env }));

  const addPrincipal = async (name: string) => {
    const principal = name.includes('@') ? name : `${name}@${realm}`;
    const keytab = path.join(dir, `${principal.split('@')[0].replaceAll('/', '_')}.keytab`);
    await kadmin(`addprinc -randkey ${principal}`);
    await kadmin(`ktadd -k ${keytab} ${principal}`);
    return { principal, keytab };
  };

  const server = startServerProcess({
    name: 'krb5kdc',
    command: 'krb5kdc',
    args: ['-n', '-r', realm, '-P', path.join(dir, 'kdc.pid')],
    logFile: path.join(dir, 'krb5kdc.stdout.log'),
    env,
  });
  try {
    await waitForPort(port, '127.0.0.1', 15_000);
  } catch (err) {
    await server.kill();
    throw new Error(`${(err as Error).message}\n${tail(path.join(dir, 'kdc.log'))}`, { cause: err });
  }
  const service = await addPrincipal('kafka/localhost');
  return {
    realm,
    port,
    dir,
    env,
    service,
    addPrincipal,
    stop: async () => {
      await server.stop(2_000);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
