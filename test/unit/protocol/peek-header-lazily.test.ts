// The session's header peek must say what peekRequestHeader says, and refuse what it refuses, while
// leaving an ASCII client id unread until asked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError, encodeRequestFrame, peekRequestHeader, requestHeaderVersion } from '../../../gateway/protocol/index.ts';
import { peekRequestHeaderLazily } from '../../../gateway/protocol/peek.ts';
import { allApiVersions, generateMessage, prng } from './support.ts';

const fields = (h: { apiKey: number; apiVersion: number; correlationId: number; clientId: string | null }) => ({
  apiKey: h.apiKey,
  apiVersion: h.apiVersion,
  correlationId: h.correlationId,
  clientId: h.clientId,
});

/** The error message, or null when the peek succeeds. */
function outcome(peek: (frame: Buffer) => unknown, frame: Buffer): string | null {
  try {
    peek(frame);
    return null;
  } catch (err) {
    if (err instanceof ProtocolError) return err.message;
    throw err;
  }
}

test('agrees with peekRequestHeader for every api and version, and client ids ASCII, non-ASCII, empty, long and null', () => {
  const rng = prng(5);
  const ids = [null, '', 'producer-1', `client-ü`, 'x'.repeat(300)];
  for (const { apiKey, version } of allApiVersions()) {
    for (const id of ids) {
      const clientId = requestHeaderVersion(apiKey, version) === 0 ? '' : id;
      const frame = encodeRequestFrame(
        { requestApiKey: apiKey, requestApiVersion: version, correlationId: apiKey * 100 + version, clientId },
        generateMessage(rng, apiKey, version, 'request', 'defaults'),
      );
      assert.deepEqual(fields(peekRequestHeaderLazily(frame)), peekRequestHeader(frame), `${apiKey} v${version} ${id}`);
    }
  }
});

test('refuses exactly what peekRequestHeader refuses, with the same error: truncations, bad lengths, bad UTF-8', () => {
  const frame = encodeRequestFrame({ requestApiKey: 3, requestApiVersion: 12, correlationId: 1, clientId: 'consumer-1' }, { topics: null });
  for (let n = 0; n <= 30; n++) {
    const cut = frame.subarray(0, n);
    assert.equal(outcome(peekRequestHeaderLazily, cut), outcome(peekRequestHeader, cut), `cut at ${n}`);
  }
  for (const [at, value] of [
    [8, 0xff], // length -1xx: invalid
    [9, 0xff], // longer than the frame
    [10, 0xff], // not UTF-8
    [12, 0xc3], // a lead byte without its continuation
  ]) {
    const bad = Buffer.from(frame);
    bad[at] = value;
    const expected = outcome(peekRequestHeader, bad);
    assert.notEqual(expected, null, `byte ${at} = ${value} is refused`);
    assert.equal(outcome(peekRequestHeaderLazily, bad), expected, `byte ${at} = ${value}`);
  }
});

test('an ASCII client id is read from the frame only when asked, then kept', () => {
  const frame = Buffer.from(encodeRequestFrame({ requestApiKey: 0, requestApiVersion: 9, correlationId: 1, clientId: 'producer-1' }, {}));
  const header = peekRequestHeaderLazily(frame);
  // Only a lazy read sees bytes changed after the peek (frames are never changed in the gateway).
  frame.fill(0x41, 10, 20);
  assert.equal(header.clientId, 'AAAAAAAAAA', 'not read before it was asked for');
  frame.fill(0x42, 10, 20);
  assert.equal(header.clientId, 'AAAAAAAAAA', 'read once, then kept');
});
