// Api names ↔ keys, valid and flexible versions, header versions — all derived from the generated tables.

import { ProtocolError } from './errors.ts';
import { API_KEY, API_SCHEMAS } from './messages/index.ts';
import type { ApiSchema } from './schema.ts';
import { inVersions, parseVersions, versionBounds } from './versions.ts';

export { API_KEY };
export type ApiName = keyof typeof API_KEY;

const byKey: (ApiSchema | undefined)[] = [];
const byName = new Map<string, ApiSchema>();
for (const s of API_SCHEMAS) {
  byKey[s.apiKey] = s;
  byName.set(s.name, s);
}

/** The table of an api key, or undefined when the key is unknown. */
export function apiSchema(apiKey: number): ApiSchema | undefined {
  return Number.isInteger(apiKey) && apiKey >= 0 ? byKey[apiKey] : undefined;
}

export function apiName(apiKey: number): string | undefined {
  return apiSchema(apiKey)?.name;
}

export function apiKeyOf(name: string): number | undefined {
  return byName.get(name)?.apiKey;
}

/** Every api key the tables know, ascending. */
export function allApiKeys(): number[] {
  return API_SCHEMAS.map((s) => s.apiKey);
}

/** Oldest and newest version that ever shipped (union of all definitions read), or undefined. */
export function versionRange(apiKey: number): { min: number; max: number } | undefined {
  const s = apiSchema(apiKey);
  return (s && versionBounds(s.validVersions)) ?? undefined;
}

export function isSupportedVersion(apiKey: number, version: number): boolean {
  const s = apiSchema(apiKey);
  return !!s && inVersions(s.validVersions, version);
}

/** True for versions only ever shipped as a definition's `latestVersionUnstable` version. */
export function isUnstableVersion(apiKey: number, version: number): boolean {
  return inVersions(apiSchema(apiKey)?.unstableVersions, version);
}

/** First flexible (compact + tagged fields) version of the request, or null when never flexible. */
export function firstFlexibleVersion(apiKey: number): number | null {
  const s = apiSchema(apiKey);
  const r = s ? parseVersions(s.request.flexibleVersions) : [];
  return r.length ? r[0][0] : null;
}

export function isFlexibleVersion(apiKey: number, version: number): boolean {
  return inVersions(apiSchema(apiKey)?.request.flexibleVersions, version);
}

function checked(apiKey: number, version: number): ApiSchema {
  const s = apiSchema(apiKey);
  if (!s) throw new ProtocolError('unknown-api', `unknown api key ${apiKey}`);
  if (!inVersions(s.validVersions, version)) {
    throw new ProtocolError('unsupported-version', `${s.name} v${version} is outside ${s.validVersions}`);
  }
  return s;
}

/**
 * Request header version: 2 for flexible versions, 1 otherwise — except ControlledShutdown v0, whose
 * header is v0 (no client id), as RequestHeader.json notes.
 */
export function requestHeaderVersion(apiKey: number, version: number): 0 | 1 | 2 {
  const s = checked(apiKey, version);
  if (inVersions(s.request.flexibleVersions, version)) return 2;
  if (apiKey === API_KEY.ControlledShutdown && version === 0) return 0;
  return 1;
}

/** Response header version: 1 for flexible versions, 0 otherwise — ApiVersions responses always use v0. */
export function responseHeaderVersion(apiKey: number, version: number): 0 | 1 {
  const s = checked(apiKey, version);
  if (apiKey === API_KEY.ApiVersions) return 0;
  return inVersions(s.response.flexibleVersions, version) ? 1 : 0;
}

/**
 * Whether brokers serve this API to clients: the definition lists the `broker` listener. Controller-only
 * APIs (Raft, registration, heartbeats…) and the ZooKeeper-era inter-broker ones (LeaderAndIsr,
 * StopReplica, UpdateMetadata, ControlledShutdown, which 4.x defines for no listener) are not.
 */
export function servedToClients(apiKey: number): boolean {
  return apiSchema(apiKey)?.listeners.includes('broker') ?? false;
}
