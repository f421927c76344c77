// The protocol fuzzer, shared by the CI test (fuzz.test.ts) and the long-running script
// (test/bench/fuzz-protocol.ts): mutated real and generated frames plus random bytes go through the
// header peek, the Produce peek, the full frame decoders and record counting. The only acceptable failure
// is a ProtocolError; a decoded frame must re-encode, and decoding that again must give the same object.

import { isDeepStrictEqual } from 'node:util';
import { countRecords } from '../../../gateway/protocol/records.ts';
import {
  ProtocolError,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  peekProduce,
  peekRequestHeader,
  requestHeaderVersion,
} from '../../../gateway/protocol/index.ts';
import { decode, encode, type Struct } from '../../../gateway/protocol/codec.ts';
import { type Rng, allApiVersions, buildBatch, generateMessage, int, prng } from './support.ts';

export interface Seed {
  direction: 'request' | 'response';
  apiKey: number;
  apiVersion: number;
  frame: Buffer;
}

export interface FuzzFailure {
  input: string;
  seed: string;
  error: string;
}

export interface FuzzResult {
  inputs: number;
  decoded: number;
  protocolErrors: number;
  failures: FuzzFailure[];
}

/** Generated request and response frames for every api and version (plus a Produce frame with real batches). */
export function generatedSeeds(seed = 1): Seed[] {
  const rng = prng(seed);
  const out: Seed[] = [];
  for (const { apiKey, version } of allApiVersions()) {
    const body = generateMessage(rng, apiKey, version, 'request', 'full');
    if (apiKey === 0) {
      for (const t of body.topicData as Struct[])
        for (const p of t.partitionData as Struct[])
          p.records = Buffer.concat([buildBatch({ records: 2 }), buildBatch({ records: 1, attributes: 0x20 })]);
    }
    out.push({
      direction: 'request',
      apiKey,
      apiVersion: version,
      frame: encodeRequestFrame(
        {
          requestApiKey: apiKey,
          requestApiVersion: version,
          correlationId: out.length,
          clientId: requestHeaderVersion(apiKey, version) === 0 ? '' : 'fuzz',
        },
        body,
      ),
    });
    out.push({
      direction: 'response',
      apiKey,
      apiVersion: version,
      frame: encodeResponseFrame({ correlationId: out.length }, generateMessage(rng, apiKey, version, 'response', 'full'), apiKey, version),
    });
  }
  return out;
}

const INTERESTING_32 = [0, 1, -1, -2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, -0x80000000];

function mutate(rng: Rng, src: Buffer): Buffer {
  const b = Buffer.from(src);
  const rounds = int(rng, 1, 4);
  let out = b;
  for (let r = 0; r < rounds; r++) {
    const n = out.length;
    switch (int(rng, 0, 8)) {
      case 0:
        if (n) out[int(rng, 0, n - 1)] ^= 1 << int(rng, 0, 7);
        break;
      case 1:
        if (n) out[int(rng, 0, n - 1)] = [0, 0xff, 0x7f, 0x80, 0x01, 0xfe][int(rng, 0, 5)];
        break;
      case 2:
        if (n >= 4) out.writeInt32BE(INTERESTING_32[int(rng, 0, INTERESTING_32.length - 1)] | 0, int(rng, 0, n - 4));
        break;
      case 3:
        if (n >= 2) out.writeInt16BE((INTERESTING_32[int(rng, 0, INTERESTING_32.length - 1)] << 16) >> 16, int(rng, 0, n - 2));
        break;
      case 4:
        out = out.subarray(0, int(rng, 0, n));
        break;
      case 5:
        out = Buffer.concat([out, randomBuf(rng, 1, 8)]);
        break;
      case 6: {
        const at = int(rng, 0, n);
        out = Buffer.concat([out.subarray(0, at), randomBuf(rng, 1, 6), out.subarray(at)]);
        break;
      }
      case 7: {
        const at = int(rng, 0, n);
        const len = int(rng, 0, Math.min(8, n - at));
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + len)]);
        break;
      }
      default:
        if (n) out[int(rng, 0, n - 1)] = int(rng, 0, 255);
    }
  }
  return out;
}

function randomBuf(rng: Rng, min: number, max: number): Buffer {
  const b = Buffer.alloc(int(rng, min, max));
  for (let i = 0; i < b.length; i++) b[i] = int(rng, 0, 255);
  return b;
}

/** Runs `inputs` fuzz inputs; stops collecting after `maxFailures`. */
export function fuzz(seeds: Seed[], inputs: number, seed = 12345, maxFailures = 20): FuzzResult {
  const rng = prng(seed);
  const res: FuzzResult = { inputs: 0, decoded: 0, protocolErrors: 0, failures: [] };
  const guard = (input: Buffer, label: string, f: () => void): void => {
    try {
      f();
    } catch (e) {
      if (e instanceof ProtocolError) {
        res.protocolErrors++;
        return;
      }
      if (res.failures.length < maxFailures) {
        res.failures.push({ input: input.toString('hex'), seed: label, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      }
    }
  };
  for (let i = 0; i < inputs; i++) {
    res.inputs++;
    const roll = rng();
    if (roll < 0.1) {
      // Random bytes: peek, decode as a random api/version, count as records.
      const input = randomBuf(rng, 0, 64);
      const s = seeds[int(rng, 0, seeds.length - 1)];
      guard(input, `random#${i}`, () => {
        peekRequestHeader(input);
      });
      guard(input, `random#${i}`, () => {
        decodeRequestFrame(input);
      });
      guard(input, `random#${i} body ${s.apiKey}v${s.apiVersion}`, () => {
        decode(input, s.apiKey, s.apiVersion, s.direction);
        res.decoded++;
      });
      guard(input, `random#${i} records`, () => {
        countRecords(input);
      });
      continue;
    }
    const s = seeds[int(rng, 0, seeds.length - 1)];
    const input = mutate(rng, s.frame);
    const label = `${s.direction} ${s.apiKey}v${s.apiVersion} #${i}`;
    if (s.direction === 'request') {
      guard(input, label, () => {
        peekRequestHeader(input);
      });
      if (s.apiKey === 0)
        guard(input, label, () => {
          peekProduce(input);
        });
      guard(input, label, () => {
        const d = decodeRequestFrame(input);
        res.decoded++;
        const again = encodeRequestFrame(d.header, d.body);
        if (!isDeepStrictEqual(decodeRequestFrame(again), d)) throw new Error('decode(encode(decoded)) differs from decoded');
      });
    } else {
      guard(input, label, () => {
        const d = decodeResponseFrame(input, s.apiKey, s.apiVersion);
        res.decoded++;
        const again = encodeResponseFrame(d.header, d.body, s.apiKey, s.apiVersion);
        if (!isDeepStrictEqual(decodeResponseFrame(again, s.apiKey, s.apiVersion), d))
          throw new Error('decode(encode(decoded)) differs from decoded');
      });
      guard(input, label, () => {
        encode(decode(input, s.apiKey, s.apiVersion, 'response', 4), s.apiKey, s.apiVersion, 'response');
      });
    }
  }
  return res;
}
