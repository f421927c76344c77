// Metrics live on the gateway's own registry, with bounded labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { register as globalRegistry } from 'prom-client';
import { recordAuthzDecision, recordPolicyReload, registry } from '../../../gateway/observability/metrics.ts';

test('policy reload metrics', async () => {
  recordPolicyReload(true, 3);
  recordPolicyReload(false, 3);
  const text = await registry.metrics();
  assert.match(text, /gatehouse_policy_reloads_total\{result="success"\} 1/);
  assert.match(text, /gatehouse_policy_reloads_total\{result="failure"\} 1/);
  assert.match(text, /gatehouse_policy_last_reload_success 0/);
  assert.match(text, /gatehouse_policy_version 3/);
});

test('decision counter by decision, resource type and operation', async () => {
  recordAuthzDecision('denied', 'TOPIC', 'WRITE');
  recordAuthzDecision('denied', 'TOPIC', 'WRITE');
  recordAuthzDecision('dry_run_denied', 'GROUP', 'READ');
  const text = await registry.metrics();
  assert.match(text, /gatehouse_authz_decisions_total\{decision="denied",resource_type="TOPIC",operation="WRITE"\} 2/);
  assert.match(text, /gatehouse_authz_decisions_total\{decision="dry_run_denied",resource_type="GROUP",operation="READ"\} 1/);
});

test('the global default registry stays empty', async () => {
  assert.equal((await globalRegistry.metrics()).trim(), '');
  assert.deepEqual(globalRegistry.getMetricsAsArray(), []);
});
