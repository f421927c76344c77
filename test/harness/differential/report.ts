// The coverage table a differential run prints: API × version × scenario as "equal/compared", the APIs
// the secured broker serves and the gateway does not advertise, the differences by design with their
// reasons, and every other difference (each one a failure).
import { apiName } from '../../../gateway/protocol/index.ts';
import type { CaseResult, Scenario } from './run-cases.ts';

const SCENARIOS: readonly Scenario[] = ['allowed', 'denied', 'partial'];

type Ranges = ReadonlyMap<number, { min: number; max: number }>;

/** Versions the secured broker serves and the gateway does not advertise, per api key. */
export function notAdvertised(broker: Ranges, gateway: Ranges): Array<{ apiKey: number; versions: string }> {
  const out: Array<{ apiKey: number; versions: string }> = [];
  for (const [apiKey, b] of [...broker].sort((x, y) => x[0] - y[0])) {
    const g = gateway.get(apiKey);
    const missing: number[] = [];
    for (let v = b.min; v <= b.max; v++) if (!g || v < g.min || v > g.max) missing.push(v);
    if (missing.length === 0) continue;
    const spans: string[] = [];
    for (let i = 0; i < missing.length;) {
      let j = i;
      while (j + 1 < missing.length && missing[j + 1] === missing[j] + 1) j++;
      spans.push(i === j ? `v${missing[i]}` : `v${missing[i]}-${missing[j]}`);
      i = j + 1;
    }
    out.push({ apiKey, versions: spans.join(',') });
  }
  return out;
}

export type RunSummary = {
  total: number;
  equal: number;
  byDesign: CaseResult[];
  failures: CaseResult[];
  notAdvertised: CaseResult[];
};

export function summarize(results: readonly CaseResult[]): RunSummary {
  const different = results.filter((r) => r.status === 'different');
  return {
    total: results.length,
    equal: results.filter((r) => r.status === 'equal').length,
    byDesign: different.filter((r) => r.case.expectedDifference),
    failures: different.filter((r) => !r.case.expectedDifference),
    notAdvertised: results.filter((r) => r.status === 'not-advertised'),
  };
}

const label = (apiKey: number) => `${apiName(apiKey) ?? 'Unknown'} (${apiKey})`;

export function coverageReport(opts: {
  title: string;
  results: readonly CaseResult[];
  brokerApiVersions: Ranges;
  gatewayApiVersions: Ranges;
  /** The catalogue's list of APIs it sends no case for, with the reason. */
  skipped?: ReadonlyArray<{ apiKey: number; reason: string }>;
}): string {
  const { results } = opts;
  const cells = new Map<string, { compared: number; equal: number; notAdvertised: number }>();
  for (const r of results) {
    const k = `${r.case.apiKey}/${r.case.version}/${r.case.scenario}`;
    const cell = cells.get(k) ?? { compared: 0, equal: 0, notAdvertised: 0 };
    if (r.status === 'not-advertised') cell.notAdvertised++;
    else cell.compared++;
    if (r.status === 'equal') cell.equal++;
    cells.set(k, cell);
  }
  const rows = [...new Set(results.map((r) => `${r.case.apiKey}/${r.case.version}`))]
    .map((k) => k.split('/').map(Number) as [number, number])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const width = Math.max(28, ...rows.map(([k]) => label(k).length + 1));
  const lines: string[] = [opts.title, ''];
  lines.push(`${'API'.padEnd(width)}${'ver'.padStart(4)}  ${SCENARIOS.map((s) => s.padEnd(10)).join('')}(equal/compared)`);
  for (const [apiKey, version] of rows) {
    const row = SCENARIOS.map((s) => {
      const c = cells.get(`${apiKey}/${version}/${s}`);
      if (!c) return '-'.padEnd(10);
      if (c.compared === 0) return 'not adv.'.padEnd(10);
      const text = `${c.equal}/${c.compared}${c.equal < c.compared ? ' ✗' : ''}`;
      return text.padEnd(10);
    }).join('');
    lines.push(`${label(apiKey).padEnd(width)}${String(version).padStart(4)}  ${row}`);
  }
  const missing = notAdvertised(opts.brokerApiVersions, opts.gatewayApiVersions);
  lines.push('', `Not advertised by the gateway (the secured broker serves them): ${missing.length === 0 ? 'none' : ''}`);
  for (const m of missing) lines.push(`  ${label(m.apiKey)} ${m.versions}`);
  if (opts.skipped && opts.skipped.length > 0) {
    lines.push('', 'No cases in the catalogue:');
    for (const s of opts.skipped) lines.push(`  ${label(s.apiKey)}: ${s.reason}`);
  }
  const summary = summarize(results);
  const detail = (r: CaseResult) => [
    `  ${r.case.name} [${r.case.principal}] (${r.outcomes?.secured ?? '?'} / ${r.outcomes?.gatewayed ?? '?'})`,
    ...(r.case.expectedDifference ? [`    by design: ${r.case.expectedDifference}`] : []),
    ...r.diffs.map((d) => `    ${d}`),
  ];
  lines.push('', `Differences by design: ${summary.byDesign.length === 0 ? 'none' : ''}`);
  for (const r of summary.byDesign) lines.push(...detail(r));
  const designedButEqual = results.filter((r) => r.status === 'equal' && r.case.expectedDifference);
  if (designedButEqual.length > 0) {
    lines.push('', 'Marked as differences by design, but equal:');
    for (const r of designedButEqual) lines.push(`  ${r.case.name}: ${r.case.expectedDifference}`);
  }
  lines.push('', `Other differences (failures): ${summary.failures.length === 0 ? 'none' : ''}`);
  for (const r of summary.failures) lines.push(...detail(r));
  lines.push(
    '',
    `Cases: ${summary.total} · equal ${summary.equal} · different by design ${summary.byDesign.length} · other differences ${summary.failures.length} · not advertised ${summary.notAdvertised.length}`,
  );
  return lines.join('\n');
}
