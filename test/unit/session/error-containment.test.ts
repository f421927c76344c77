// An unexpected error while serving one connection closes that connection — logged at error level with
// its stack, reason internal-error — and nothing else: not the other sessions, not the process. Errors
// are provoked in each kind of handler a session has: client data, backend data, its timer. And a
// backend address that net.connect would throw on fails the session cleanly. A backend connection that
// fails or that the backend ends is counted by broker and reason (gatehouse_upstream_errors_total).
// A unit test of Session over real sockets (a scripted backend behind it); the faults are injected
// through its services.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { KafkaPrincipal } from '../../../gateway/common/principal.ts';
import { GatewayMetrics } from '../../../gateway/observability/gateway-metrics.ts';
import { createLogger } from '../../../gateway/observability/logger.ts';
import { API_KEY, versionRange } from '../../../gateway/protocol/index.ts';
import { AdvertisedVersions } from '../../../gateway/routing/api-versions.ts';
import { BrokerMap, type Address } from '../../../gateway/routing/broker-map.ts';
import { TopicIdCache } from '../../../gateway/routing/topic-ids.ts';
import { sessionMetricsOf } from '../../../gateway/session/gateway.ts';
import { Session, type CloseReason, type SessionServices } from '../../../gateway/session/session.ts';
import { startScriptedBackend, type ScriptedBackend } from '../../harness/scripted-backend.ts';
import { connectRaw, requestV1, type RawConnection } from '../../integration/proxy/raw-client.ts';

let backend: ScriptedBackend;
let server: net.Server;
/** The next accepted socket gets a session built by this. */
let onAccept: (socket: net.Socket) => void = () => undefined;
const lines: Array<Record<string, unknown>> = [];
const logger = createLogger({
  level: 'debug',
  destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
});

before(async () => {
  backend = await startScriptedBackend();
  server = net.createServer((socket) => onAccept(socket));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});

after(async () => {
  server?.close();
  await backend?.close();
});

/** The sessions count into a gateway's metrics, as the gateway's own do (the counting path runs for real). */
const gatewayMetrics = new GatewayMetrics();
const metrics = sessionMetricsOf(gatewayMetrics);

/** gatehouse_upstream_errors_total for this broker and reason. */
async function upstreamErrors(broker: string, reason: string): Promise<number> {
  const metric = await gatewayMetrics.registry.getSingleMetric('gatehouse_upstream_errors_total')?.get();
  return metric?.values.find((v) => v.labels.broker === broker && v.labels.reason === reason)?.value ?? 0;
}

const DEFAULT_LIMITS: SessionServices['limits'] = {
  maxFrameBytes: 1 << 20,
  maxInFlightRequests: 100,
  maxResponseFrameBytes: 1 << 24,
  maxQueuedResponseBytes: 1 << 20,
  connectionsMaxIdleMs: 60_000,
  firstRequestTimeoutMs: 60_000,
};

type Opened = { conn: RawConnection; session: Session; closed: Promise<CloseReason> };

/** Opens a client connection served by a Session with these services (defaults otherwise). */
async function openSession(opts: { target?: Address; limits?: SessionServices['limits']; brokers?: BrokerMap } = {}): Promise<Opened> {
  let resolveClosed!: (r: CloseReason) => void;
  const closed = new Promise<CloseReason>((r) => (resolveClosed = r));
  const sessionReady = new Promise<Session>((resolve) => {
    onAccept = (socket) =>
      resolve(
        new Session(
          socket,
          opts.target ?? { host: '127.0.0.1', port: backend.port },
          'unit',
          { address: '127.0.0.1', port: socket.remotePort ?? 0, principal: KafkaPrincipal.ANONYMOUS, method: 'anonymous', tls: null },
          {
            metrics,
            brokers:
              opts.brokers ??
              new BrokerMap({ mode: 'port-per-broker', host: '127.0.0.1', basePort: 0, brokerPorts: new Map([[1, 19092]]) }),
            topics: new TopicIdCache(),
            versions: new AdvertisedVersions(),
            limits: opts.limits ?? DEFAULT_LIMITS,
            connectTimeoutMs: 2_000,
            logger,
            onClosed: resolveClosed,
          },
        ),
      );
  });
  const conn = await connectRaw(`127.0.0.1:${(server.address() as net.AddressInfo).port}`);
  return { conn, session: await sessionReady, closed };
}

const metadataV1 = (correlationId: number) => requestV1(API_KEY.Metadata, 1, correlationId, Buffer.from([0xff, 0xff, 0xff, 0xff]));
const tooNewApiVersions = (correlationId: number) =>
  requestV1(API_KEY.ApiVersions, versionRange(API_KEY.ApiVersions)!.max + 1, correlationId);

/** Limits whose `key` throws when read once `armed` is set (a bug somewhere in the request path). */
function throwingLimits(key: keyof SessionServices['limits'], message: string): { limits: SessionServices['limits']; arm: () => void } {
  let armed = false;
  const limits = { ...DEFAULT_LIMITS };
  Object.defineProperty(limits, key, {
    get: () => {
      if (armed) throw new Error(message);
      return DEFAULT_LIMITS[key];
    },
  });
  return { limits, arm: () => (armed = true) };
}

function closeLine(detail: string) {
  return lines.find((l) => l.event === 'connection_close' && l.detail === detail);
}

/** A healthy session keeps being served while and after others fail. */
async function assertStillServing(healthy: Opened, correlationId: number) {
  healthy.conn.send(metadataV1(correlationId));
  assert.equal((await healthy.conn.next())?.readInt32BE(0), correlationId, 'the other session is still served');
}

test(
  'an error in the client-data handler closes that session only, logged at error level with its stack',
  { timeout: 20_000 },
  async () => {
    const healthy = await openSession();
    const faulty = throwingLimits('maxInFlightRequests', 'injected fault in the request path');
    const victim = await openSession({ limits: faulty.limits });
    victim.conn.send(metadataV1(1));
    assert.equal((await victim.conn.next())?.readInt32BE(0), 1, 'served before the fault');
    faulty.arm();
    victim.conn.send(metadataV1(2));
    assert.equal(await victim.closed, 'internal-error');
    await victim.conn.closed;
    const line = closeLine('injected fault in the request path');
    assert.equal(line?.level, 'error');
    assert.equal(line?.reason, 'internal-error');
    assert.match(String((line?.err as { stack?: string })?.stack), /injected fault in the request path\n\s+at /, 'the stack is logged');
    await assertStillServing(healthy, 3);
    healthy.conn.end();
  },
);

test('an error in the backend-data handler (rewriting a response) closes that session only', { timeout: 20_000 }, async () => {
  const healthy = await openSession();
  class FaultyBrokerMap extends BrokerMap {
    override advertised(): never {
      throw new Error('injected fault in the response path');
    }
  }
  const victim = await openSession({
    brokers: new FaultyBrokerMap({ mode: 'port-per-broker', host: '127.0.0.1', basePort: 0, brokerPorts: new Map() }),
  });
  victim.conn.send(metadataV1(1)); // the Metadata answer is rewritten: advertised() throws
  assert.equal(await victim.closed, 'internal-error');
  assert.equal(await victim.conn.next(), null, 'the client gets no answer, the connection closes');
  assert.equal(closeLine('injected fault in the response path')?.level, 'error');
  await assertStillServing(healthy, 2);
  healthy.conn.end();
});

test('an error in the session timer closes that session only', { timeout: 20_000 }, async () => {
  const healthy = await openSession();
  const faulty = throwingLimits('connectionsMaxIdleMs', 'injected fault in the timer');
  faulty.limits.firstRequestTimeoutMs = 200; // the timer's first tick reads connectionsMaxIdleMs
  faulty.arm();
  const victim = await openSession({ limits: faulty.limits });
  assert.equal(await victim.closed, 'internal-error');
  await victim.conn.closed;
  assert.equal(closeLine('injected fault in the timer')?.level, 'error');
  await assertStillServing(healthy, 2);
  healthy.conn.end();
});

test(
  'a backend address net.connect would throw on (port 70000, -1) fails that session cleanly with the reason',
  { timeout: 20_000 },
  async () => {
    const healthy = await openSession();
    for (const port of [70_000, -1]) {
      const victim = await openSession({ target: { host: '127.0.0.1', port } });
      victim.conn.send(metadataV1(1));
      assert.equal(await victim.closed, 'upstream-closed');
      assert.equal(await victim.conn.next(), null);
      const line = lines.find((l) => l.event === 'connection_close' && String(l.detail).includes(`127.0.0.1:${port}`));
      assert.match(String(line?.detail), new RegExp(`port ${port} is outside 1–65535`));
    }
    await assertStillServing(healthy, 5);
    healthy.conn.send(tooNewApiVersions(6));
    assert.equal((await healthy.conn.next())?.readInt32BE(0), 6);
    healthy.conn.end();
  },
);

/** A stand-in broker that does `onRequest` with the socket at the first request bytes; its port. */
async function oddBackend(onRequest: (socket: net.Socket) => void): Promise<{ port: number; close: () => void }> {
  const odd = net.createServer((socket) => socket.once('data', () => onRequest(socket)));
  await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
  return { port: (odd.address() as net.AddressInfo).port, close: () => odd.close() };
}

test(
  'backend connections that fail or that the backend ends are counted by broker and reason; the gateway ending one is not',
  { timeout: 20_000 },
  async () => {
    const refused = await oddBackend(() => undefined);
    refused.close(); // nothing listens there any more
    const closing = await oddBackend((socket) => socket.end());
    const resetting = await oddBackend((socket) => socket.resetAndDestroy());
    const garbling = await oddBackend((socket) => socket.write(Buffer.from([0, 0, 0, 4, 0x7f, 0x7f, 0x7f, 0x7f]))); // a wrong correlation id
    const cases: Array<[port: number, reason: string]> = [
      [refused.port, 'connect-refused'],
      [closing.port, 'closed'],
      [resetting.port, 'reset'],
      [garbling.port, 'bad-response'],
    ];
    for (const [port, reason] of cases) {
      const broker = `127.0.0.1:${port}`;
      const before = await upstreamErrors(broker, reason);
      const victim = await openSession({ target: { host: '127.0.0.1', port } });
      victim.conn.send(metadataV1(1));
      assert.equal(await victim.closed, reason === 'bad-response' ? 'bad-response' : 'upstream-closed', reason);
      assert.equal(await upstreamErrors(broker, reason), before + 1, `${reason} counted once`);
    }
    // A client that leaves ends its backend connection: the gateway's doing, not an error.
    const healthy = await openSession();
    await assertStillServing(healthy, 2);
    healthy.conn.end();
    assert.equal(await healthy.closed, 'client-closed');
    const total = (await gatewayMetrics.registry.getSingleMetric('gatehouse_upstream_errors_total')?.get())?.values ?? [];
    assert.deepEqual(
      total.filter((v) => v.labels.broker === `127.0.0.1:${backend.port}`),
      [],
      'no error counted for the healthy backend',
    );
    for (const b of [closing, resetting, garbling]) b.close();
  },
);
