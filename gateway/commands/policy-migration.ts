// `gatehouse policy suggest | diff`: from observed traffic to a policy, and what a policy change does.
// The logic lives in gateway/authz/observe; this file reads files, parses arguments and prints.
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CompiledPolicy } from '../authz/compiled-policy.ts';
import { ObservationRecorder } from '../authz/observe/observation-recorder.ts';
import { parseObservations, type Observation, type ObservationSet } from '../authz/observe/observation.ts';
import { describeChange, describeResource, diffPolicies, OTHER_PRINCIPAL, type AccessChange } from '../authz/observe/policy-diff.ts';
import { suggestPolicy } from '../authz/observe/policy-suggest.ts';
import { formatPolicyError, loadPolicy } from '../authz/policy-loader.ts';
import { parse, UsageError, type PolicyIo } from './policy-args.ts';

const DEFAULT_PREFIX_MIN = 3;

export async function suggestCommand(args: string[], io: PolicyIo): Promise<number> {
  const { values, positionals } = parse(args, {
    from: { type: 'string', multiple: true },
    since: { type: 'string' },
    'prefix-min': { type: 'string' },
    out: { type: 'string', short: 'o' },
  });
  // Several files (one per worker, or per instance): `--from a b` or `--from a --from b`.
  const from = [...(values.from ?? []), ...positionals];
  if (values.from === undefined || from.length === 0)
    throw new UsageError('suggest needs --from <observations file>... (authorization.observe.file)');
  const prefixMin = values['prefix-min'] === undefined ? DEFAULT_PREFIX_MIN : Number(values['prefix-min']);
  if (!Number.isInteger(prefixMin) || prefixMin < 0) throw new UsageError('--prefix-min must be a whole number (0: never generalise)');
  const since = values.since === undefined ? undefined : parseSince(values.since, Date.now());
  const observations = await readObservations(from, io);
  if (observations === undefined) return 1;
  const suggestion = suggestPolicy(observations, { since, prefixMinNames: prefixMin, source: from.map((f) => basename(f)).join(', ') });
  if (values.out !== undefined) await writeFile(values.out, suggestion.yaml);
  else io.out(suggestion.yaml);
  io.err(`suggested ${suggestion.rules} rule(s) from ${suggestion.observations.length} observation(s)\n`);
  if (suggestion.uncovered.length === 0) return 0;
  for (const o of suggestion.uncovered) io.err(`not covered: ${describeObservation(o)}\n`);
  io.err(`${suggestion.uncovered.length} observation(s) the suggested policy would refuse: edit it before enforcing\n`);
  return 1;
}

export async function diffCommand(args: string[], io: PolicyIo): Promise<number> {
  const { values, positionals } = parse(args, {
    observations: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    'fail-on-break': { type: 'boolean' },
  });
  if (positionals.length !== 2) throw new UsageError('diff needs two policies: the old one and the new one (files or folders)');
  const [before, after] = await Promise.all(positionals.map((p) => loadCompiled(p, io)));
  if (before === undefined || after === undefined) return 1;
  let observed: readonly Observation[] | undefined;
  if (values.observations !== undefined) {
    const set = await readObservations(values.observations, io);
    if (set === undefined) return 1;
    observed = set.entries;
  }
  const diff = diffPolicies(before, after, observed);
  if (values.json) {
    io.out(
      `${JSON.stringify(
        {
          gained: diff.gained.map(changeJson),
          lost: diff.lost.map(changeJson),
          ...(observed !== undefined && { broken: diff.broken.map(observationJson) }),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.out(`policy diff ${positionals[0]} -> ${positionals[1]}\n`);
    io.out(section('gained', diff.gained.map(describeChange)));
    io.out(section('lost', diff.lost.map(describeChange)));
    if (observed !== undefined) io.out(section('observed clients it would refuse', diff.broken.map(describeObservation)));
  }
  return values['fail-on-break'] === true && diff.broken.length > 0 ? 1 : 0;
}

function section(title: string, lines: readonly string[]): string {
  if (lines.length === 0) return `${title}: none\n`;
  return `${title} (${lines.length}):\n${lines.map((l) => `  ${l}\n`).join('')}`;
}

function changeJson(c: AccessChange) {
  return {
    principal: c.principal === OTHER_PRINCIPAL ? null : c.principal,
    host: c.host,
    resourceType: c.resourceType,
    resource: c.resource,
    operations: c.operations,
  };
}

function observationJson(o: Observation) {
  return {
    principal: o.principal,
    hosts: o.hosts,
    operation: o.operation,
    resourceType: o.resourceType,
    name: o.name,
    requests: o.allowed,
    lastSeen: new Date(o.lastSeen).toISOString(),
  };
}

function describeObservation(o: Observation): string {
  const what = o.name === null ? `any ${o.resourceType}` : describeResource(o.resourceType, { kind: 'literal', name: o.name });
  return `${o.principal} from ${o.hosts.join(', ') || 'unknown hosts'}: ${o.operation} on ${what} (${o.allowed} request(s), last ${new Date(o.lastSeen).toISOString()})`;
}

async function loadCompiled(path: string, io: PolicyIo): Promise<CompiledPolicy | undefined> {
  const result = await loadPolicy(path);
  if (result.ok) return new CompiledPolicy(result.policy);
  for (const error of result.errors) io.err(`${formatPolicyError(error)}\n`);
  return undefined;
}

/** Several files (one per worker, or per instance) read as one aggregate. */
async function readObservations(files: readonly string[], io: PolicyIo): Promise<ObservationSet | undefined> {
  const merged = new ObservationRecorder({ maxEntries: Number.MAX_SAFE_INTEGER });
  for (const file of files) {
    try {
      merged.merge(parseObservations(file, await readFile(file, 'utf8')));
    } catch (error) {
      io.err(`gatehouse policy: ${(error as Error).message}\n`);
      return undefined;
    }
  }
  return merged.snapshot();
}

/** `2026-11-01`, an ISO time, or a duration back from now (`7d`, `12h`, `30m`). */
export function parseSince(text: string, now: number): number {
  const duration = /^(\d+)([dhm])$/.exec(text);
  if (duration) return now - Number(duration[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[duration[2] as 'd' | 'h' | 'm'];
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`--since must be a date (2026-11-01), a time, or a duration (7d, 12h, 30m); got '${text}'`);
  return ms;
}
