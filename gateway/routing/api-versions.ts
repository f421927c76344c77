// What the gateway advertises: for every API both the backend and the gateway know and that brokers
// serve to clients, the overlap of their version ranges. Unknown (vendor) keys are dropped so clients
// never send what we can't parse; controller-only and inter-broker keys are dropped so clients can never
// reach a broker's cluster-internal APIs through the gateway.
import { type Struct, servedToClients, versionRange } from '../protocol/index.ts';
import type { Address } from './broker-map.ts';

export type ApiRange = { apiKey: number; minVersion: number; maxVersion: number };

/** The feature fields of a broker's ApiVersions v3+ answer, relayed as they came (KIP-584). */
export type ApiVersionsFeatures = {
  supportedFeatures: Struct[];
  finalizedFeaturesEpoch: bigint;
  finalizedFeatures: Struct[];
  zkMigrationReady: boolean;
};

/** What a client is told in ApiVersions: the advertised ranges, and the backend's features when known. */
export type ClientApiVersions = { readonly apiKeys: readonly ApiRange[]; readonly features: ApiVersionsFeatures | null };

/** The feature fields of a decoded ApiVersions answer (null below v3, where there are none). */
export function featuresOf(body: Struct, version: number): ApiVersionsFeatures | null {
  if (version < 3) return null;
  return {
    supportedFeatures: body.supportedFeatures as Struct[],
    finalizedFeaturesEpoch: body.finalizedFeaturesEpoch as bigint,
    finalizedFeatures: body.finalizedFeatures as Struct[],
    zkMigrationReady: body.zkMigrationReady as boolean,
  };
}

export function intersectApiVersions(
  backend: ReadonlyArray<ApiRange>,
  gatewayRange = versionRange,
  served: (apiKey: number) => boolean = servedToClients,
): ApiRange[] {
  const out: ApiRange[] = [];
  for (const api of backend) {
    const ours = gatewayRange(api.apiKey);
    if (!ours || !served(api.apiKey)) continue;
    const minVersion = Math.max(ours.min, api.minVersion);
    const maxVersion = Math.min(ours.max, api.maxVersion);
    if (minVersion <= maxVersion) out.push({ apiKey: api.apiKey, minVersion, maxVersion });
  }
  return out;
}

type Table = ReadonlyMap<number, ApiRange>;

/** More backends than any cluster has; a bound so a stream of new addresses cannot grow the registry. */
const MAX_BACKENDS = 4096;

const keyOf = (backend: Address): string => `${backend.host}:${backend.port}`;

/**
 * The ranges requests are checked against, one table per backend broker: each broker's own ApiVersions
 * answer (a mixed-version cluster has different ones), and the start-up probe's answer for a broker whose
 * own answer has not been seen yet.
 */
export class AdvertisedVersions {
  private probed: Table = new Map();
  private readonly byBackend = new Map<string, Table>();
  /** What clients are told (before any served-range narrowing), for answers the gateway makes itself. */
  private probedAnswer: ClientApiVersions | null = null;
  private readonly answers = new Map<string, ClientApiVersions>();
  /** Bumped whenever a table changes, so a backend's view (forBackend) knows to look again. */
  private generation = 0;

  constructor(
    /**
     * The versions the gateway itself can serve per api key: the codec's tables, narrowed by the gateway
     * to what it can also authorize when authorization is on (a gateway-level choice, passed in).
     */
    private readonly gatewayRange: (apiKey: number) => { min: number; max: number } | undefined = versionRange,
  ) {}

  /** A backend's ApiVersions list narrowed to what clients are told: backend ∩ gateway, client-facing keys only. */
  intersect(backend: ReadonlyArray<ApiRange>): ApiRange[] {
    return intersectApiVersions(backend, this.gatewayRange);
  }

  /** The probe's answer: the ranges for every backend until its own answer is known. */
  update(advertised: ReadonlyArray<ApiRange>, features: ApiVersionsFeatures | null = null): void {
    this.probed = tableOf(servedRanges(advertised, this.intersect(advertised)));
    this.probedAnswer = { apiKeys: this.intersect(advertised), features: features ?? this.probedAnswer?.features ?? null };
    this.generation++;
  }

  /** A backend broker's own answer (features: null when it answered below v3, which keeps those known). */
  learn(backend: Address, advertised: ReadonlyArray<ApiRange>, features: ApiVersionsFeatures | null = null): void {
    const key = keyOf(backend);
    const known = this.answers.get(key)?.features ?? null;
    this.byBackend.delete(key);
    this.answers.delete(key);
    if (this.byBackend.size >= MAX_BACKENDS) {
      const oldest = this.byBackend.keys().next().value!;
      this.byBackend.delete(oldest);
      this.answers.delete(oldest);
    }
    this.byBackend.set(key, tableOf(servedRanges(advertised, this.intersect(advertised))));
    this.answers.set(key, { apiKeys: this.intersect(advertised), features: features ?? known });
    this.generation++;
  }

  /**
   * The ApiVersions answer a backend's clients get (what the broker advertises ∩ the gateway, its
   * features), for the gateway to answer itself before authentication; null before any backend answered.
   */
  clientAnswer(backend: Address): ClientApiVersions | null {
    return this.answers.get(keyOf(backend)) ?? this.probedAnswer;
  }

  get known(): boolean {
    return this.probed.size > 0 || this.byBackend.size > 0;
  }

  /** The table for a backend: its own answer, else the probe's (empty when neither is known). */
  rangesFor(backend: Address): Table {
    return this.byBackend.get(keyOf(backend)) ?? this.probed;
  }

  allows(backend: Address, apiKey: number, version: number): boolean {
    return this.allowedIn(this.rangesFor(backend), apiKey, version);
  }

  /**
   * `allows` for one backend, for a session that asks at every request: the backend's table is looked up
   * again only after some table changed (a backend's own answer can arrive after the session started).
   */
  forBackend(backend: Address): (apiKey: number, version: number) => boolean {
    let generation = -1;
    let ranges: Table = this.probed;
    return (apiKey, version) => {
      if (generation !== this.generation) {
        generation = this.generation;
        ranges = this.rangesFor(backend);
      }
      return this.allowedIn(ranges, apiKey, version);
    };
  }

  private allowedIn(ranges: Table, apiKey: number, version: number): boolean {
    const r = ranges.get(apiKey);
    if (r) return version >= r.minVersion && version <= r.maxVersion;
    if (ranges.size > 0) return false;
    // Before any backend's ranges are known, the gateway's own ranges for client-facing APIs are the limit.
    const ours = this.gatewayRange(apiKey);
    return ours !== undefined && servedToClients(apiKey) && version >= ours.min && version <= ours.max;
  }
}

const PRODUCE = 0;
const FETCH = 1;

/**
 * What a backend serves, which is not always what it advertises: Kafka 4.x lists Produce from v0 but
 * closes the connection on v0–2 (KAFKA-18659, kept for a librdkafka bug), the release where KIP-896
 * also removed Fetch v0–3. Clients are told what the broker tells them; requests are served as the
 * broker serves them, so a 4.x backend's Produce v0–2 closes the connection before any authorization,
 * as a secured 4.x broker does.
 */
export function servedRanges(backend: ReadonlyArray<ApiRange>, advertised: ApiRange[]): ApiRange[] {
  const fetch = backend.find((r) => r.apiKey === FETCH);
  if (!fetch || fetch.minVersion < 4) return advertised;
  return advertised.flatMap((r) => {
    if (r.apiKey !== PRODUCE || r.minVersion >= 3) return [r];
    return r.maxVersion >= 3 ? [{ ...r, minVersion: 3 }] : [];
  });
}

function tableOf(advertised: ReadonlyArray<ApiRange>): Table {
  return new Map(advertised.map((r) => [r.apiKey, r]));
}
