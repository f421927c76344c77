// The `authorization` section: which policy files decide, whether requests are authorized at all, and
// where decisions are audited. Closed by default: a configuration without the section is refused, so a
// gateway never runs without authorization unless its operator wrote `mode: off`.
import type { Reader } from './reader.ts';
import type { ConfigPath } from './yaml-source.ts';

/** Which allowed decisions the audit log keeps (denials are always kept). */
export type AuditAllows = 'none' | 'all' | { readonly ratio: number };

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
    };

const MISSING =
  'no authorization section: add authorization: { policies: [...] } (policy files or folders), or authorization: { mode: off } to forward every request unauthorized';

export function readAuthorization(r: Reader, value: unknown, path: ConfigPath): AuthorizationConfig {
  if (value === undefined || value === null) r.fail(path, MISSING);
  const obj = r.object(value, path, ['policies', 'mode', 'audit']);
  const mode = obj.mode === undefined ? 'enforce' : r.oneOf(obj.mode, [...path, 'mode'], ['enforce', 'off'] as const);
  if (mode === 'off') return { mode };
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
  };
}

function readAllows(r: Reader, value: unknown, path: ConfigPath): AuditAllows {
  if (value === undefined || value === 'none' || value === 'all') return value ?? 'none';
  const ratio = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1)
    r.fail(path, `audit.allows must be none, all or a ratio from 0 to 1 (got ${JSON.stringify(value)})`);
  return { ratio };
}
