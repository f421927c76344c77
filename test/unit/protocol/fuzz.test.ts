// Bounded fuzz run for CI (FUZZ_ITERATIONS scales it; the default is 100,000 inputs).
// Millions: `node --import tsx test/bench/fuzz-protocol.ts 5000000`.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFixtureSeeds } from './fixtures.ts';
import { fuzz, generatedSeeds } from './fuzz-engine.ts';

const iterations = Number(process.env.FUZZ_ITERATIONS ?? 100_000);

test(`fuzz: ${iterations} mutated and random inputs raise nothing but ProtocolError`, { timeout: 600_000 }, () => {
  const seeds = [...loadFixtureSeeds(), ...generatedSeeds()];
  const t0 = Date.now();
  const res = fuzz(seeds, iterations, 20240601);
  const secs = (Date.now() - t0) / 1000;
  console.log(
    `# fuzz: ${res.inputs} inputs from ${seeds.length} seeds in ${secs.toFixed(1)} s; ${res.decoded} decoded, ${res.protocolErrors} ProtocolErrors, ${res.failures.length} other throws`,
  );
  assert.deepEqual(res.failures, []);
  assert.equal(res.inputs, iterations);
  assert.ok(res.decoded > 0 && res.protocolErrors > 0);
});
