// kcat (Debian's, librdkafka 2.0.2 with Cyrus SASL) over SASL: its -X settings and environment for a
// login, and produce/consume runs. Its SCRAM repeats the nonce in client-final (fixed in librdkafka
// 2.6.1), which Kafka 4 refuses, and it has no `oidc` OAUTHBEARER method: for those, kcatOnNewerLibrdkafka
// runs the same kcat on the librdkafka the confluent-kafka wheel bundles.
import fs from 'node:fs';
import path from 'node:path';
import { confluentPython } from '../acls/confluent-python.ts';
import { kcat } from '../kcat.ts';
import type { RunResult } from '../run.ts';
import { kerberosEnv, type SaslClientConfig } from './sasl-client-config.ts';

export type KcatSaslClient = { args: string[]; env: NodeJS.ProcessEnv };

function x(settings: Record<string, string>): string[] {
  return Object.entries(settings).flatMap(([k, v]) => ['-X', `${k}=${v}`]);
}

export function kcatSaslClient(config: SaslClientConfig): KcatSaslClient {
  const { login, transport } = config;
  const settings: Record<string, string> = {
    'security.protocol': transport.protocol.toLowerCase(),
    'sasl.mechanisms': login.mechanism,
    ...(transport.protocol === 'SASL_SSL' && { 'ssl.ca.location': transport.caFile }),
  };
  if (login.mechanism === 'GSSAPI') {
    // librdkafka runs kinit with the keytab itself, into the cache KRB5CCNAME names.
    Object.assign(settings, {
      'sasl.kerberos.keytab': login.keytab,
      'sasl.kerberos.principal': login.principal,
      'sasl.kerberos.service.name': login.serviceName,
    });
    return { args: x(settings), env: kerberosEnv(login) };
  }
  Object.assign(settings, { 'sasl.username': login.username, 'sasl.password': login.password });
  return { args: x(settings), env: {} };
}

/** Produces one record per value with acks=all; kcat exits non-zero when a record is not delivered. */
export function kcatProduce(bootstrap: string, client: KcatSaslClient, topic: string, values: string[]): Promise<RunResult> {
  return kcat(['-P', '-b', bootstrap, '-t', topic, '-X', 'acks=all', '-X', 'message.timeout.ms=20000', ...client.args], {
    input: values.map((v) => `${v}\n`).join(''),
    env: client.env,
    timeoutMs: 60_000,
  });
}

/** Reads the topic from the beginning to its end (no group), at most `count` records, one value a line. */
export function kcatConsume(bootstrap: string, client: KcatSaslClient, topic: string, count: number): Promise<RunResult> {
  return kcat(['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-c', String(count), '-q', ...client.args], {
    env: client.env,
    timeoutMs: 60_000,
  });
}

/** Lists the cluster's metadata (an authentication and a Metadata round trip, nothing more). */
export function kcatMetadata(bootstrap: string, client: KcatSaslClient): Promise<RunResult> {
  return kcat(['-L', '-J', '-b', bootstrap, '-m', '10', ...client.args], { env: client.env, timeoutMs: 30_000 });
}

/**
 * The environment that runs Debian's kcat on the librdkafka the confluent-kafka wheel bundles (2.x, built
 * with libcurl: `oidc`, and a SCRAM that does not repeat the nonce); librdkafka keeps its ABI across
 * versions. Nothing is set when the system kcat already has `feature` (e.g. `oidc`). `dir`: a scratch folder.
 */
export async function kcatOnNewerLibrdkafka(dir: string, feature?: string): Promise<{ env: NodeJS.ProcessEnv; librdkafka: string }> {
  const hasFeature = (text: string) => feature !== undefined && new RegExp(`builtin\\.features=[^\\n]*\\b${feature}\\b`).test(text);
  const probe = await kcat(['-V']);
  if (hasFeature(probe.stdout + probe.stderr)) return { env: {}, librdkafka: 'the system one' };
  const python = await confluentPython();
  const venvLib = path.join(path.dirname(path.dirname(python)), 'lib');
  const libsDir = fs
    .readdirSync(venvLib)
    .map((pyDir) => path.join(venvLib, pyDir, 'site-packages', 'confluent_kafka.libs'))
    .find((d) => fs.existsSync(d));
  const library = libsDir && fs.readdirSync(libsDir).find((f) => /^librdkafka-.*\.so\.1$/.test(f));
  if (!libsDir || !library) throw new Error(`the confluent-kafka wheel under ${venvLib} bundles no librdkafka`);
  const libDir = path.join(dir, 'kcat-lib');
  fs.mkdirSync(libDir, { recursive: true });
  const link = path.join(libDir, 'librdkafka.so.1');
  if (!fs.existsSync(link)) fs.symlinkSync(path.join(libsDir, library), link);
  const env = { LD_LIBRARY_PATH: libDir };
  const version = await kcat(['-V'], { env });
  const text = version.stdout + version.stderr;
  if (feature !== undefined && !hasFeature(text)) throw new Error(`kcat on the wheel's librdkafka lacks ${feature}: ${text}`);
  return { env, librdkafka: /librdkafka [0-9.]+/.exec(text)?.[0] ?? library };
}
