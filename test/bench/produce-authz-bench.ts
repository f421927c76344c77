// Microseconds per Produce authorization (the enforcer's onRequest, forward decision: everything allowed)
// with 10 and 100 topics (1 partition each, one 1 KB record batch per partition) against a 1,000-rule
// policy of literal and prefixed rules over many principals. The frame is handed over as 16 KiB chunks, as
// the network cuts it, so the walk never joins it. Two figures per size: a warm connection (the
// Authorizer's per-connection cache answers, as at every request after the first) and a cold one (a new
// Authorizer per request: every question goes to the compiled policy). Median of several runs.
// Not a test: run with
//   node --import tsx test/bench/produce-authz-bench.ts
import { CompiledPolicy } from '../../gateway/authz/compiled-policy.ts';
import type { EnforceContext, RequestView } from '../../gateway/authz/enforce/enforcer.ts';
import { NO_DECISION_SINK, RequestAuthorizer } from '../../gateway/authz/enforce/request-authorizer.ts';
import { produceEnforcer } from '../../gateway/authz/enforce/topics/produce.ts';
import type { Operation } from '../../gateway/authz/model.ts';
import type { PolicyRule } from '../../gateway/authz/policy.ts';
import { encodeRequestFrame } from '../../gateway/protocol/index.ts';

const PRINCIPAL = 'User:producer';
const VERSION = 12;
const CHUNK = 16 * 1024;
const RUNS = 7;

/** 1,000 rules: literal and prefixed topic rules over 500 principals, a few for the benchmarked producer. */
function rules(): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (let i = 0; out.length < 990; i++) {
    const prefixed = i % 3 === 0;
    const principal = `User:svc${i % 500}`;
    const ops: Operation[] = i % 2 === 0 ? ['WRITE'] : ['READ', 'DESCRIBE'];
    out.push({
      id: `r${i}`,
      permission: i % 23 === 0 ? 'DENY' : 'ALLOW',
      operations: ops,
      principalRefs: [principal],
      principals: [principal],
      hosts: ['*'],
      resources: [
        { type: 'TOPIC', patternType: prefixed ? 'PREFIXED' : 'LITERAL', name: prefixed ? `team${i % 97}.` : `team${i % 97}.topic${i}` },
      ],
      mode: 'enforce',
    });
  }
  // The producer: a prefix for most of its topics, literal grants for some, a deny elsewhere.
  for (let i = 0; i < 10; i++) {
    out.push({
      id: `p${i}`,
      permission: i === 9 ? 'DENY' : 'ALLOW',
      operations: ['WRITE'],
      principalRefs: [PRINCIPAL],
      principals: [PRINCIPAL],
      hosts: ['*'],
      resources: [
        {
          type: 'TOPIC',
          patternType: i < 2 ? 'PREFIXED' : 'LITERAL',
          name: i < 2 ? `bench${i}.` : i === 9 ? 'secret' : `bench.literal${i}`,
        },
      ],
      mode: 'enforce',
    });
  }
  return out;
}

function produceView(topicCount: number): RequestView<0> {
  const record = Buffer.alloc(1024 + 61, 0x61);
  record.writeInt32BE(record.length - 12, 8);
  record.writeInt8(2, 16);
  const body = {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: Array.from({ length: topicCount }, (_, t) => ({
      name: `bench${t % 2}.orders.${t}`,
      partitionData: [{ index: 0, records: record }],
    })),
  };
  const payload = encodeRequestFrame({ requestApiKey: 0, requestApiVersion: VERSION, correlationId: 1, clientId: 'bench' }, body);
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(payload.length);
  const whole = Buffer.concat([prefix, payload]);
  const parts: Buffer[] = [];
  for (let at = 0; at < whole.length; at += CHUNK) parts.push(whole.subarray(at, at + CHUNK));
  return {
    apiKey: 0,
    apiVersion: VERSION,
    correlationId: 1,
    clientId: 'bench',
    get payload(): Buffer {
      throw new Error('the Produce hot path must not join the frame');
    },
    parts,
    body: () => {
      throw new Error('the Produce hot path must not decode the body');
    },
    topicIdsResolved: false,
  };
}

function context(policy: CompiledPolicy): EnforceContext {
  const authz = new RequestAuthorizer({
    principal: PRINCIPAL,
    clientAddress: '10.1.2.3',
    listener: 'bench',
    policy: () => policy,
    sink: NO_DECISION_SINK,
  });
  authz.begin(0);
  return { authz, topics: { nameOf: () => undefined }, tokenRequestsAllowed: false, state: new Map() };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function measure(req: RequestView<0>, ctxFor: () => EnforceContext, iterations: number): number {
  const runs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let ctx = ctxFor();
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      const d = produceEnforcer.onRequest(req, ctx);
      if (d.action !== 'forward') throw new Error(`expected forward, got ${d.action}`);
      if (ctxFor !== warm) ctx = ctxFor();
    }
    runs.push(Number(process.hrtime.bigint() - start) / 1000 / iterations);
  }
  return median(runs);
}

const policy = new CompiledPolicy({
  superUsers: ['User:admin'],
  allowEveryoneIfNoAclFound: false,
  mode: 'enforce',
  roles: new Map(),
  rules: rules(),
  files: [],
  digest: 'bench',
});
let shared: EnforceContext | undefined;
const warm = (): EnforceContext => (shared ??= context(policy));
const cold = (): EnforceContext => context(policy);

console.log(`Produce v${VERSION} onRequest, ${policy.rules.length} rules, frame in ${CHUNK / 1024} KiB chunks, median of ${RUNS} runs`);
for (const topics of [10, 100]) {
  const req = produceView(topics);
  const iterations = topics === 10 ? 20000 : 4000;
  measure(req, warm, iterations / 4); // warm-up (JIT)
  shared = undefined;
  const w = measure(req, warm, iterations);
  const c = measure(req, cold, iterations / 4);
  const bytes = req.parts.reduce((n, p) => n + p.length, 0);
  console.log(
    `${String(topics).padStart(3)} topics (${(bytes / 1024).toFixed(0)} KiB, ${req.parts.length} chunks): ${w.toFixed(2)} µs warm connection, ${c.toFixed(2)} µs cold (policy evaluated)`,
  );
}
