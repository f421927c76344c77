import { existsSync, readFileSync } from 'node:fs';

// package.json is one folder up from the sources (gateway/version.ts) and two from the compiled
// package (dist/gateway/version.js).
const packageJson = ['../package.json', '../../package.json']
  .map((relative) => new URL(relative, import.meta.url))
  .find((url) => existsSync(url));

/** The package version, read once from package.json so there is one source of truth. */
export const GATEHOUSE_VERSION: string = (
  JSON.parse(readFileSync(packageJson ?? new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
