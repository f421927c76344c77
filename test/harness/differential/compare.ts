// Compares the two sides' normalized outcomes and says where they differ, path by path. Arrays are
// multisets unless the spec defines their order: items are paired by their natural key (topic name,
// partition index, group id, resource…) so a difference reads `topics[diff.denied].errorCode: 29 ≠ 0`,
// and an item present on one side only reads `topics[diff.denied]: only on the secured broker`.
import type { Normalized } from './normalize.ts';
import { fieldsOf } from './normalize.ts';

export type SideOutcome =
  | { kind: 'response'; body: Normalized }
  | { kind: 'no-response' }
  | { kind: 'closed' }
  | { kind: 'undecodable'; error: string }
  | { kind: 'timeout' }
  | { kind: 'error'; error: string };

/** Fields that identify an item in a list, in the order they are tried. */
const KEY_FIELDS = [
  'name',
  'topicName',
  'topic',
  'topicId',
  'partitionIndex',
  'partition',
  'partitionId',
  'index',
  'groupId',
  'key',
  'transactionalId',
  'resourceName',
  'apiKey',
  'nodeId',
  'brokerId',
  'memberId',
  'entityType',
  'mechanism',
];

const MAX_DIFFS = 12;

function show(v: Normalized | undefined): string {
  if (v === undefined) return '(absent)';
  const text = JSON.stringify(v);
  // Head and tail: both ends of a long message or item matter.
  return text.length > 300 ? `${text.slice(0, 200)} … ${text.slice(-90)}` : text;
}

/** JSON with sorted keys, so equal structs print equally. */
function canonical(v: Normalized): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function itemKey(v: Normalized): string | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  for (const f of KEY_FIELDS) {
    const k = v[f];
    if (k !== undefined && k !== null && typeof k !== 'object' && k !== '<ignored>') {
      return 'resourceType' in v ? `${JSON.stringify(v.resourceType)}:${String(k)}` : String(k);
    }
  }
  return undefined;
}

function uniqueKeys(items: Normalized[]): Map<string, Normalized> | undefined {
  const m = new Map<string, Normalized>();
  for (const it of items) {
    const k = itemKey(it);
    if (k === undefined || m.has(k)) return undefined;
    m.set(k, it);
  }
  return m;
}

class Differ {
  readonly diffs: string[] = [];
  constructor(private readonly ordered: ReadonlySet<string>) {}

  add(line: string): void {
    if (this.diffs.length < MAX_DIFFS) this.diffs.push(line);
    else if (this.diffs.length === MAX_DIFFS) this.diffs.push('…more differences');
  }

  diff(a: Normalized | undefined, b: Normalized | undefined, path: string): void {
    if (Array.isArray(a) && Array.isArray(b)) return this.arrays(a, b, path);
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) this.diff(a[k], b[k], path ? `${path}.${k}` : k);
      return;
    }
    if (canonical(a ?? null) !== canonical(b ?? null) || (a === undefined) !== (b === undefined)) {
      this.add(`${path || '(body)'}: secured ${show(a)} ≠ gateway ${show(b)}`);
    }
  }

  private arrays(a: Normalized[], b: Normalized[], path: string): void {
    if (this.ordered.has(fieldsOf(path).join('.'))) {
      if (a.length !== b.length) this.add(`${path}: ${a.length} items on the secured broker, ${b.length} through the gateway`);
      for (let i = 0; i < Math.min(a.length, b.length); i++) this.diff(a[i], b[i], `${path}[${i}]`);
      return;
    }
    const ka = uniqueKeys(a);
    const kb = uniqueKeys(b);
    if (ka && kb) {
      for (const [k, v] of ka) {
        if (kb.has(k)) this.diff(v, kb.get(k), `${path}[${k}]`);
        else this.add(`${path}[${k}]: only on the secured broker ${show(v)}`);
      }
      for (const [k, v] of kb) if (!ka.has(k)) this.add(`${path}[${k}]: only through the gateway ${show(v)}`);
      return;
    }
    // No natural key: compare as multisets of whole items.
    const count = new Map<string, number>();
    for (const v of a) count.set(canonical(v), (count.get(canonical(v)) ?? 0) + 1);
    const onlyB: Normalized[] = [];
    for (const v of b) {
      const c = canonical(v);
      const n = count.get(c) ?? 0;
      if (n > 0) count.set(c, n - 1);
      else onlyB.push(v);
    }
    for (const v of a) {
      const c = canonical(v);
      const n = count.get(c) ?? 0;
      if (n > 0) {
        this.add(`${path}[]: only on the secured broker ${show(v)}`);
        count.set(c, n - 1);
      }
    }
    for (const v of onlyB) this.add(`${path}[]: only through the gateway ${show(v)}`);
  }
}

/**
 * The differences between the secured broker's outcome and the gateway's; empty = equal.
 * `ordered` lists the field paths (without positions, e.g. `results`) whose order the spec defines.
 */
export function compareOutcomes(secured: SideOutcome, gatewayed: SideOutcome, ordered: ReadonlySet<string> = new Set()): string[] {
  if (secured.kind !== gatewayed.kind) {
    const detail = (o: SideOutcome) =>
      o.kind === 'undecodable' || o.kind === 'error'
        ? `${o.kind} (${o.error})`
        : o.kind === 'response'
          ? `response ${show(o.body)}`
          : o.kind;
    return [`outcome: secured ${detail(secured)} ≠ gateway ${detail(gatewayed)}`];
  }
  if (secured.kind === 'error' && gatewayed.kind === 'error') return [`both sides failed: ${secured.error}`];
  if (secured.kind !== 'response' || gatewayed.kind !== 'response') return [];
  const d = new Differ(ordered);
  d.diff(secured.body, gatewayed.body, '');
  return d.diffs;
}
