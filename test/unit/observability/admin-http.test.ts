// The admin endpoint over HTTPS with basic authentication: /metrics and /status need the credentials,
// the probes stay open (kubelets and load balancers probe without them), and a wrong password is 401.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseConfig } from '../../../gateway/config/schema.ts';
import { readAdminSecurity, startAdminServer, type AdminServer } from '../../../gateway/observability/admin-http.ts';
import { GatewayMetrics } from '../../../gateway/observability/gateway-metrics.ts';
import { createTestPki, type TestPki } from '../../harness/pki.ts';

let pki: TestPki;
let server: AdminServer;
let ready = true;
const gatewayMetrics = new GatewayMetrics({ processMetrics: true });

before(async () => {
  pki = createTestPki();
  const passwordFile = path.join(pki.dir, 'admin-password');
  fs.writeFileSync(passwordFile, 's3cret-scraper\n');
  const config = parseConfig(
    `backend: { bootstrapServers: ["127.0.0.1:9092"] }
authorization: { mode: off }
listeners: [{ name: a, bind: "127.0.0.1:9092", plaintext: true, routing: { brokerPorts: { 1: 9093 } } }]
admin:
  bind: 127.0.0.1:0
  tls: { certificate: ${pki.file(pki.server.certFile)}, key: ${pki.file(pki.server.keyFile)} }
  basicAuth: { username: prometheus, passwordFile: ${passwordFile} }
`,
    path.join(pki.dir, 'gatehouse.yaml'),
  );
  server = await startAdminServer(
    config.admin.bind!,
    {
      unmetReadiness: () => (ready ? [] : ['backend: down']),
      status: () => ({ version: 'test' }),
      metrics: () => gatewayMetrics.text(),
    },
    readAdminSecurity(config.admin),
  );
});
after(async () => {
  await server?.close();
  pki?.cleanup();
});

function get(urlPath: string, auth?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(
        {
          host: '127.0.0.1',
          port: server.port,
          path: urlPath,
          ca: fs.readFileSync(pki.file('ca/ca.crt')),
          ...(auth && { headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } }),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        },
      )
      .on('error', reject);
  });
}

test('metrics and status need the credentials; over HTTPS with the configured certificate', async () => {
  assert.equal((await get('/metrics')).status, 401);
  assert.equal((await get('/status', 'prometheus:wrong')).status, 401);
  assert.equal((await get('/metrics', 'someone:s3cret-scraper')).status, 401);
  gatewayMetrics.proxy.connectionsTotal.inc({ listener: 'a' });
  const metrics = await get('/metrics', 'prometheus:s3cret-scraper');
  assert.equal(metrics.status, 200);
  assert.match(metrics.body, /process_cpu_seconds_total/);
  assert.match(metrics.body, /gatehouse_connections_total\{listener="a"\} 1/, "the probe's metrics are what /metrics serves");
  assert.deepEqual(JSON.parse((await get('/status', 'prometheus:s3cret-scraper')).body), { version: 'test' });
});

test('the probes answer without credentials', async () => {
  assert.deepEqual(await get('/healthz'), { status: 200, body: 'ok\n' });
  assert.equal((await get('/readyz')).status, 200);
  ready = false;
  assert.deepEqual(await get('/readyz'), { status: 503, body: 'not ready:\n- backend: down\n' });
});

test('a plain-HTTP client gets no answer from the HTTPS endpoint', async () => {
  const { httpGet } = await import('../../harness/gateway.ts');
  await assert.rejects(httpGet(server.port, '/healthz'));
});
