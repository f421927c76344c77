// Reads sections of a parsed YAML document into typed values, failing with the file, line and column
// of the offending key.
import fs from 'node:fs';
import nodePath from 'node:path';
import { cidrProblem } from '../common/address.ts';
import type { ConfigPath, YamlSource } from './yaml-source.ts';

export type HostPort = { host: string; port: number };

/** Reads one section of the raw document, failing with the location of the offending key. */
export class Reader {
  constructor(private readonly src: YamlSource) {}

  /** Relative file names in the configuration are relative to the configuration file's folder. */
  get baseDir(): string {
    return nodePath.dirname(nodePath.resolve(this.src.file));
  }

  fail(path: ConfigPath, reason: string): never {
    throw this.src.errorAt(path, reason);
  }

  object(value: unknown, path: ConfigPath, allowed: string[]): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, `${label(path)} must be a mapping`);
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key))
        this.fail([...path, key], `unknown key '${key}' in ${label(path)} (expected one of: ${allowed.join(', ')})`);
    }
    return obj;
  }

  string(value: unknown, path: ConfigPath): string {
    if (typeof value !== 'string' || value === '') this.fail(path, `${label(path)} must be a non-empty string`);
    return value;
  }

  int(value: unknown, path: ConfigPath, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(path, `${label(path)} must be an integer from ${min} to ${max}`);
    }
    return value;
  }

  bool(value: unknown, path: ConfigPath): boolean {
    if (typeof value !== 'boolean') this.fail(path, `${label(path)} must be true or false`);
    return value;
  }

  hostPort(value: unknown, path: ConfigPath, allowZeroPort = false): HostPort {
    const text = this.string(value, path);
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
    const port = m ? Number(m[3]) : NaN;
    if (!m || port > 65535 || (!allowZeroPort && port === 0)) this.fail(path, `${label(path)} must be host:port (got '${text}')`);
    return { host: m[1] ?? m[2], port };
  }

  oneOf<T extends string>(value: unknown, path: ConfigPath, choices: readonly T[]): T {
    if (typeof value !== 'string' || !choices.includes(value as T)) {
      this.fail(path, `${label(path)} must be one of ${choices.join(', ')} (got '${String(value)}')`);
    }
    return value as T;
  }

  stringList(value: unknown, path: ConfigPath): string[] {
    if (!Array.isArray(value)) this.fail(path, `${label(path)} must be a list`);
    return value.map((v, i) => this.string(v, [...path, i]));
  }

  /** A path as given in the configuration, made absolute against the configuration file's folder. */
  resolve(name: string): string {
    return nodePath.resolve(this.baseDir, name);
  }

  /** A file that must exist and be readable when the configuration is loaded; returned as an absolute path. */
  file(value: unknown, path: ConfigPath): string {
    const name = this.string(value, path);
    const abs = nodePath.resolve(this.baseDir, name);
    try {
      fs.accessSync(abs, fs.constants.R_OK);
    } catch (err) {
      this.fail(path, `${label(path)}: cannot read ${abs} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    return abs;
  }

  /**
   * A CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a single address (a /32 or /128), checked by the parser
   * the gateway matches with (common/address.ts), so what is accepted here never fails later.
   */
  cidr(value: unknown, path: ConfigPath): string {
    const text = this.string(value, path);
    const problem = cidrProblem(text);
    if (problem !== undefined) this.fail(path, `${label(path)} must be an IPv4 or IPv6 address or CIDR (got '${text}'): ${problem}`);
    return text;
  }

  cidrList(value: unknown, path: ConfigPath): string[] {
    if (!Array.isArray(value)) this.fail(path, `${label(path)} must be a list of CIDRs`);
    return value.map((v, i) => this.cidr(v, [...path, i]));
  }

  /** A secret given inline, as `{ env: NAME }` or as `{ file: path }` (one line, trailing newline dropped). */
  secret(value: unknown, path: ConfigPath): string {
    if (typeof value === 'string') return value;
    const obj = this.object(value, path, ['env', 'file']);
    if (obj.env !== undefined) {
      const name = this.string(obj.env, [...path, 'env']);
      const secret = process.env[name];
      if (secret === undefined) this.fail([...path, 'env'], `environment variable ${name} is not set`);
      return secret;
    }
    if (obj.file !== undefined) return fs.readFileSync(this.file(obj.file, [...path, 'file']), 'utf8').replace(/\r?\n$/, '');
    return this.fail(path, `${label(path)} must be a string, { env: NAME } or { file: path }`);
  }
}

export function label(path: ConfigPath): string {
  return path.length === 0
    ? 'the configuration'
    : path
        .map((p) => (typeof p === 'number' ? `[${p}]` : p))
        .join('.')
        .replace(/\.\[/g, '[');
}
