// Kafka's version-set notation as used in the generated tables: "3+", "0-12", "4", "none", "0-2,5+".

export type VersionRange = readonly [min: number, max: number];

const cache = new Map<string, readonly VersionRange[]>();

export function parseVersions(spec: string): readonly VersionRange[] {
  let r = cache.get(spec);
  if (r) return r;
  r =
    spec === 'none' || spec === ''
      ? []
      : spec.split(',').map((p): VersionRange => {
          if (p.endsWith('+')) return [Number(p.slice(0, -1)), Infinity];
          const [a, b = a] = p.split('-');
          return [Number(a), Number(b)];
        });
  cache.set(spec, r);
  return r;
}

export function inVersions(spec: string | undefined, v: number): boolean {
  if (spec === undefined) return false;
  for (const [a, b] of parseVersions(spec)) if (v >= a && v <= b) return true;
  return false;
}

/** Lowest and highest version of a bounded set (validVersions); null for "none". */
export function versionBounds(spec: string): { min: number; max: number } | null {
  const r = parseVersions(spec);
  if (r.length === 0) return null;
  return { min: r[0][0], max: r[r.length - 1][1] };
}
