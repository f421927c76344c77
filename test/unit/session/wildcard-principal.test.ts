// A client whose principal is literally `User:*` (here an IP identity; a certificate CN of `*` maps the
// same way) would match every ACL written for "everyone" as if it were that principal. Kafka never
// authorizes such a client: admission refuses it, logged and counted, and no session starts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { parseConfig } from '../../../gateway/config/schema.ts';
import { GatewayMetrics } from '../../../gateway/observability/gateway-metrics.ts';
import { ListenerAdmission } from '../../../gateway/session/admission.ts';

test('an IP identity of User:* is refused at admission; User:alice from the next address is admitted', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-wildcard-'));
  const file = path.join(dir, 'gatehouse.yaml');
  const yaml = `backend: { bootstrapServers: ["127.0.0.1:9092"] }
authorization: { mode: off }
listeners:
  - name: w
    bind: 127.0.0.1:9093
    plaintext: true
    routing: { basePort: 9100 }
    network:
      identities:
        "127.0.0.1": "User:*"
        "127.0.0.2": "User:alice"
`;
  const listener = parseConfig(yaml, file).listeners[0];
  const logs: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      logs.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  const metrics = new GatewayMetrics();
  const admission = new ListenerAdmission(listener, pino({ level: 'debug' }, stream), { metrics: metrics.proxy });
  const admitted: string[] = [];
  const server = net.createServer((raw) =>
    admission.admit(raw, (socket, identity) => {
      admitted.push(identity.principal.toString());
      socket.end();
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const connectFrom = (localAddress: string) =>
    new Promise<void>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port, localAddress });
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      s.resume();
    });
  try {
    await connectFrom('127.0.0.1');
    await connectFrom('127.0.0.2');
    const deadline = Date.now() + 5_000;
    while (admitted.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(admitted, ['User:alice']);
    const refusal = logs.find((l) => l.reason === 'principal-wildcard');
    assert.ok(refusal, JSON.stringify(logs));
    assert.match(String(refusal.detail), /User:\* \(via ip\) is the ACL wildcard/);
    assert.match(await metrics.text(), /gatehouse_connections_refused_total\{listener="w",reason="principal-wildcard"\} 1/);
  } finally {
    server.close();
    admission.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
