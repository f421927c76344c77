// Reading what a side says about its ACLs, in a form two sides can be compared in: `kafka-acls` output
// cut into blocks, and raw DescribeAcls responses. Only order is normalised: the tool prints resources in
// the iteration order of a hash map and the broker answers in its own index order, neither of which
// means anything. A principal may be left out (the one ACL administrator, which each side sets up its own way).
import { API_KEY, type Struct } from '../../../gateway/protocol/index.ts';
import type { RawDriver } from '../differential/raw-driver.ts';

/** One block of kafka-acls output: its header line and its entry lines, sorted. */
export type ToolBlock = { header: string; entries: string[] };

/**
 * `kafka-acls` stdout as blocks ("Adding ACLs for resource …", "Current ACLs for resource …", "ACLs for
 * principal …"), entries sorted, blocks sorted; entries naming `omitPrincipal` dropped, and a "Current
 * ACLs" block left empty by that dropped too (the tool prints no block for a resource without ACLs).
 */
export function toolBlocks(stdout: string, omitPrincipal?: string): ToolBlock[] {
  const blocks: ToolBlock[] = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (/^\s/.test(raw) || line.startsWith('(principal=')) {
      if (blocks.length === 0) blocks.push({ header: '', entries: [] });
      blocks[blocks.length - 1].entries.push(line);
    } else blocks.push({ header: line, entries: [] });
  }
  const omitted = omitPrincipal === undefined ? null : `(principal=${omitPrincipal},`;
  return blocks
    .map((b) => ({ header: b.header, entries: b.entries.filter((e) => omitted === null || !e.startsWith(omitted)).sort() }))
    .filter((b) => !(b.entries.length === 0 && b.header.startsWith('Current ACLs for resource')))
    .sort((a, b) => (a.header + a.entries.join('\n')).localeCompare(b.header + b.entries.join('\n')));
}

export type DescribeAclsFilter = {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
};

export type ListedAcls = {
  errorCode: number;
  errorMessage: string | null;
  /** `TYPE:PATTERN:name principal host OPERATION PERMISSION` (wire codes), sorted. */
  bindings: string[];
};

/** Every field of a DescribeAcls response but order (and the left-out principal's bindings). */
export function listedAcls(body: Struct, omitPrincipal?: string): ListedAcls {
  const bindings = (body.resources as Struct[]).flatMap((r) =>
    (r.acls as Struct[])
      .filter((a) => a.principal !== omitPrincipal)
      .map((a) => `${r.resourceType}:${r.patternType}:${r.resourceName} ${a.principal} ${a.host} ${a.operation} ${a.permissionType}`),
  );
  return { errorCode: body.errorCode as number, errorMessage: (body.errorMessage as string | null) ?? null, bindings: bindings.sort() };
}

/** Sends DescribeAcls at `version` and returns the decoded body (throws on anything but an answer). */
export async function describeAclsRaw(driver: RawDriver, version: number, filter: DescribeAclsFilter): Promise<Struct> {
  const out = await driver.request(API_KEY.DescribeAcls, version, { ...filter });
  if (out.kind !== 'response') throw new Error(`DescribeAcls v${version}: ${out.kind}${out.kind === 'undecodable' ? ` ${out.error}` : ''}`);
  return out.body;
}

/**
 * What a side did with a DescribeAcls: its listing, or how it failed to answer (a broker closes the
 * connection on a filter with an UNKNOWN element; the driver reconnects for the next request).
 */
export async function describeAclsOutcome(
  driver: RawDriver,
  version: number,
  filter: DescribeAclsFilter,
  omitPrincipal?: string,
): Promise<ListedAcls | { outcome: string }> {
  const out = await driver.request(API_KEY.DescribeAcls, version, { ...filter });
  return out.kind === 'response' ? listedAcls(out.body, omitPrincipal) : { outcome: out.kind };
}

/** Wire codes (spec §1.1–§1.4) used by the tests' filters. */
export const RESOURCE = { ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5 } as const;
export const PATTERN = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const OPERATION = { ANY: 1, ALL: 2, READ: 3, WRITE: 4, DESCRIBE: 8 } as const;
export const PERMISSION = { ANY: 1, DENY: 2, ALLOW: 3 } as const;

/** A filter matching everything, with some fields replaced. */
export function aclFilter(over: Partial<DescribeAclsFilter> = {}): DescribeAclsFilter {
  return {
    resourceTypeFilter: RESOURCE.ANY,
    resourceNameFilter: null,
    patternTypeFilter: PATTERN.ANY,
    principalFilter: null,
    hostFilter: null,
    operation: OPERATION.ANY,
    permissionType: PERMISSION.ANY,
    ...over,
  };
}
