// A large, realistic policy for the enforcement benchmark: 1,000 rules (by default) of literal and
// prefixed patterns over hundreds of principals, topics and groups, with some denies, in which the
// benchmark's own principal is allowed only by rules near the end. Many of the other rules apply to the
// benchmark's topics and group (same prefixes, `User:*` denies of operations the clients do not use), so
// every decision the gateway makes on the benchmark's traffic has to look at several candidate rules and
// reject them on principal, host or operation, as in a shared cluster.
import { stringify } from 'yaml';

export type GeneratedPolicyOptions = {
  /** The principal the benchmark's clients are (e.g. `User:bench`). */
  principal: string;
  /** Every topic the benchmark produces to and consumes from starts with this. */
  topicPrefix: string;
  /** Every consumer group the benchmark's consumers use starts with this. */
  groupPrefix: string;
  /** Number of rules, default 1,000; the benchmark principal's rules are the last few. */
  rules?: number;
};

type Resource = Record<string, string | { prefix: string } | { literal: string }>;
type Rule = {
  id: string;
  allow?: string[];
  deny?: string[];
  principals: string[];
  hosts?: string[];
  resources: Resource[];
};

/** The benchmark principal's own rules: what Kafka's perf producer and consumer need, and no more. */
function benchRules(o: GeneratedPolicyOptions): Rule[] {
  return [
    // WRITE grants DESCRIBE; CREATE lets the producer's Metadata request create its topic.
    { id: 'bench-produce', allow: ['WRITE', 'CREATE'], principals: [o.principal], resources: [{ topic: { prefix: o.topicPrefix } }] },
    { id: 'bench-consume', allow: ['READ'], principals: [o.principal], resources: [{ topic: { prefix: o.topicPrefix } }] },
    { id: 'bench-group', allow: ['READ'], principals: [o.principal], resources: [{ group: { prefix: o.groupPrefix } }] },
  ];
}

/** Rule `i` of the filler: deterministic, so every run decides against the same policy. */
function fillerRule(i: number, o: GeneratedPolicyOptions): Rule {
  const team = `team${i % 53}`;
  const user = `User:svc-${team}-${i % 211}`;
  const other = `User:svc-${team}-${(i * 7) % 211}`;
  const hosts = i % 5 === 0 ? ['10.0.0.0/8', 'fd00::/8'] : undefined;
  switch (i % 12) {
    case 0: // a team's producers on the team's prefix
      return { id: `r${i}`, allow: ['WRITE'], principals: [user, other], hosts, resources: [{ topic: { prefix: `${team}.` } }] };
    case 1: // a service reading named topics
      return {
        id: `r${i}`,
        allow: ['READ'],
        principals: [user],
        resources: [{ topic: `${team}.events.${i}` }, { topic: `${team}.audit.${i}` }],
      };
    case 2: // consumer groups by prefix
      return { id: `r${i}`, allow: ['READ'], principals: [user], hosts, resources: [{ group: { prefix: `${team}-consumers-${i % 17}` } }] };
    case 3: // other services on the benchmark's own prefix: the rule applies, the principal does not match
      return { id: `r${i}`, allow: ['READ', 'WRITE'], principals: [user], resources: [{ topic: { prefix: `${o.topicPrefix}${i % 7}` } }] };
    case 4: // …and on a shorter prefix of it, from a network the benchmark is not on
      return {
        id: `r${i}`,
        allow: ['ALL'],
        principals: [o.principal, user],
        hosts: ['10.20.0.0/16'],
        resources: [{ topic: { prefix: o.topicPrefix.slice(0, Math.max(1, o.topicPrefix.length - 1)) } }],
      };
    case 5: // literal topics everywhere
      return {
        id: `r${i}`,
        allow: ['DESCRIBE', 'DESCRIBE_CONFIGS'],
        principals: ['User:auditor', user],
        resources: [{ topic: `${team}.t${i}` }],
      };
    case 6: // denies for one service on a team's topics
      return { id: `r${i}`, deny: ['WRITE'], principals: [other], resources: [{ topic: { prefix: `${team}.restricted.` } }] };
    case 7: // a deny for everyone that applies to the benchmark's topics but not to what it does
      return { id: `r${i}`, deny: ['DELETE', 'ALTER'], principals: ['User:*'], resources: [{ topic: { prefix: o.topicPrefix } }] };
    case 8: // groups the benchmark's consumers would match by prefix, for other principals
      return { id: `r${i}`, allow: ['READ', 'DESCRIBE'], principals: [user], resources: [{ group: { prefix: o.groupPrefix } }] };
    case 9: // cluster rights for admins
      return { id: `r${i}`, allow: ['DESCRIBE', 'IDEMPOTENT_WRITE'], principals: [user], resources: [{ cluster: 'kafka-cluster' }] };
    case 10: // transactional producers
      return {
        id: `r${i}`,
        allow: ['WRITE', 'DESCRIBE'],
        principals: [user],
        resources: [{ transactionalId: { prefix: `${team}-tx-` } }, { topic: { prefix: `${team}.tx.` } }],
      };
    default: // a deny of reads from an untrusted network, on every topic
      return { id: `r${i}`, deny: ['READ'], principals: [user], hosts: ['192.0.2.0/24'], resources: [{ topic: { literal: '*' } }] };
  }
}

/** The policy as a YAML document (what `authorization.policies` loads). */
export function generatePolicyYaml(o: GeneratedPolicyOptions): string {
  const total = o.rules ?? 1000;
  const own = benchRules(o);
  const filler = Array.from({ length: total - own.length }, (_, i) => fillerRule(i, o));
  const policy = {
    version: 1,
    superUsers: ['User:break-glass'],
    allowEveryoneIfNoAclFound: false,
    rules: [...filler, ...own].map(({ hosts, ...rule }) => (hosts ? { ...rule, hosts } : rule)),
  };
  return `# Generated by test/bench/policy-generator.ts: ${total} rules, the benchmark principal's last.\n${stringify(policy)}`;
}
