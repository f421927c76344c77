// What observe mode records: who did what to which resource, how often and when — aggregates only,
// never payloads. One entry per (principal, operation, resource type, resource name); an entry of an
// unidentified client (User:ANONYMOUS) also carries its source address in the key, so anonymous clients
// stay apart by address. The file format (JSON) is what `policy suggest` and `policy diff` read.
import { OPERATIONS, RESOURCE_TYPES, type RequestOperation, type ResourceType } from '../model.ts';

/** The principal of clients nothing identified; observations group them by source address. */
export const ANONYMOUS = 'User:ANONYMOUS';
/** Source addresses kept per entry of an identified principal (a fleet of pods would grow it without end). */
export const MAX_HOSTS_PER_ENTRY = 8;
/** The format marker and version the file starts with. */
export const OBSERVATIONS_FORMAT = 'gatehouse-observations/1';

export interface Observation {
  readonly principal: string;
  /** Source addresses seen (at most MAX_HOSTS_PER_ENTRY; `moreHosts` when there were more). */
  readonly hosts: string[];
  moreHosts: boolean;
  readonly operation: RequestOperation;
  readonly resourceType: ResourceType;
  /** null: "some resource of this type" (an idempotent producer's InitProducerId asks WRITE on any topic). */
  readonly name: string | null;
  /** Requests that went through (dry-run denials included: they were allowed). */
  allowed: number;
  /** Of those, the ones the policy would have refused (dry-run denials). */
  wouldDeny: number;
  /** Requests refused. */
  denied: number;
  /** Unix milliseconds. */
  firstSeen: number;
  lastSeen: number;
}

export interface ObservationSet {
  readonly entries: readonly Observation[];
  /** Distinct tuples not recorded because the store was full. */
  readonly dropped: number;
}

/** The key an entry is found under: the host is part of it only for unidentified clients. */
export function observationKey(principal: string, host: string, operation: string, type: string, name: string | null): string {
  const who = principal === ANONYMOUS ? `${principal}@${host}` : principal;
  return `${who}\u0000${operation}\u0000${type}\u0000${name === null ? '\u0001' : name}`;
}

/** The file's text before the entries (then `entryLine`s joined by ",\n", then OBSERVATIONS_FOOTER). */
export function observationsHeader(dropped: number, writtenAt: number): string {
  return `{\n  "format": "${OBSERVATIONS_FORMAT}",\n  "written": "${new Date(writtenAt).toISOString()}",\n  "dropped": ${dropped},\n  "entries": [\n`;
}

export const OBSERVATIONS_FOOTER = '\n  ]\n}\n';

/** One entry as its line of the file: one per line, so the file stays readable and diffable however long. */
export function entryLine(e: Observation): string {
  return `    ${JSON.stringify({
    principal: e.principal,
    hosts: e.hosts,
    ...(e.moreHosts && { moreHosts: true }),
    operation: e.operation,
    resourceType: e.resourceType,
    name: e.name,
    allowed: e.allowed,
    wouldDeny: e.wouldDeny,
    denied: e.denied,
    firstSeen: new Date(e.firstSeen).toISOString(),
    lastSeen: new Date(e.lastSeen).toISOString(),
  })}`;
}

/** The whole file at once, entries sorted (tools and tests; the gateway writes it in slices). */
export function serializeObservations(set: ObservationSet, writtenAt: number): string {
  const entries = [...set.entries].sort(
    (a, b) => compare(a.principal, b.principal) || compare(a.resourceType, b.resourceType) || compare(a.name ?? '', b.name ?? ''),
  );
  return observationsHeader(set.dropped, writtenAt) + entries.map(entryLine).join(',\n') + OBSERVATIONS_FOOTER;
}

export class ObservationFormatError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** Reads an observations file's text; throws ObservationFormatError naming the file and what is wrong. */
export function parseObservations(file: string, text: string): ObservationSet {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new ObservationFormatError(file, `not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(doc) || doc.format !== OBSERVATIONS_FORMAT)
    throw new ObservationFormatError(file, `not an observations file (expected "format": "${OBSERVATIONS_FORMAT}")`);
  if (!Array.isArray(doc.entries)) throw new ObservationFormatError(file, '"entries" must be a list');
  const entries = doc.entries.map((raw, i) => readEntry(file, raw, i));
  const dropped = typeof doc.dropped === 'number' && doc.dropped >= 0 ? doc.dropped : 0;
  return { entries, dropped };
}

function readEntry(file: string, raw: unknown, index: number): Observation {
  const fail = (what: string): never => {
    throw new ObservationFormatError(file, `entry ${index + 1}: ${what}`);
  };
  if (!isRecord(raw)) return fail('not an object');
  const text = (key: string): string => (typeof raw[key] === 'string' ? raw[key] : fail(`"${key}" must be a string`));
  const count = (key: string): number =>
    Number.isSafeInteger(raw[key]) && (raw[key] as number) >= 0 ? (raw[key] as number) : fail(`"${key}" must be a count`);
  const time = (key: string): number => {
    const ms = Date.parse(text(key));
    return Number.isNaN(ms) ? fail(`"${key}" is not a date`) : ms;
  };
  const operation = text('operation');
  if (!(OPERATIONS as readonly string[]).includes(operation) || operation === 'ALL') fail(`unknown operation ${operation}`);
  const resourceType = text('resourceType');
  if (!(RESOURCE_TYPES as readonly string[]).includes(resourceType)) fail(`unknown resource type ${resourceType}`);
  if (!Array.isArray(raw.hosts) || !raw.hosts.every((h) => typeof h === 'string')) fail('"hosts" must be a list of addresses');
  const name = raw.name === null ? null : text('name');
  return {
    principal: text('principal'),
    hosts: raw.hosts as string[],
    moreHosts: raw.moreHosts === true,
    operation: operation as RequestOperation,
    resourceType: resourceType as ResourceType,
    name,
    allowed: count('allowed'),
    wouldDeny: count('wouldDeny'),
    denied: count('denied'),
    firstSeen: time('firstSeen'),
    lastSeen: time('lastSeen'),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
