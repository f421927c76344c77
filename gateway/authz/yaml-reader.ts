// Reads YAML with positions: every value comes with the node it was read from, so any problem can
// name file, line and column. Parsed with the failsafe schema (all scalars are strings) so resource
// names keep their exact text (`1.10` stays "1.10"); booleans and numbers are interpreted here.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Scalar } from 'yaml';
import type { PolicyError, SourceLocation } from './policy.ts';

export type YamlNode = Node | null | undefined;

export interface YamlEntry {
  readonly key: string;
  readonly keyNode: Scalar;
  readonly value: YamlNode;
}

export class YamlFile {
  readonly errors: PolicyError[] = [];

  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    private readonly fallback: number,
  ) {}

  at(node: YamlNode): SourceLocation {
    return this.atOffset(node?.range?.[0] ?? this.fallback);
  }

  atOffset(offset: number): SourceLocation {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col };
  }

  error(node: YamlNode, message: string): undefined {
    this.errors.push({ ...this.at(node), message });
    return undefined;
  }

  /**
   * The entries of a mapping. Unknown keys and missing required keys are errors; `where` names the
   * mapping in messages ("rule", "resource").
   */
  map(node: YamlNode, where: string, known: readonly string[], required: readonly string[] = []): Map<string, YamlEntry> | undefined {
    if (!isMap(node)) return this.error(node, `${where} must be a mapping`);
    const entries = new Map<string, YamlEntry>();
    for (const pair of node.items) {
      const keyNode = pair.key as Scalar;
      const key = isScalar(keyNode) ? String(keyNode.value) : '';
      if (!known.includes(key)) {
        this.error(keyNode, `unknown key '${key}' in ${where}${suggestion(key, known)}`);
        continue;
      }
      entries.set(key, { key, keyNode, value: pair.value as YamlNode });
    }
    for (const key of required) {
      if (!entries.has(key)) this.error(node, `${where} is missing required key '${key}'`);
    }
    return entries;
  }

  string(node: YamlNode, what: string): string | undefined {
    if (!isScalar(node) || node.value === null || node.value === undefined) return this.error(node, `${what} must be a string`);
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a scalar of YAML's core schema holds a string, number or boolean
    const text = String(node.value);
    return text === '' ? this.error(node, `${what} must not be empty`) : text;
  }

  boolean(node: YamlNode, what: string): boolean | undefined {
    const text = isScalar(node) ? String(node.value) : '';
    if (text === 'true' || text === 'false') return text === 'true';
    return this.error(node, `${what} must be true or false`);
  }

  /** A sequence of strings; a single string is accepted as a one-element list. */
  strings(node: YamlNode, what: string): { value: string; node: YamlNode }[] | undefined {
    const items: YamlNode[] = isSeq(node) ? (node.items as YamlNode[]) : isScalar(node) ? [node] : [];
    if (!isSeq(node) && !isScalar(node)) return this.error(node, `${what} must be a list of strings`);
    const out: { value: string; node: YamlNode }[] = [];
    for (const item of items) {
      const value = this.string(item, `each entry of ${what}`);
      if (value !== undefined) out.push({ value, node: item });
    }
    return out;
  }

  /** One of the allowed words. */
  oneOf<T extends string>(node: YamlNode, what: string, allowed: readonly T[]): T | undefined {
    const text = this.string(node, what);
    if (text === undefined) return undefined;
    if ((allowed as readonly string[]).includes(text)) return text as T;
    return this.error(node, `${what} must be one of ${allowed.join(', ')} (got '${text}')`);
  }
}

/** Parses one YAML text; syntax errors land in `file.errors`. */
export function readYaml(fileName: string, text: string): { file: YamlFile; root: YamlNode } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, schema: 'failsafe', prettyErrors: false, uniqueKeys: true });
  const file = new YamlFile(fileName, lines, 0);
  for (const problem of doc.errors) {
    file.errors.push({ ...file.atOffset(problem.pos[0]), message: `YAML syntax: ${problem.message.split('\n')[0]}` });
  }
  return { file, root: doc.errors.length === 0 ? doc.contents : undefined };
}

function suggestion(key: string, known: readonly string[]): string {
  const close = known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  return close ? ` (did you mean '${close}'?)` : ` (expected one of: ${known.join(', ')})`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
