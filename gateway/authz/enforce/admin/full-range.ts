// The versions of an API the codec tables hold: the admin enforcers authorize every one of them.
import { versionRange } from '../../../protocol/index.ts';

export function fullRange(apiKey: number): { min: number; max: number } {
  const range = versionRange(apiKey);
  // A key missing from the generated tables is a build defect, found when the module loads.
  if (!range) throw new Error(`api key ${apiKey} has no versions in the codec tables`);
  return range;
}
