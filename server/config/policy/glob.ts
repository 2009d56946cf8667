/**
 * Glob patterns for container and VM names, parsed into a form that matches in linear-ish time.
 *
 * Syntax (close to fnmatch without FNM_PATHNAME, which is what owners know from the shell):
 *   `*` any run of characters (also none) · `?` exactly one character · `[abc]` `[a-z]` one of ·
 *   `[!x]` / `[^x]` one character not in the class · `\x` the character x itself (so `\[` is a "[").
 *   A `]` first in a class and a `-` first or last in a class are literal.
 * Matching is against the whole name, case-sensitive (Docker and libvirt names are case-sensitive:
 * "Plex" and "plex" are two containers), by Unicode code point, after NFC normalisation of both
 * pattern and name (so "Büro-PC" typed on a Mac matches the same VM name typed elsewhere).
 *
 * Patterns are matched by our own matcher, not RegExp: a name comes from whoever created the
 * container, and a backtracking regex for `*a*a*a*…` could be made to take exponential time on it.
 * The matcher below is O(pattern × name) in the worst case.
 */

export const GLOB_MAX_LENGTH = 255;

/** One position of a compiled pattern. */
export type GlobToken =
  | { t: 'lit'; cp: number }
  | { t: 'any' }
  | { t: 'star' }
  | { t: 'class'; negated: boolean; ranges: ReadonlyArray<readonly [number, number]> };

export interface ParsedGlob {
  /** The pattern as the owner wrote it (for messages and rule names). */
  source: string;
  /** Set when the pattern has no wildcard: the NFC name it stands for. */
  literal: string | null;
  tokens: GlobToken[];
  /** Literal code points before the first wildcard / after the last one (for indexing). */
  prefix: string;
  suffix: string;
  /** The longest run of literal characters anywhere (for indexing patterns like `*abc*`). */
  longestRun: string;
}

/** A pattern the owner must fix; the message quotes the pattern. */
export class GlobSyntaxError extends Error {
  override readonly name = 'GlobSyntaxError';
}

const q = (s: string) => JSON.stringify(s);
const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const INVISIBLE = /\p{Cf}/u;

/** Validates and compiles one pattern; throws GlobSyntaxError with a message naming the problem. */
export function parseGlob(source: string): ParsedGlob {
  if (source.length === 0) throw new GlobSyntaxError('is empty (use "*" to match every name)');
  const text = source.normalize('NFC');
  const cps = Array.from(text);
  if (cps.length > GLOB_MAX_LENGTH) {
    throw new GlobSyntaxError(
      `is ${cps.length} characters long; at most ${GLOB_MAX_LENGTH} are allowed (${q(cps.slice(0, 20).join('') + '…')})`,
    );
  }
  const control = CONTROL.exec(text);
  if (control)
    throw new GlobSyntaxError(
      `contains the control character ${hex(control[0].codePointAt(0) as number)} in ${q(source)}`,
    );
  const invisible = INVISIBLE.exec(text);
  if (invisible)
    throw new GlobSyntaxError(
      `contains the invisible character ${hex(invisible[0].codePointAt(0) as number)} in ${q(source)}; retype the pattern`,
    );
  if (text.includes('/'))
    throw new GlobSyntaxError(`contains "/", which container and VM names cannot hold, in ${q(source)}`);
  if (/^\s|\s$/u.test(text))
    throw new GlobSyntaxError(`starts or ends with a space in ${q(source)}; names do not, so remove it`);

  const tokens: GlobToken[] = [];
  let i = 0;
  while (i < cps.length) {
    const c = cps[i] as string;
    if (c === '\\') {
      const next = cps[i + 1];
      if (next === undefined)
        throw new GlobSyntaxError(`ends with an unfinished escape "\\" in ${q(source)}`);
      tokens.push({ t: 'lit', cp: next.codePointAt(0) as number });
      i += 2;
    } else if (c === '*') {
      if (tokens.at(-1)?.t !== 'star') tokens.push({ t: 'star' });
      i++;
    } else if (c === '?') {
      tokens.push({ t: 'any' });
      i++;
    } else if (c === '[') {
      i = parseClass(cps, i, source, tokens);
    } else if (c === ']') {
      throw new GlobSyntaxError(
        `has "]" without an opening "[" in ${q(source)} (write "\\]" for the character itself)`,
      );
    } else {
      tokens.push({ t: 'lit', cp: c.codePointAt(0) as number });
      i++;
    }
  }

  const runs: string[] = [];
  let run = '';
  for (const tok of tokens) {
    if (tok.t === 'lit') run += String.fromCodePoint(tok.cp);
    else {
      runs.push(run);
      run = '';
    }
  }
  runs.push(run);
  const isLiteral = runs.length === 1;
  return {
    source,
    literal: isLiteral ? (runs[0] as string) : null,
    tokens,
    prefix: runs[0] as string,
    suffix: runs.at(-1) as string,
    longestRun: runs.reduce((a, b) => (Array.from(b).length > Array.from(a).length ? b : a), ''),
  };
}

/** Parses `[...]` starting at cps[start] === '['; returns the index after the closing `]`. */
function parseClass(cps: string[], start: number, source: string, out: GlobToken[]): number {
  let i = start + 1;
  let negated = false;
  if (cps[i] === '!' || cps[i] === '^') {
    negated = true;
    i++;
  }
  const ranges: Array<[number, number]> = [];
  let first = true;
  const readChar = (): number => {
    let c = cps[i];
    if (c === '\\') {
      i++;
      c = cps[i];
      if (c === undefined) throw new GlobSyntaxError(`unclosed "[" in ${q(source)}`);
    }
    i++;
    return (c as string).codePointAt(0) as number;
  };
  for (;;) {
    const c = cps[i];
    if (c === undefined) throw new GlobSyntaxError(`unclosed "[" in ${q(source)}`);
    if (c === ']' && !first) break;
    first = false;
    const lo = readChar();
    if (cps[i] === '-' && cps[i + 1] !== undefined && cps[i + 1] !== ']') {
      i++;
      const hi = readChar();
      if (hi < lo) {
        throw new GlobSyntaxError(
          `range "${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}" is backwards in ${q(source)} (write "${String.fromCodePoint(hi)}-${String.fromCodePoint(lo)}")`,
        );
      }
      ranges.push([lo, hi]);
    } else {
      ranges.push([lo, lo]);
    }
  }
  out.push({ t: 'class', negated, ranges });
  return i + 1;
}

function tokenMatches(tok: GlobToken, cp: number): boolean {
  switch (tok.t) {
    case 'lit':
      return tok.cp === cp;
    case 'any':
      return true;
    case 'class': {
      let inside = false;
      for (const [lo, hi] of tok.ranges) {
        if (cp >= lo && cp <= hi) {
          inside = true;
          break;
        }
      }
      return inside !== tok.negated;
    }
    case 'star':
      return false;
  }
}

/**
 * Whole-name match of compiled tokens against a name given as code points. Greedy with one
 * backtrack point per star (the classic wildcard algorithm): no exponential blow-up.
 */
export function matchTokens(tokens: ReadonlyArray<GlobToken>, name: ReadonlyArray<number>): boolean {
  let p = 0;
  let n = 0;
  let starP = -1;
  let starN = 0;
  while (n < name.length) {
    const tok = tokens[p];
    if (tok !== undefined && tok.t === 'star') {
      starP = p++;
      starN = n;
    } else if (tok !== undefined && tokenMatches(tok, name[n] as number)) {
      p++;
      n++;
    } else if (starP >= 0) {
      p = starP + 1;
      n = ++starN;
    } else {
      return false;
    }
  }
  while (tokens[p]?.t === 'star') p++;
  return p === tokens.length;
}

/** Code points of a string, as numbers. */
export function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0) as number);
  return out;
}
