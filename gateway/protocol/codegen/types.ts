// Renders TypeScript interfaces for the bodies the codec decodes (see the conventions at the top of
// ../codec.ts): one interface per API and direction covering all versions, nested structs as interfaces
// of their own. The codec puts every field of the definition on every decoded struct, holding its
// default where the version lacks the field or a tagged field was not sent, so no field is optional;
// the versions a field is on the wire in are in its doc comment. Only `_unknownTagged` is optional.

import type { TypeNode } from './generate.ts';

const SCALAR_TS: Record<string, string> = {
  int8: 'number',
  int16: 'number',
  int32: 'number',
  uint16: 'number',
  uint32: 'number',
  float64: 'number',
  int64: 'bigint',
  bool: 'boolean',
  string: 'string',
  uuid: 'string',
  bytes: 'Buffer',
  records: 'Buffer',
};

const UNKNOWN_TAGGED =
  '  /** Tagged fields this version of the tables does not know, kept byte for byte. */\n  _unknownTagged?: { tag: number; bytes: Buffer }[];';

export interface RenderedTypes {
  /** Interface declarations, top-level ones first, then nested structs in depth-first order. */
  code: string;
  /** Names of the two top-level interfaces. */
  request: string;
  response: string;
}

/** Whether the decoded value can be null at some version (codec.ts `defaultValue` and `readScalar`). */
function canBeNull(n: TypeNode, base: string, array: boolean): boolean {
  if (n.nullable.size > 0 || n.raw.default === 'null') return true;
  if (array) return false;
  if (base === 'records') return true;
  // A struct, bytes or records field with any default decodes to null where absent.
  return n.raw.default !== undefined && (base === 'bytes' || !(base in SCALAR_TS));
}

function fieldDoc(n: TypeNode, fmt: (s: Set<number>) => string): string {
  const parts = [`versions ${fmt(n.versions)}`];
  if (n.nullable.size) parts.push(`nullable ${fmt(n.nullable)}`);
  if (n.tagged.size) parts.push(`tagged ${fmt(n.tagged)} (tag ${n.raw.tag})`);
  if (n.raw.entityType) parts.push(`entity ${n.raw.entityType}`);
  return parts.join('; ');
}

/**
 * Renders the interfaces of one API. `fmt` prints a version set in the tables' notation. Nested struct
 * interfaces are named after Kafka's struct type. A name met again with a different shape gets the
 * version it starts at when the same message uses it (`AddPartitionsToTxnTopicV4`), else its message
 * name (`OffsetCommitResponseTopic`), so every name in the file is unique and deterministic.
 */
export function renderApiTypes(
  api: string,
  request: TypeNode[],
  response: TypeNode[],
  fmtRequest: (s: Set<number>) => string,
  fmtResponse: (s: Set<number>) => string,
): RenderedTypes {
  const taken = new Set<string>([api, `${api}Request`, `${api}Response`, 'Buffer']);
  const blocks: string[] = [];
  const byName = new Map<string, { probe: string; msg: string }>();

  const renderStruct = (name: string, doc: string, nodes: TypeNode[], msg: string, fmt: (s: Set<number>) => string): void => {
    // The slot is taken before nested structs render, so a parent precedes its children in the file.
    const slot = blocks.push('') - 1;
    const lines = [`/** ${doc} */`, `export interface ${name} {`];
    for (const n of nodes) {
      const array = n.kind.startsWith('[]');
      const base = array ? n.kind.slice(2) : n.kind;
      let ts = base === 'struct' ? renderNested(n.raw.type.replace(/^\[\]/, ''), n, msg, fmt) : SCALAR_TS[base];
      if (array) ts += '[]';
      if (canBeNull(n, base, array)) ts += ' | null';
      lines.push(`  /** ${fieldDoc(n, fmt)} */`, `  ${camel(n.name)}: ${ts};`);
    }
    lines.push(UNKNOWN_TAGGED, '}');
    blocks[slot] = lines.join('\n');
  };

  const renderNested = (structName: string, n: TypeNode, msg: string, fmt: (s: Set<number>) => string): string => {
    const probe = renderProbe(structName, n, fmt);
    const since = `${structName}V${Math.min(...n.versions)}`;
    // Same message, other versions: name the shape by its first version; the other message: by message.
    const sameMessage = byName.get(structName)?.msg === msg;
    const candidates = sameMessage ? [structName, since, `${msg}${structName}`] : [structName, `${msg}${structName}`, `${msg}${since}`];
    for (let i = 2; candidates.length < 12; i++) candidates.push(`${msg}${structName}${i}`);
    for (const candidate of candidates) {
      const seen = byName.get(candidate);
      if (seen?.probe === probe) return candidate;
      if (seen === undefined && !taken.has(candidate)) {
        taken.add(candidate);
        byName.set(candidate, { probe, msg });
        renderStruct(candidate, `${msg} ${structName}.`, n.children ?? [], msg, fmt);
        return candidate;
      }
    }
    throw new Error(`${api}: no unique interface name for struct ${structName}`);
  };

  const top = (dir: 'Request' | 'Response', nodes: TypeNode[], fmt: (s: Set<number>) => string): string => {
    const name = `${api}${dir}`;
    renderStruct(
      name,
      `Body of a ${api} ${dir.toLowerCase()}, every version (fields are set at every version; see codec.ts).`,
      nodes,
      name,
      fmt,
    );
    return name;
  };
  const requestName = top('Request', request, fmtRequest);
  const responseName = top('Response', response, fmtResponse);
  return { code: blocks.join('\n\n'), request: requestName, response: responseName };
}

/** A structural fingerprint of a struct (field names, kinds, nullability, versions): equal fingerprints share one interface. */
function renderProbe(structName: string, n: TypeNode, fmt: (s: Set<number>) => string): string {
  const walk = (nodes: TypeNode[]): string =>
    nodes
      .map((c) => `${c.name}:${c.raw.type}:${fieldDoc(c, fmt)}:${String(c.raw.default)}${c.children ? `{${walk(c.children)}}` : ''}`)
      .join(',');
  return `${structName}{${walk(n.children ?? [])}}`;
}

function camel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
