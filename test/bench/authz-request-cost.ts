// What authorizing one Produce request costs the gateway, in process: the Produce enforcer's decision
// (chunk-aware walk of the request + one question per topic to a connection's Authorizer over the
// compiled policy) for requests with 10 and 100 topics, all allowed — the hot path. The Authorizer
// caches per connection, as in the gateway, so after the first request this is the steady-state cost.
// `firstMicroseconds` is the same request as a connection's first: a new Authorizer each time, so every
// question is evaluated against the policy (what a new connection, or a name not asked before, costs).
// Used by authz-bench.ts; runs alone too:
//   node --import tsx test/bench/authz-request-cost.ts
import { fileURLToPath } from 'node:url';
import { CompiledPolicy } from '../../gateway/authz/compiled-policy.ts';
import type { EnforceContext, RequestView } from '../../gateway/authz/enforce/enforcer.ts';
import { NO_DECISION_SINK, RequestAuthorizer } from '../../gateway/authz/enforce/request-authorizer.ts';
import { produceEnforcer } from '../../gateway/authz/enforce/topics/produce.ts';
import { buildPolicy } from '../../gateway/authz/policy-loader.ts';
import { API_KEY, encodeRequestFrame } from '../../gateway/protocol/index.ts';
import { generatePolicyYaml } from './policy-generator.ts';

const PRODUCE_VERSION = 11;

/** A record batch header (magic 2, not transactional) followed by `size` bytes in all: what the walker peeks. */
function recordBatch(size: number): Buffer {
  const batch = Buffer.alloc(size);
  batch.writeInt32BE(size - 12, 8); // batchLength
  batch.writeInt8(2, 16); // magic
  return batch;
}

/** A Produce request frame (size prefix first) with `topics` topics of one partition each, cut into 64 KiB chunks. */
function produceFrame(topicPrefix: string, topics: number): Buffer[] {
  const frame = encodeRequestFrame(
    { requestApiKey: API_KEY.Produce, requestApiVersion: PRODUCE_VERSION, correlationId: 7, clientId: 'producer-1' },
    {
      transactionalId: null,
      acks: 1,
      timeoutMs: 30_000,
      topicData: Array.from({ length: topics }, (_, i) => ({
        name: `${topicPrefix}t${i}`,
        partitionData: [{ index: 0, records: recordBatch(1000) }],
      })),
    },
    { sizePrefix: true },
  );
  const parts: Buffer[] = [];
  for (let at = 0; at < frame.length; at += 65_536) parts.push(frame.subarray(at, Math.min(frame.length, at + 65_536)));
  return parts;
}

export type RequestCost = { topics: number; microseconds: number; firstMicroseconds: number };

/** µs per Produce decision for each topic count, under a `rules`-rule generated policy. */
export function measureProduceAuthorization(opts: {
  principal: string;
  topicPrefix: string;
  groupPrefix: string;
  rules: number;
  topicCounts?: readonly number[];
}): RequestCost[] {
  const loaded = buildPolicy([{ file: 'generated.yaml', text: generatePolicyYaml(opts) }]);
  if (!loaded.ok) throw new Error(`generated policy does not load: ${JSON.stringify(loaded.errors[0])}`);
  const policy = new CompiledPolicy(loaded.policy);
  const results: RequestCost[] = [];
  /** A connection's view of authorization: its own Authorizer, so its own decision cache. */
  const connection = (): EnforceContext & { authz: RequestAuthorizer } => ({
    authz: new RequestAuthorizer({
      principal: opts.principal,
      clientAddress: '127.0.0.1',
      listener: 'bench',
      policy: () => policy,
      sink: NO_DECISION_SINK,
    }),
    topics: { nameOf: () => undefined },
    tokenRequestsAllowed: false,
    state: new Map(),
  });
  type Connection = ReturnType<typeof connection>;
  for (const topics of opts.topicCounts ?? [10, 100]) {
    const parts = produceFrame(opts.topicPrefix, topics);
    const view = {
      apiKey: API_KEY.Produce,
      apiVersion: PRODUCE_VERSION,
      correlationId: 7,
      clientId: 'producer-1',
      parts,
      topicIdsResolved: false,
      get payload(): Buffer {
        throw new Error('the Produce hot path must not join the frame');
      },
      body: () => {
        throw new Error('the Produce hot path must not decode the body');
      },
    } as unknown as RequestView<typeof API_KEY.Produce>;
    const decide = (ctx: Connection) => {
      ctx.authz.begin(API_KEY.Produce);
      const decision = produceEnforcer.onRequest(view, ctx);
      if (decision.action !== 'forward') throw new Error(`expected forward for allowed topics, got ${decision.action}`);
    };
    /** µs per decision over `iterations`, each on the context `ctxFor` gives. */
    const timed = (iterations: number, ctxFor: () => Connection): number => {
      for (let i = 0; i < Math.min(iterations, 20_000); i++) decide(ctxFor()); // warm-up (JIT)
      const start = process.hrtime.bigint();
      for (let i = 0; i < iterations; i++) decide(ctxFor());
      return Number(process.hrtime.bigint() - start) / iterations / 1000;
    };
    const steady = connection();
    const microseconds = timed(Math.max(20_000, Math.round(2_000_000 / topics)), () => steady);
    const firstMicroseconds = timed(Math.max(500, Math.round(50_000 / topics)), connection);
    results.push({ topics, microseconds, firstMicroseconds });
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const costs = measureProduceAuthorization({
    principal: 'User:bench',
    topicPrefix: 'authz-bench.',
    groupPrefix: 'perf-consumer-',
    rules: 1000,
  });
  for (const c of costs) {
    console.log(
      `Produce with ${c.topics} topics: ${c.microseconds.toFixed(2)} µs per authorization, ` +
        `${c.firstMicroseconds.toFixed(1)} µs as a connection's first request`,
    );
  }
}
