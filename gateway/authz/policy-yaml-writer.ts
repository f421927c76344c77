// Writing policy YAML as a person would: rule ids from principal names, resources as `topic: name` or
// `topic: { prefix: ... }`, short lists on one line. Used by the tools that generate policies
// (`policy import`, `policy suggest`).
import { Document, isMap, isSeq, visit, type Scalar } from 'yaml';
import type { ResourceType } from './model.ts';
import type { ResourcePattern } from './policy.ts';
import { RESOURCE_KEYS } from './policy-file.ts';

const KEY_BY_TYPE = Object.fromEntries(Object.entries(RESOURCE_KEYS).map(([key, type]) => [type, key])) as Record<ResourceType, string>;

/** A resource as a policy file writes it. */
export function resourceEntry(resource: ResourcePattern): Record<string, string | { prefix: string }> {
  return { [KEY_BY_TYPE[resource.type]]: resource.patternType === 'PREFIXED' ? { prefix: resource.name } : resource.name };
}

/** A principal's name as a rule id part: lower case, dashes, at most 40 characters. */
export function principalSlug(principal: string): string {
  const name = principal === 'User:*' ? 'everyone' : principal.slice(principal.indexOf(':') + 1);
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'principal'
  );
}

/** Short lists and `{ prefix: ... }` on one line, as a person would write them. */
export function compactPolicyDocument(doc: Document): void {
  visit(doc, {
    Pair(_, pair) {
      if (isSeq(pair.value) && ['allow', 'deny', 'principals', 'hosts'].includes(String((pair.key as Scalar).value)))
        pair.value.flow = true;
      if (isMap(pair.value) && pair.value.has('prefix')) pair.value.flow = true;
    },
  });
}
