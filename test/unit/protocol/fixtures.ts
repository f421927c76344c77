// Golden fixtures: frames captured from real clients and brokers (test/harness/capture-proxy.ts).
// One JSON file per capture in test/fixtures/protocol/:
//   { "description": "...", "frames": [ { "direction": "request" | "response", "apiKey": 18,
//     "apiVersion": 3, "correlationId": 1, "hex": "<frame without its 4-byte size prefix>" }, ... ] }

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Seed } from './fuzz-engine.ts';

export interface FixtureFrame {
  direction: 'request' | 'response';
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  hex: string;
}

export interface FixtureFile {
  description: string;
  frames: FixtureFrame[];
}

export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/protocol/', import.meta.url));

export function loadFixtures(): { file: string; fixture: FixtureFile }[] {
  if (!existsSync(FIXTURES_DIR)) return [];
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, fixture: JSON.parse(readFileSync(FIXTURES_DIR + file, 'utf8')) as FixtureFile }));
}

export function loadFixtureSeeds(): Seed[] {
  return loadFixtures().flatMap(({ fixture }) =>
    fixture.frames.map((f) => ({ direction: f.direction, apiKey: f.apiKey, apiVersion: f.apiVersion, frame: Buffer.from(f.hex, 'hex') })),
  );
}
