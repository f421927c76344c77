// `gatehouse certs …`: a small CA for Gatehouse listeners and Kafka clients, in one folder.

import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  CertificateAuthority,
  isRevocationReason,
  KEY_BITS,
  REVOCATION_REASONS,
  type IndexEntry,
  type KeyBits,
  type SanEntry,
  type SubjectFields,
} from '../../certs/index.ts';
import type { Command } from '../cli.ts';

const DEFAULT_DIR = './pki';

const HELP = `Usage: gatehouse certs <subcommand> [options]

A small certificate authority in one folder (default ${DEFAULT_DIR}, or $GATEHOUSE_PKI_DIR):
  ca/ca.crt  ca/ca.key (0600)  ca/index.json  ca/crl.pem
  issued/NAME.crt  issued/NAME.key (0600)  issued/NAME.keystore.p12  issued/truststore.p12 (0600)

Subcommands:
  init-ca               create the CA (and an empty CRL)
      [--cn NAME (Gatehouse CA)] [--o ORG] [--ou UNIT]... [--c CC] [--days N (3650)]
      [--key-size 2048|3072|4096 (3072)] [--crl-days N (30)]
  issue-server NAME     a TLS server certificate (serverAuth) with DNS/IP SANs; wildcards like
                        *.kafka.example.com serve SNI routing
      --dns NAME... --ip ADDR... [--cn CN (first DNS name, else NAME)] [--o ORG] [--ou UNIT]...
  issue-client NAME     a TLS client certificate (clientAuth)
      [--cn CN (NAME)] [--o ORG] [--ou UNIT]... [--uri URI]... [--dns NAME]... [--email ADDR]...
    both issue-* also take: [--days N (365)] [--not-before DATE] [--key-size N (2048)]
  revoke NAME|SERIAL    revoke a certificate and regenerate the CRL
      [--reason ${Object.keys(REVOCATION_REASONS).join('|')}]
  crl                   regenerate the CRL (new number, new nextUpdate) [--days N]
  list                  serials, names, subjects, expiry and status [--json]
  bundle [NAME]         PKCS#12 files for Java clients (no keytool needed): NAME.keystore.p12 (key and
                        chain, one PrivateKeyEntry) and truststore.p12 (the CA, a trustedCertEntry);
                        without NAME only the trust store
      --password PASS | --password-env VAR | --password-file FILE

Common options:
  --dir DIR     the CA folder
  --force       overwrite existing files (nothing is overwritten without it)
  -h, --help    this text

Exit codes: 0 success, 1 failure, 2 usage error.
`;

class UsageError extends Error {}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

const COMMON = {
  dir: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
const SUBJECT = { cn: { type: 'string' }, o: { type: 'string' }, ou: { type: 'string', multiple: true } } as const;
const ISSUE = { ...SUBJECT, days: { type: 'string' }, 'not-before': { type: 'string' }, 'key-size': { type: 'string' } } as const;

const OPTIONS: Record<string, ParseArgsConfig['options']> = {
  'init-ca': {
    ...SUBJECT,
    c: { type: 'string' },
    days: { type: 'string' },
    'not-before': { type: 'string' },
    'key-size': { type: 'string' },
    'crl-days': { type: 'string' },
  },
  'issue-server': { ...ISSUE, dns: { type: 'string', multiple: true }, ip: { type: 'string', multiple: true } },
  'issue-client': {
    ...ISSUE,
    uri: { type: 'string', multiple: true },
    dns: { type: 'string', multiple: true },
    email: { type: 'string', multiple: true },
  },
  revoke: { reason: { type: 'string' } },
  crl: { days: { type: 'string' } },
  list: { json: { type: 'boolean' } },
  bundle: { password: { type: 'string' }, 'password-env': { type: 'string' }, 'password-file': { type: 'string' } },
};

const str = (v: Values, k: string): string | undefined => v[k] as string | undefined;
const strs = (v: Values, k: string): string[] => (v[k] as string[] | undefined) ?? [];

function positiveNumber(v: Values, k: string): number | undefined {
  const text = str(v, k);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0)) throw new UsageError(`--${k} must be a positive number, got '${text}'`);
  return n;
}

function keyBits(v: Values): KeyBits | undefined {
  const text = str(v, 'key-size');
  if (text === undefined) return undefined;
  const n = Number(text) as KeyBits;
  if (!KEY_BITS.includes(n)) throw new UsageError(`--key-size must be one of ${KEY_BITS.join(', ')}, got '${text}'`);
  return n;
}

function date(v: Values, k: string): Date | undefined {
  const text = str(v, k);
  if (text === undefined) return undefined;
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--${k} must be a date (e.g. 2024-01-31 or 2024-01-31T12:00:00Z), got '${text}'`);
  return d;
}

function subject(v: Values, cn: string): SubjectFields {
  return { CN: cn, O: str(v, 'o'), OU: strs(v, 'ou') };
}

function sans(v: Values, types: readonly SanEntry['type'][]): SanEntry[] {
  return types.flatMap((type) => strs(v, type).map((value) => ({ type, value })));
}

function onePositional(positionals: string[], what: string, required = true): string | undefined {
  if (positionals.length > 1) throw new UsageError(`unexpected arguments: ${positionals.slice(1).join(' ')}`);
  if (required && positionals.length === 0) throw new UsageError(`missing ${what}`);
  return positionals[0];
}

function password(v: Values): string {
  const given = ['password', 'password-env', 'password-file'].filter((k) => v[k] !== undefined);
  if (given.length !== 1) throw new UsageError('give exactly one of --password, --password-env, --password-file');
  if (v.password !== undefined) return str(v, 'password')!;
  if (v['password-env'] !== undefined) {
    const value = process.env[str(v, 'password-env')!];
    if (value === undefined) throw new Error(`environment variable ${str(v, 'password-env')} is not set`);
    return value;
  }
  return readFileSync(str(v, 'password-file')!, 'utf8').replace(/\r?\n$/, '');
}

function status(e: IndexEntry, now: number): string {
  if (e.revoked) return `revoked (${e.revoked.reason})`;
  if (Date.parse(e.notAfter) < now) return 'expired';
  if (Date.parse(e.notBefore) > now) return 'not yet valid';
  return 'valid';
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

const out = (text: string) => process.stdout.write(text);

function run(sub: string, v: Values, positionals: string[]): void {
  const dir = str(v, 'dir') ?? process.env.GATEHOUSE_PKI_DIR ?? DEFAULT_DIR;
  const force = v.force === true;
  switch (sub) {
    case 'init-ca': {
      onePositional(positionals, '', false);
      const ca = CertificateAuthority.init(dir, {
        subject: { ...subject(v, str(v, 'cn') ?? 'Gatehouse CA'), C: str(v, 'c') },
        days: positiveNumber(v, 'days'),
        notBefore: date(v, 'not-before'),
        keyBits: keyBits(v),
        crlDays: positiveNumber(v, 'crl-days'),
        force,
      });
      const entry = ca.list()[0];
      out(`created CA ${entry.subject} (serial ${entry.serial}, expires ${entry.notAfter})\n`);
      out(`  ${ca.path('ca/ca.crt')}\n  ${ca.path('ca/ca.key')} (0600)\n  ${ca.path('ca/crl.pem')}\n`);
      return;
    }
    case 'issue-server':
    case 'issue-client': {
      const name = onePositional(positionals, 'NAME (the file name for the certificate)')!;
      const server = sub === 'issue-server';
      const entrySans = sans(v, server ? ['dns', 'ip'] : ['uri', 'dns', 'email']);
      const cn = str(v, 'cn') ?? (server ? (strs(v, 'dns')[0] ?? name) : name);
      const options = {
        name,
        subject: subject(v, cn),
        sans: entrySans,
        days: positiveNumber(v, 'days'),
        notBefore: date(v, 'not-before'),
        keyBits: keyBits(v),
        force,
      };
      const ca = CertificateAuthority.open(dir);
      const entry = server ? ca.issueServer(options) : ca.issueClient(options);
      out(`issued ${entry.kind} certificate ${entry.subject} (serial ${entry.serial}, expires ${entry.notAfter})\n`);
      if (entry.sans.length > 0) out(`  SANs: ${entry.sans.join(', ')}\n`);
      out(`  ${ca.path(entry.certFile)}\n  ${ca.path(entry.keyFile)} (0600)\n`);
      return;
    }
    case 'revoke': {
      const selector = onePositional(positionals, 'NAME or SERIAL')!;
      const reason = str(v, 'reason') ?? 'unspecified';
      if (!isRevocationReason(reason)) throw new UsageError(`unknown --reason '${reason}'`);
      const ca = CertificateAuthority.open(dir);
      const entry = ca.revoke(selector, reason);
      out(`revoked ${entry.name} (serial ${entry.serial}, ${reason}); CRL updated: ${ca.path('ca/crl.pem')}\n`);
      return;
    }
    case 'crl': {
      onePositional(positionals, '', false);
      const path = CertificateAuthority.open(dir).writeCrl(positiveNumber(v, 'days'));
      out(`wrote ${path}\n`);
      return;
    }
    case 'list': {
      onePositional(positionals, '', false);
      const entries = CertificateAuthority.open(dir).list();
      if (v.json) {
        out(`${JSON.stringify(entries, null, 2)}\n`);
        return;
      }
      const now = Date.now();
      out(
        table([
          ['SERIAL', 'KIND', 'NAME', 'STATUS', 'NOT AFTER', 'SUBJECT'],
          ...entries.map((e) => [
            e.serial,
            e.kind,
            e.name,
            status(e, now),
            e.notAfter,
            e.subject + (e.sans.length ? ` [${e.sans.join(', ')}]` : ''),
          ]),
        ]),
      );
      return;
    }
    case 'bundle': {
      const name = onePositional(positionals, '', false);
      const pass = password(v);
      const result = CertificateAuthority.open(dir).bundle(name, { password: pass, force });
      if (result.keyStore) out(`wrote ${result.keyStore} (PKCS12 key store, alias ${name})\n`);
      out(`wrote ${result.trustStore} (PKCS12 trust store, alias gatehouse-ca)\n`);
      return;
    }
  }
}

export const certsCommand: Command = {
  run: async (args: string[]): Promise<number> => {
    const [sub, ...rest] = args;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      process.stdout.write(HELP);
      return sub === undefined ? 2 : 0;
    }
    const specific = OPTIONS[sub];
    if (specific === undefined) {
      process.stderr.write(`gatehouse certs: unknown subcommand '${sub}'\n\n${HELP}`);
      return 2;
    }
    try {
      const { values, positionals } = parseArgs({ args: rest, options: { ...COMMON, ...specific }, allowPositionals: true, strict: true });
      if (values.help) {
        process.stdout.write(HELP);
        return 0;
      }
      run(sub, values, positionals);
      return 0;
    } catch (e) {
      const err = e as Error & { code?: string };
      if (e instanceof UsageError || (typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS'))) {
        process.stderr.write(`gatehouse certs ${sub}: ${err.message}\nRun \`gatehouse certs --help\` for the options.\n`);
        return 2;
      }
      process.stderr.write(`gatehouse certs ${sub}: ${err.message}\n`);
      return 1;
    }
  },
};
