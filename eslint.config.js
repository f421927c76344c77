// The linter's one configuration: ESLint's and typescript-eslint's recommended sets, the latter with
// type information (floating promises, misused promises and unsafe `any` flows are the bugs that matter
// in a socket-heavy async server). Formatting is Prettier's job (`npm run format`), not the linter's.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { generatedFiles } from './test/lint/generated-files.js';

const root = import.meta.dirname;

/** An inline disable must say why: `// eslint-disable-next-line rule -- reason`. */
const requireDisableReason = {
  meta: {
    type: 'problem',
    docs: { description: 'inline eslint directives that turn rules off must give a reason after `--`' },
    messages: { missing: 'Say why this rule is turned off here: `{{directive}} … -- reason`.' },
    schema: [],
  },
  create(context) {
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          const text = comment.value.trim();
          // `eslint-disable…` directives, and `eslint rule: off` configuration comments.
          const directive = /^(eslint-disable(?:-next-line|-line)?)(?:\s|$)/.exec(text) ?? /^(eslint)\s+[\w@/-]+\s*:/.exec(text);
          if (!directive) continue;
          if (/\s--\s*\S/.test(text)) continue;
          // Reported one column before the comment, so that a file-wide `eslint-disable` cannot hide its own report.
          const loc = { start: { line: comment.loc.start.line, column: -1 }, end: comment.loc.end };
          context.report({ loc, messageId: 'missing', data: { directive: directive[1] } });
        }
      },
    };
  },
};

export default defineConfig(
  {
    // Generated files are found by the marker on their first line (test/lint/generated-files.js), not listed here.
    ignores: ['node_modules/', 'dist/', '.cache/', ...generatedFiles(root)],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { gatehouse: { rules: { 'require-disable-reason': requireDisableReason } } },
    rules: { 'gatehouse/require-disable-reason': 'error' },
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    rules: {
      // `any` is allowed nowhere outside generated code and the codec's internals (override below).
      '@typescript-eslint/no-explicit-any': 'error',
      // Unused bindings are errors, except the conventional `_name` for a deliberately ignored one.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // An async function with nothing to await is how a function satisfies a Promise-returning
      // interface (a command's run(), a client's message handler); rewriting them to return
      // Promise.resolve() by hand would churn the code for no safety gain.
      '@typescript-eslint/require-await': 'off',
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
    },
  },
  {
    // The codec's internals: a decoded body is a `Struct` whose values are whatever the field tables say,
    // so the generic encoder/decoder handles them untyped. `any` stops here; everywhere else it is an error.
    files: ['gateway/protocol/codec.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The plain-JavaScript files (this config, the launcher, lint helpers) are outside the TypeScript
    // project: linted without type information, with Node's globals.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { process: 'readonly', Buffer: 'readonly', URL: 'readonly', console: 'readonly' },
    },
  },
);
