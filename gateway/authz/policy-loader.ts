// Loads a policy from a file or a directory of YAML files and merges them into one Policy.
// Merge rules: superUsers are the union of all files; allowEveryoneIfNoAclFound and mode may be set
// in several files only with the same value; role names and rule ids must be unique across files.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePolicyFile, type Located, type PolicyFragment } from './policy-file.ts';
import { ROLE_PREFIX, type Policy, type PolicyError, type PolicyRule, type SourceLocation } from './policy.ts';

export type LoadResult = { ok: true; policy: Policy } | { ok: false; errors: PolicyError[] };

export interface PolicySource {
  readonly file: string;
  readonly text: string;
}

/** Whether a file in a policy directory is a policy (decision tables `*.test.yaml` are not). */
export function isPolicyFileName(name: string): boolean {
  return /\.ya?ml$/.test(name) && !/\.test\.ya?ml$/.test(name);
}

/** Reads the policy files: `path` is one file, or a directory whose `*.yaml`/`*.yml` files merge. */
export async function readPolicySources(path: string): Promise<PolicySource[] | PolicyError> {
  const where = { file: path, line: 1, column: 1 };
  try {
    const files = (await stat(path)).isDirectory()
      ? (await readdir(path))
          .filter(isPolicyFileName)
          .sort()
          .map((name) => join(path, name))
      : [path];
    if (files.length === 0) return { ...where, message: 'no policy files (*.yaml, *.yml) in this directory' };
    return await Promise.all(files.map(async (file) => ({ file, text: await readFile(file, 'utf8') })));
  } catch (error) {
    return { ...where, message: `cannot read: ${(error as Error).message}` };
  }
}

/** Loads one policy from a file or folder, or from several (merged as one folder's files are; a file named twice counts once). */
export async function loadPolicy(path: string | readonly string[]): Promise<LoadResult> {
  const all: PolicySource[] = [];
  const errors: PolicyError[] = [];
  for (const one of typeof path === 'string' ? [path] : path) {
    const sources = await readPolicySources(one);
    if (!Array.isArray(sources)) errors.push(sources);
    else for (const s of sources) if (!all.some((a) => a.file === s.file)) all.push(s);
  }
  return errors.length > 0 ? { ok: false, errors } : buildPolicy(all);
}

/** Parses, validates and merges policy sources (pure: no file system). */
export function buildPolicy(sources: readonly PolicySource[]): LoadResult {
  const errors: PolicyError[] = [];
  const fragments: PolicyFragment[] = [];
  for (const source of sources) {
    const parsed = parsePolicyFile(source.file, source.text);
    errors.push(...parsed.errors);
    fragments.push(parsed.fragment);
  }
  const allowEveryone = agreedSetting(
    fragments.map((f) => f.allowEveryoneIfNoAclFound),
    'allowEveryoneIfNoAclFound',
    errors,
  );
  const mode = agreedSetting(
    fragments.map((f) => f.mode),
    'mode',
    errors,
  );
  const roles = mergeRoles(fragments, errors);
  const rules = mergeRules(fragments, roles, errors);
  if (errors.length > 0) return { ok: false, errors: sortedByPosition(errors, sources) };
  return {
    ok: true,
    policy: {
      superUsers: [...new Set(fragments.flatMap((f) => f.superUsers.map((s) => s.value)))],
      allowEveryoneIfNoAclFound: allowEveryone ?? false,
      mode: mode ?? 'enforce',
      roles,
      rules,
      files: sources.map((s) => s.file),
      digest: digestOf(sources),
    },
  };
}

function agreedSetting<T>(values: readonly (Located<T> | undefined)[], key: string, errors: PolicyError[]): T | undefined {
  const set = values.filter((v): v is Located<T> => v !== undefined);
  for (const other of set.slice(1)) {
    if (other.value !== set[0].value) {
      errors.push({
        ...other.at,
        message: `${key} is ${String(other.value)} here but ${String(set[0].value)} in ${where(set[0].at)}; set it in one file only`,
      });
    }
  }
  return set[0]?.value;
}

function mergeRoles(fragments: readonly PolicyFragment[], errors: PolicyError[]): Map<string, readonly string[]> {
  const roles = new Map<string, readonly string[]>();
  const definedAt = new Map<string, SourceLocation>();
  for (const role of fragments.flatMap((f) => f.roles)) {
    const first = definedAt.get(role.name);
    if (first) {
      errors.push({ ...role.at, message: `role '${role.name}' is already defined at ${where(first)}` });
      continue;
    }
    definedAt.set(role.name, role.at);
    roles.set(role.name, role.members);
  }
  return roles;
}

function mergeRules(
  fragments: readonly PolicyFragment[],
  roles: ReadonlyMap<string, readonly string[]>,
  errors: PolicyError[],
): PolicyRule[] {
  const seen = new Map<string, SourceLocation>();
  const rules: PolicyRule[] = [];
  for (const draft of fragments.flatMap((f) => f.rules)) {
    const first = seen.get(draft.id);
    if (first) errors.push({ ...draft.source, message: `duplicate rule id '${draft.id}' (first defined at ${where(first)})` });
    seen.set(draft.id, first ?? draft.source);
    const principals = new Set<string>();
    draft.principalRefs.forEach((ref, i) => {
      if (!ref.startsWith(ROLE_PREFIX)) return void principals.add(ref);
      const members = roles.get(ref.slice(ROLE_PREFIX.length));
      if (members === undefined) errors.push({ ...draft.principalRefsAt[i], message: `unknown role '${ref.slice(ROLE_PREFIX.length)}'` });
      for (const member of members ?? []) principals.add(member);
    });
    const { principalRefsAt: _, ...rule } = draft;
    rules.push({ ...rule, principals: [...principals] });
  }
  return rules;
}

function sortedByPosition(errors: PolicyError[], sources: readonly PolicySource[]): PolicyError[] {
  const fileOrder = (e: PolicyError) => sources.findIndex((s) => s.file === e.file);
  return errors.sort((a, b) => fileOrder(a) - fileOrder(b) || a.line - b.line || a.column - b.column);
}

function where(at: SourceLocation): string {
  return `${at.file}:${at.line}:${at.column}`;
}

function digestOf(sources: readonly PolicySource[]): string {
  const hash = createHash('sha256');
  for (const s of sources) hash.update(s.file).update('\0').update(s.text).update('\0');
  return hash.digest('hex').slice(0, 16);
}

export function formatPolicyError(error: PolicyError): string {
  return `${where(error)}: ${error.message}`;
}
