// The `authorization` section: which policy files decide, whether requests are authorized at all, and
// where decisions are audited. Closed by default: a configuration without the section is refused, so a
// gateway never runs without authorization unless its operator wrote `mode: off`.
import fs from 'node:fs';
import nodePath from 'node:path';
import type { Reader } from './reader.ts';
import type { ConfigPath } from './yaml-source.ts';

/** Which allowed decisions the audit log keeps (denials are always kept). */
export type AuditAllows = 'none' | 'all' | { readonly ratio: number };

/** The managed ACL topic's name when the config names none. */
export const DEFAULT_ACL_TOPIC = '__gatehouse_acls';

/**
 * Where ACLs created with CreateAcls (kafka-acls --add, AdminClient.createAcls) live:
 * - kafka: a compacted topic on the backend that every gateway instance consumes (safe with one instance
 *   or many, hence the default). No client may use that topic through the gateway; super users may read
 *   it when `superUsersMayReadTopic` says so.
 * - file: a YAML policy file written atomically; for a single instance (other instances would not see it).
 * - none: CreateAcls/DeleteAcls are refused (SECURITY_DISABLED); DescribeAcls still lists the YAML policy.
 */
export type ManagedAclsConfig =
  | { readonly store: 'kafka'; readonly topic: string; readonly superUsersMayReadTopic: boolean }
  | { readonly store: 'file'; readonly path: string }
  | { readonly store: 'none' };

/**
 * Observe mode: every authorization question's aggregate (principal, host, operation, resource; counts,
 * first and last seen) kept in memory up to `maxEntries` and written to `file` (what `policy suggest`
 * reads). Usually with the policy in `mode: dry-run`, so nothing is refused while it is observed.
 */
export type ObserveConfig = { readonly file: string; readonly maxEntries: number; readonly flushIntervalMs: number };

export type AuthorizationConfig =
  /**
   * Every advertised API is forwarded, nothing is decoded for authorization: the backend has no
   * authorizer, so this is exactly "a broker with no authorizer" (for trusted networks and the proxy core's tests).
   */
  | { readonly mode: 'off' }
  | {
      readonly mode: 'enforce';
      /** Policy files or folders (absolute), merged into one policy as a folder's files are. */
      readonly policies: readonly string[];
      readonly audit: { readonly destination: string; readonly allows: AuditAllows };
      readonly managedAcls: ManagedAclsConfig;
      readonly observe: ObserveConfig | null;
      /** Distinct principals the per-principal series (dry-run denials) carry before the rest count as 'other'. */
      readonly maxPrincipalLabels: number;
    };

const MISSING =
  'no authorization section: add authorization: { policies: [...] } (policy files or folders), or authorization: { mode: off } to forward every request unauthorized';

export function readAuthorization(r: Reader, value: unknown, path: ConfigPath): AuthorizationConfig {
  if (value === undefined || value === null) r.fail(path, MISSING);
  const obj = r.object(value, path, ['policies', 'mode', 'audit', 'managedAcls', 'observe', 'maxPrincipalLabels']);
  const mode = obj.mode === undefined ? 'enforce' : r.oneOf(obj.mode, [...path, 'mode'], ['enforce', 'off'] as const);
  if (mode === 'off') {
    if (obj.observe !== undefined)
      r.fail(
        [...path, 'observe'],
        'observe needs authorization on: with mode: off nothing is asked (use mode: dry-run in the policy instead)',
      );
    if (obj.managedAcls !== undefined) {
      r.fail(
        [...path, 'managedAcls'],
        'managedAcls needs authorization on: with mode: off the gateway keeps no ACLs (remove managedAcls or mode: off)',
      );
    }
    return { mode };
  }
  if (!Array.isArray(obj.policies) || obj.policies.length === 0) {
    r.fail(
      obj.policies === undefined ? path : [...path, 'policies'],
      'authorization.policies must list at least one policy file or folder',
    );
  }
  const policies = [...new Set((obj.policies as unknown[]).map((p, i) => r.file(p, [...path, 'policies', i])))];
  const audit = r.object(obj.audit ?? {}, [...path, 'audit'], ['destination', 'allows']);
  const destination = audit.destination === undefined ? 'stdout' : r.string(audit.destination, [...path, 'audit', 'destination']);
  return {
    mode,
    policies,
    audit: {
      destination: destination === 'stdout' ? destination : r.resolve(destination),
      allows: readAllows(r, audit.allows, [...path, 'audit', 'allows']),
    },
    managedAcls: readManagedAcls(r, obj.managedAcls, [...path, 'managedAcls'], policies),
    observe: readObserve(r, obj.observe, [...path, 'observe']),
    maxPrincipalLabels:
      obj.maxPrincipalLabels === undefined
        ? DEFAULT_PRINCIPAL_LABELS
        : r.int(obj.maxPrincipalLabels, [...path, 'maxPrincipalLabels'], 0, 10_000),
  };
}

const DEFAULT_PRINCIPAL_LABELS = 100;
/** 10,000 tuples take about 7.6 MB of heap and 2.4 MB on disk (test/bench/observe-memory.ts): the default bounds both near 40 and 12 MB. */
const DEFAULT_OBSERVE_MAX_ENTRIES = 50_000;
const DEFAULT_OBSERVE_FLUSH_SECONDS = 30;

function readObserve(r: Reader, value: unknown, path: ConfigPath): ObserveConfig | null {
  if (value === undefined || value === null) return null;
  const obj = r.object(value, path, ['file', 'maxEntries', 'flushIntervalSeconds']);
  if (obj.file === undefined) r.fail(path, 'observe.file is required: where the observations are kept (created when missing)');
  const file = r.resolve(r.string(obj.file, [...path, 'file']));
  const folder = nodePath.dirname(file);
  if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory())
    r.fail([...path, 'file'], `observe.file: folder ${folder} does not exist`);
  return {
    file,
    maxEntries: obj.maxEntries === undefined ? DEFAULT_OBSERVE_MAX_ENTRIES : r.int(obj.maxEntries, [...path, 'maxEntries'], 1, 10_000_000),
    flushIntervalMs:
      1000 *
      (obj.flushIntervalSeconds === undefined
        ? DEFAULT_OBSERVE_FLUSH_SECONDS
        : r.int(obj.flushIntervalSeconds, [...path, 'flushIntervalSeconds'], 1, 86_400)),
  };
}

const MANAGED_STORES = ['kafka', 'file', 'none'] as const;
/** Kafka's own rule for topic names (a name the backend would refuse is refused here, at its line). */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

function readManagedAcls(r: Reader, value: unknown, path: ConfigPath, policies: readonly string[]): ManagedAclsConfig {
  if (value === undefined) return { store: 'kafka', topic: DEFAULT_ACL_TOPIC, superUsersMayReadTopic: false };
  const kind = r.object(value, path, ['store', 'topic', 'superUsersMayReadTopic', 'path']);
  if (kind.store === undefined) r.fail(path, `managedAcls.store is required: one of ${MANAGED_STORES.join(', ')}`);
  const store = r.oneOf(kind.store, [...path, 'store'], MANAGED_STORES);
  const allowed = { kafka: ['store', 'topic', 'superUsersMayReadTopic'], file: ['store', 'path'], none: ['store'] }[store];
  for (const key of Object.keys(kind)) {
    if (!allowed.includes(key))
      r.fail([...path, key], `managedAcls.${key} does not apply to store: ${store} (allowed: ${allowed.join(', ')})`);
  }
  if (store === 'none') return { store };
  if (store === 'kafka') {
    const topic = kind.topic === undefined ? DEFAULT_ACL_TOPIC : r.string(kind.topic, [...path, 'topic']);
    if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..') {
      r.fail(
        [...path, 'topic'],
        `managedAcls.topic '${topic}' is not a valid Kafka topic name (letters, digits, '.', '_', '-'; at most 249)`,
      );
    }
    const superUsersMayReadTopic =
      kind.superUsersMayReadTopic === undefined ? false : r.bool(kind.superUsersMayReadTopic, [...path, 'superUsersMayReadTopic']);
    return { store, topic, superUsersMayReadTopic };
  }
  if (kind.path === undefined) r.fail(path, 'managedAcls.path is required with store: file (the managed ACL file, created when missing)');
  const file = r.resolve(r.string(kind.path, [...path, 'path']));
  const at = [...path, 'path'];
  const folder = nodePath.dirname(file);
  if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) r.fail(at, `managedAcls.path: folder ${folder} does not exist`);
  if (fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) r.fail(at, `managedAcls.path: ${file} is a folder; name a file`);
  // The gateway rewrites this file; were it also read as a hand-written policy, every managed rule would
  // be there twice, and DeleteAcls could not delete them.
  for (const policy of policies) {
    const isFolder = fs.statSync(policy, { throwIfNoEntry: false })?.isDirectory() ?? false;
    if (file === policy || (isFolder && folder === policy)) {
      r.fail(
        at,
        `managedAcls.path: ${file} is ${file === policy ? 'one of' : 'inside one of'} authorization.policies; keep the managed ACL file apart`,
      );
    }
  }
  return { store, path: file };
}

function readAllows(r: Reader, value: unknown, path: ConfigPath): AuditAllows {
  if (value === undefined || value === 'none' || value === 'all') return value ?? 'none';
  const ratio = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1)
    r.fail(path, `audit.allows must be none, all or a ratio from 0 to 1 (got ${JSON.stringify(value)})`);
  return { ratio };
}
