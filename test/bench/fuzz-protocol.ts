// Long fuzz run of the protocol codec (the CI suite runs 100k inputs; this runs millions).
//   node --import tsx test/bench/fuzz-protocol.ts [inputs=5000000] [seed=1]
// Exit code 1 and the offending inputs (hex) when anything but a ProtocolError is thrown.

import { loadFixtureSeeds } from '../unit/protocol/fixtures.ts';
import { fuzz, generatedSeeds } from '../unit/protocol/fuzz-engine.ts';

const total = Number(process.argv[2] ?? 5_000_000);
const seed = Number(process.argv[3] ?? 1);
const seeds = [...loadFixtureSeeds(), ...generatedSeeds(seed)];
const chunk = 100_000;
const t0 = Date.now();
let inputs = 0;
let decoded = 0;
let protocolErrors = 0;
for (let round = 0; inputs < total; round++) {
  const n = Math.min(chunk, total - inputs);
  const res = fuzz(seeds, n, seed * 1_000_003 + round);
  inputs += res.inputs;
  decoded += res.decoded;
  protocolErrors += res.protocolErrors;
  if (res.failures.length > 0) {
    console.error(`FAIL after ${inputs} inputs (round ${round}, seed ${seed}):`);
    for (const f of res.failures) console.error(`${f.seed}\n  input ${f.input}\n  ${f.error}\n`);
    process.exit(1);
  }
  const secs = (Date.now() - t0) / 1000;
  console.log(`${inputs} inputs, ${decoded} decoded, ${protocolErrors} ProtocolErrors, ${(inputs / secs).toFixed(0)} inputs/s`);
}
console.log(`OK: ${inputs} inputs from ${seeds.length} seeds, no throw other than ProtocolError`);
