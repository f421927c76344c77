// A YAML document that can say where any value came from, so every config error names
// file, line and column.
import { LineCounter, parseDocument, isMap, isSeq, type Document, type Node } from 'yaml';

export type ConfigPath = ReadonlyArray<string | number>;

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = 'ConfigError';
  }
}

export class YamlSource {
  private constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  static parse(text: string, file: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const first = doc.errors[0];
    if (first) {
      const { line, col } = lines.linePos(first.pos[0]);
      throw new ConfigError(file, line, col, first.message.split('\n')[0]);
    }
    return new YamlSource(file, doc, lines);
  }

  /** The plain JS value of the whole document. */
  value(): unknown {
    return this.doc.toJS();
  }

  /** An error located at the deepest node of `path` that exists (the key itself when present). */
  errorAt(path: ConfigPath, reason: string): ConfigError {
    let node: unknown = this.doc.contents;
    let offset = 0;
    for (const step of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === step);
        if (!pair) break;
        offset = (pair.key as Node).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof step === 'number' && node.items[step]) {
        node = node.items[step];
        offset = (node as Node).range?.[0] ?? offset;
      } else {
        break;
      }
    }
    const { line, col } = this.lines.linePos(offset);
    return new ConfigError(this.file, line, col, reason);
  }
}
