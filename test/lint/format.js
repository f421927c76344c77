// The formatter over the project's sources: `--check` lists the files Prettier would change and
// fails; without it, rewrites them. Generated files (marker on their first line) are left alone.
// Prettier's API instead of its CLI, so the exclusion comes from the marker, not from an ignore list.
import fs from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { isGenerated, sourceFiles } from './generated-files.js';

const root = path.resolve(import.meta.dirname, '../..');
const check = process.argv.includes('--check');

/** The configuration files at the top level are code too. */
const topLevel = fs.readdirSync(root).filter((name) => /\.(?:js|mjs|cjs)$/.test(name));
const files = [...topLevel, ...sourceFiles(root)].filter((file) => !isGenerated(path.join(root, file)));

const differing = [];
for (const file of files) {
  const abs = path.join(root, file);
  const options = { ...(await prettier.resolveConfig(abs)), filepath: abs };
  const text = fs.readFileSync(abs, 'utf8');
  if (check) {
    if (!(await prettier.check(text, options))) differing.push(file);
  } else {
    const formatted = await prettier.format(text, options);
    if (formatted !== text) {
      fs.writeFileSync(abs, formatted);
      differing.push(file);
    }
  }
}

for (const file of differing) console.log(check ? `not formatted: ${file}` : `formatted: ${file}`);
console.log(`format: ${files.length} files, ${differing.length} ${check ? 'not formatted (run npm run format)' : 'rewritten'}`);
if (check && differing.length > 0) process.exitCode = 1;
