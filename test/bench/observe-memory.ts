// What observe mode holds in memory: the heap the recorder takes for N distinct (principal, operation,
// resource) tuples (100 principals × N/100 topics, one address each), and the file it writes.
//   node --expose-gc --import tsx test/bench/observe-memory.ts [--tuples 10000]
import { parseArgs } from 'node:util';
import { ObservationRecorder } from '../../gateway/authz/observe/observation-recorder.ts';
import { serializeObservations } from '../../gateway/authz/observe/observation.ts';

const { values } = parseArgs({ options: { tuples: { type: 'string', default: '10000' } } });
const tuples = Number(values.tuples);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const before = heap();
const recorder = new ObservationRecorder({ maxEntries: tuples });
const perPrincipal = Math.ceil(tuples / 100);
for (let p = 0; p < 100; p++) {
  for (let t = 0; t < perPrincipal && recorder.size < tuples; t++) {
    // Strings as a session has them: built at run time, not interned literals.
    recorder.slot(`User:service-${p}`, `10.20.${p}.${t % 250}`, 'READ', 'TOPIC', `team-${p}.events-${t}`).hit('allowed');
  }
}
const held = heap() - before;
const file = Buffer.byteLength(serializeObservations(recorder.snapshot(), Date.now()));
console.log(
  `${recorder.size} tuples: ${(held / 1e6).toFixed(2)} MB of heap (${Math.round(held / recorder.size)} B each); file ${(file / 1e6).toFixed(2)} MB (${Math.round(file / recorder.size)} B each)`,
);
