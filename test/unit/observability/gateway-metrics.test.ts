// One metrics object per gateway: two of them in one process share no series and no pending tallies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayMetrics } from '../../../gateway/observability/gateway-metrics.ts';

test('two GatewayMetrics are independent: what one counts does not show in the other', async () => {
  const a = new GatewayMetrics();
  const b = new GatewayMetrics(); // the same metric names again: no "already registered" clash
  a.proxy.connectionsTotal.inc({ listener: 'clients' });
  a.proxy.connectionsTotal.inc({ listener: 'clients' });
  a.traffic.countRequest(0, 9);
  a.authz.recordDecision({ api: 'Produce', resource_type: 'TOPIC', operation: 'WRITE', decision: 'denied', rule: '' });
  b.proxy.connectionsTotal.inc({ listener: 'clients' });

  const textA = await a.text();
  const textB = await b.text();
  assert.match(textA, /^gatehouse_connections_total\{listener="clients"\} 2$/m);
  assert.match(textB, /^gatehouse_connections_total\{listener="clients"\} 1$/m);
  assert.match(textA, /^gatehouse_requests_total\{api="0",version="9"\} 1$/m);
  assert.doesNotMatch(textB, /^gatehouse_requests_total\{/m);
  assert.match(textA, /^gatehouse_authz_decisions_total\{[^}]*decision="denied"[^}]*\} 1$/m);
  assert.doesNotMatch(textB, /^gatehouse_authz_decisions_total\{/m);
  // Both carry the full set of series, and only the process series are optional.
  const names = (m: GatewayMetrics) => m.registry.getMetricsAsArray().map((metric) => metric.name);
  assert.deepEqual(names(a), names(b));
  assert.equal(a.registry.getSingleMetric('process_cpu_seconds_total'), undefined);
});
