// The dependency check: every package the production code imports is in `dependencies` (an install
// with --omit=dev has nothing else), nothing in `dependencies` goes unimported, and every package the
// tests and tools import is declared somewhere. Imports are read with TypeScript's parser, so comments
// and strings that merely look like imports do not count and `import type` (erased) does not either.
import fs from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceFiles } from './generated-files.js';

/** @type {typeof import('typescript')} */
const ts = createRequire(import.meta.url)('typescript');

/**
 * @typedef {{ name?: string, bin?: string | Record<string, string>, scripts?: Record<string, string>,
 *   dependencies?: Record<string, string>, devDependencies?: Record<string, string> }} Manifest
 */

/**
 * Imports that production files may make of development packages, each with its reason.
 * The launcher loads tsx only in a checkout, where the TypeScript sources sit beside it.
 */
/** @type {Record<string, string[]>} */
const DEVELOPMENT_ONLY_IMPORTS = { 'gateway/gatehouse.mjs': ['tsx'] };

/**
 * `@scope/name/sub` → `@scope/name`, `name/sub` → `name`; undefined for relative paths and builtins.
 * @param {string} specifier
 * @returns {string | undefined}
 */
export function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtinModules.includes(name) ? undefined : name;
}

/**
 * The packages a file imports at run time: static and dynamic imports, re-exports, require().
 * @param {string} file
 * @param {string} text
 * @returns {Set<string>}
 */
export function importedPackages(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  /** @type {Set<string>} */
  const found = new Set();
  /** @param {import('typescript').Node | undefined} node */
  const add = (node) => {
    if (node && ts.isStringLiteralLike(node)) {
      const name = packageOf(node.text);
      if (name) found.add(name);
    }
  };
  /** @param {import('typescript').Node} node */
  const visit = (node) => {
    if (ts.isImportDeclaration(node)) {
      if (!node.importClause?.isTypeOnly) add(node.moduleSpecifier);
    } else if (ts.isExportDeclaration(node)) {
      if (!node.isTypeOnly) add(node.moduleSpecifier);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = (ts.isIdentifier(callee) && callee.text === 'require') || ts.isCallExpression(callee); // createRequire(…)('x')
      if (isImport || isRequire) add(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The production files: what tsconfig.build.json compiles, plus the package's executables.
 * @param {string} root
 * @param {Manifest} manifest
 * @returns {string[]}
 */
function productionFiles(root, manifest) {
  const configFile = path.join(root, 'tsconfig.build.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!parsed) throw new Error(`${configFile}: cannot be read`);
  const compiled = parsed.fileNames.map((f) => path.relative(root, f).split(path.sep).join('/'));
  const bins = Object.values(typeof manifest.bin === 'string' ? { [manifest.name ?? 'bin']: manifest.bin } : (manifest.bin ?? {}));
  return [...new Set([...compiled, ...bins.map((b) => path.normalize(b).split(path.sep).join('/'))])];
}

/**
 * The text of the npm scripts and the shell scripts under test/, where development tools are run by name
 * (e.g. `--import tsx`).
 * @param {string} root
 * @param {Manifest} manifest
 * @returns {string}
 */
function scriptTexts(root, manifest) {
  const shellScripts = findShellScripts(path.join(root, 'test'));
  return [...Object.values(manifest.scripts ?? {}), ...shellScripts.map((f) => fs.readFileSync(f, 'utf8'))].join('\n');
}

/**
 * @param {string} dir
 * @returns {string[]}
 */
function findShellScripts(dir) {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.sh'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

/**
 * Compares what the code imports with what `manifest` (package.json's content) declares.
 * Returns the problems found, each a line of text; none means the declarations are right.
 * @param {string} root
 * @param {Manifest} manifest
 * @returns {string[]}
 */
export function checkDependencies(root, manifest) {
  const dependencies = new Set(Object.keys(manifest.dependencies ?? {}));
  const devDependencies = new Set(Object.keys(manifest.devDependencies ?? {}));
  const production = productionFiles(root, manifest);
  const productionSet = new Set(production);
  const topLevel = fs.readdirSync(root).filter((name) => /\.(?:js|mjs|cjs|ts)$/.test(name));
  const development = [...topLevel, ...sourceFiles(root)].filter((f) => !productionSet.has(f));

  /** @type {string[]} */
  const problems = [];
  /** @type {Map<string, string>} package → first file importing it */
  const usedInProduction = new Map();
  for (const file of production) {
    const allowed = DEVELOPMENT_ONLY_IMPORTS[file] ?? [];
    for (const name of importedPackages(file, fs.readFileSync(path.join(root, file), 'utf8'))) {
      if (allowed.includes(name)) continue;
      if (!usedInProduction.has(name)) usedInProduction.set(name, file);
    }
  }
  const usedAnywhere = new Map(usedInProduction);
  for (const file of development) {
    for (const name of importedPackages(file, fs.readFileSync(path.join(root, file), 'utf8'))) {
      if (!usedAnywhere.has(name)) usedAnywhere.set(name, file);
    }
  }
  for (const names of Object.values(DEVELOPMENT_ONLY_IMPORTS)) for (const name of names) usedAnywhere.set(name, 'launcher');

  for (const [name, file] of usedInProduction) {
    if (!dependencies.has(name)) problems.push(`missing from dependencies: ${name} (imported by ${file})`);
  }
  for (const name of dependencies) {
    if (!usedInProduction.has(name)) problems.push(`unused in dependencies: ${name} (no production file imports it)`);
  }
  for (const [name, file] of usedAnywhere) {
    if (!dependencies.has(name) && !devDependencies.has(name) && name !== manifest.name) {
      problems.push(`missing from devDependencies: ${name} (imported by ${file})`);
    }
  }
  const scripts = scriptTexts(root, manifest);
  for (const name of devDependencies) {
    if (usedAnywhere.has(name)) continue;
    // Type packages serve the package (or Node) they describe.
    const typesFor = name.startsWith('@types/') ? name.slice('@types/'.length).replace(/^(.+)__(.+)$/, '@$1/$2') : undefined;
    if (typesFor && (typesFor === 'node' || usedAnywhere.has(typesFor))) continue;
    // Tools run from scripts rather than imported.
    if (new RegExp(`(^|[\\s"'/])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([\\s"'/]|$)`, 'm').test(scripts)) continue;
    problems.push(`unused in devDependencies: ${name} (nothing imports or runs it)`);
  }
  if (dependencies.has('tsx')) problems.push('tsx is a development tool: it belongs in devDependencies');
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.resolve(import.meta.dirname, '../..');
  const manifest = /** @type {Manifest} */ (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')));
  const problems = checkDependencies(root, manifest);
  for (const line of problems) console.log(line);
  console.log(`dependencies: ${problems.length === 0 ? 'as declared' : `${problems.length} problem(s)`}`);
  if (problems.length > 0) process.exitCode = 1;
}
