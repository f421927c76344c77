// The dependency check (test/lint/dependencies.js) on the real source tree: the project's package.json
// passes, and a manifest with an unused, a misplaced or a missing dependency is caught.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { checkDependencies, importedPackages } from '../../lint/dependencies.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
type Manifest = { name: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
const manifest = () => JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;

describe('dependency check', () => {
  test('reads imports, not look-alikes', () => {
    const code = [
      "import a from 'alpha/sub';",
      "import type { B } from 'beta';",
      "export { c } from '@scope/gamma/x';",
      "const d = await import('delta');",
      "import fs from 'node:fs'; import path from 'path'; import local from './local.ts';",
      "// import e from 'epsilon';",
      'const s = "import f from \'phi\'";',
    ].join('\n');
    assert.deepEqual([...importedPackages('x.ts', code)].sort(), ['@scope/gamma', 'alpha', 'delta']);
  });

  test("the project's package.json matches its imports", () => {
    assert.deepEqual(checkDependencies(ROOT, manifest()), []);
  });

  test('an unused, a missing and a development-only dependency are reported', () => {
    const m = manifest();
    m.dependencies['left-pad'] = '^1.0.0';
    delete m.dependencies.yaml;
    m.dependencies.tsx = m.devDependencies.tsx;
    delete m.devDependencies.tsx;
    const problems = checkDependencies(ROOT, m);
    assert.ok(
      problems.some((p) => p.startsWith('unused in dependencies: left-pad')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.startsWith('missing from dependencies: yaml')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.startsWith('unused in dependencies: tsx')),
      problems.join('\n'),
    );
  });

  test('a package only the tests import must not be a production dependency, nor be undeclared', () => {
    const m = manifest();
    m.dependencies.kafkajs = m.devDependencies.kafkajs;
    delete m.devDependencies.kafkajs;
    assert.ok(checkDependencies(ROOT, m).some((p) => p.startsWith('unused in dependencies: kafkajs')));
    delete m.dependencies.kafkajs;
    assert.ok(checkDependencies(ROOT, m).some((p) => p.startsWith('missing from devDependencies: kafkajs')));
  });
});
