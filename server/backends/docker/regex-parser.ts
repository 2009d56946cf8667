/**
 * Parser for SafeRegex patterns (see safe-regex.ts for the supported syntax): JavaScript regex syntax
 * into a small AST, refusing what a linear-time matcher cannot run (backreferences, lookaround) with
 * a message naming the construct and its position.
 */

const MAX_COUNT = 1000;
const MAX_DEPTH = 40;

/** A pattern we cannot or will not run; the message says why, for the model to fix the pattern. */
export class SafeRegexError extends Error {
  override readonly name = 'SafeRegexError';
}

export type Range = [number, number];

export interface CharSet {
  ranges: Range[];
  negated: boolean;
}

export type Node =
  | { t: 'set'; set: CharSet; lit: number | null }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number }
  | { t: 'assert'; kind: Assertion };

export type Assertion = 'bol' | 'eol' | 'word' | 'nonword';

const DIGIT: Range[] = [[0x30, 0x39]];
const WORD: Range[] = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
const SPACE: Range[] = [
  [0x09, 0x0d], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a],
  [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff],
];
const LINE_TERMINATORS: Range[] = [[0x0a, 0x0a], [0x0d, 0x0d], [0x2028, 0x2029]];

export function complement(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0xffff) out.push([next, 0xffff]);
  return out;
}

const lit = (cp: number): Node => ({ t: 'set', set: { ranges: [[cp, cp]], negated: false }, lit: cp });
const setNode = (ranges: Range[], negated = false): Node => ({ t: 'set', set: { ranges, negated }, lit: null });

export class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alt();
    if (this.pos < this.src.length) throw new SafeRegexError(`unmatched ")" at position ${this.pos + 1}`);
    return node;
  }

  private peek(offset = 0): string | undefined {
    return this.src[this.pos + offset];
  }

  private alt(): Node {
    const options = [this.seq()];
    while (this.peek() === '|') {
      this.pos++;
      options.push(this.seq());
    }
    return options.length === 1 ? (options[0] as Node) : { t: 'alt', options };
  }

  private seq(): Node {
    const items: Node[] = [];
    while (this.pos < this.src.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom();
      const quantified = this.quantifier(atom);
      if (quantified === atom && atom.t === 'seq') items.push(...atom.items);
      else items.push(quantified);
    }
    return items.length === 1 ? (items[0] as Node) : { t: 'seq', items };
  }

  /** Reads `{n}`, `{n,}` or `{n,m}` at the current position, or returns null (then `{` is a literal). */
  private braces(): { min: number; max: number; length: number } | null {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
    if (!m) return null;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_COUNT || (max !== Infinity && max > MAX_COUNT)) throw new SafeRegexError(`repetition count over ${MAX_COUNT} in "${m[0]}"`);
    if (max < min) throw new SafeRegexError(`numbers out of order in "${m[0]}"`);
    return { min, max, length: m[0].length };
  }

  private quantifier(atom: Node): Node {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const b = this.braces();
      if (!b) return atom;
      [min, max] = [b.min, b.max];
      this.pos += b.length - 1;
    } else return atom;
    this.pos++;
    if (this.peek() === '?') this.pos++;
    if (atom.t === 'assert') throw new SafeRegexError(`nothing to repeat before position ${this.pos}`);
    const next = this.peek();
    if (next === '*' || next === '+' || next === '?' || (next === '{' && this.braces())) {
      throw new SafeRegexError(`a quantifier cannot follow another quantifier (position ${this.pos + 1})`);
    }
    return { t: 'rep', node: atom, min, max };
  }

  private atom(): Node {
    const c = this.src[this.pos] as string;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.charClass();
      case '.':
        this.pos++;
        return setNode(LINE_TERMINATORS, true);
      case '^':
        this.pos++;
        return { t: 'assert', kind: 'bol' };
      case '$':
        this.pos++;
        return { t: 'assert', kind: 'eol' };
      case '\\':
        return this.escape(false) as Node;
      case '*':
      case '+':
      case '?':
        throw new SafeRegexError(`nothing to repeat at position ${this.pos + 1}`);
      case '{':
        if (this.braces()) throw new SafeRegexError(`nothing to repeat at position ${this.pos + 1}`);
        this.pos++;
        return lit(c.charCodeAt(0));
      default:
        this.pos++;
        return lit(c.charCodeAt(0));
    }
  }

  private group(): Node {
    if (++this.depth > MAX_DEPTH) throw new SafeRegexError(`groups nested deeper than ${MAX_DEPTH}`);
    this.pos++;
    if (this.peek() === '?') {
      const rest = this.src.slice(this.pos);
      if (rest.startsWith('?:')) this.pos += 2;
      else if (/^\?<[A-Za-z_$][\w$]*>/.test(rest)) this.pos = this.src.indexOf('>', this.pos) + 1;
      else if (/^\?(=|!|<=|<!)/.test(rest)) throw new SafeRegexError('lookahead and lookbehind are not supported');
      else throw new SafeRegexError(`invalid group at position ${this.pos}`);
    }
    const inner = this.alt();
    if (this.peek() !== ')') throw new SafeRegexError('unterminated group: a "(" has no matching ")"');
    this.pos++;
    this.depth--;
    return inner;
  }

  /** An escape at `\`; inside a class, returns a set or a single code unit. */
  private escape(inClass: boolean): Node | number {
    const c = this.src[this.pos + 1];
    if (c === undefined) throw new SafeRegexError('the pattern ends with a lone "\\"');
    this.pos += 2;
    switch (c) {
      case 'd': return setNode(DIGIT);
      case 'D': return setNode(DIGIT, true);
      case 'w': return setNode(WORD);
      case 'W': return setNode(WORD, true);
      case 's': return setNode(SPACE);
      case 'S': return setNode(SPACE, true);
      case 'b': return inClass ? 0x08 : { t: 'assert', kind: 'word' };
      case 'B':
        if (inClass) throw new SafeRegexError('"\\B" is not valid inside a class');
        return { t: 'assert', kind: 'nonword' };
      case 't': return this.single(0x09, inClass);
      case 'n': return this.single(0x0a, inClass);
      case 'r': return this.single(0x0d, inClass);
      case 'f': return this.single(0x0c, inClass);
      case 'v': return this.single(0x0b, inClass);
      case '0':
        if (/\d/.test(this.peek() ?? '')) throw new SafeRegexError('octal escapes are not supported');
        return this.single(0, inClass);
      case 'x':
      case 'u': {
        const len = c === 'x' ? 2 : 4;
        const hex = this.src.slice(this.pos, this.pos + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new SafeRegexError(`"\\${c}" must be followed by ${len} hex digits`);
        this.pos += len;
        return this.single(parseInt(hex, 16), inClass);
      }
      case 'k':
        throw new SafeRegexError('backreferences (\\k<name>) are not supported');
      case 'p':
      case 'P':
        throw new SafeRegexError('Unicode property escapes (\\p{…}) are not supported');
      default:
        if (/[1-9]/.test(c)) throw new SafeRegexError(`backreferences (\\${c}) are not supported`);
        if (/[A-Za-z0-9]/.test(c)) throw new SafeRegexError(`unsupported escape "\\${c}"`);
        return this.single(c.charCodeAt(0), inClass);
    }
  }

  private single(cp: number, inClass: boolean): Node | number {
    return inClass ? cp : lit(cp);
  }

  private charClass(): Node {
    this.pos++;
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const ranges: Range[] = [];
    const item = (): Range[] | number => {
      if (this.peek() === '\\') {
        const e = this.escape(true);
        if (typeof e === 'number') return e;
        if (e.t !== 'set') throw new SafeRegexError('invalid escape inside a class');
        return e.set.negated ? complement(e.set.ranges) : e.set.ranges;
      }
      return (this.src.charCodeAt(this.pos++));
    };
    for (;;) {
      if (this.pos >= this.src.length) throw new SafeRegexError('unterminated class: a "[" has no matching "]"');
      if (this.peek() === ']') {
        this.pos++;
        break;
      }
      const lo = item();
      if (typeof lo === 'number' && this.peek() === '-' && this.peek(1) !== undefined && this.peek(1) !== ']') {
        this.pos++;
        const hi = item();
        if (typeof hi !== 'number') {
          ranges.push([lo, lo], [0x2d, 0x2d], ...hi);
        } else {
          if (hi < lo) throw new SafeRegexError(`range out of order in class: "${String.fromCharCode(lo)}-${String.fromCharCode(hi)}"`);
          ranges.push([lo, hi]);
        }
      } else if (typeof lo === 'number') ranges.push([lo, lo]);
      else ranges.push(...lo);
    }
    return setNode(ranges, negated);
  }
}

