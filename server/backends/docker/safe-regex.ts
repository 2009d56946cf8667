import { RE2JS, RE2JSException, RE2JSSyntaxException } from 're2js';

/**
 * Regular expressions for searching logs, matched in time linear in the line length, on re2js (a
 * pure-JavaScript port of RE2).
 *
 * Why not RegExp: V8 backtracks, and a pattern a model writes in good faith can take seconds per
 * line (`.*.*x` on one 4 KB line of "a": 20 s, measured), while the event loop serves every other
 * client. Log lines can also come from strangers (a web server logs request paths). RE2 runs a DFA
 * (an NFA when the DFA's memory runs out): O(program × line) at worst, and lines are at most
 * MAX_LINE_BYTES long, so a line costs a bounded time whatever the pattern.
 *
 * Syntax: RE2's (https://github.com/google/re2/wiki/Syntax), which shares most of JavaScript's:
 * classes, `\d \w \s \b`, anchors, groups `(?:…)` `(?<name>…)`, alternation, greedy and lazy
 * quantifiers; also `\p{L}`-style Unicode classes, `[[:alpha:]]`, `\x{…}`, `\Q…\E` and inline flags
 * such as `(?i)`. Matching is by code point, and case-insensitive mode uses Unicode case folding.
 * Refused with a plain message: backreferences and lookaround (RE2 has neither; re2js's optional
 * lookbehinds are not enabled),
 * patterns over REGEX_MAX_LENGTH characters, and patterns whose compiled program (counted
 * repetitions expanded) exceeds MAX_PROGRAM instructions. RE2 itself refuses counts over 1000,
 * also nested ones whose product is over 1000, such as `(a{100}){100}`.
 */

export const REGEX_MAX_LENGTH = 200;
/**
 * Largest compiled program accepted. Matching costs O(program × line) and lines are at most 4 KB:
 * at 1000 instructions the worst line measured about 30 ms (`(.{0,500})[^a]`, case-sensitive, on
 * 4096 × "a"), so with log-stream.ts yielding between lines the event loop is never held for long.
 */
const MAX_PROGRAM = 1000;

/** A pattern we cannot or will not run; the message says why, for the model to fix the pattern. */
export class SafeRegexError extends Error {
  override readonly name = 'SafeRegexError';
}

/** A compiled pattern. `test` runs in O(pattern × line) time. */
export class SafeRegex {
  private readonly re: RE2JS;
  /** re2js's compile flags, so another thread can compile the same pattern (regex-worker.ts). */
  readonly flags: number;

  constructor(
    readonly source: string,
    ignoreCase: boolean,
  ) {
    this.flags = ignoreCase ? RE2JS.CASE_INSENSITIVE : 0;
    if (source.length > REGEX_MAX_LENGTH)
      throw new SafeRegexError(
        `the pattern is ${source.length} characters long; at most ${REGEX_MAX_LENGTH} are allowed`,
      );
    const scan = scanPattern(source);
    if (scan.refusal) throw new SafeRegexError(scan.refusal);
    try {
      this.re = RE2JS.compile(source, this.flags);
    } catch (err) {
      if (err instanceof RE2JSSyntaxException) throw new SafeRegexError(describeSyntaxError(err, scan));
      if (err instanceof RE2JSException)
        throw new SafeRegexError(`the pattern cannot be compiled (${err.message})`);
      throw err;
    }
    const size = this.re.programSize();
    if (size > MAX_PROGRAM) {
      throw new SafeRegexError(
        `the pattern is too large once its repetitions are expanded (${size} steps, at most ${MAX_PROGRAM}); use smaller {n,m} counts`,
      );
    }
  }

  test(line: string): boolean {
    return this.re.test(line);
  }
}

interface Scan {
  /** Why the pattern is refused outright (a construct RE2 lacks), with its position. */
  refusal?: string;
  /** 1-based position of a "(" left open, of the first ")" that closes nothing, of a "[" left open. */
  openParen?: number;
  strayParen?: number;
  openClass?: number;
}

/**
 * One pass over the pattern with RE2's lexical rules (escapes, `\Q…\E`, classes with a leading `]`
 * and `[:name:]`), to refuse backreferences and lookaround by name — RE2 would call `\1` an invalid
 * escape and silently read `\12` as an octal escape — and to find where parentheses and brackets
 * go unbalanced, which RE2's errors do not say.
 */
function scanPattern(src: string): Scan {
  const opens: number[] = [];
  let strayParen: number | undefined;
  for (let i = 0; i < src.length;) {
    const c = src[i];
    if (c === '\\') {
      const next = src[i + 1] ?? '';
      if (next === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        i = end < 0 ? src.length : end + 2;
        continue;
      }
      const ref = /^[1-9]\d*/.exec(src.slice(i + 1, i + 4));
      if (ref) return { refusal: `backreferences (\\${ref[0]}) are not supported` };
      if (next === 'k' && src[i + 2] === '<')
        return { refusal: 'backreferences (\\k<name>) are not supported' };
      i += 2;
    } else if (c === '[') {
      const end = classEnd(src, i);
      if (end < 0) return { openParen: opens.at(-1), strayParen, openClass: i + 1 };
      i = end;
    } else if (c === '(') {
      if (/^\(\?(=|!|<=|<!)/.test(src.slice(i, i + 4))) {
        return { refusal: 'lookahead and lookbehind are not supported' };
      }
      if (src.startsWith('(?P=', i)) return { refusal: 'backreferences ((?P=name)) are not supported' };
      opens.push(i + 1);
      i++;
    } else {
      if (c === ')' && opens.pop() === undefined) strayParen ??= i + 1;
      i++;
    }
  }
  return { openParen: opens.at(-1), strayParen };
}

/** Index just past the class starting at `start`, or -1 when it is not closed. */
function classEnd(src: string, start: number): number {
  let j = start + 1;
  if (src[j] === '^') j++;
  if (src[j] === ']') j++;
  while (j < src.length) {
    if (src[j] === '\\') j += 2;
    else if (src.startsWith('[:', j) && src.indexOf(':]', j + 2) >= 0) j = src.indexOf(':]', j + 2) + 2;
    else if (src[j] === ']') return j + 1;
    else j++;
  }
  return -1;
}

/** Escapes that are valid, but not where RE2 found them: a class as a range end, an assertion in a class. */
const CLASS_ESCAPES = new Set(['\\d', '\\D', '\\w', '\\W', '\\s', '\\S', '\\p', '\\P']);
const ASSERTION_ESCAPES = new Set(['\\b', '\\B', '\\A', '\\z']);

/** RE2's terse error ("error parsing regexp: missing closing ): `(?i)(ab`") in plain words. */
function describeSyntaxError(err: RE2JSSyntaxException, scan: Scan): string {
  const frag = err.input ?? '';
  const at = (pos: number | undefined) => (pos === undefined ? '' : ` at position ${pos}`);
  switch (err.error) {
    case 'missing closing )':
      return `unterminated group: the "("${at(scan.openParen)} has no matching ")"`;
    case 'unexpected )':
      return `unmatched ")"${at(scan.strayParen)}`;
    case 'missing closing ]':
      return `unterminated class: the "["${at(scan.openClass)} has no matching "]"`;
    case 'trailing backslash at end of expression':
      return 'the pattern ends with a lone "\\"';
    case 'invalid nested repetition operator':
      return `a quantifier cannot follow another quantifier ("${frag}"); only a single "?" may follow one, to make it lazy`;
    case 'missing argument to repetition operator':
      return `nothing to repeat: "${frag}" follows nothing (at the start, after "(" or after "|")`;
    case 'invalid repeat count': {
      const m = /^\{(\d+)(?:,(\d*))?\}$/.exec(frag);
      const min = Number(m?.[1]);
      const max = m?.[2] ? Number(m[2]) : min;
      if (min > 1000 || max > 1000) return `repetition count over 1000 in "${frag}"`;
      if (max < min) return `numbers out of order in "${frag}"`;
      return `the pattern is too large once its repetitions are expanded: "${frag}" repeats something that already repeats, and the counts multiply past 1000; use smaller {n,m} counts`;
    }
    case 'invalid escape sequence':
      if (frag === '\\u')
        return 'unsupported escape "\\u": write a character by its code as \\x{00e9} (or \\xe9), or type the character itself';
      if (CLASS_ESCAPES.has(frag)) return `"${frag}" cannot be the end of a range in [...]`;
      if (ASSERTION_ESCAPES.has(frag))
        return `"${frag}" matches a position, not a character, so it cannot be used inside [...] (for a backspace write \\x08)`;
      return `unsupported escape "${frag}"`;
    case 'invalid character class range':
      if (/^\\[pP]|^\[:/.test(frag)) return `unknown character class "${frag}"`;
      return /^.-.$/u.test(frag)
        ? `range out of order in class: "${frag}"`
        : `invalid range in class: "${frag}"`;
    case 'invalid or unsupported Perl syntax':
      return `unsupported group or flag syntax "${frag}"; groups are (...), (?:...), (?<name>...) or (?P<name>...), flags (?i) (?s) (?m) (?U)`;
    case 'invalid named capture':
      return `invalid group name in "${frag}"; names are letters, digits and _`;
    case 'duplicate capture group name':
      return `the group name "${frag}" is used twice`;
    case 'expression nests too deeply':
      return 'groups or repetitions are nested too deeply';
    case 'expression too large':
      return 'the pattern is too large once its repetitions are expanded; use smaller {n,m} counts';
    default:
      return frag ? `${err.error}: "${frag}"` : err.error;
  }
}
