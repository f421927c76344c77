// `ssl.principal.mapping.rules` (KIP-371, spec §5.1) with Kafka's exact parsing and evaluation:
// the same rule splitter and parser expressions, entire-DN matching, replace-all with Java replacement
// semantics, and Kafka's treatment of back-references to groups that do not exist.

import { compileJavaRegex, javaMatches, javaReplace, JavaRegexError, type JavaPattern } from './java-regex.ts';

/** The configuration is invalid (the broker would refuse to start). */
export class InvalidSslMappingRulesError extends Error {}

/** No rule produced a name: the connection must be refused. */
export class NoMatchingSslRuleError extends Error {}

// Kafka's expressions (SslPrincipalMapper), with Java's \s spelt out (JavaScript's \s is wider).
const WS = '[ \\t\\n\\x0B\\f\\r]';
const RULE_PATTERN = String.raw`(DEFAULT)|RULE:((\\.|[^\\/])*)/((\\.|[^\\/])*)/([LU]?).*?|(.*?)`;
const RULE_SPLITTER = new RegExp(`${WS}*(${RULE_PATTERN})${WS}*(,${WS}*|$)`, 'g');
const RULE_PARSER = new RegExp(RULE_PATTERN, 'y');

export type SslMappingRule =
  | { readonly kind: 'default' }
  | {
      readonly kind: 'rule';
      readonly pattern: JavaPattern;
      readonly replacement: string;
      readonly toLowerCase: boolean;
      readonly toUpperCase: boolean;
    };

/** Java's String.trim(): strips code units <= U+0020 at both ends. */
function javaTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 0x20) a++;
  while (b > a && s.charCodeAt(b - 1) <= 0x20) b--;
  return s.slice(a, b);
}

/** Splits the configuration string into rule texts the way Kafka does (commas inside patterns survive). */
export function splitSslMappingRules(rules: string): string[] {
  return [...javaTrim(rules).matchAll(RULE_SPLITTER)].map((m) => m[1]);
}

function parseRule(text: string): SslMappingRule | undefined {
  RULE_PARSER.lastIndex = 0;
  const m = RULE_PARSER.exec(text);
  if (!m) throw new InvalidSslMappingRulesError(`Invalid rule: ${text}`);
  if (m[0].length !== text.length) {
    throw new InvalidSslMappingRulesError(`Invalid rule: \`${text}\`, unmatched substring: \`${text.slice(m[0].length)}\``);
  }
  if (m[1] !== undefined) return { kind: 'default' };
  if (m[2] === undefined) return undefined; // empty rules are ignored
  let pattern: JavaPattern;
  try {
    pattern = compileJavaRegex(m[2]);
  } catch (e) {
    throw new InvalidSslMappingRulesError(`Invalid rule: \`${text}\`: ${(e as Error).message}`);
  }
  return { kind: 'rule', pattern, replacement: m[4], toLowerCase: m[6] === 'L', toUpperCase: m[6] === 'U' };
}

/**
 * Kafka's escapeLiteralBackReferences: a `$n` naming a group beyond the pattern's count is shortened digit
 * by digit (`$12` with 3 groups → group 1 then `2`), and when even one digit is too many the `$` is escaped
 * so it stays literal (`$4` with 3 groups → `$4`). Positions come from the original string, as in Kafka.
 */
function escapeLiteralBackReferences(unescaped: string, groupCount: number): string {
  if (groupCount === 0) return unescaped;
  let value = unescaped;
  for (const m of unescaped.matchAll(/\$(\d+)/g)) {
    const digits = m[1];
    if (digits.startsWith('0')) continue;
    let index = Number(digits);
    while (index > groupCount && index >= 10) index = Math.floor(index / 10);
    if (index > groupCount) {
      const groupStart = m.index + 1;
      value = `${value.slice(0, groupStart - 1)}\\${value.slice(groupStart - 1)}`;
    }
  }
  return value;
}

function ruleToString(rule: SslMappingRule): string {
  if (rule.kind === 'default') return 'DEFAULT';
  return `RULE:${rule.pattern.java}/${rule.replacement}${rule.toLowerCase ? '/L' : rule.toUpperCase ? '/U' : ''}`;
}

/** Applies one rule; undefined when it does not apply. */
function applyRule(rule: SslMappingRule, dn: string): string | undefined {
  if (rule.kind === 'default') return dn;
  if (!javaMatches(rule.pattern, dn)) return undefined;
  let result: string;
  try {
    result = javaReplace(dn, rule.pattern, escapeLiteralBackReferences(rule.replacement, rule.pattern.groupCount), true);
  } catch (e) {
    if (e instanceof JavaRegexError) throw new NoMatchingSslRuleError(`rule ${ruleToString(rule)} failed on ${dn}: ${e.message}`);
    throw e;
  }
  // Locale.ENGLISH case mapping is the locale-independent Unicode mapping JavaScript uses.
  if (rule.toLowerCase) return result.toLowerCase();
  if (rule.toUpperCase) return result.toUpperCase();
  return result;
}

export class SslPrincipalMapper {
  private constructor(readonly rules: readonly SslMappingRule[]) {}

  /** `rules` is the configuration string; undefined/null means the default, `DEFAULT`. */
  static fromRules(rules?: string | null): SslPrincipalMapper {
    const parsed: SslMappingRule[] = [];
    for (const text of splitSslMappingRules(rules ?? 'DEFAULT')) {
      const rule = parseRule(text);
      if (rule) parsed.push(rule);
    }
    return new SslPrincipalMapper(parsed);
  }

  /** The principal name for an RFC 2253 DN; throws NoMatchingSslRuleError when no rule applies. */
  getName(distinguishedName: string): string {
    for (const rule of this.rules) {
      const name = applyRule(rule, distinguishedName);
      if (name !== undefined) return name;
    }
    throw new NoMatchingSslRuleError(`No rules apply to ${distinguishedName}, rules [${this.rules.map(ruleToString).join(', ')}]`);
  }

  /** Like getName, but undefined instead of an exception. */
  tryGetName(distinguishedName: string): string | undefined {
    try {
      return this.getName(distinguishedName);
    } catch (e) {
      if (e instanceof NoMatchingSslRuleError) return undefined;
      throw e;
    }
  }

  toString(): string {
    return `SslPrincipalMapper(rules = [${this.rules.map(ruleToString).join(', ')}])`;
  }
}
