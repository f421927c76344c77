// The ACL APIs, differential: one sequence of Java `kafka-acls` commands (add literal, prefixed and
// wildcard ACLs on topics, groups, the cluster and transactional ids, ALLOW and DENY, with hosts; list
// with every kind of filter; remove with filters) run against a SECURED Kafka broker and against the
// gateway (managed store: file) in front of a plain broker. After every command the exit codes and the
// printed ACLs must be equal; at two checkpoints raw DescribeAcls responses (v1–v3, decoded with the
// gateway's own codec) for filters of every kind must be equal too.
//
// Normalised, and why: order only (the tool prints resources in hash-map order, the broker answers in its
// index order). A filter with an UNKNOWN element is compared by outcome: a broker closes the connection. The one deliberate asymmetry is how the ACL administrator gets its rights: on the secured
// broker `User:admin` is a super user (super users need no ACL and none is listed); on the gateway it is a
// YAML rule (ALTER and DESCRIBE on the cluster), which DescribeAcls lists as two bindings. That is
// asserted once below, then `User:admin` is left out of both sides' listings alike; no command of the
// sequence names or removes the administrator's bindings.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ACL_ADMIN,
  adminPolicyYaml,
  createAclPki,
  kafkaAcls,
  startAclGateway,
  startSecuredBroker,
  type AclPki,
  type SecuredBroker,
} from '../../harness/acls/acl-world.ts';
import {
  aclFilter,
  describeAclsOutcome,
  describeAclsRaw,
  listedAcls,
  OPERATION,
  PATTERN,
  PERMISSION,
  RESOURCE,
  toolBlocks,
  type DescribeAclsFilter,
} from '../../harness/acls/acl-listing.ts';
import { RawDriver } from '../../harness/differential/raw-driver.ts';
import type { GatewayProcess } from '../../harness/gateway.ts';
import { startKafka, type KafkaCluster } from '../../harness/kafka.ts';
import type { RunResult } from '../../harness/run.ts';

const LINE = '4';
const ADMIN = `User:${ACL_ADMIN}`;

const ADDS: string[][] = [
  ['--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--operation', 'Write', '--topic', 'acl.orders'],
  ['--add', '--allow-principal', 'User:alice', '--operation', 'Describe', '--topic', 'acl.pay.', '--resource-pattern-type', 'prefixed'],
  ['--add', '--allow-principal', 'User:bob', '--operation', 'Read', '--topic', '*'],
  ['--add', '--deny-principal', 'User:bob', '--deny-host', '10.0.0.9', '--operation', 'Read', '--topic', 'acl.orders'],
  ['--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--group', 'acl.group'],
  [
    '--add',
    '--allow-principal',
    'User:carol',
    '--operation',
    'Read',
    '--operation',
    'Describe',
    '--group',
    'acl.',
    '--resource-pattern-type',
    'prefixed',
  ],
  ['--add', '--allow-principal', 'User:alice', '--operation', 'Describe', '--operation', 'IdempotentWrite', '--cluster'],
  ['--add', '--allow-principal', 'User:alice', '--operation', 'Write', '--operation', 'Describe', '--transactional-id', 'acl.tx'],
  ['--add', '--allow-principal', 'User:*', '--allow-host', '10.0.0.5', '--operation', 'Describe', '--topic', 'acl.pay.in'],
  ['--add', '--producer', '--allow-principal', 'User:dave', '--topic', 'acl.prod'],
  ['--add', '--consumer', '--allow-principal', 'User:dave', '--topic', 'acl.prod', '--group', 'acl.prod-readers'],
  // The same ACLs again: nothing changes, nothing is listed twice.
  ['--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--operation', 'Write', '--topic', 'acl.orders'],
  ['--add', '--deny-principal', 'User:dave', '--operation', 'All', '--topic', 'acl.pay.', '--resource-pattern-type', 'prefixed'],
  [
    '--add',
    '--allow-principal',
    'User:carol',
    '--allow-principal',
    'User:bob',
    '--allow-host',
    '10.0.0.5',
    '--allow-host',
    '10.0.0.6',
    '--operation',
    'Alter',
    '--topic',
    'acl.multi',
  ],
];

const LISTS: string[][] = [
  ['--list'],
  ['--list', '--topic', 'acl.orders'],
  ['--list', '--topic', 'acl.orders', '--resource-pattern-type', 'any'],
  ['--list', '--topic', 'acl.orders', '--resource-pattern-type', 'match'],
  ['--list', '--topic', 'acl.pay.in', '--resource-pattern-type', 'match'],
  ['--list', '--topic', 'acl.pay.', '--resource-pattern-type', 'prefixed'],
  ['--list', '--topic', 'acl.pay.', '--resource-pattern-type', 'literal'],
  ['--list', '--topic', '*'],
  ['--list', '--group', 'acl.group', '--resource-pattern-type', 'match'],
  ['--list', '--group', 'acl.', '--resource-pattern-type', 'prefixed'],
  ['--list', '--group', 'acl.group', '--resource-pattern-type', 'any'],
  ['--list', '--cluster'],
  ['--list', '--transactional-id', 'acl.tx'],
  ['--list', '--principal', 'User:alice'],
  ['--list', '--principal', 'User:bob', '--topic', 'acl.orders'],
  ['--list', '--principal', 'User:dave', '--topic', 'acl.pay.x', '--resource-pattern-type', 'match'],
  ['--list', '--principal', 'User:*'],
];

const REMOVES: string[][] = [
  ['--remove', '--force', '--deny-principal', 'User:bob', '--deny-host', '10.0.0.9', '--operation', 'Read', '--topic', 'acl.orders'],
  ['--remove', '--force', '--allow-principal', 'User:alice', '--operation', 'Describe', '--cluster'],
  // MATCH: the literal acl.pay.in, the literal *, and the prefixed acl.pay. (ALLOW and DENY) all go.
  ['--remove', '--force', '--topic', 'acl.pay.in', '--resource-pattern-type', 'match'],
  ['--remove', '--force', '--group', 'acl.', '--resource-pattern-type', 'any'],
  ['--remove', '--force', '--transactional-id', 'acl.tx'],
  ['--remove', '--force', '--producer', '--allow-principal', 'User:dave', '--topic', 'acl.prod'],
  ['--remove', '--force', '--allow-principal', 'User:bob', '--allow-host', '10.0.0.6', '--operation', 'Alter', '--topic', 'acl.multi'],
  // Matches nothing.
  ['--remove', '--force', '--topic', 'acl.none', '--resource-pattern-type', 'prefixed'],
];

const FINAL_LISTS: string[][] = [['--list'], ['--list', '--principal', 'User:dave'], ['--list', '--topic', 'acl.multi']];

/** DescribeAcls filters of every kind, compared at v1, v2 and v3 (4.x brokers answer v1–v3). */
const RAW_FILTERS: Array<{ what: string; filter: DescribeAclsFilter }> = [
  { what: 'everything', filter: aclFilter() },
  {
    what: 'TOPIC MATCH acl.pay.in',
    filter: aclFilter({ resourceTypeFilter: RESOURCE.TOPIC, resourceNameFilter: 'acl.pay.in', patternTypeFilter: PATTERN.MATCH }),
  },
  {
    what: 'TOPIC MATCH acl.orders',
    filter: aclFilter({ resourceTypeFilter: RESOURCE.TOPIC, resourceNameFilter: 'acl.orders', patternTypeFilter: PATTERN.MATCH }),
  },
  {
    what: 'TOPIC PREFIXED acl.pay.',
    filter: aclFilter({ resourceTypeFilter: RESOURCE.TOPIC, resourceNameFilter: 'acl.pay.', patternTypeFilter: PATTERN.PREFIXED }),
  },
  {
    what: 'TOPIC LITERAL *',
    filter: aclFilter({ resourceTypeFilter: RESOURCE.TOPIC, resourceNameFilter: '*', patternTypeFilter: PATTERN.LITERAL }),
  },
  { what: 'TOPIC ANY name acl.orders', filter: aclFilter({ resourceTypeFilter: RESOURCE.TOPIC, resourceNameFilter: 'acl.orders' }) },
  {
    what: 'GROUP MATCH acl.group',
    filter: aclFilter({ resourceTypeFilter: RESOURCE.GROUP, resourceNameFilter: 'acl.group', patternTypeFilter: PATTERN.MATCH }),
  },
  { what: 'CLUSTER ANY', filter: aclFilter({ resourceTypeFilter: RESOURCE.CLUSTER }) },
  { what: 'TRANSACTIONAL_ID ANY', filter: aclFilter({ resourceTypeFilter: RESOURCE.TRANSACTIONAL_ID }) },
  { what: 'principal User:bob', filter: aclFilter({ principalFilter: 'User:bob' }) },
  { what: 'principal User:*', filter: aclFilter({ principalFilter: 'User:*' }) },
  { what: 'host 10.0.0.9', filter: aclFilter({ hostFilter: '10.0.0.9' }) },
  { what: 'host *', filter: aclFilter({ hostFilter: '*' }) },
  { what: 'operation READ', filter: aclFilter({ operation: OPERATION.READ }) },
  { what: 'operation ALL', filter: aclFilter({ operation: OPERATION.ALL }) },
  { what: 'permission DENY', filter: aclFilter({ permissionType: PERMISSION.DENY }) },
  {
    what: 'TOPIC LITERAL, principal User:alice, operation WRITE, ALLOW',
    filter: aclFilter({
      resourceTypeFilter: RESOURCE.TOPIC,
      patternTypeFilter: PATTERN.LITERAL,
      principalFilter: 'User:alice',
      operation: OPERATION.WRITE,
      permissionType: PERMISSION.ALLOW,
    }),
  },
  { what: 'invalid: pattern type UNKNOWN', filter: aclFilter({ patternTypeFilter: PATTERN.UNKNOWN }) },
  { what: 'invalid: resource type UNKNOWN', filter: aclFilter({ resourceTypeFilter: 0 }) },
];

type Sides = { secured: string; gatewayed: string };

describe(`kafka-acls: a secured Kafka ${LINE} broker and the gateway (managed store: file) say the same`, () => {
  let pki: AclPki;
  let secured: SecuredBroker;
  let plain: KafkaCluster;
  let gateway: GatewayProcess;
  let addresses: Sides;
  const drivers = new Map<keyof Sides, RawDriver>();

  before(async () => {
    pki = createAclPki([ACL_ADMIN]);
    const policyFile = path.join(pki.pki.dir, 'policy.yaml');
    fs.writeFileSync(policyFile, adminPolicyYaml());
    [secured, plain] = await Promise.all([startSecuredBroker(LINE, pki), startKafka({ version: LINE, brokers: 1 })]);
    gateway = await startAclGateway({
      backendBootstrap: plain.bootstrap,
      brokers: 1,
      pki,
      policyFile,
      managedAcls: { store: 'file', path: path.join(pki.pki.dir, 'managed-acls.yaml') },
    });
    addresses = { secured: secured.address, gatewayed: gateway.bootstrap };
    for (const side of ['secured', 'gatewayed'] as const)
      drivers.set(side, new RawDriver({ address: addresses[side], identity: pki.identity(ACL_ADMIN) }));
  });
  after(async () => {
    for (const d of drivers.values()) d.close();
    await gateway?.stop();
    await Promise.all([secured?.cluster.stop(), plain?.stop()]);
    pki?.cleanup();
  });

  /** Runs one kafka-acls command as the admin on both sides (in parallel) and compares what they printed. */
  async function both(args: string[]): Promise<{ secured: RunResult; gatewayed: RunResult }> {
    const [s, g] = await Promise.all(
      (['secured', 'gatewayed'] as const).map((side) => kafkaAcls(LINE, addresses[side], pki.javaConfig(ACL_ADMIN), args)),
    );
    const show = (r: RunResult) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;
    assert.equal(s.code, 0, `the secured broker refused kafka-acls ${args.join(' ')}:\n${show(s)}`);
    assert.equal(g.code, s.code, `exit codes differ for kafka-acls ${args.join(' ')}\n--- gateway\n${show(g)}\n--- secured\n${show(s)}`);
    assert.deepEqual(toolBlocks(g.stdout, ADMIN), toolBlocks(s.stdout, ADMIN), `kafka-acls ${args.join(' ')}\n--- gateway\n${g.stdout}`);
    return { secured: s, gatewayed: g };
  }

  /** Raw DescribeAcls at v1–v3 for every filter on both sides: equal, and the secured side's bindings returned. */
  async function compareRaw(): Promise<Map<string, string[]>> {
    const seen = new Map<string, string[]>();
    for (const { what, filter } of RAW_FILTERS) {
      for (const version of [1, 2, 3]) {
        const [s, g] = await Promise.all(
          (['secured', 'gatewayed'] as const).map((side) => describeAclsOutcome(drivers.get(side)!, version, filter, ADMIN)),
        );
        assert.deepEqual(g, s, `DescribeAcls v${version} ${what}`);
        seen.set(`${what} v${version}`, 'bindings' in s ? s.bindings : [`(${s.outcome})`]);
      }
    }
    return seen;
  }

  test('the starting state: the secured broker lists no ACL; the gateway lists only its admin rule (the one asymmetry)', async () => {
    for (const version of [1, 2, 3]) {
      const s = listedAcls(await describeAclsRaw(drivers.get('secured')!, version, aclFilter()));
      const g = listedAcls(await describeAclsRaw(drivers.get('gatewayed')!, version, aclFilter()));
      assert.deepEqual(s.bindings, [], `v${version}: the secured broker starts with ACLs`);
      // CLUSTER(4):LITERAL(3):kafka-cluster, host *, ALTER(7) and DESCRIBE(8), ALLOW(3).
      assert.deepEqual(
        g,
        { ...s, bindings: [`4:3:kafka-cluster ${ADMIN} * 7 3`, `4:3:kafka-cluster ${ADMIN} * 8 3`] },
        `v${version}: the gateway lists other bindings than its admin rule's`,
      );
    }
  });

  test('--add: literal, prefixed and wildcard; topic, group, cluster, transactional id; ALLOW and DENY; hosts', async () => {
    for (const args of ADDS) {
      const r = await both(args);
      // Every command adds something new except the repeated one, which the tool reports as existing.
      assert.match(r.secured.stdout, /Adding ACLs for resource|already exists\./, `kafka-acls ${args.join(' ')} on the secured broker`);
    }
  });

  test('--list with every kind of filter', async () => {
    for (const args of LISTS) await both(args);
  });

  test('DescribeAcls v1–v3 after the adds, filters of every kind', async () => {
    const seen = await compareRaw();
    // Not a comparison of two empty lists: the secured broker holds what was added.
    assert.equal(seen.get('everything v3')!.length, 23, seen.get('everything v3')!.join('\n'));
    assert.ok(seen.get('TOPIC MATCH acl.pay.in v1')!.length >= 4);
  });

  test('--remove with filters, then --list', async () => {
    for (const args of REMOVES) await both(args);
    for (const args of FINAL_LISTS) await both(args);
  });

  test('DescribeAcls v1–v3 after the removals, filters of every kind', async () => {
    const seen = await compareRaw();
    const left = seen.get('everything v3')!;
    assert.ok(left.length > 0 && left.length < 23, left.join('\n'));
    assert.deepEqual(seen.get('TOPIC MATCH acl.pay.in v3'), [], 'the MATCH removal left ACLs that apply to acl.pay.in');
  });
});
