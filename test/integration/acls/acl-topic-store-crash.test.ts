// kill -9 while a real process changes the kafka managed-ACL set (session/acl-topic-store.ts) in a loop,
// on a real Kafka 4 broker: after every kill a freshly started store reads a consistent rule set, exactly
// what the first n operations leave (each binding whole, nothing that was never written, in the order
// added), n covering every operation the writer had acknowledged and at most the one it had in flight;
// the next writer goes on from there. Meanwhile an instance following the topic only ever holds such a
// set too (never part of an operation's records), and after the last kill two fresh instances agree.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { after, before, test } from 'node:test';
import type { AclBinding } from '../../../gateway/authz/acls/acl-binding.ts';
import { bindingKey } from '../../../gateway/authz/acls/acl-binding.ts';
import { createLogger } from '../../../gateway/observability/logger.ts';
import { KafkaAclStore } from '../../../gateway/session/acl-topic-store.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import { crashOp } from './acl-topic-store-writer.ts';

const WRITER = fileURLToPath(new URL('./acl-topic-store-writer.ts', import.meta.url));
const TOPIC = 'acls-crash';

let cluster: KafkaCluster;
const open: KafkaAclStore[] = [];

before(async () => {
  cluster = await startKafka({ version: '4' });
});

after(async () => {
  await Promise.all(open.map((s) => s.close()));
  await cluster?.stop();
});

/** A started store on the test broker, with its log lines collected. */
async function startStore(): Promise<{ s: KafkaAclStore; lines: string[] }> {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
  const bootstrap = cluster.bootstrap.split(',').map((hp) => {
    const i = hp.lastIndexOf(':');
    return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
  });
  const s = new KafkaAclStore({ bootstrap, topic: TOPIC, logger });
  open.push(s);
  await s.start();
  return { s, lines };
}

/** states[n]: the set the first n operations leave, in the order its bindings were added. */
const states: AclBinding[][] = [[]];
function stateAfter(n: number): AclBinding[] {
  while (states.length <= n) {
    const set = new Map(states[states.length - 1].map((b) => [bindingKey(b), b]));
    const op = crashOp(states.length - 1);
    for (const b of op.bindings) {
      if (op.kind === 'add') set.set(bindingKey(b), b);
      else set.delete(bindingKey(b));
    }
    states.push([...set.values()]);
  }
  return states[n];
}

/** Every binding operations 0..n-1 ever wrote, by key. */
function writtenBy(n: number): Map<string, AclBinding> {
  const all = new Map<string, AclBinding>();
  for (let j = 0; j < n; j++) for (const b of crashOp(j).bindings) all.set(bindingKey(b), b);
  return all;
}

/**
 * Starts the writer at operation `first` and kills it with SIGKILL once it acknowledged `acks` operations
 * (after `delayMs` more, to land the kill at other points of a write). Resolves with the last operation it
 * acknowledged: every complete line it printed, read to the end of its output after it died.
 */
function writeThenKill(first: number, acks: number, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, cluster.bootstrap, TOPIC, String(first)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killing = false;
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (killing || stdout.split('\n').length - 1 < acks) return;
      killing = true;
      if (delayMs === 0) child.kill('SIGKILL');
      else setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') {
        reject(new Error(`writer exited (${code}, ${signal}) before it was killed: ${stderr}`));
        return;
      }
      const acked = stdout.split('\n').slice(0, -1).map(Number); // a line cut off by the kill is no acknowledgement
      const expected = Array.from({ length: acked.length }, (_, i) => first + i);
      if (!isDeepStrictEqual(acked, expected)) reject(new Error(`writer acknowledged ${acked.join(',')}, expected ${first}…`));
      else resolve(first + acked.length - 1);
    });
  });
}

test(
  'kill -9 during writes to the ACL topic: every restart reads a consistent rule set, nothing acknowledged is lost',
  { timeout: 150_000 },
  async (t) => {
    // An instance following the topic throughout: each change it applies must leave a whole prefix's set.
    const follower = await startStore();
    let followed = 0;
    let followerChanges = 0;
    const torn: string[] = [];
    follower.s.onChange(() => {
      followerChanges++;
      const held = follower.s.bindings();
      for (let k = followed; k < followed + 1000; k++) {
        if (isDeepStrictEqual(held, stateAfter(k))) {
          followed = k;
          return;
        }
      }
      torn.push(`${held.length} bindings after state ${followed}, not the set of any later prefix`);
    });

    let next = 0; // operations 0..next-1 are in the topic
    let inFlightLanded = 0;
    // Kills after different numbers of operations, some a little later, so they land at different points of a write.
    const rounds: Array<[acks: number, delayMs: number]> = [
      [4, 0],
      [23, 2],
      [9, 0],
      [31, 5],
    ];
    for (const [acks, delayMs] of rounds) {
      const lastAcked = await writeThenKill(next, acks, delayMs);
      assert.ok(lastAcked >= next + acks - 1, `the writer acknowledged ${acks} operations`);
      const { s, lines } = await startStore(); // a restart: reads the topic to its end
      const held = s.bindings();
      // Nothing that was never written: every binding one of the operations up to the one in flight wrote, whole.
      const written = writtenBy(lastAcked + 2);
      for (const b of held) assert.deepEqual(b, written.get(bindingKey(b)), 'each binding read is one written, whole');
      // Consistent: exactly the set of the acknowledged operations, or of those and the one in flight.
      const n = [lastAcked + 1, lastAcked + 2].find((k) => isDeepStrictEqual(held, stateAfter(k)));
      if (n === undefined) assert.deepEqual(held, stateAfter(lastAcked + 1), `not the set of operations 0..${lastAcked} (+1 in flight)`);
      else {
        t.diagnostic(
          `killed after operation ${lastAcked}: a restart reads the set of operations 0..${n - 1} (${held.length} bindings)${n > lastAcked + 1 ? ', the one in flight included' : ''}`,
        );
        if (n > lastAcked + 1) inFlightLanded++;
        next = n;
      }
      assert.deepEqual(
        lines.filter((l) => l.includes('ignoring a managed ACL record')),
        [],
        'no record in the topic is less than a whole binding',
      );
      await s.close();
    }
    assert.ok(next >= 4 + 23 + 9 + 31, `the writers made progress (${next} operations)`);
    t.diagnostic(`${next} operations in ${rounds.length} rounds; the operation in flight had landed in ${inFlightLanded} of them`);

    // After the last kill: two fresh instances agree, and with the follower once it has caught up.
    const a = await startStore();
    const b = await startStore();
    assert.deepEqual(a.s.bindings(), stateAfter(next));
    assert.deepEqual(b.s.bindings(), a.s.bindings(), 'a second fresh instance reads the same set');
    const t0 = Date.now();
    while (!isDeepStrictEqual(follower.s.bindings(), a.s.bindings())) {
      assert.ok(Date.now() - t0 < 5000, 'the follower reaches the same set');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(torn, [], 'the follower never held a set no prefix of the operations leaves');
    assert.ok(followerChanges >= rounds.length, `the follower applied changes as they came (${followerChanges})`);
    assert.deepEqual(
      follower.lines.filter((l) => l.includes('ignoring a managed ACL record')),
      [],
    );
  },
);
