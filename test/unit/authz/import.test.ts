// `kafka-acls --list` output → policy YAML that decides the same as the listed ACLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledPolicy } from '../../../gateway/authz/compiled-policy.ts';
import { importedPolicyYaml, parseKafkaAclsList } from '../../../gateway/authz/kafka-acls-import.ts';
import { buildPolicy } from '../../../gateway/authz/policy-loader.ts';
import { acl, compiled } from './helpers.ts';

// As AclCommand prints it (Kafka 3.x/4.x): header, a space+tab before the first entry, tabs before
// the rest, a trailing space after the last, a blank line between resources.
const KAFKA_ACLS_LIST = [
  'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: ',
  ' \t(principal=User:alice, host=*, operation=WRITE, permissionType=ALLOW)',
  '\t(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW)',
  '\t(principal=User:bob, host=10.0.0.6, operation=READ, permissionType=ALLOW) ',
  '',
  'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=secret, patternType=PREFIXED)`: ',
  ' \t(principal=User:*, host=*, operation=ALL, permissionType=DENY) ',
  '',
  'Current ACLs for resource `ResourcePattern(resourceType=GROUP, name=*, patternType=LITERAL)`: ',
  ' \t(principal=User:CN=svc,OU=eng, host=0:0:0:0:0:0:0:1, operation=READ, permissionType=ALLOW) ',
  '',
  'Current ACLs for resource `ResourcePattern(resourceType=CLUSTER, name=kafka-cluster, patternType=LITERAL)`: ',
  ' \t(principal=User:alice, host=*, operation=IDEMPOTENT_WRITE, permissionType=ALLOW)',
  '\t(principal=User:ops, host=*, operation=DELETE, permissionType=ALLOW) ',
  '',
  'Current ACLs for resource `ResourcePattern(resourceType=TRANSACTIONAL_ID, name=tx-, patternType=PREFIXED)`: ',
  ' \t(principal=User:alice, host=*, operation=WRITE, permissionType=ALLOW) ',
  '',
].join('\n');

test('parses every ACL line; operations invalid in a policy are reported, not dropped silently', () => {
  const result = parseKafkaAclsList(KAFKA_ACLS_LIST);
  assert.equal(result.acls.length, 7);
  assert.deepEqual(result.acls[4], {
    resource: { type: 'GROUP', patternType: 'LITERAL', name: '*' },
    principal: 'User:CN=svc,OU=eng',
    host: '0:0:0:0:0:0:0:1',
    operation: 'READ',
    permission: 'ALLOW',
  });
  assert.equal(result.warnings.length, 1);
  assert.match(result.warnings[0], /line 14: ALLOW DELETE on CLUSTER/);
});

test('the imported YAML is a valid policy that decides like the original ACLs', () => {
  const yaml = importedPolicyYaml(parseKafkaAclsList(KAFKA_ACLS_LIST), 'acls.txt');
  const loaded = buildPolicy([{ file: 'imported.yaml', text: yaml }]);
  assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
  const imported = new CompiledPolicy(loaded.policy);
  const original = compiled([
    'User:alice ALLOW WRITE TOPIC orders',
    'User:alice ALLOW DESCRIBE TOPIC orders',
    'User:bob ALLOW READ TOPIC orders host 10.0.0.6',
    'User:* DENY ALL TOPIC secret PREFIXED',
    acl('User:CN=svc,OU=eng ALLOW READ GROUP *', { hosts: ['0:0:0:0:0:0:0:1'] }),
    'User:alice ALLOW IDEMPOTENT_WRITE CLUSTER kafka-cluster',
    'User:alice ALLOW WRITE TRANSACTIONAL_ID tx- PREFIXED',
  ]);
  let compared = 0;
  for (const principal of ['User:alice', 'User:bob', 'User:CN=svc,OU=eng', 'User:eve']) {
    for (const host of ['10.0.0.6', '::1']) {
      for (const [type, names] of [
        ['TOPIC', ['orders', 'secret.x', 'other']],
        ['GROUP', ['g']],
        ['CLUSTER', ['kafka-cluster']],
        ['TRANSACTIONAL_ID', ['tx-1', 'tx']],
      ] as const) {
        for (const name of names) {
          assert.equal(
            imported.authorizedOperations(principal, host, type, name),
            original.authorizedOperations(principal, host, type, name),
            `${principal} ${host} ${type} ${name}`,
          );
          compared++;
        }
      }
    }
  }
  assert.equal(compared, 56);
  assert.match(yaml, /WARNING line 14/);
  assert.match(yaml, /topic: \{ prefix: secret \}/);
});

test('the pre-2.1 listing format is read too', () => {
  const old = [
    'Current ACLs for resource `Topic:LITERAL:orders`: ',
    ' \tUser:alice has Allow permission for operations: Write from hosts: * ',
    '\tUser:bob has Deny permission for operations: IdempotentWrite from hosts: 10.0.0.5 ',
    '',
    'Current ACLs for resource `Group:payments`: ',
    ' \tUser:alice has Allow permission for operations: Read from hosts: * ',
  ].join('\n');
  const result = parseKafkaAclsList(old);
  assert.deepEqual(
    result.acls.map(
      (a) => `${a.principal} ${a.permission} ${a.operation} ${a.resource.type} ${a.resource.patternType} ${a.resource.name} ${a.host}`,
    ),
    ['User:alice ALLOW WRITE TOPIC LITERAL orders *', 'User:alice ALLOW READ GROUP LITERAL payments *'],
  );
  assert.match(result.warnings[0], /line 3: DENY IDEMPOTENT_WRITE on TOPIC is not valid/);
});
