// A Gatehouse process with one SASL listener (SASL_PLAINTEXT, or SASL_SSL with the test PKI's server
// certificate), an `authentication:` section, a YAML policy, and an audit file the tests read back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startGatewayProcess, type GatewayProcess } from '../gateway.ts';
import { freePorts } from '../ports.ts';

export type SaslGateway = {
  gw: GatewayProcess;
  /** `localhost:<port>`: the host a Kerberos client asks a ticket for is the one it dials. */
  bootstrap: string;
  /** The audit records written so far (one JSON object a line). */
  audit: () => Array<Record<string, unknown>>;
  /** Waits until an audit record matches (the audit log writes asynchronously). */
  waitForAudit: (predicate: (record: Record<string, unknown>) => boolean, timeoutMs?: number) => Promise<Record<string, unknown>>;
  /** Everything the gateway wrote: its log and its audit file (to check that no secret is in either). */
  everythingWritten: () => string;
  stop: () => Promise<void>;
};

export async function startSaslGateway(opts: {
  backendBootstrap: string;
  /** The `authentication:` section as a user writes it. */
  authentication: Record<string, unknown>;
  /** The listener's `sasl:` section. */
  sasl: Record<string, unknown>;
  /** TLS (SASL_SSL) with this certificate and key; SASL_PLAINTEXT when absent. */
  tls?: { certificate: string; key: string };
  policy: string;
}): Promise<SaslGateway> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-sasl-gw-'));
  const policyFile = path.join(dir, 'policy.yaml');
  const auditFile = path.join(dir, 'audit.log');
  fs.writeFileSync(policyFile, opts.policy);
  const [port, brokerPort] = await freePorts(2);
  const gw = await startGatewayProcess({
    backendBootstrap: opts.backendBootstrap,
    maxBrokers: 1,
    listeners: [
      {
        name: 'sasl',
        bind: `127.0.0.1:${port}`,
        advertisedHost: 'localhost',
        ...(opts.tls ? { tls: opts.tls } : { plaintext: true }),
        sasl: opts.sasl,
        routing: { brokerPorts: { 1: brokerPort } },
      },
    ],
    extraConfig: {
      authentication: opts.authentication,
      authorization: { policies: [policyFile], audit: { destination: auditFile, allows: 'none' } },
      log: { level: 'info' },
    },
  }).catch((err: unknown) => {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
  const audit = () =>
    read(auditFile)
      .split('\n')
      .slice(0, -1)
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    gw,
    bootstrap: `localhost:${port}`,
    audit,
    waitForAudit: async (predicate, timeoutMs = 5_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = audit().find(predicate);
        if (hit) return hit;
        if (Date.now() > deadline) {
          throw new Error(`no matching audit record within ${timeoutMs} ms; the audit log has:\n${read(auditFile).slice(-3000)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    everythingWritten: () => `${read(gw.logFile)}\n${read(auditFile)}`,
    stop: async () => {
      await gw.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
