// The MIT KDC of the test bed is real: a keytab gets a TGT and a ticket for kafka/localhost.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startKdc, type Kdc } from '../../harness/kdc.ts';
import { expectSuccess, run } from '../../harness/run.ts';

let kdc: Kdc;
before(async () => {
  kdc = await startKdc();
});
after(async () => {
  await kdc?.stop();
});

test('kinit -kt gets a TGT for a user principal and klist shows it', async () => {
  const alice = await kdc.addPrincipal('alice');
  const env = { ...kdc.env, KRB5CCNAME: `FILE:${path.join(kdc.dir, 'alice.ccache')}` };
  expectSuccess('kinit', await run('kinit', ['-kt', alice.keytab, alice.principal], { env }));
  const list = expectSuccess('klist', await run('klist', [], { env }));
  assert.match(list.stdout, new RegExp(`Default principal: alice@${kdc.realm}`));
  assert.match(list.stdout, new RegExp(`krbtgt/${kdc.realm}@${kdc.realm}`));
});

test('a service ticket for kafka/localhost is issued (the principal Kafka clients ask for)', async () => {
  const bob = await kdc.addPrincipal('bob');
  const env = { ...kdc.env, KRB5CCNAME: `FILE:${path.join(kdc.dir, 'bob.ccache')}` };
  expectSuccess('kinit', await run('kinit', ['-kt', bob.keytab, bob.principal], { env }));
  expectSuccess('kvno', await run('kvno', [kdc.service.principal], { env }));
  const list = expectSuccess('klist', await run('klist', [], { env }));
  assert.match(list.stdout, new RegExp(`kafka/localhost@${kdc.realm}`));
});

test('a wrong keytab is refused by the KDC', async () => {
  const carol = await kdc.addPrincipal('carol');
  const env = { ...kdc.env, KRB5CCNAME: `FILE:${path.join(kdc.dir, 'carol.ccache')}` };
  const result = await run('kinit', ['-kt', carol.keytab, `alice@${kdc.realm}`], { env });
  assert.notEqual(result.code, 0, 'kinit with a keytab that has no key for alice must fail');
});
