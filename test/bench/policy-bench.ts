// Decisions per second of the compiled policy for 10 and 10,000 rules (a mix of literal, prefixed
// and wildcard patterns; queries that hit and miss). Not a test: run with
//   node --import tsx test/bench/policy-bench.ts
import { CompiledPolicy } from '../../gateway/authz/compiled-policy.ts';
import { clientHost } from '../../gateway/authz/host.ts';
import type { Operation, RequestOperation } from '../../gateway/authz/model.ts';
import type { PolicyRule } from '../../gateway/authz/policy.ts';

function rules(count: number): PolicyRule[] {
  return Array.from({ length: count }, (_, i) => {
    const kind = i % 10; // 60% literal, 30% prefixed, 10% wildcard
    const pattern =
      kind < 6
        ? { type: 'TOPIC' as const, patternType: 'LITERAL' as const, name: `team${i % 97}.topic${i}` }
        : kind < 9
          ? { type: 'TOPIC' as const, patternType: 'PREFIXED' as const, name: `team${i % 97}.p${i}.` }
          : { type: 'GROUP' as const, patternType: 'LITERAL' as const, name: '*' };
    const operations: Operation[] = kind === 9 ? ['DESCRIBE'] : i % 3 === 0 ? ['WRITE'] : ['READ'];
    const principal = `User:svc${i % 500}`;
    return {
      id: `rule-${i}`,
      permission: i % 17 === 0 ? 'DENY' : 'ALLOW',
      operations,
      principalRefs: [principal],
      principals: [principal],
      hosts: i % 5 === 0 ? ['10.0.0.0/8'] : ['*'],
      resources: [pattern],
      mode: 'enforce',
    };
  });
}

function bench(count: number): void {
  const policy = new CompiledPolicy({
    superUsers: ['User:admin'],
    allowEveryoneIfNoAclFound: false,
    mode: 'enforce',
    roles: new Map(),
    rules: rules(count),
    files: [],
    digest: 'bench',
  });
  const host = clientHost('10.1.2.3');
  const queries: [string, RequestOperation, string][] = Array.from({ length: 1024 }, (_, q) => {
    const i = (q * 7919) % count;
    const name =
      q % 4 === 0
        ? `team${i % 97}.topic${i}`
        : q % 4 === 1
          ? `team${i % 97}.p${i}.events`
          : q % 4 === 2
            ? `unknown.topic${q}`
            : `team${i % 97}.other`;
    return [`User:svc${q % 2 === 0 ? i % 500 : q % 500}`, q % 2 === 0 ? 'READ' : 'WRITE', name];
  });
  let allowed = 0;
  const run = (n: number) => {
    for (let k = 0; k < n; k++) {
      const [principal, operation, name] = queries[k & 1023];
      if (policy.authorize(principal, host, operation, 'TOPIC', name).allowed) allowed++;
    }
  };
  run(200_000); // warm-up
  const iterations = 1_000_000;
  const start = process.hrtime.bigint();
  run(iterations);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const perSecond = Math.round(iterations / seconds);
  console.log(
    `${String(count).padStart(6)} rules: ${perSecond.toLocaleString('en-US')} decisions/s (${((seconds / iterations) * 1e6).toFixed(2)} µs each; ${allowed} allowed incl. warm-up)`,
  );
}

bench(10);
bench(10_000);
