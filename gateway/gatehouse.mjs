#!/usr/bin/env -S node --initial-old-space-size=64
// Executable entry: runs the CLI. In a checkout the TypeScript sources sit beside this file and run
// through tsx (a development dependency); the published package ships no sources, only the compiled
// JavaScript in dist/, which node runs alone.
// The flag on the line above is part of how the gateway runs: V8 otherwise starts with a tiny old
// generation and, under traffic, spends a third of the gateway's CPU in major collections (the proxy
// benchmark measured 4.3 → 2.2 CPU-s per GB produced). NODE_OPTIONS cannot carry it, so anything that
// starts the gateway with `node` itself passes the flags of this line (the test harness reads them here).
import { existsSync } from 'node:fs';

let cli;
if (existsSync(new URL('./cli.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('./cli.ts');
} else {
  cli = await import('../dist/gateway/cli.js');
}
process.exitCode = await cli.main(process.argv.slice(2));
