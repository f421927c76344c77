// Start-up time of `gatehouse start` until its "listener bound" log line: the compiled package (packed,
// installed with --omit=dev, run by node alone) against the TypeScript sources (transpiled by tsx at
// start, as development runs them), in the same run, alternating, median of the rounds. Both start
// through the same launcher with its node flags. Also prints the installed sizes with and without the
// development dependencies.
//   node --import tsx test/bench/startup-bench.ts [--rounds N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launcherNodeFlags } from '../harness/gateway.ts';
import { diskUsageBytes, packAndInstall, plainNodeEnv, startUntilLog } from '../harness/packaged.ts';
import { REPO_ROOT } from '../harness/paths.ts';
import { freePorts } from '../harness/ports.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } });
const rounds = Number(values.rounds);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const pkg = await packAndInstall();
const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-startup-'));
try {
  const [listenPort, brokerPort, backendPort] = await freePorts(3);
  const config = path.join(configDir, 'gatehouse.yaml');
  // No backend listens: "listener bound" does not wait for one.
  fs.writeFileSync(
    config,
    `backend:\n  bootstrapServers: ["127.0.0.1:${backendPort}"]\nlisteners:\n  - name: plain\n    bind: "127.0.0.1:${listenPort}"\n    plaintext: true\n    routing: { brokerPorts: { 1: ${brokerPort} } }\nauthorization: { mode: off }\n`,
  );

  const launchers = {
    compiled: path.join(pkg.dir, 'node_modules', 'gatehouse', 'gateway', 'gatehouse.mjs'),
    'sources (tsx)': path.join(REPO_ROOT, 'gateway', 'gatehouse.mjs'),
  };
  const times: Record<string, number[]> = { compiled: [], 'sources (tsx)': [] };
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always runs on a warmer machine.
    const order = round % 2 === 0 ? (['compiled', 'sources (tsx)'] as const) : (['sources (tsx)', 'compiled'] as const);
    for (const kind of order) {
      const gateway = await startUntilLog(
        process.execPath,
        [...launcherNodeFlags(), launchers[kind], 'start', '-c', config],
        (line) => line.event === 'listener_bound',
        {
          cwd: configDir,
          env: plainNodeEnv(),
          timeoutMs: 60_000,
        },
      );
      times[kind].push(gateway.elapsedMs);
      await gateway.stop(10_000);
    }
  }

  console.log(`gatehouse start → "listener bound", ${rounds} alternating rounds (ms):`);
  for (const [kind, xs] of Object.entries(times)) {
    console.log(`  ${kind.padEnd(14)} median ${median(xs).toFixed(0).padStart(5)}   runs ${xs.map((x) => x.toFixed(0)).join(' ')}`);
  }
  console.log(`  compiled / sources: ${(median(times.compiled) / median(times['sources (tsx)'])).toFixed(2)}`);

  const production = await diskUsageBytes(path.join(pkg.dir, 'node_modules'));
  const development = await diskUsageBytes(path.join(REPO_ROOT, 'node_modules'));
  console.log('installed size (du of node_modules):');
  console.log(`  the package, --omit=dev:              ${mib(production)}`);
  console.log(`  a checkout after npm ci (dev deps):   ${mib(development)}`);
  console.log(`  the tarball npm pack made:            ${(fs.statSync(pkg.tarball).size / 1024).toFixed(0)} KiB`);
} finally {
  fs.rmSync(configDir, { recursive: true, force: true });
  pkg.cleanup();
}
