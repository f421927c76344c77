// Real clients on both sides of the differential world, same scenario: Kafka's Java tools and kafkajs.
// What is compared is each client's outcome (exit code, the error names it reports, the items it
// lists), never byte-exact output: two clusters print different ids, hosts and timings.
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { kafkaTool } from '../kafka-tools.ts';
import type { DifferentialWorld, Side } from './clusters.ts';
import type { PrincipalName } from './world.ts';

export type ToolOutcome = {
  exitCode: number | null;
  /** Exception class names and Kafka error names the tool printed, sorted, without duplicates. */
  errors: string[];
  /** Lines of interest from stdout, normalized and sorted (topic names, group offset rows). */
  lines: string[];
};

/** What a tool printed (kept with its outcome for failure messages). */
export function toolOutput(outcome: ToolOutcome): string {
  return (outcome as ToolOutcome & { output?: string }).output ?? '';
}

function errorNames(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\b([A-Z][A-Za-z]+(?:Exception|Error))\b/g)) names.add(m[1]);
  for (const m of text.matchAll(/\b([A-Z][A-Z_]*_(?:FAILED|NOT_FOUND|UNKNOWN|DENIED))\b/g)) names.add(m[1]);
  return [...names].sort();
}

export async function javaTool(
  world: DifferentialWorld,
  side: Side,
  principal: PrincipalName,
  tool: 'console-producer' | 'console-consumer' | 'topics' | 'consumer-groups',
  args: string[],
  opts: { input?: string; lines?: (stdout: string) => string[] } = {},
): Promise<ToolOutcome> {
  const config = world.javaConfig(principal);
  const configFlag = {
    'console-producer': '--producer.config',
    'console-consumer': '--consumer.config',
    topics: '--command-config',
    'consumer-groups': '--command-config',
  }[tool];
  const r = await kafkaTool(world.line, tool, ['--bootstrap-server', side.address, configFlag, config, ...args], {
    input: opts.input,
    timeoutMs: 90_000,
  });
  const outcome: ToolOutcome = {
    exitCode: r.code,
    errors: errorNames(`${r.stdout}\n${r.stderr}`),
    lines: (opts.lines?.(r.stdout) ?? []).sort(),
  };
  // The output itself, for failure messages only: not enumerable, so outcomes compare without it.
  Object.defineProperty(outcome, 'output', { value: `${r.stdout}\n${r.stderr}`.slice(-2000), enumerable: false });
  return outcome;
}

/** `kafka-consumer-groups --describe` rows as "group topic partition current-offset". */
export function groupOffsetRows(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 4 && f[0] !== 'GROUP' && /^\d+$/.test(f[2]))
    .map((f) => `${f[0]} ${f[1]} ${f[2]} ${f[3]}`);
}

export type KafkajsOutcome = { ok: boolean; error?: string };

/**
 * A kafkajs client that remembers the Kafka error names it met: kafkajs reports a refused FindCoordinator
 * as "group coordinator not found" and only its debug log carries the broker's error (e.g.
 * GROUP_AUTHORIZATION_FAILED).
 */
function kafkajsClient(world: DifferentialWorld, side: Side, principal: PrincipalName): { kafka: Kafka; kafkaErrors: string[] } {
  const id = world.identity(principal);
  const kafkaErrors: string[] = [];
  const kafka = new Kafka({
    clientId: `differential-${principal}`,
    brokers: [side.address],
    ssl: { ca: [id.ca], cert: id.cert, key: id.key },
    logLevel: logLevel.DEBUG,
    logCreator: () => (entry) => {
      const type = (entry.log.error as { type?: unknown } | undefined)?.type;
      if (typeof type === 'string' && !kafkaErrors.includes(type)) kafkaErrors.push(type);
    },
    retry: { retries: 1, initialRetryTime: 100 },
  });
  return { kafka, kafkaErrors };
}

function kafkajsError(err: unknown): string {
  const e = err as { type?: string; name?: string; cause?: unknown; errors?: unknown[] };
  if (e.type) return e.type;
  if (e.cause) return kafkajsError(e.cause);
  if (Array.isArray(e.errors) && e.errors.length > 0) return kafkajsError(e.errors[0]);
  return e.name ?? String(err);
}

export async function kafkajsProduce(
  world: DifferentialWorld,
  side: Side,
  principal: PrincipalName,
  topic: string,
): Promise<KafkajsOutcome> {
  const producer = kafkajsClient(world, side, principal).kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    // Partition 0 on both sides: the raw cases that follow compare offsets.
    await producer.send({ topic, acks: -1, messages: [{ partition: 0, value: 'kafkajs' }] });
    return { ok: true };
  } catch (err) {
    return { ok: false, error: kafkajsError(err) };
  } finally {
    await producer.disconnect();
  }
}

/** A kafkajs consumer joining `groupId` (committing nothing): ok when it joins, else the error it crashed with. */
export async function kafkajsJoin(
  world: DifferentialWorld,
  side: Side,
  principal: PrincipalName,
  groupId: string,
  topic: string,
): Promise<KafkajsOutcome> {
  const { kafka, kafkaErrors } = kafkajsClient(world, side, principal);
  // No restart after a crash: a refused consumer must not keep reconnecting after the test moved on.
  const consumer = kafka.consumer({ groupId, retry: { retries: 0, restartOnFailure: async () => false } });
  // The broker's error when kafkajs only says the coordinator was not found.
  const refused = (error: string): KafkajsOutcome => ({
    ok: false,
    error: error === 'KafkaJSGroupCoordinatorNotFound' ? (kafkaErrors[0] ?? error) : error,
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    return await new Promise<KafkajsOutcome>((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, error: 'timeout' }), 30_000);
      consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        resolve({ ok: true });
      });
      consumer.on(consumer.events.CRASH, (e) => {
        clearTimeout(timer);
        resolve(refused(kafkajsError(e.payload.error)));
      });
      consumer.run({ autoCommit: false, eachMessage: async () => undefined }).catch((err: unknown) => {
        clearTimeout(timer);
        resolve(refused(kafkajsError(err)));
      });
    });
  } catch (err) {
    return refused(kafkajsError(err));
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}
