// Differences by design that depend on the Kafka line behind both sides. The gateway implements the 4.x
// contract (spec §2.3–2.5) whatever backend it fronts; a 3.x broker answers some requests the 4.x way's
// predecessor did. Each entry names the API, the versions and the case, and says why; the suite still
// compares these cases and prints them under "different by design", so a change in either side shows.
import type { KafkaLine } from '../kafka-dist.ts';
import type { DifferentialCase } from './run-cases.ts';

type LineDifference = { apiKey: number; from: number; to: number; name?: RegExp; reason: string };

const ON_3_9: readonly LineDifference[] = [
  {
    apiKey: 8,
    from: 0,
    to: 0,
    reason:
      'a 3.9 KRaft broker answers 35 for every OffsetCommit v0 partition after the group check; the gateway answers 29 for a denied topic (a 2.8 ZooKeeper backend does store v0 offsets)',
  },
  {
    apiKey: 9,
    from: 0,
    to: 0,
    reason: 'a 3.9 KRaft broker answers 35 for OffsetFetch v0 partitions; the gateway answers 29 for a denied topic',
  },
  {
    apiKey: 10,
    from: 6,
    to: 6,
    name: /share key/,
    reason: 'the share key denial carries "" on 3.9 and "Cluster authorization failed." on 4.3; the gateway follows 4.3',
  },
  {
    apiKey: 15,
    from: 3,
    to: 5,
    reason:
      'spec §2.7: groups gained DESCRIBE_CONFIGS and ALTER_CONFIGS in the authorized-operations set in 4.0; the gateway computes the 4.x set (3400 where 3.9 says 328)',
  },
  {
    apiKey: 32,
    from: 0,
    to: 4,
    name: /group/,
    reason: 'GROUP config resources arrived in 4.0: 3.9 refuses the type (42), the gateway authorizes it as 4.x does (30)',
  },
  {
    apiKey: 64,
    from: 0,
    to: 0,
    reason:
      'a 3.9 controller answers a denied UnregisterBroker with an empty message; the gateway sends the 4.x "needs ALTER permission" text',
  },
  {
    apiKey: 68,
    from: 0,
    to: 0,
    reason:
      'the consumer group protocol (KIP-848) is off on 3.9, so the broker answers 35 before authorizing; the gateway cannot see the backend setting and authorizes first',
  },
  {
    apiKey: 69,
    from: 0,
    to: 0,
    reason:
      'the consumer group protocol (KIP-848) is off on 3.9, so the broker answers 35 before authorizing; the gateway cannot see the backend setting and authorizes first',
  },
];

const BY_LINE: Partial<Record<KafkaLine, readonly LineDifference[]>> = { '3.9': ON_3_9 };

/** The cases with this line's differences by design marked (a case's own reason wins). */
export function withLineDifferences(line: KafkaLine, cases: DifferentialCase[]): DifferentialCase[] {
  const table = BY_LINE[line] ?? [];
  return cases.map((c) => {
    if (c.expectedDifference) return c;
    const hit = table.find((d) => d.apiKey === c.apiKey && c.version >= d.from && c.version <= d.to && (!d.name || d.name.test(c.name)));
    return hit ? { ...c, expectedDifference: `Kafka ${line}: ${hit.reason}` } : c;
  });
}
