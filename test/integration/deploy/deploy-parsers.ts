// Small readers for the deploy files the tests check without their own tool: a Dockerfile's stages
// and instructions, compose port mappings, and the metric names a PromQL expression reads.

export type DockerInstruction = { keyword: string; args: string };
export type DockerStage = { base: string; name: string | null; instructions: DockerInstruction[] };

/** Splits a Dockerfile into stages (FROM … [AS name]) of instructions, continuation lines joined. */
export function parseDockerfile(text: string): { args: DockerInstruction[]; stages: DockerStage[] } {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // a comment inside a continued instruction
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  if (pending !== '') logical.push(pending);

  const args: DockerInstruction[] = [];
  const stages: DockerStage[] = [];
  for (const line of logical) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const instruction = { keyword: match[1].toUpperCase(), args: match[2].replace(/\s+/g, ' ').trim() };
    if (instruction.keyword === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!from) throw new Error(`unreadable FROM: ${line}`);
      stages.push({ base: from[1], name: from[2] ?? null, instructions: [] });
    } else if (stages.length === 0) {
      args.push(instruction);
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { args, stages };
}

/** The JSON (exec) form of ENTRYPOINT/CMD, or null for the shell form. */
export function execForm(args: string): string[] | null {
  if (!args.startsWith('[')) return null;
  const parsed: unknown = JSON.parse(args);
  return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : null;
}

/** Ports of an EXPOSE line: `9092 9101-9103 9644/tcp`. */
export function exposedPorts(args: string): number[] {
  const ports: number[] = [];
  for (const word of args.split(' ')) {
    const match = /^(\d+)(?:-(\d+))?(?:\/tcp)?$/.exec(word);
    if (!match) throw new Error(`unreadable EXPOSE port: ${word}`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    for (let p = first; p <= last; p++) ports.push(p);
  }
  return ports;
}

/** Container ports of a compose short-syntax mapping: "9093:9093", "127.0.0.1:9644:9644", "9101-9103:9101-9103". */
export function composeContainerPorts(mapping: string): number[] {
  const parts = mapping.replace(/\/tcp$/, '').split(':');
  const container = parts[parts.length - 1];
  const match = /^(\d+)(?:-(\d+))?$/.exec(container);
  if (!match) throw new Error(`unreadable compose port mapping: ${mapping}`);
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects: identifiers that are not functions, aggregations,
 * keywords, label names (inside {…}, by/without/on/ignoring/group_*(…)) or parts of strings and ranges.
 */
export function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const rest = stripped.slice(match.index + match[0].length).trimStart();
    if (rest.startsWith('(')) continue;
    if (PROMQL_KEYWORDS.has(match[0].toLowerCase())) continue;
    names.add(match[0]);
  }
  return [...names];
}
