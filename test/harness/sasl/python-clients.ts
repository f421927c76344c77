// Python clients over SASL (sasl_clients.py): Debian's confluent-kafka-python 1.7 (librdkafka 2.0.2 with
// Cyrus SASL, so GSSAPI) and kafka-python 2.0.2 (SaslHandshake v0 and raw tokens: the legacy path), both
// run by the system python3 that apt installs them for; and the PyPI confluent-kafka wheel (a newer
// librdkafka whose SCRAM Kafka 4 accepts, but no GSSAPI) from the venv the ACL tests use.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { confluentPython } from '../acls/confluent-python.ts';
import { run } from '../run.ts';
import { kerberosEnv, kinit, type SaslClientConfig } from './sasl-client-config.ts';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sasl_clients.py');

/** Debian's packages live in the system interpreter's dist-packages, whatever `python3` on PATH is. */
const SYSTEM_PYTHON = '/usr/bin/python3';

export type PythonClient =
  /** Debian python3-confluent-kafka (GSSAPI through Cyrus SASL). */
  | 'confluent-debian'
  /** The PyPI confluent-kafka wheel (modern librdkafka; no GSSAPI). */
  | 'confluent-wheel'
  /** Debian python3-kafka 2.0.2 (legacy SaslHandshake v0). */
  | 'kafka-python';

const DEBIAN_MODULE: Partial<Record<PythonClient, { module: string; apt: string }>> = {
  'confluent-debian': { module: 'confluent_kafka', apt: 'python3-confluent-kafka' },
  'kafka-python': { module: 'kafka', apt: 'python3-kafka (and python3-gssapi for GSSAPI)' },
};

async function interpreter(client: PythonClient): Promise<string> {
  if (client === 'confluent-wheel') return confluentPython();
  const need = DEBIAN_MODULE[client]!;
  const probe = fs.existsSync(SYSTEM_PYTHON) ? await run(SYSTEM_PYTHON, ['-c', `import ${need.module}`]) : undefined;
  if (probe?.code !== 0)
    throw new Error(`${client}: ${SYSTEM_PYTHON} cannot import ${need.module}; install the Debian package ${need.apt}`);
  return SYSTEM_PYTHON;
}

export type PythonOutcome = {
  error: string | null;
  detail: string;
  values?: string[];
  /** kafka-python only: the SaslHandshake request versions it sent (e.g. SaslHandShakeRequest_v0). */
  saslHandshakes?: string[];
  log?: string;
};

type Action = { action: 'produce'; topic: string; values: string[] } | { action: 'consume'; topic: string; group: string; count: number };

/** Runs one produce or consume with a Python client and returns what it reported (the Kafka error name or null). */
export async function pythonClient(
  client: PythonClient,
  bootstrap: string,
  config: SaslClientConfig,
  action: Action,
): Promise<PythonOutcome> {
  const { login, transport } = config;
  let env: NodeJS.ProcessEnv = {};
  if (login.mechanism === 'GSSAPI') {
    // kafka-python takes no keytab: it uses the credential cache. librdkafka runs kinit itself.
    env = client === 'kafka-python' ? await kinit(login) : kerberosEnv(login);
  }
  const request = {
    library: client === 'kafka-python' ? 'kafka-python' : 'confluent',
    bootstrap,
    protocol: transport.protocol,
    caFile: transport.protocol === 'SASL_SSL' ? transport.caFile : null,
    ...login,
    ...action,
  };
  const r = await run(await interpreter(client), [SCRIPT, JSON.stringify(request)], { env, timeoutMs: 90_000 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.code !== 0 || !last.startsWith('{')) {
    throw new Error(`sasl_clients.py (${client}) exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr.slice(-4000)}`);
  }
  // The client's own log (stderr) rides along, for assertion messages.
  return { ...(JSON.parse(last) as PythonOutcome), log: r.stderr.slice(-2000) };
}
