// At start-up (and until it succeeds) the gateway asks the backend which APIs it speaks and which
// brokers it has, so broker ports are open before any client is told about them.
import { Upstream } from '../net/upstream.ts';
import { API_KEY, ProtocolError, decodeResponseFrame, encodeRequestFrame, type Struct } from '../protocol/index.ts';
import { type ApiRange, type ApiVersionsFeatures, featuresOf, intersectApiVersions } from '../routing/api-versions.ts';
import type { Address } from '../routing/broker-map.ts';

export type ProbeResult = {
  /** The broker that answered. */
  target: Address;
  apiVersions: ApiRange[];
  /** The backend's features (ApiVersions v3+), which the gateway repeats when it answers ApiVersions itself. */
  features: ApiVersionsFeatures | null;
  brokers: Array<{ nodeId: number; host: string; port: number }>;
};

/** v3 carries the features; a broker too old for it answers 35 in the v0 layout, so v0 is asked then. */
async function apiVersionsOf(target: Address, timeoutMs: number): Promise<{ apiKeys: ApiRange[]; features: ApiVersionsFeatures | null }> {
  try {
    const body = await exchange(target, timeoutMs, API_KEY.ApiVersions, 3, {
      clientSoftwareName: 'gatehouse',
      clientSoftwareVersion: 'probe',
    });
    if (body.errorCode === 0) return { apiKeys: body.apiKeys as ApiRange[], features: featuresOf(body, 3) };
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
  }
  const body = await exchange(target, timeoutMs, API_KEY.ApiVersions, 0, {});
  return { apiKeys: body.apiKeys as ApiRange[], features: null };
}

/** Sends one request on a fresh connection and returns the decoded response body. */
function exchange(target: Address, timeoutMs: number, apiKey: number, version: number, body: Struct): Promise<Struct> {
  return new Promise((resolve, reject) => {
    const upstream: Upstream = new Upstream(
      target,
      { connectTimeoutMs: timeoutMs, maxFrameBytes: 64 * 1024 * 1024 },
      {
        onFrame: (frame) => {
          try {
            resolve(decodeResponseFrame(frame.payload, apiKey, version).body);
          } catch (err) {
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on what the decoder threw (a ProtocolError), unchanged
            reject(err);
          }
          upstream.close(null);
        },
        onClose: (reason) => reject(new Error(reason ?? 'backend closed the connection during the probe')),
      },
    );
    const timer = setTimeout(() => upstream.close(`probe timed out after ${timeoutMs} ms`), timeoutMs);
    upstream.socket.once('close', () => clearTimeout(timer));
    const header = { requestApiKey: apiKey, requestApiVersion: version, correlationId: 1, clientId: 'gatehouse-probe' };
    upstream.write(encodeRequestFrame(header, body, { sizePrefix: true }));
  });
}

export async function probeBackend(target: Address, timeoutMs: number): Promise<ProbeResult> {
  const versions = await apiVersionsOf(target, timeoutMs);
  const apiVersions = intersectApiVersions(versions.apiKeys);
  const metadataRange = apiVersions.find((r) => r.apiKey === API_KEY.Metadata);
  if (!metadataRange) throw new Error('the backend does not offer a Metadata version the gateway speaks');
  // An empty topic list asks for brokers only (v1+); v12 is the newest the probe needs.
  const metadata = await exchange(target, timeoutMs, API_KEY.Metadata, Math.min(metadataRange.maxVersion, 12), { topics: [] });
  const brokers = metadata.brokers as Array<{ nodeId: number; host: string; port: number }>;
  return { target, apiVersions, features: versions.features, brokers: brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })) };
}

/** Probes the bootstrap servers in turn; the first that answers is the answer (one reachable broker is enough). */
export async function probeAny(targets: readonly Address[], timeoutMs: number): Promise<ProbeResult> {
  const failures: string[] = [];
  for (const target of targets) {
    try {
      return await probeBackend(target, timeoutMs);
    } catch (err) {
      failures.push(`${target.host}:${target.port}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new Error(failures.join('; '));
}
