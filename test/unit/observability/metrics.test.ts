// Metrics live on the gateway's own registry, with bounded labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { register as globalRegistry } from 'prom-client';
import { MAX_RULE_LABELS } from '../../../gateway/observability/authz-metrics.ts';
import { GatewayMetrics } from '../../../gateway/observability/gateway-metrics.ts';
import { createWorkerMetrics } from '../../../gateway/observability/worker-metrics.ts';

test('policy reload metrics', async () => {
  const metrics = new GatewayMetrics();
  metrics.authz.recordPolicyReload(true, 3);
  metrics.authz.recordPolicyReload(false, 3);
  const text = await metrics.text();
  assert.match(text, /gatehouse_policy_reloads_total\{result="success"\} 1/);
  assert.match(text, /gatehouse_policy_reloads_total\{result="failure"\} 1/);
  assert.match(text, /gatehouse_policy_last_reload_success 0/);
  assert.match(text, /gatehouse_policy_version 3/);
});

test('decision counter by api, resource type, operation, decision and rule; rule ids bounded', async () => {
  const metrics = new GatewayMetrics();
  const denied = { api: 'Produce', resource_type: 'TOPIC', operation: 'WRITE', decision: 'denied', rule: '' } as const;
  metrics.authz.recordDecision(denied);
  metrics.authz.recordDecision(denied);
  metrics.authz.recordDecision({ api: 'OffsetCommit', resource_type: 'GROUP', operation: 'READ', decision: 'dry_run_denied', rule: 'g1' });
  const text = await metrics.text();
  assert.match(
    text,
    /gatehouse_authz_decisions_total\{api="Produce",resource_type="TOPIC",operation="WRITE",decision="denied",rule=""\} 2/,
  );
  assert.match(
    text,
    /gatehouse_authz_decisions_total\{api="OffsetCommit",resource_type="GROUP",operation="READ",decision="dry_run_denied",rule="g1"\} 1/,
  );
  for (let i = 0; i < MAX_RULE_LABELS + 10; i++) {
    metrics.authz.recordDecision({ api: 'Fetch', resource_type: 'TOPIC', operation: 'READ', decision: 'allowed', rule: `r${i}` });
  }
  const rules = new Set([...(await metrics.text()).matchAll(/gatehouse_authz_decisions_total\{[^}]*rule="([^"]*)"/g)].map((m) => m[1]));
  assert.ok(rules.size <= MAX_RULE_LABELS + 1, `${rules.size} distinct rule labels`);
  assert.ok(rules.has('other'));
});

test('the global default registry stays empty', async () => {
  // Everything the gateway and the workers' primary register (the process series too) goes on their own registries.
  const metrics = new GatewayMetrics({ processMetrics: true });
  const workers = createWorkerMetrics();
  assert.ok(metrics.registry.getSingleMetric('process_cpu_seconds_total'), 'the process series are on the gateway registry');
  assert.ok(workers.registry.getSingleMetric('gatehouse_workers'));
  assert.equal((await globalRegistry.metrics()).trim(), '');
  assert.deepEqual(globalRegistry.getMetricsAsArray(), []);
});
