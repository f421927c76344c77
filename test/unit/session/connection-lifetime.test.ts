// How long a client connection may live without doing anything, and what it costs the backend: a
// connection that sends no request is closed at the first-request deadline and never reaches the
// backend; an idle one is closed after connectionsMaxIdleMs, but never while a request is in flight.
// Real sockets: the gateway in this process in front of a scripted backend.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { API_KEY, versionRange } from '../../../gateway/protocol/index.ts';
import { startTappedGateway, type TappedGateway } from '../../harness/gateway-in-process.ts';
import { startScriptedBackend, type ScriptedBackend } from '../../harness/scripted-backend.ts';
import { connectRaw, requestV1 } from '../../integration/proxy/raw-client.ts';

const FIRST_REQUEST_MS = 400;
const IDLE_MS = 800;

let backend: ScriptedBackend;
let gw: TappedGateway;

before(async () => {
  backend = await startScriptedBackend();
  gw = await startTappedGateway({
    backendBootstrap: backend.bootstrap,
    maxBrokers: 1,
    limits: { firstRequestTimeoutMs: FIRST_REQUEST_MS, connectionsMaxIdleMs: IDLE_MS },
  });
});

after(async () => {
  await gw?.stop();
  await backend?.close();
});

const metadataV1 = (correlationId: number) => requestV1(API_KEY.Metadata, 1, correlationId, Buffer.from([0xff, 0xff, 0xff, 0xff])); // all topics (null array)
/** Fetch v4 for no topics: the scripted backend holds it for fetchDelayMs. */
const fetchV4 = (correlationId: number) => {
  const body = Buffer.alloc(4 + 4 + 4 + 4 + 1 + 4);
  body.writeInt32BE(-1, 0); // replica id
  body.writeInt32BE(5000, 4); // max wait
  body.writeInt32BE(1, 8); // min bytes
  body.writeInt32BE(1 << 20, 12); // max bytes
  body.writeInt8(0, 16); // isolation level
  body.writeInt32BE(0, 17); // no topics
  return requestV1(API_KEY.Fetch, 4, correlationId, body);
};
const closesFor = (reason: string) => gw.logs().filter((l) => l.event === 'connection_close' && l.reason === reason).length;

test('a connection that sends nothing is closed at the first-request deadline and costs the backend nothing', async () => {
  const acceptedBefore = backend.accepted();
  const closesBefore = closesFor('first-request-timeout');
  const conn = await connectRaw(gw.bootstrap);
  const started = Date.now();
  const outcome = await Promise.race([
    conn.closed.then(() => 'closed'),
    new Promise((r) => setTimeout(() => r('still open'), FIRST_REQUEST_MS + 5_000)),
  ]);
  const took = Date.now() - started;
  assert.equal(outcome, 'closed');
  assert.ok(took >= FIRST_REQUEST_MS - 50, `closed after ${took} ms, not before the deadline`);
  await gw.waitForLog(() => closesFor('first-request-timeout') > closesBefore);
  assert.equal(backend.accepted(), acceptedBefore, 'no backend connection was opened for it');
});

test('a connection answered only by the gateway itself opens no backend connection', async () => {
  const acceptedBefore = backend.accepted();
  const conn = await connectRaw(gw.bootstrap);
  const tooNew = requestV1(API_KEY.ApiVersions, versionRange(API_KEY.ApiVersions)!.max + 1, 7);
  conn.send(tooNew);
  const answer = await conn.next();
  assert.equal(answer?.readInt32BE(0), 7);
  assert.equal(answer?.readInt16BE(4), 35, 'UNSUPPORTED_VERSION, answered locally');
  conn.end();
  assert.equal(backend.accepted(), acceptedBefore);
});

test('an idle connection is closed after connectionsMaxIdleMs; the backend connection opens on the first request', async () => {
  const acceptedBefore = backend.accepted();
  const closesBefore = closesFor('idle-timeout');
  const conn = await connectRaw(gw.bootstrap);
  conn.send(metadataV1(1));
  assert.equal((await conn.next())?.readInt32BE(0), 1);
  assert.equal(backend.accepted(), acceptedBefore + 1, 'one backend connection, opened by the request');
  const answered = Date.now();
  const outcome = await Promise.race([
    conn.closed.then(() => 'closed'),
    new Promise((r) => setTimeout(() => r('still open'), IDLE_MS + 5_000)),
  ]);
  const idleFor = Date.now() - answered;
  assert.equal(outcome, 'closed');
  assert.ok(idleFor >= IDLE_MS - 50, `closed after ${idleFor} ms idle, not before ${IDLE_MS}`);
  await gw.waitForLog(() => closesFor('idle-timeout') > closesBefore);
});

test('a request in flight longer than the idle time keeps the connection open until it is answered', async () => {
  backend.fetchDelayMs = IDLE_MS * 3;
  try {
    const conn = await connectRaw(gw.bootstrap);
    const sent = Date.now();
    conn.send(fetchV4(42));
    const answer = await conn.next(IDLE_MS * 3 + 10_000);
    assert.equal(answer?.readInt32BE(0), 42, `the held Fetch was answered after ${Date.now() - sent} ms, not cut as idle`);
    assert.ok(Date.now() - sent >= IDLE_MS * 3 - 100);
    conn.end();
  } finally {
    backend.fetchDelayMs = 0;
  }
});
