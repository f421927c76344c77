// What the gateway advertises: for every API both the backend and the gateway know, the overlap of
// their version ranges. Unknown (vendor) keys are dropped so clients never send what we can't parse.
import { versionRange } from '../protocol/index.ts';

export type ApiRange = { apiKey: number; minVersion: number; maxVersion: number };

export function intersectApiVersions(backend: ReadonlyArray<ApiRange>, gatewayRange = versionRange): ApiRange[] {
  const out: ApiRange[] = [];
  for (const api of backend) {
    const ours = gatewayRange(api.apiKey);
    if (!ours) continue;
    const minVersion = Math.max(ours.min, api.minVersion);
    const maxVersion = Math.min(ours.max, api.maxVersion);
    if (minVersion <= maxVersion) out.push({ apiKey: api.apiKey, minVersion, maxVersion });
  }
  return out;
}

/** The ranges requests are checked against; updated from every ApiVersions answer of the backend. */
export class AdvertisedVersions {
  private ranges = new Map<number, ApiRange>();

  update(advertised: ReadonlyArray<ApiRange>): void {
    this.ranges = new Map(advertised.map((r) => [r.apiKey, r]));
  }

  get known(): boolean {
    return this.ranges.size > 0;
  }

  allows(apiKey: number, version: number): boolean {
    const r = this.ranges.get(apiKey);
    if (r) return version >= r.minVersion && version <= r.maxVersion;
    // Before the backend's ranges are known, the gateway's own ranges are the limit.
    if (this.ranges.size > 0) return false;
    const ours = versionRange(apiKey);
    return ours !== undefined && version >= ours.min && version <= ours.max;
  }
}
