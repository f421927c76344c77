// The generated body interfaces (gateway/protocol/messages/<api>.ts) describe exactly what the codec
// decodes. The interfaces are read back from the generated source with the TypeScript parser, and every
// decoded body is checked against them: the same field names at every level (the codec sets every field
// at every version), each value of a declared type (null only where `| null` is declared), fields the
// version does not carry holding the codec's default, and each field's documented versions equal to the
// table's. Bodies: real captured frames (golden fixtures) and generated bodies of every API and version.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { type Layout, type Op, decode, defaultValue, encode, messageLayout } from '../../../gateway/protocol/codec.ts';
import {
  API_KEY,
  type ApiName,
  type FetchResponse,
  type ProduceRequest,
  apiSchema,
  decodeRequestFrame,
  decodeRequestHeader,
  decodeResponseFrame,
  decodeTypedRequestBody,
  isRequestOf,
  responseBodyOf,
} from '../../../gateway/protocol/index.ts';
import { loadFixtures } from './fixtures.ts';
import { allApiVersions, generateMessage, prng } from './support.ts';

interface Prop {
  type: string;
  optional: boolean;
  /** The `versions …` part of the property's doc comment. */
  versions: string | undefined;
}
type Interface = Map<string, Prop>;

const messagesDir = fileURLToPath(new URL('../../../gateway/protocol/messages/', import.meta.url));

/** Interfaces of every generated message file, by file; interface names are unique within a file. */
function readInterfaces(): Map<string, Map<string, Interface>> {
  const files = new Map<string, Map<string, Interface>>();
  for (const file of readdirSync(messagesDir)
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    const text = readFileSync(messagesDir + file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const interfaces = new Map<string, Interface>();
    for (const st of source.statements) {
      if (!ts.isInterfaceDeclaration(st)) continue;
      const props: Interface = new Map();
      for (const m of st.members) {
        if (!ts.isPropertySignature(m) || !m.type) continue;
        const doc = /\/\*\* versions ([^;*]+?)[;\s]/.exec(m.getFullText())?.[1];
        props.set(m.name.getText(source), { type: m.type.getText(source), optional: !!m.questionToken, versions: doc });
      }
      interfaces.set(st.name.text, props);
    }
    files.set(file, interfaces);
  }
  return files;
}

const FILES = readInterfaces();

/** The interfaces of the file that declares `${api}Request`. */
function interfacesOf(api: string): Map<string, Interface> {
  for (const interfaces of FILES.values()) if (interfaces.has(`${api}Request`)) return interfaces;
  throw new Error(`no generated interface ${api}Request`);
}

const UNKNOWN_TAGGED = '_unknownTagged';

function checkValue(value: unknown, type: string, op: Op, interfaces: Map<string, Interface>, where: string): void {
  const members = type.split(' | ');
  if (value === null) {
    assert.ok(members.includes('null'), `${where}: null, but declared ${type}`);
    return;
  }
  const nonNull = members.filter((m) => m !== 'null');
  assert.equal(nonNull.length, 1, `${where}: declared ${type}`);
  const t = nonNull[0];
  if (t.endsWith('[]')) {
    assert.ok(Array.isArray(value), `${where}: not an array, declared ${type}`);
    (value as unknown[]).forEach((e, i) => checkValue(e, t.slice(0, -2), op.elem!, interfaces, `${where}[${i}]`));
    return;
  }
  switch (t) {
    case 'number':
    case 'bigint':
    case 'string':
    case 'boolean':
      assert.equal(typeof value, t, `${where}: ${typeof value}, declared ${type}`);
      return;
    case 'Buffer':
      assert.ok(Buffer.isBuffer(value), `${where}: not a Buffer`);
      return;
    default: {
      const iface = interfaces.get(t);
      assert.ok(iface, `${where}: declared type ${t} is not a generated interface`);
      assert.ok(op.layout, `${where}: declared struct ${t}, codec field is not a struct`);
      checkStruct(value as Record<string, unknown>, iface, op.layout, interfaces, where);
    }
  }
}

function checkStruct(
  obj: Record<string, unknown>,
  iface: Interface,
  layout: Layout,
  interfaces: Map<string, Interface>,
  where: string,
): void {
  assert.equal(typeof obj, 'object', where);
  const declared = [...iface.keys()].filter((k) => k !== UNKNOWN_TAGGED);
  assert.deepEqual(
    Object.keys(obj)
      .filter((k) => k !== UNKNOWN_TAGGED)
      .sort(),
    [...declared].sort(),
    `${where}: decoded field names differ from the interface`,
  );
  assert.equal(iface.get(UNKNOWN_TAGGED)?.optional, true, `${where}: ${UNKNOWN_TAGGED} is declared optional`);
  const unknown = obj[UNKNOWN_TAGGED];
  if (unknown !== undefined) {
    for (const u of unknown as { tag: unknown; bytes: unknown }[]) assert.ok(typeof u.tag === 'number' && Buffer.isBuffer(u.bytes), where);
  }
  for (const op of layout.fields) {
    const prop = iface.get(op.name)!;
    const at = `${where}.${op.name}`;
    assert.equal(prop.optional, false, `${at}: declared optional, the codec always sets it`);
    assert.equal(prop.versions, op.schema.versions, `${at}: documented versions differ from the table`);
    if (!op.present) assert.deepEqual(obj[op.name], defaultValue(op), `${at}: absent at v${layout.version} but not the default`);
    checkValue(obj[op.name], prop.type, op, interfaces, at);
  }
}

function checkBody(body: Record<string, unknown>, apiKey: number, version: number, kind: 'request' | 'response', where: string): void {
  const api = apiSchema(apiKey)!.name;
  const interfaces = interfacesOf(api);
  const name = `${api}${kind === 'request' ? 'Request' : 'Response'}`;
  checkStruct(body, interfaces.get(name)!, messageLayout(apiKey, version, kind), interfaces, `${where} ${name}`);
}

/** The APIs the golden captures must show decoded exactly as typed (the ones the enforcers read first). */
const CHECKED_APIS: ApiName[] = ['Produce', 'Fetch', 'Metadata', 'CreateTopics', 'OffsetCommit', 'DescribeConfigs'];

test('captured frames decode to exactly the generated interfaces', () => {
  const seen = new Map<string, Set<string>>();
  let frames = 0;
  for (const { file, fixture } of loadFixtures()) {
    for (const [i, f] of fixture.frames.entries()) {
      const frame = Buffer.from(f.hex, 'hex');
      const body = f.direction === 'request' ? decodeRequestFrame(frame).body : decodeResponseFrame(frame, f.apiKey, f.apiVersion).body;
      checkBody(body, f.apiKey, f.apiVersion, f.direction, `${file} #${i} v${f.apiVersion}`);
      const api = apiSchema(f.apiKey)!.name;
      if (!seen.has(api)) seen.set(api, new Set());
      seen.get(api)!.add(`${f.direction} v${f.apiVersion}`);
      frames++;
    }
  }
  for (const api of CHECKED_APIS) {
    const s = seen.get(api) ?? new Set();
    assert.ok(
      [...s].some((x) => x.startsWith('request')) && [...s].some((x) => x.startsWith('response')),
      `${api}: no captured request and response`,
    );
    console.log(`# ${api}: ${[...s].sort().join(', ')}`);
  }
  console.log(`# ${frames} captured frames of ${seen.size} APIs checked against the interfaces`);
});

test('generated bodies of every API and version decode to exactly the generated interfaces', () => {
  let n = 0;
  for (const { apiKey, version, name } of allApiVersions()) {
    for (const kind of ['request', 'response'] as const) {
      for (const [i, mode] of (['defaults', 'nulls', 'full'] as const).entries()) {
        const obj = generateMessage(prng(apiKey * 1000 + version * 10 + i), apiKey, version, kind, mode);
        checkBody(decode(encode(obj, apiKey, version, kind), apiKey, version, kind), apiKey, version, kind, `${name} v${version} ${mode}`);
        n++;
      }
    }
  }
  console.log(`# ${n} generated bodies checked`);
});

test('every API has a request and a response interface, and the maps point at them', () => {
  const types = readFileSync(messagesDir + 'types.ts', 'utf8');
  for (const [name, key] of Object.entries(API_KEY)) {
    const interfaces = interfacesOf(name);
    assert.ok(interfaces.has(`${name}Response`), name);
    assert.match(types, new RegExp(`^  ${key}: ${name}Request;$`, 'm'), `RequestBodies[${key}]`);
    assert.match(types, new RegExp(`^  ${key}: ${name}Response;$`, 'm'), `ResponseBodies[${key}]`);
  }
});

test('typed accessors return the codec body under its interface', () => {
  const produce = FILES.get('produce.ts')!.get('ProduceRequest')!;
  assert.equal(produce.get('transactionalId')?.type, 'string | null');
  assert.equal(FILES.get('produce.ts')!.get('PartitionProduceResponse')!.get('baseOffset')?.type, 'bigint');
  const f = loadFixtures()
    .flatMap((x) => x.fixture.frames)
    .find((x) => x.direction === 'request' && x.apiKey === API_KEY.Produce)!;
  const frame = Buffer.from(f.hex, 'hex');
  const req = decodeRequestFrame(frame);
  assert.ok(isRequestOf(req, API_KEY.Produce));
  assert.equal(isRequestOf(req, API_KEY.Fetch), false);
  // Compiles only because the body is typed: the property path is checked by tsc.
  const topics: string[] = req.body.topicData.map((t) => (f.apiVersion >= 13 ? t.topicId : t.name));
  assert.ok(topics.length > 0);
  const direct: ProduceRequest = decodeTypedRequestBody(frame, API_KEY.Produce, f.apiVersion, decodeRequestHeader(frame).bodyOffset);
  assert.deepEqual(direct, req.body);
  const fr = loadFixtures()
    .flatMap((x) => x.fixture.frames)
    .find((x) => x.direction === 'response' && x.apiKey === API_KEY.Fetch)!;
  const fetch: FetchResponse = responseBodyOf(decodeResponseFrame(Buffer.from(fr.hex, 'hex'), fr.apiKey, fr.apiVersion), API_KEY.Fetch);
  assert.ok(Array.isArray(fetch.responses));
});
