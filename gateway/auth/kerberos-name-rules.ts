// `sasl.kerberos.principal.to.local.rules` (MIT auth_to_local style, spec §5.2), following Kafka's
// KerberosName / KerberosShortNamer / KerberosRule: same name parser, rule parser, parameter substitution,
// Java regex matching and sed-style substitution, non-simple result check and /L, /U.

import { compileJavaRegex, javaMatches, javaReplace, JavaRegexError, type JavaPattern } from './java-regex.ts';

/** The rule list is invalid (the broker would refuse the configuration). */
export class InvalidKerberosRulesError extends Error {}

/** The name is not of the form `primary[/instance]@REALM` (nor a short name without `@`). */
export class MalformedKerberosNameError extends Error {}

/** No rule applies, a rule produced a non-simple name, or a rule's format is bad at evaluation. */
export class NoMatchingKerberosRuleError extends Error {}

const NAME_PARSER = /^([^/@]*)(?:\/([^/@]*))?@([^/@]*)$/;

export class KerberosName {
  constructor(
    /** The first component (primary). */
    readonly serviceName: string,
    /** The second component (instance), if any. */
    readonly hostName: string | undefined,
    readonly realm: string | undefined,
  ) {}

  /** `primary[/instance]@REALM`; a name without `@` is already short and parsed as just a primary. */
  static parse(principalName: string): KerberosName {
    const m = NAME_PARSER.exec(principalName);
    if (!m) {
      if (principalName.includes('@')) throw new MalformedKerberosNameError(`Malformed Kerberos name: ${principalName}`);
      return new KerberosName(principalName, undefined, undefined);
    }
    return new KerberosName(m[1], m[2], m[3]);
  }

  toString(): string {
    return `${this.serviceName}${this.hostName !== undefined ? `/${this.hostName}` : ''}${this.realm !== undefined ? `@${this.realm}` : ''}`;
  }
}

// Kafka's RULE_PARSER (since KIP-309 the /L or /U suffix belongs to RULE only, so `DEFAULT/L` is invalid).
const RULE_PARSER = /((DEFAULT)|((RULE:\[(\d*):([^\]]*)](\(([^)]*)\))?(s\/([^/]*)\/([^/]*)\/(g)?)?\/?(L|U)?)))/y;

type KerberosRule =
  | { readonly kind: 'default'; readonly text: string }
  | {
      readonly kind: 'rule';
      readonly text: string;
      readonly components: number;
      readonly format: string;
      readonly match?: JavaPattern;
      readonly from?: JavaPattern;
      readonly to: string;
      readonly repeat: boolean;
      readonly toLowerCase: boolean;
      readonly toUpperCase: boolean;
    };

function compile(java: string, rule: string): JavaPattern {
  try {
    return compileJavaRegex(java);
  } catch (e) {
    throw new InvalidKerberosRulesError(`Invalid rule: \`${rule}\`: ${(e as Error).message}`);
  }
}

function parseRule(text: string): KerberosRule {
  RULE_PARSER.lastIndex = 0;
  const m = RULE_PARSER.exec(text);
  if (!m) throw new InvalidKerberosRulesError(`Invalid rule: ${text}`);
  if (m[0].length !== text.length) {
    throw new InvalidKerberosRulesError(`Invalid rule: \`${text}\`, unmatched substring: \`${text.slice(m[0].length)}\``);
  }
  if (m[2] !== undefined) return { kind: 'default', text };
  if (!/^\d+$/.test(m[5])) throw new InvalidKerberosRulesError(`Invalid rule: \`${text}\`: the component count is missing`);
  return {
    kind: 'rule',
    text,
    components: Number(m[5]),
    format: m[6],
    match: m[8] !== undefined ? compile(m[8], text) : undefined,
    from: m[10] !== undefined ? compile(m[10], text) : undefined,
    to: m[11] ?? '',
    repeat: m[12] === 'g',
    toLowerCase: m[13] === 'L',
    toUpperCase: m[13] === 'U',
  };
}

/** Kafka's replaceParameters: literal text with `$n` replaced by params[n]; a bad `$…` is an error. */
function replaceParameters(format: string, params: readonly string[]): string {
  let out = '';
  for (const m of format.matchAll(/([^$]*)(\$(\d*))?/g)) {
    if (m[0] === '') break;
    out += m[1];
    if (m[3] !== undefined) {
      if (m[3] === '') throw new NoMatchingKerberosRuleError(`bad format in username mapping in ${format}`);
      const n = Number(m[3]);
      if (n >= params.length) {
        throw new NoMatchingKerberosRuleError(`index ${n} from ${format} is outside of the valid range 0 to ${params.length - 1}`);
      }
      out += params[n];
    }
  }
  return out;
}

function applyRule(rule: KerberosRule, params: readonly string[], defaultRealm: string): string | undefined {
  let result: string | undefined;
  if (rule.kind === 'default') {
    if (defaultRealm === params[0]) result = params[1];
  } else if (params.length - 1 === rule.components) {
    const base = replaceParameters(rule.format, params);
    if (rule.match === undefined || javaMatches(rule.match, base)) {
      try {
        result = rule.from === undefined ? base : javaReplace(base, rule.from, rule.to, rule.repeat);
      } catch (e) {
        if (e instanceof JavaRegexError) throw new NoMatchingKerberosRuleError(`rule ${rule.text} failed: ${e.message}`);
        throw e;
      }
    }
  }
  if (result !== undefined && /[/@]/.test(result)) {
    throw new NoMatchingKerberosRuleError(`Non-simple name ${result} after auth_to_local rule ${rule.text}`);
  }
  if (result !== undefined && rule.kind === 'rule') {
    if (rule.toLowerCase) return result.toLowerCase();
    if (rule.toUpperCase) return result.toUpperCase();
  }
  return result;
}

/** Kafka's LIST config type: split on commas with surrounding whitespace; an all-blank value is empty. */
export function splitKerberosRuleList(value: string): string[] {
  const trimmed = value.trim();
  return trimmed === '' ? [] : trimmed.split(/\s*,\s*/);
}

export class KerberosShortNamer {
  private constructor(
    readonly defaultRealm: string,
    private readonly rules: readonly KerberosRule[],
  ) {}

  /**
   * `rules`: the configuration value (comma-separated string) or an already split list; undefined/null
   * means `DEFAULT`. `defaultRealm` is krb5.conf's default_realm.
   */
  static fromRules(defaultRealm: string, rules?: string | readonly string[] | null): KerberosShortNamer {
    const list = rules === undefined || rules === null ? ['DEFAULT'] : typeof rules === 'string' ? splitKerberosRuleList(rules) : rules;
    return new KerberosShortNamer(defaultRealm, list.map(parseRule));
  }

  /** The short (local) name; throws NoMatchingKerberosRuleError when none applies. */
  shortName(name: KerberosName | string): string {
    const kerberosName = typeof name === 'string' ? KerberosName.parse(name) : name;
    let params: string[];
    if (kerberosName.hostName === undefined) {
      if (kerberosName.realm === undefined) return kerberosName.serviceName;
      params = [kerberosName.realm, kerberosName.serviceName];
    } else {
      params = [kerberosName.realm ?? '', kerberosName.serviceName, kerberosName.hostName];
    }
    for (const rule of this.rules) {
      const result = applyRule(rule, params, this.defaultRealm);
      if (result !== undefined) return result;
    }
    throw new NoMatchingKerberosRuleError(
      `No rules apply to ${kerberosName.toString()}, rules [${this.rules.map((r) => r.text).join(', ')}]`,
    );
  }

  toString(): string {
    return `KerberosShortNamer(principalToLocalRules = [${this.rules.map((r) => r.text).join(', ')}])`;
  }
}
