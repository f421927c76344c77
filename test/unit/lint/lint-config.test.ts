// The linter's configuration, exercised through ESLint itself: generated files are skipped because of
// their marker, `any` is refused outside the codec, and an inline disable must say why.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ESLint } from 'eslint';
import { GENERATED_BANNER } from '../../../gateway/protocol/codegen/generate.ts';
import { GENERATED_MARKER, generatedFiles, isGenerated, sourceFiles } from '../../lint/generated-files.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: ROOT });
const ruleIds = async (code: string, filePath: string) =>
  (await eslint.lintText(code, { filePath })).flatMap((result) => result.messages.map((m) => m.ruleId ?? m.message));

describe('generated files', () => {
  test("the marker is the generator's banner", () => {
    assert.match(GENERATED_BANNER, GENERATED_MARKER);
  });

  test('are exactly the files whose first line carries the marker', () => {
    const generated = generatedFiles(ROOT);
    const messages = fs.readdirSync(path.join(ROOT, 'gateway/protocol/messages')).filter((f) => f.endsWith('.ts'));
    assert.ok(messages.length > 50);
    assert.deepEqual(generated, messages.map((f) => `gateway/protocol/messages/${f}`).sort());
    for (const file of sourceFiles(ROOT).filter((f) => !generated.includes(f))) {
      assert.doesNotMatch(fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n', 1)[0], GENERATED_MARKER, file);
    }
    assert.equal(isGenerated(path.join(ROOT, 'gateway/protocol/codec.ts')), false);
  });

  test('are ignored by the linter, hand-written protocol code is not', async () => {
    assert.equal(await eslint.isPathIgnored('gateway/protocol/messages/produce.ts'), true);
    assert.equal(await eslint.isPathIgnored('gateway/protocol/codec.ts'), false);
    assert.equal(await eslint.isPathIgnored('gateway/protocol/codegen/generate.ts'), false);
  });
});

describe('rules', () => {
  test('`any` is an error outside the codec', async () => {
    assert.ok((await ruleIds('export const x: any = 1;\n', 'gateway/version.ts')).includes('@typescript-eslint/no-explicit-any'));
    assert.ok(
      (await ruleIds('export const x = JSON.parse("1") as any;\n', 'test/harness/paths.ts')).includes('@typescript-eslint/no-explicit-any'),
    );
    assert.deepEqual(await ruleIds('export type Loose = Record<string, any>;\n', 'gateway/protocol/codec.ts'), []);
  });

  test('an unawaited promise is an error; node:test calls are not', async () => {
    const code = "import { test } from 'node:test';\nasync function later() {}\nlater();\ntest('t', () => {});\n";
    assert.deepEqual(await ruleIds(code, 'test/harness/paths.ts'), ['@typescript-eslint/no-floating-promises']);
  });

  test('an inline disable needs a reason', async () => {
    const bare = '// eslint-disable-next-line no-debugger\ndebugger;\n';
    assert.deepEqual(await ruleIds(bare, 'test/lint/format.js'), ['gatehouse/require-disable-reason']);
    const explained = '// eslint-disable-next-line no-debugger -- a sample for this test\ndebugger;\n';
    assert.deepEqual(await ruleIds(explained, 'test/lint/format.js'), []);
    const fileWide = '/* eslint-disable */\ndebugger;\n';
    assert.ok((await ruleIds(fileWide, 'test/lint/format.js')).includes('gatehouse/require-disable-reason'));
    const configured = '/* eslint no-debugger: off */\ndebugger;\n';
    assert.deepEqual(await ruleIds(configured, 'test/lint/format.js'), ['gatehouse/require-disable-reason']);
    const prose = '// eslint is run by test/run.sh\nexport const x = 1;\n';
    assert.deepEqual(await ruleIds(prose, 'test/lint/format.js'), []);
    const unused = '// eslint-disable-next-line no-debugger -- nothing to disable here\nexport const x = 1;\n';
    assert.equal((await ruleIds(unused, 'test/lint/format.js')).length, 1); // reported as an unused directive
  });
});
