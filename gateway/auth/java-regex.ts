// Java regular expressions and replacement strings, as far as Kafka's principal rules need them.
//
// The common subset of java.util.regex is translated to an equivalent JavaScript RegExp (non-unicode mode,
// which like Java accepts a backslash before any punctuation). Constructs with no JavaScript equivalent
// (possessive quantifiers, atomic groups, class intersections/nesting, inline flags other than a leading
// (?i)/(?s)/(?m), \p{…} other than the POSIX ASCII classes) are refused with a clear error rather than
// silently changing meaning. Replacement strings follow Matcher.appendReplacement exactly.

export class JavaRegexError extends Error {}

export interface JavaPattern {
  /** The pattern as written (Java syntax). */
  readonly java: string;
  /** The translated JavaScript source and flags (no 'g'). */
  readonly source: string;
  readonly flags: string;
  readonly groupCount: number;
  readonly groupNames: ReadonlyMap<string, number>;
}

const LINE_TERMINATOR = '\\n\\r\\u0085\\u2028\\u2029';
const POSIX: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
};
const HORIZONTAL_SPACE = ' \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000';
const VERTICAL_SPACE = '\\n\\x0B\\f\\r\\x85\\u2028\\u2029';

function escapeLiteral(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}

function hexEscape(code: number): string {
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  const c = code - 0x10000;
  return `\\u${(0xd800 + (c >> 10)).toString(16)}\\u${(0xdc00 + (c & 0x3ff)).toString(16)}`;
}

/** Translates a Java pattern; throws JavaRegexError for what it cannot express faithfully. */
export function compileJavaRegex(java: string): JavaPattern {
  let flags = '';
  let i = 0;
  // A leading inline flag group applies to the whole pattern, like a RegExp flag.
  const lead = /^\(\?([ism]+)\)/.exec(java);
  if (lead) {
    flags = [...new Set(lead[1])].sort().join('');
    i = lead[0].length;
  }
  const dotAll = flags.includes('s');
  const multiline = flags.includes('m');
  const unsupported = (what: string): never => {
    throw new JavaRegexError(`unsupported Java regex construct ${what} in '${java}'`);
  };
  let out = '';
  let inClass = false;
  let classStart = false;
  let quantified = false; // the previous token was a quantifier (for possessive detection)

  while (i < java.length) {
    const ch = java[i];
    if (ch === '\\') {
      const next = java[i + 1];
      if (next === undefined) throw new JavaRegexError(`unexpected trailing backslash in '${java}'`);
      i += 2;
      quantified = false;
      classStart = false;
      switch (next) {
        case 'Q': {
          const end = java.indexOf('\\E', i);
          const literal = java.slice(i, end < 0 ? java.length : end);
          out += [...literal].map(escapeLiteral).join('');
          i = end < 0 ? java.length : end + 2;
          continue;
        }
        case 'A':
          if (inClass) unsupported('\\A in a class');
          out += '(?<![\\s\\S])';
          continue;
        case 'z':
          if (inClass) unsupported('\\z in a class');
          out += '(?![\\s\\S])';
          continue;
        case 'Z':
          if (inClass) unsupported('\\Z in a class');
          out += `(?=(?:\\r\\n|[${LINE_TERMINATOR}])?(?![\\s\\S]))`;
          continue;
        case 'h':
          out += inClass ? HORIZONTAL_SPACE : `[${HORIZONTAL_SPACE}]`;
          continue;
        case 'v':
          out += inClass ? VERTICAL_SPACE : `[${VERTICAL_SPACE}]`;
          continue;
        case 'H':
        case 'V':
        case 'R':
        case 'X':
        case 'G':
        case 'K':
        case 'N':
          unsupported(`\\${next}`);
          break;
        case 'a':
          out += '\\x07';
          continue;
        case 'e':
          out += '\\x1B';
          continue;
        case 'p':
        case 'P': {
          const m = /^\{(?:Is)?([A-Za-z]+)\}/.exec(java.slice(i)) ?? (/^[A-Za-z]/.test(java[i] ?? '') ? [java[i], java[i]] : null);
          const range = m ? POSIX[m[1]] : undefined;
          if (!m || range === undefined) unsupported(`\\${next}${m ? m[0] : ''}`);
          i += m![0].length;
          if (next === 'p') out += inClass ? range : `[${range}]`;
          else if (inClass) unsupported('\\P inside a class');
          else out += `[^${range}]`;
          continue;
        }
        case 'x': {
          const m = /^\{([0-9a-fA-F]+)\}/.exec(java.slice(i));
          if (m) {
            i += m[0].length;
            out += hexEscape(parseInt(m[1], 16));
          } else out += '\\x';
          continue;
        }
        case '0': {
          const m = /^[0-3]?[0-7]{1,2}/.exec(java.slice(i)) ?? unsupported('\\0 without an octal digit');
          i += m[0].length;
          out += hexEscape(parseInt(m[0], 8));
          continue;
        }
        default:
          out += `\\${next}`;
          continue;
      }
    }
    if (inClass) {
      if (ch === '[') unsupported('a nested character class');
      if (ch === '&' && java[i + 1] === '&') unsupported('a class intersection (&&)');
      if (ch === ']' && !classStart) inClass = false;
      if (ch === ']' && classStart) unsupported('an empty character class');
      classStart = false;
      out += ch === '/' ? '\\/' : ch;
      i += 1;
      continue;
    }
    switch (ch) {
      case '[':
        inClass = true;
        classStart = true;
        out += '[';
        i += 1;
        if (java[i] === '^') {
          out += '^';
          i += 1;
        }
        quantified = false;
        continue;
      case '(':
        if (java[i + 1] === '?') {
          const rest = java.slice(i + 2);
          if (!/^(?::|=|!|<=|<!|<[A-Za-z][A-Za-z0-9]*>)/.test(rest)) unsupported(`(?${rest.slice(0, 2)}…`);
        }
        out += '(';
        i += 1;
        quantified = false;
        continue;
      case '*':
      case '+':
      case '?':
        if (quantified && ch === '+') unsupported('a possessive quantifier');
        out += ch;
        i += 1;
        // '?' after a quantifier makes it lazy; a further '+' would then be an error in Java anyway.
        quantified = !(quantified && ch === '?');
        continue;
      case '{': {
        const m = /^\{\d+(?:,\d*)?\}/.exec(java.slice(i));
        if (!m) throw new JavaRegexError(`illegal repetition near index ${i} in '${java}'`);
        out += m[0];
        i += m[0].length;
        quantified = true;
        continue;
      }
      case '.':
        out += dotAll ? '[\\s\\S]' : `[^${LINE_TERMINATOR}]`;
        break;
      case '$':
        // Java's $ also matches before a final line terminator (without MULTILINE).
        out += multiline ? '$' : `(?=(?:\\r\\n|[${LINE_TERMINATOR}])?(?![\\s\\S]))`;
        break;
      case '/':
        out += '\\/';
        break;
      default:
        out += ch;
    }
    i += 1;
    quantified = false;
  }
  if (inClass) throw new JavaRegexError(`unclosed character class in '${java}'`);

  let probe: RegExpExecArray | null;
  try {
    probe = new RegExp(`${out}|`, flags).exec('');
  } catch (e) {
    throw new JavaRegexError(`invalid regex '${java}': ${(e as Error).message}`);
  }
  // Named groups are numbered with the others, left to right, in both languages.
  const groupNames = new Map<string, number>();
  let n = 0;
  for (const m of out.matchAll(/\\[\s\S]|\[(?:\\[\s\S]|[^\]\\])*\]|\((?:\?<([A-Za-z][A-Za-z0-9]*)>|(?!\?))/g)) {
    if (!m[0].startsWith('(')) continue;
    n += 1;
    if (m[1] !== undefined) groupNames.set(m[1], n);
  }
  return { java, source: out, flags, groupCount: probe!.length - 1, groupNames };
}

/** The translated pattern anchored to match the whole input, as Matcher.matches() does. */
export function entireMatch(p: JavaPattern): RegExp {
  return new RegExp(`^(?:${p.source})(?![\\s\\S])`, p.flags);
}

/** Java's Matcher.matches(). */
export function javaMatches(p: JavaPattern, input: string): boolean {
  return entireMatch(p).test(input);
}

/** Matcher.appendReplacement's expansion of one match: `$n` (greedy while a group exists), `${name}`, `\x`. */
export function expandJavaReplacement(replacement: string, p: JavaPattern, match: RegExpExecArray): string {
  let out = '';
  let i = 0;
  while (i < replacement.length) {
    const ch = replacement[i];
    if (ch === '\\') {
      i += 1;
      if (i === replacement.length) throw new JavaRegexError('character to be escaped is missing');
      out += replacement[i];
      i += 1;
    } else if (ch === '$') {
      i += 1;
      if (i === replacement.length) throw new JavaRegexError('Illegal group reference: group index is missing');
      let group: number;
      if (replacement[i] === '{') {
        const end = replacement.indexOf('}', i);
        const name = replacement.slice(i + 1, end);
        if (end < 0 || !/^[A-Za-z][A-Za-z0-9]*$/.test(name))
          throw new JavaRegexError("named capturing group is missing trailing '}' or has an invalid name");
        const n = p.groupNames.get(name);
        if (n === undefined) throw new JavaRegexError(`No group with name {${name}}`);
        group = n;
        i = end + 1;
      } else {
        const d = replacement.charCodeAt(i) - 48;
        if (d < 0 || d > 9) throw new JavaRegexError('Illegal group reference');
        group = d;
        i += 1;
        while (i < replacement.length) {
          const nd = replacement.charCodeAt(i) - 48;
          if (nd < 0 || nd > 9) break;
          const candidate = group * 10 + nd;
          if (candidate > p.groupCount) break;
          group = candidate;
          i += 1;
        }
        if (group > p.groupCount) throw new JavaRegexError(`No group ${group}`);
      }
      out += match[group] ?? '';
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

/** String.replaceAll / replaceFirst with Java semantics (empty matches advance by one character). */
export function javaReplace(input: string, p: JavaPattern, replacement: string, all: boolean): string {
  const re = new RegExp(p.source, `${p.flags}g`);
  let out = '';
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(input)) !== null) {
    out += input.slice(last, m.index) + expandJavaReplacement(replacement, p, m);
    last = m.index + m[0].length;
    if (!all) break;
    if (m[0].length === 0) re.lastIndex += 1;
  }
  return out + input.slice(last);
}
