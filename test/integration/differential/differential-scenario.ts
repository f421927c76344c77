// The differential suite for one Kafka line: the same requests and the same clients against a Kafka
// broker secured with StandardAuthorizer and against the gateway in front of a plain broker, both with
// the same ACLs. Raw requests from the catalogue (every advertised API key × version × allowed / denied /
// partial) are compared field by field after normalization; real clients (Java tools, kafkajs) by their
// outcomes. Any difference not marked "by design" with a reason fails the suite.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KafkaLine } from '../../harness/kafka-dist.ts';
import { startDifferentialWorld, type DifferentialWorld } from '../../harness/differential/clusters.ts';
import {
  groupOffsetRows,
  javaTool,
  kafkajsJoin,
  kafkajsProduce,
  toolOutput,
  type KafkajsOutcome,
  type ToolOutcome,
} from '../../harness/differential/real-clients.ts';
import { withLineDifferences } from '../../harness/differential/line-differences.ts';
import { coverageReport, summarize } from '../../harness/differential/report.ts';
import { runCases, type DifferentialCase } from '../../harness/differential/run-cases.ts';
import { SKIPPED_APIS, UNCOMPARED_SCENARIOS, differentialCases } from '../../harness/differential/catalogue.ts';

export type CatalogueSource = (apiVersions: Map<number, { min: number; max: number }>) => {
  cases: DifferentialCase[];
  skipped?: ReadonlyArray<{ apiKey: number; reason: string }>;
};

const fullCatalogue: CatalogueSource = (apiVersions) => ({
  cases: differentialCases({ apiVersions }),
  skipped: [
    ...SKIPPED_APIS,
    ...UNCOMPARED_SCENARIOS.map((u) => ({ apiKey: u.apiKey, reason: `${u.scenarios.join(' and ')} cases not compared: ${u.reason}` })),
  ],
});

/**
 * Real clients run first: they read the state setup made (committed offsets of g.allowed), which the
 * catalogue's mutating cases change (it deletes groups and offsets at its end).
 */
export function differentialSuite(line: KafkaLine, catalogue: CatalogueSource = fullCatalogue): void {
  describe(`differential: secured Kafka ${line} vs the gateway, same ACLs`, () => {
    let world: DifferentialWorld;

    before(async () => {
      world = await startDifferentialWorld({ line });
    });
    after(async () => {
      await world?.stop();
    });

    const both = async <T>(run: (side: DifferentialWorld['secured']) => Promise<T>): Promise<{ secured: T; gatewayed: T }> => {
      const [secured, gatewayed] = await Promise.all([run(world.secured), run(world.gatewayed)]);
      return { secured, gatewayed };
    };
    const sameOn = <T>(what: string, r: { secured: T; gatewayed: T }) => {
      const output = (o: T) => toolOutput(o as ToolOutcome);
      assert.deepEqual(
        r.gatewayed,
        r.secured,
        `${what}: the gateway's outcome differs from the secured broker's\n--- secured\n${output(r.secured)}\n--- gateway\n${output(r.gatewayed)}`,
      );
      return r.secured;
    };

    test('kafkajs: produce to diff.allowed succeeds, to diff.denied fails with TOPIC_AUTHORIZATION_FAILED, on both', async () => {
      const allowed = sameOn('produce diff.allowed', await both((s) => kafkajsProduce(world, s, 'alice', 'diff.allowed')));
      assert.deepEqual(allowed, { ok: true } satisfies KafkajsOutcome);
      const denied = sameOn('produce diff.denied', await both((s) => kafkajsProduce(world, s, 'alice', 'diff.denied')));
      assert.deepEqual(denied, { ok: false, error: 'TOPIC_AUTHORIZATION_FAILED' } satisfies KafkajsOutcome);
    });

    test('kafkajs: joining group g.denied fails with GROUP_AUTHORIZATION_FAILED, g.allowed joins, on both', async () => {
      const denied = sameOn('join g.denied', await both((s) => kafkajsJoin(world, s, 'alice', 'g.denied', 'diff.allowed')));
      assert.deepEqual(denied, { ok: false, error: 'GROUP_AUTHORIZATION_FAILED' } satisfies KafkajsOutcome);
      const allowed = sameOn('join g.allowed', await both((s) => kafkajsJoin(world, s, 'alice', 'g.allowed', 'diff.allowed')));
      assert.deepEqual(allowed, { ok: true } satisfies KafkajsOutcome);
    });

    test('Java console producer: diff.allowed accepted, diff.denied refused with TopicAuthorizationException, on both', async () => {
      const produce = (topic: string) =>
        both((s) =>
          // Keyed records land on the same partitions on both sides (the raw cases that follow compare offsets).
          javaTool(
            world,
            s,
            'alice',
            'console-producer',
            ['--topic', topic, '--producer-property', 'acks=all', '--property', 'parse.key=true', '--property', 'key.separator=:'],
            { input: 'k1:one\nk2:two\n' },
          ),
        );
      const allowed = sameOn('console-producer diff.allowed', await produce('diff.allowed'));
      assert.deepEqual(allowed, { exitCode: 0, errors: [], lines: [] } satisfies ToolOutcome);
      const denied = sameOn('console-producer diff.denied', await produce('diff.denied'));
      assert.ok(denied.errors.includes('TopicAuthorizationException'), JSON.stringify(denied));
    });

    test('Java console consumer in group g.denied is refused with GroupAuthorizationException on both', async () => {
      const r = sameOn(
        'console-consumer g.denied',
        await both((s) =>
          javaTool(world, s, 'alice', 'console-consumer', [
            '--topic',
            'diff.allowed',
            '--group',
            'g.denied',
            '--from-beginning',
            '--max-messages',
            '1',
            '--timeout-ms',
            '20000',
          ]),
        ),
      );
      assert.ok(r.errors.includes('GroupAuthorizationException'), JSON.stringify(r));
    });

    test('kafka-topics --list as alice lists the same topics on both (only what alice may describe)', async () => {
      const r = sameOn(
        'kafka-topics --list',
        await both((s) =>
          javaTool(world, s, 'alice', 'topics', ['--list'], { lines: (out) => out.split('\n').filter((l) => l.trim() !== '') }),
        ),
      );
      assert.equal(r.exitCode, 0);
      for (const t of ['diff.allowed', 'diff.readonly', 'diff.describe'])
        assert.ok(r.lines.includes(t), `${t} listed: ${r.lines.join(' ')}`);
      assert.ok(!r.lines.includes('diff.denied'), 'diff.denied must not be listed');
    });

    test('kafka-topics --describe of diff.allowed and diff.denied as alice: same partitions and the same refusal on both', async () => {
      const describeRows = (out: string) =>
        out
          .split('\n')
          .map((l) => /Topic:\s*(\S+)\s+Partition:\s*(\d+)/.exec(l))
          .filter((m) => m !== null)
          .map((m) => `${m[1]} ${m[2]}`);
      const allowed = sameOn(
        'kafka-topics --describe diff.allowed',
        await both((s) => javaTool(world, s, 'alice', 'topics', ['--describe', '--topic', 'diff.allowed'], { lines: describeRows })),
      );
      assert.deepEqual(allowed.lines, ['diff.allowed 0', 'diff.allowed 1']);
      const denied = sameOn(
        'kafka-topics --describe diff.denied',
        await both((s) => javaTool(world, s, 'alice', 'topics', ['--describe', '--topic', 'diff.denied'], { lines: describeRows })),
      );
      assert.notEqual(denied.exitCode, 0);
    });

    test('kafka-consumer-groups --describe as alice: g.allowed shows the same offsets, g.denied is refused, on both', async () => {
      const describe = (group: string) =>
        both((s) => javaTool(world, s, 'alice', 'consumer-groups', ['--describe', '--group', group], { lines: groupOffsetRows }));
      const allowed = sameOn('consumer-groups --describe g.allowed', await describe('g.allowed'));
      assert.equal(allowed.exitCode, 0);
      assert.ok(allowed.lines.length > 0, `g.allowed lists committed offsets:\n${toolOutput(allowed)}`);
      assert.ok(!allowed.lines.some((l) => l.includes('diff.denied')), 'offsets of a topic alice may not describe are filtered');
      const denied = sameOn('consumer-groups --describe g.denied', await describe('g.denied'));
      assert.ok(denied.errors.includes('GroupAuthorizationException'), JSON.stringify(denied));
    });

    test('raw requests: every catalogue case answers alike on both sides (coverage table below)', async () => {
      const [brokerVersions, gatewayVersions] = await Promise.all([
        world.secured.driver('alice').advertisedVersions(),
        world.gatewayed.driver('alice').advertisedVersions(),
      ]);
      const { cases, skipped } = catalogue(gatewayVersions);
      const results = await runCases(world, gatewayVersions, withLineDifferences(line, cases));
      console.log(
        coverageReport({
          title: `Differential coverage: Kafka ${world.version} with StandardAuthorizer vs Gatehouse in front of Kafka ${world.version}`,
          results,
          brokerApiVersions: brokerVersions,
          gatewayApiVersions: gatewayVersions,
          skipped,
        }),
      );
      const summary = summarize(results);
      assert.ok(summary.total - summary.notAdvertised.length > 0, 'no case was compared');
      assert.deepEqual(
        summary.failures.map((r) => r.case.name),
        [],
        'differences not marked as by design (details in the table above)',
      );
    });
  });
}
