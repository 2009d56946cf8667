import { complement, Parser, SafeRegexError, type Assertion, type CharSet, type Node, type Range } from './regex-parser.js';

/**
 * Regular expressions for searching logs, matched in time linear in the line length.
 *
 * Why not RegExp: V8 backtracks, and a pattern a model writes in good faith can take seconds per
 * line (`.*.*x` on one 4 KB line of "a": 20 s, measured), while the event loop serves every other
 * client. Log lines can also come from strangers (a web server logs request paths). So patterns are
 * parsed here and run as a Thompson NFA (a Pike VM without captures): O(pattern × line) always.
 *
 * Syntax: JavaScript's, minus what needs backtracking. Supported: literals, `.`, classes `[a-z]`
 * `[^…]`, escapes `\d \w \s \D \W \S \b \B \t \n \r \f \v \0 \xHH \uHHHH` and escaped punctuation,
 * anchors `^ $`, groups `( )` `(?: )` `(?<name> )`, alternation `|`, quantifiers `* + ? {n} {n,}
 * {n,m}` (a trailing lazy `?` is accepted; it changes nothing when only testing for a match).
 * Refused with a message: backreferences, lookaround, Unicode property escapes, more than 200
 * characters, and counted repetitions that expand past the program limit.
 * Case-insensitive mode folds ASCII letters and literal characters (not ranges beyond ASCII).
 */

export const REGEX_MAX_LENGTH = 200;
const MAX_PROGRAM = 5000;

export { SafeRegexError } from './regex-parser.js';

/** A set ready for matching: an ASCII lookup table plus ranges for everything above. */
class CompiledSet {
  private readonly ascii = new Uint8Array(128);
  private readonly high: Range[];
  constructor(set: CharSet, ignoreCase: boolean, literal: number | null) {
    let ranges = set.ranges;
    if (ignoreCase) ranges = foldCase(ranges, literal);
    for (const [lo, hi] of ranges) for (let c = lo; c <= Math.min(hi, 127); c++) this.ascii[c] = 1;
    this.high = ranges.filter(([, hi]) => hi > 127);
    if (set.negated) {
      for (let c = 0; c < 128; c++) this.ascii[c] = this.ascii[c] ? 0 : 1;
      this.high = complement(this.high).filter(([, hi]) => hi > 127);
    }
  }
  has(c: number): boolean {
    if (c < 128) return this.ascii[c] === 1;
    for (const [lo, hi] of this.high) if (c >= lo && c <= hi) return true;
    return false;
  }
}

function foldCase(ranges: Range[], literal: number | null): Range[] {
  const out = [...ranges];
  for (const [lo, hi] of ranges) {
    const a = Math.max(lo, 0x41);
    const b = Math.min(hi, 0x5a);
    if (a <= b) out.push([a + 32, b + 32]);
    const c = Math.max(lo, 0x61);
    const d = Math.min(hi, 0x7a);
    if (c <= d) out.push([c - 32, d - 32]);
  }
  if (literal !== null && literal > 127) {
    for (const v of [String.fromCharCode(literal).toLowerCase(), String.fromCharCode(literal).toUpperCase()]) {
      if (v.length === 1) out.push([v.charCodeAt(0), v.charCodeAt(0)]);
    }
  }
  return out;
}

const CHAR = 0;
const SPLIT = 1;
const JMP = 2;
const ASSERT = 3;
const MATCH = 4;
type Inst =
  | { op: typeof CHAR; set: CompiledSet }
  | { op: typeof SPLIT; x: number; y: number }
  | { op: typeof JMP; x: number }
  | { op: typeof ASSERT; kind: Assertion }
  | { op: typeof MATCH };

function compile(root: Node, ignoreCase: boolean): Inst[] {
  const prog: Inst[] = [];
  const push = (inst: Inst): number => {
    if (prog.length >= MAX_PROGRAM) throw new SafeRegexError('the pattern is too large once its repetitions are expanded; use smaller {n,m} counts');
    prog.push(inst);
    return prog.length - 1;
  };
  const emit = (node: Node): void => {
    switch (node.t) {
      case 'set':
        push({ op: CHAR, set: new CompiledSet(node.set, ignoreCase, node.lit) });
        return;
      case 'assert':
        push({ op: ASSERT, kind: node.kind });
        return;
      case 'seq':
        for (const item of node.items) emit(item);
        return;
      case 'alt': {
        const jumps: number[] = [];
        node.options.forEach((option, i) => {
          if (i < node.options.length - 1) {
            const split = push({ op: SPLIT, x: 0, y: 0 });
            (prog[split] as { x: number }).x = prog.length;
            emit(option);
            jumps.push(push({ op: JMP, x: 0 }));
            (prog[split] as { y: number }).y = prog.length;
          } else emit(option);
        });
        for (const j of jumps) (prog[j] as { x: number }).x = prog.length;
        return;
      }
      case 'rep': {
        for (let i = 0; i < node.min; i++) emit(node.node);
        if (node.max === Infinity) {
          const split = push({ op: SPLIT, x: 0, y: 0 });
          (prog[split] as { x: number }).x = prog.length;
          emit(node.node);
          push({ op: JMP, x: split });
          (prog[split] as { y: number }).y = prog.length;
        } else {
          const splits: number[] = [];
          for (let i = node.min; i < node.max; i++) {
            const split = push({ op: SPLIT, x: 0, y: 0 });
            (prog[split] as { x: number }).x = prog.length;
            splits.push(split);
            emit(node.node);
          }
          for (const s of splits) (prog[s] as { y: number }).y = prog.length;
        }
        return;
      }
    }
  };
  emit(root);
  push({ op: MATCH });
  return prog;
}

/** The longest run of literal ASCII characters every match must contain, for a cheap pre-check. */
function requiredLiteral(root: Node): string {
  const items = root.t === 'seq' ? root.items : [root];
  let best = '';
  let run = '';
  for (const item of items) {
    if (item.t === 'set' && item.lit !== null && item.lit < 128) run += String.fromCharCode(item.lit);
    else {
      if (run.length > best.length) best = run;
      run = '';
    }
  }
  return run.length > best.length ? run : best;
}

const isWordChar = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0x61 && c <= 0x7a);

/** A compiled pattern. `test` runs in O(pattern × line) time and O(pattern) memory. */
export class SafeRegex {
  private readonly prog: Inst[];
  private readonly literal: string;
  private readonly marks: Uint32Array;
  private gen = 0;
  private lists: [Int32Array, Int32Array];
  private readonly stack: Int32Array;

  constructor(
    readonly source: string,
    private readonly ignoreCase: boolean,
  ) {
    if (source.length > REGEX_MAX_LENGTH) throw new SafeRegexError(`the pattern is ${source.length} characters long; at most ${REGEX_MAX_LENGTH} are allowed`);
    const root = new Parser(source).parse();
    this.prog = compile(root, ignoreCase);
    const lit = requiredLiteral(root);
    this.literal = ignoreCase ? lit.toLowerCase() : lit;
    const n = this.prog.length;
    this.marks = new Uint32Array(n);
    this.lists = [new Int32Array(n), new Int32Array(n)];
    this.stack = new Int32Array(n * 2 + 2);
  }

  test(line: string): boolean {
    if (this.literal && !(this.ignoreCase ? line.toLowerCase() : line).includes(this.literal)) return false;
    let [clist, nlist] = this.lists;
    let clen = 0;
    this.nextGen();
    for (let pos = 0; ; pos++) {
      // Unanchored search: a new thread starts at every position (deduplicated by the marks).
      clen = this.add(clist, clen, 0, pos, line);
      if (clen < 0) return true;
      if (pos === line.length) return false;
      const c = line.charCodeAt(pos);
      this.nextGen();
      let nlen = 0;
      for (let i = 0; i < clen; i++) {
        const pc = clist[i] as number;
        const inst = this.prog[pc] as Inst;
        if (inst.op === CHAR && inst.set.has(c)) {
          nlen = this.add(nlist, nlen, pc + 1, pos + 1, line);
          if (nlen < 0) return true;
        }
      }
      [clist, nlist] = [nlist, clist];
      clen = nlen;
    }
  }

  private nextGen(): void {
    if (++this.gen === 0xffffffff) {
      this.marks.fill(0);
      this.gen = 1;
    }
  }

  /** Adds the thread at `start` and everything reachable without consuming input; -1 on a match. */
  private add(list: Int32Array, len: number, start: number, pos: number, line: string): number {
    const { stack, marks, prog, gen } = this;
    let sp = 0;
    stack[sp++] = start;
    while (sp > 0) {
      const pc = stack[--sp] as number;
      if (marks[pc] === gen) continue;
      marks[pc] = gen;
      const inst = prog[pc] as Inst;
      switch (inst.op) {
        case CHAR:
          list[len++] = pc;
          break;
        case MATCH:
          return -1;
        case JMP:
          stack[sp++] = inst.x;
          break;
        case SPLIT:
          stack[sp++] = inst.y;
          stack[sp++] = inst.x;
          break;
        case ASSERT:
          if (holds(inst.kind, pos, line)) stack[sp++] = pc + 1;
          break;
      }
    }
    return len;
  }
}

function holds(kind: Assertion, pos: number, line: string): boolean {
  switch (kind) {
    case 'bol':
      return pos === 0;
    case 'eol':
      return pos === line.length;
    case 'word':
    case 'nonword': {
      const before = pos > 0 && isWordChar(line.charCodeAt(pos - 1));
      const after = pos < line.length && isWordChar(line.charCodeAt(pos));
      return (before !== after) === (kind === 'word');
    }
  }
}
