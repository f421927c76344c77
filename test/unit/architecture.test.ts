// The dependency table of the design (ARCHITECTURE.md, "Folders"), checked against every import of
// gateway/**/*.ts and certs/**/*.ts: each folder imports only what the table allows, `import type`
// counts like any other import (unless a rule below says type-only), and no two folders import each
// other, directly or round a longer cycle. A new folder must be added to the table here before use.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, test } from 'node:test';
import type TypeScript from 'typescript';

const ts = createRequire(import.meta.url)('typescript') as typeof TypeScript;
const ROOT = path.resolve(import.meta.dirname, '../..');

/** The units the table speaks of. */
type Unit =
  | 'protocol'
  | 'protocol/schema'
  | 'protocol/messages'
  | 'protocol/codegen'
  | 'net'
  | 'auth'
  | 'authz'
  | 'routing'
  | 'session'
  | 'observability'
  | 'common'
  | 'config'
  | 'cli'
  | 'version'
  | 'certs'
  | 'clients';

/**
 * The unit a repository file belongs to. `protocol/schema.ts` (the field-table types) is its own unit,
 * so the generated tables can use it while the protocol code uses the tables without a cycle.
 * gateway/cli.ts and gateway/commands/ are one unit: the command line. Undefined: not in the table.
 */
function unitOf(file: string): Unit | undefined {
  const parts = file.split('/');
  if (parts[0] === 'certs') return 'certs';
  if (parts[0] !== 'gateway') return undefined;
  if (parts.length === 2) return ({ 'cli.ts': 'cli', 'version.ts': 'version' } as Record<string, Unit>)[parts[1]];
  const folder = parts[1];
  if (folder === 'protocol') {
    if (file === 'gateway/protocol/schema.ts') return 'protocol/schema';
    if (parts[2] === 'messages' || parts[2] === 'codegen') return `protocol/${parts[2]}` as Unit;
    return 'protocol';
  }
  if (folder === 'commands') return 'cli';
  const units: readonly string[] = ['net', 'auth', 'authz', 'routing', 'session', 'observability', 'common', 'config', 'clients'];
  return units.includes(folder) ? (folder as Unit) : undefined;
}

const PROTOCOL: Unit[] = ['protocol', 'protocol/schema', 'protocol/messages'];

/** What each unit may import (besides itself): the design's table. */
const ALLOWED: Record<Unit, readonly Unit[]> = {
  protocol: ['protocol/schema', 'protocol/messages'],
  'protocol/schema': [],
  'protocol/messages': ['protocol/schema'],
  // The generator (a build tool, imported by nothing at run time) writes the tables from Kafka's definitions.
  'protocol/codegen': PROTOCOL,
  net: [...PROTOCOL, 'common'],
  auth: [...PROTOCOL, 'common'],
  // authz may use auth's types only (checked below), never its code.
  authz: [...PROTOCOL, 'auth', 'common'],
  routing: [...PROTOCOL, 'common'],
  session: [...PROTOCOL, 'net', 'auth', 'authz', 'routing', 'common'],
  observability: [],
  common: [],
  config: ['common'],
  cli: [...PROTOCOL, 'net', 'auth', 'authz', 'routing', 'session', 'observability', 'common', 'config', 'version', 'certs'],
  version: [],
  certs: [],
  // Client-side helpers the package exports for applications (kafkajs GSSAPI): nothing of the gateway.
  clients: [],
};

/** Imports that must be `import type` (or `import { type X }` only): they may carry no code. */
const TYPE_ONLY: ReadonlyArray<{ from: Unit; to: Unit; why: string }> = [
  {
    from: 'authz',
    to: 'auth',
    why: 'the table: authz knows auth types (the principal and identity it is given), not how they were obtained',
  },
];

/**
 * Departures from the table, each with its reason. Keep this list short: every entry is a design debt.
 */
const EXCEPTIONS: ReadonlyArray<{ from: Unit; to: Unit; typeOnly: boolean; why: string }> = [
  {
    from: 'session',
    to: 'config',
    typeOnly: true,
    why: 'a listener and the gateway are built from their typed settings (ListenerConfig, GatewayConfig); reading and validating the file stays in config/ and the command line',
  },
  {
    from: 'session',
    to: 'observability',
    typeOnly: false,
    why: 'session/gateway.ts assembles one gateway: it creates its metrics object (unless handed one), its audit log and its admin HTTP server; every other session module only names narrow metric interfaces as types',
  },
];

/** Socket-free units: "protocol knows nothing of sockets … authz knows nothing of sockets". */
const NO_SOCKETS: readonly Unit[] = ['protocol', 'protocol/schema', 'protocol/messages', 'authz'];
const SOCKET_MODULES = [
  'node:net',
  'node:tls',
  'node:dgram',
  'node:http',
  'node:https',
  'node:http2',
  'net',
  'tls',
  'dgram',
  'http',
  'https',
  'http2',
];

type Import = { from: string; specifier: string; typeOnly: boolean; line: number };

/** Every static import, re-export, `import()`, `require()` and `import('…')` type of one source file. */
function importsOf(file: string, source: string): Import[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const out: Import[] = [];
  const add = (node: TypeScript.Node, specifier: TypeScript.Expression | TypeScript.TypeNode | undefined, typeOnly: boolean) => {
    const literal = specifier && ts.isLiteralTypeNode(specifier) ? specifier.literal : specifier;
    if (literal && ts.isStringLiteralLike(literal)) {
      out.push({ from: file, specifier: literal.text, typeOnly, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
    }
  };
  const visit = (node: TypeScript.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const allNamedTypes = !!named && named.length > 0 && !clause!.name && named.every((e) => e.isTypeOnly);
      add(node, node.moduleSpecifier, !!clause && (clause.isTypeOnly || allNamedTypes));
    } else if (ts.isExportDeclaration(node)) {
      const allNamedTypes =
        !!node.exportClause &&
        ts.isNamedExports(node.exportClause) &&
        node.exportClause.elements.length > 0 &&
        node.exportClause.elements.every((e) => e.isTypeOnly);
      add(node, node.moduleSpecifier, node.isTypeOnly || allNamedTypes);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    ) {
      add(node, node.arguments[0], false);
    } else if (ts.isImportTypeNode(node)) {
      add(node, node.argument, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

type Sources = ReadonlyMap<string, string>;

/** Breaches of the table in a set of sources (repository-relative path → text), one line each. */
function checkDependencies(sources: Sources): { violations: string[]; cycles: string[][] } {
  const violations: string[] = [];
  const edges = new Map<Unit, Set<Unit>>();
  for (const [file, source] of sources) {
    const from = unitOf(file);
    if (from === undefined) {
      violations.push(`${file}: its folder is not in the dependency table (add it to ARCHITECTURE.md and this test)`);
      continue;
    }
    for (const imp of importsOf(file, source)) {
      const where = `${file}:${imp.line} imports '${imp.specifier}'`;
      if (!imp.specifier.startsWith('.')) {
        if (NO_SOCKETS.includes(from) && SOCKET_MODULES.includes(imp.specifier))
          violations.push(`${where}: ${from} knows nothing of sockets`);
        continue;
      }
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), imp.specifier));
      const to = unitOf(target);
      if (to === undefined) {
        violations.push(`${where}: outside the units of the dependency table`);
        continue;
      }
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
      const typeRule = TYPE_ONLY.find((r) => r.from === from && r.to === to);
      const exception = EXCEPTIONS.find((e) => e.from === from && e.to === to);
      if (ALLOWED[from].includes(to)) {
        if (typeRule && !imp.typeOnly) violations.push(`${where}: ${from} may import only types from ${to} (${typeRule.why})`);
      } else if (exception) {
        if (exception.typeOnly && !imp.typeOnly) violations.push(`${where}: the exception for ${from} → ${to} covers \`import type\` only`);
      } else {
        violations.push(`${where}: ${from} may not import ${to} (allowed: ${ALLOWED[from].join(', ') || 'nothing of the gateway'})`);
      }
    }
  }
  return { violations, cycles: cyclesOf(edges) };
}

/** Every elementary cycle's units, found by depth-first search from each unit (small graph). */
function cyclesOf(edges: ReadonlyMap<Unit, ReadonlySet<Unit>>): string[][] {
  const found = new Map<string, string[]>();
  const walk = (start: Unit, at: Unit, trail: Unit[]) => {
    for (const next of edges.get(at) ?? []) {
      if (next === start) {
        const cycle = [...trail];
        const first = cycle.indexOf([...cycle].sort()[0]);
        const canonical = [...cycle.slice(first), ...cycle.slice(0, first)];
        found.set(canonical.join(' → '), [...canonical, canonical[0]]);
      } else if (!trail.includes(next)) {
        walk(start, next, [...trail, next]);
      }
    }
  };
  for (const unit of edges.keys()) walk(unit, unit, [unit]);
  return [...found.values()];
}

function sourcesUnder(...dirs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.ts')) out.set(rel, fs.readFileSync(path.join(ROOT, rel), 'utf8'));
    }
  };
  for (const d of dirs) walk(d);
  return out;
}

describe('dependency table of the design', () => {
  const tree = sourcesUnder('gateway', 'certs');

  test('every import in gateway/ and certs/ follows the table; no cycles between folders', () => {
    assert.ok(tree.size > 100, `read the tree (${tree.size} files)`);
    const { violations, cycles } = checkDependencies(tree);
    assert.deepEqual(violations, []);
    assert.deepEqual(cycles, []);
  });

  test('the check sees every kind of import', () => {
    const kinds = importsOf(
      'gateway/net/x.ts',
      [
        "import a from '../config/a.ts';",
        "import type { B } from '../config/b.ts';",
        "import { type C } from '../config/c.ts';",
        "import { type D, e } from '../config/d.ts';",
        "export { f } from '../config/f.ts';",
        "export type { G } from '../config/g.ts';",
        "import '../config/side-effect.ts';",
        "const h = await import('../config/h.ts');",
        "let i: typeof import('../config/i.ts');",
        "import j = require('../config/j.ts');",
        'import {',
        '  k,',
        "} from '../config/k.ts';",
      ].join('\n'),
    ).map((i) => `${i.specifier.replace('../config/', '')}${i.typeOnly ? ' (type)' : ''}`);
    assert.deepEqual(kinds, [
      'a.ts',
      'b.ts (type)',
      'c.ts (type)',
      'd.ts',
      'f.ts',
      'g.ts (type)',
      'side-effect.ts',
      'h.ts',
      'i.ts (type)',
      'j.ts',
      'k.ts',
    ]);
  });

  test('a planted import against the table fails, type-only included', () => {
    const plant = (file: string, line: string) =>
      checkDependencies(new Map([...tree, [file, `${line}\n${tree.get(file) ?? ''}`]])).violations;
    assert.match(
      plant('gateway/net/frame-reader.ts', "import type { ListenerConfig } from '../config/schema.ts';").join('\n'),
      /gateway\/net\/frame-reader\.ts:1 imports '\.\.\/config\/schema\.ts': net may not import config/,
    );
    assert.match(
      plant('gateway/common/address.ts', "import { KafkaPrincipal } from './principal.ts';\nimport { x } from '../auth/ip-rules.ts';").join(
        '\n',
      ),
      /common may not import auth/,
    );
    assert.match(
      plant('gateway/authz/host.ts', "import { IpAccessList } from '../auth/ip-rules.ts';").join('\n'),
      /authz may import only types from auth/,
    );
    assert.deepEqual(
      plant('gateway/authz/host.ts', "import type { ClientIdentity } from '../auth/client-identity.ts';"),
      [],
      'authz → auth types is allowed',
    );
    assert.match(
      plant('gateway/session/session.ts', "import { parseConfig } from '../config/schema.ts';").join('\n'),
      /exception for session → config covers `import type` only/,
    );
    assert.match(
      plant('gateway/observability/gateway-metrics.ts', "import { x } from '../common/address.ts';").join('\n'),
      /observability may not import common \(allowed: nothing of the gateway\)/,
    );
    assert.match(plant('gateway/protocol/codec.ts', "import net from 'node:net';").join('\n'), /protocol knows nothing of sockets/);
    assert.match(plant('gateway/authz/host.ts', "import { BlockList } from 'node:net';").join('\n'), /authz knows nothing of sockets/);
    assert.match(plant('certs/pki.ts', "import { x } from '../gateway/common/address.ts';").join('\n'), /certs may not import common/);
    assert.match(plant('gateway/metrics2/x.ts', '').join('\n'), /gateway\/metrics2\/x\.ts: its folder is not in the dependency table/);
    assert.match(
      plant('gateway/net/x.ts', "import { y } from '../../test/harness/kafka.ts';").join('\n'),
      /outside the units of the dependency table/,
    );
  });

  test('a planted cycle between folders fails', () => {
    const withCycle = new Map([...tree, ['gateway/routing/x.ts', "import { Session } from '../session/session.ts';"]]);
    const { violations, cycles } = checkDependencies(withCycle);
    assert.match(violations.join('\n'), /routing may not import session/);
    assert.deepEqual(cycles, [['routing', 'session', 'routing']]);
    // A cycle through allowed edges only is caught as a cycle too (the table itself has none, so test the search).
    assert.deepEqual(
      cyclesOf(
        new Map<Unit, Set<Unit>>([
          ['net', new Set<Unit>(['auth'])],
          ['auth', new Set<Unit>(['common'])],
          ['common', new Set<Unit>(['net'])],
        ]),
      ),
      [['auth', 'common', 'net', 'auth']],
    );
  });
});
