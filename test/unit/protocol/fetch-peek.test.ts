// The Fetch walk authorization reads on every Fetch must say what the table-driven decoder says, at every
// version, and refuse exactly what the decoder refuses (truncation, trailing bytes, bad UTF-8, bad tags).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { API_KEY, ProtocolError, type Struct, encodeRequestFrame, versionRange } from '../../../gateway/protocol/index.ts';
import { FETCH_WALK_VERSIONS, fetchPeekByDecoding, peekFetchForAuthorization } from '../../../gateway/protocol/peek.ts';

const ID_A = 'AAAAAAAAAAAAAAAAAAAAAQ';
const ID_B = 'AAAAAAAAAAAAAAAAAAAAAg';
const range = versionRange(API_KEY.Fetch)!;

function fetchBody(v: number, opts: { replicaId?: number; tagged?: boolean } = {}): Struct {
  const key = (name: string, id: string): Struct => (v >= 13 ? { topicId: id } : { topic: name });
  const partition = (i: number): Struct => ({
    partition: i,
    fetchOffset: 10n,
    partitionMaxBytes: 1024,
    ...(opts.tagged && v >= 17 && { replicaDirectoryId: ID_B }),
  });
  return {
    ...(v <= 14 ? { replicaId: opts.replicaId ?? -1 } : { replicaState: { replicaId: opts.replicaId ?? -1, replicaEpoch: -1n } }),
    ...(opts.tagged && v >= 12 && { clusterId: 'cluster-ü' }),
    maxWaitMs: 500,
    minBytes: 1,
    ...(v >= 7 && { sessionId: 42, sessionEpoch: 3 }),
    topics: [
      { ...key('orders', ID_A), partitions: [partition(0), partition(2)] },
      { ...key('payments', ID_B), partitions: [partition(1)] },
    ],
    ...(v >= 7 && { forgottenTopicsData: [{ ...key('old', ID_B), partitions: [5, 6] }] }),
    ...(v >= 11 && { rackId: 'rack-1' }),
  };
}

const frame = (v: number, body: Struct): Buffer =>
  encodeRequestFrame({ requestApiKey: API_KEY.Fetch, requestApiVersion: v, correlationId: 9, clientId: 'consumer-1' }, body);

/** Whether `fn` throws a ProtocolError (anything else is a bug and is rethrown). */
function refuses(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (err) {
    if (err instanceof ProtocolError) return true;
    throw err;
  }
}

test('the walk reads every Fetch version the codec knows from 4 on', () => {
  for (let v = Math.max(4, range.min); v <= range.max; v++) assert.ok(FETCH_WALK_VERSIONS.has(v), `v${v}`);
});

test('the walk agrees with the decoder at every version: topics, partitions, forgotten topics, session, replica id', () => {
  for (let v = range.min; v <= range.max; v++) {
    for (const opts of [{}, { replicaId: 3 }, { tagged: true }, { replicaId: 0, tagged: true }]) {
      const bytes = frame(v, fetchBody(v, opts));
      const walked = peekFetchForAuthorization(bytes);
      assert.deepEqual(walked, fetchPeekByDecoding(bytes), `v${v} ${JSON.stringify(opts)}`);
      assert.equal(walked.replicaId, (opts as { replicaId?: number }).replicaId ?? -1, `v${v} replica id`);
      assert.deepEqual(
        walked.topics.map((t) => t.partitions),
        [[0, 2], [1]],
      );
      if (v >= 7) assert.deepEqual([walked.sessionId, walked.sessionEpoch, walked.forgotten[0].partitions], [42, 3, [5, 6]]);
      else assert.deepEqual([walked.sessionId, walked.sessionEpoch, walked.forgotten], [0, -1, []]);
    }
  }
});

test('the walk refuses what the decoder refuses: every truncation and a trailing byte', () => {
  for (const v of [4, 7, 12, 13, 15, 17, range.max]) {
    const bytes = frame(v, fetchBody(v, { tagged: true }));
    for (let n = 8; n < bytes.length; n++) {
      const cut = bytes.subarray(0, n);
      assert.equal(
        refuses(() => peekFetchForAuthorization(cut)),
        refuses(() => fetchPeekByDecoding(cut)),
        `v${v} cut at ${n}`,
      );
    }
    const longer = Buffer.concat([bytes, Buffer.from([0])]);
    assert.ok(
      refuses(() => peekFetchForAuthorization(longer)),
      `v${v} trailing byte`,
    );
    assert.ok(
      refuses(() => fetchPeekByDecoding(longer)),
      `v${v} trailing byte (decoder)`,
    );
  }
});

test('the walk refuses what the decoder refuses: invalid UTF-8 in a topic name, the rack id or the cluster id', () => {
  for (const [v, text] of [
    [12, 'orders'],
    [12, 'rack-1'],
    [12, 'cluster-ü'],
    [11, 'rack-1'],
  ] as const) {
    const bytes = Buffer.from(frame(v, fetchBody(v, { tagged: true })));
    const at = bytes.indexOf(Buffer.from(text));
    assert.ok(at > 0, text);
    bytes[at] = 0xff; // never valid in UTF-8
    assert.ok(
      refuses(() => fetchPeekByDecoding(bytes)),
      `decoder refuses ${text} v${v}`,
    );
    assert.ok(
      refuses(() => peekFetchForAuthorization(bytes)),
      `walk refuses ${text} v${v}`,
    );
  }
});

test('byte flips: the walk accepts exactly when the decoder does, and then agrees with it', () => {
  for (const v of [7, 12, 15, range.max]) {
    const original = frame(v, fetchBody(v, { tagged: true, replicaId: 1 }));
    let accepted = 0;
    // From after the client id: the session has checked the header's client id before any enforcer runs.
    for (let i = 8 + 2 + 'consumer-1'.length; i < original.length; i++) {
      for (const value of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
        const bytes = Buffer.from(original);
        bytes[i] = value;
        let decoded;
        try {
          decoded = fetchPeekByDecoding(bytes);
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          assert.ok(
            refuses(() => peekFetchForAuthorization(bytes)),
            `v${v} byte ${i} = ${value}: decoder refuses, walk must too`,
          );
          continue;
        }
        accepted++;
        assert.deepEqual(peekFetchForAuthorization(bytes), decoded, `v${v} byte ${i} = ${value}`);
      }
    }
    assert.ok(accepted > 0, `v${v}: some flips still decode`);
  }
});
