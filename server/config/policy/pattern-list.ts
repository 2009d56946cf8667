import { codePoints, matchTokens, parseGlob, GlobSyntaxError, type ParsedGlob } from './glob.js';

/** Most patterns one list may hold. Enough for generated lists; beyond it the owner gets an error. */
export const MAX_PATTERNS_PER_LIST = 10_000;
/** How many invalid patterns of one list are reported before "… and N more". */
const MAX_REPORTED = 20;

export interface PolicyProblem {
  /** Settings path in the style owners read: `filters.containers.deny[3]`. */
  field: string;
  message: string;
}

/** A name prepared once per check: NFC text, its code points and the code-unit offset of each. */
export interface PreparedName {
  text: string;
  cps: number[];
  /** offsets[k] = index in `text` where code point k starts; offsets[cps.length] = text.length. */
  offsets: number[];
}

export function prepareName(name: string): PreparedName {
  const text = isAscii(name) ? name : name.normalize('NFC');
  const cps = codePoints(text);
  const offsets: number[] = new Array<number>(cps.length + 1);
  let off = 0;
  for (let k = 0; k < cps.length; k++) {
    offsets[k] = off;
    off += (cps[k] as number) > 0xffff ? 2 : 1;
  }
  offsets[cps.length] = off;
  return { text, cps, offsets };
}

const PREFIX_KEY = 4;
const INFIX_KEY = 3;

/**
 * One compiled allow, deny or protected list. Literal names sit in a Map (one lookup). Globs are
 * indexed by a piece of literal text every match must contain — the first up to 4 characters, the
 * last up to 4, or up to 3 from the longest literal run — so a check tests only the few globs whose
 * piece occurs in the name. Globs without any literal character (`*`, `?*`, `[a-z]*`) are tested
 * one by one. Measured: 10,000 mixed patterns compile in ~50 ms and check in ~10 µs.
 */
export class PatternList {
  readonly patterns: ReadonlyArray<string>;
  /** NFC literal → its positions in the owner's list (ascending). */
  private readonly literals = new Map<string, number[]>();
  private readonly globs: ParsedGlob[] = [];
  private readonly byPrefix = new Map<string, number[]>();
  private readonly bySuffix = new Map<string, number[]>();
  private readonly byInfix: Array<Map<string, number[]>> = [
    new Map<string, number[]>(),
    new Map<string, number[]>(),
    new Map<string, number[]>(),
  ];
  private readonly unindexed: number[] = [];
  /** globs[k] was pattern number globIndex[k] in the owner's list. */
  private readonly globIndex: number[] = [];

  private constructor(patterns: ReadonlyArray<string>) {
    this.patterns = patterns;
  }

  /** Compiles a list; problems are pushed (with `field[index]`) and the bad patterns skipped. */
  static compile(patterns: ReadonlyArray<string>, field: string, problems: PolicyProblem[]): PatternList {
    const list = new PatternList(patterns);
    if (patterns.length > MAX_PATTERNS_PER_LIST) {
      problems.push({
        field,
        message: `has ${patterns.length} patterns; at most ${MAX_PATTERNS_PER_LIST} are allowed per list`,
      });
      return list;
    }
    let bad = 0;
    patterns.forEach((pattern, index) => {
      let parsed: ParsedGlob;
      try {
        if (typeof pattern !== 'string')
          throw new GlobSyntaxError(`must be a string, not ${pattern === null ? 'null' : typeof pattern}`);
        parsed = parseGlob(pattern);
      } catch (err) {
        if (!(err instanceof GlobSyntaxError)) throw err;
        if (bad++ < MAX_REPORTED) problems.push({ field: `${field}[${index}]`, message: err.message });
        return;
      }
      if (parsed.literal !== null) push(list.literals, parsed.literal, index);
      else list.addGlob(parsed, index);
    });
    if (bad > MAX_REPORTED)
      problems.push({ field, message: `… and ${bad - MAX_REPORTED} more invalid patterns in this list` });
    return list;
  }

  get size(): number {
    return this.patterns.length;
  }

  /** The owner's first pattern (in list order) that matches the whole name, or null. */
  firstMatch(name: PreparedName): string | null {
    let best = this.literals.get(name.text)?.[0] ?? Infinity;
    this.forCandidates(name, (k) => {
      const index = this.globIndex[k] as number;
      if (index < best && matchTokens((this.globs[k] as ParsedGlob).tokens, name.cps)) best = index;
    });
    return best === Infinity ? null : (this.patterns[best] as string);
  }

  /** Indexes (in the owner's list) of every pattern that matches, ascending. */
  allMatches(name: PreparedName): number[] {
    const hits = new Set(this.literals.get(name.text));
    // A glob indexed by an infix may come up once per occurrence of its piece: the Set dedupes.
    this.forCandidates(name, (k) => {
      if (matchTokens((this.globs[k] as ParsedGlob).tokens, name.cps)) hits.add(this.globIndex[k] as number);
    });
    return [...hits].sort((a, b) => a - b);
  }

  private addGlob(parsed: ParsedGlob, index: number): void {
    const k = this.globs.length;
    this.globs.push(parsed);
    this.globIndex.push(index);
    const pre = Array.from(parsed.prefix);
    const suf = Array.from(parsed.suffix);
    const run = Array.from(parsed.longestRun);
    const pl = Math.min(pre.length, PREFIX_KEY);
    const sl = Math.min(suf.length, PREFIX_KEY);
    const il = Math.min(run.length, INFIX_KEY);
    if (pl > 0 && pl >= sl && pl >= il) push(this.byPrefix, pre.slice(0, pl).join(''), k);
    else if (sl > 0 && sl >= il) push(this.bySuffix, suf.slice(-sl).join(''), k);
    else if (il > 0) push(this.byInfix[il - 1] as Map<string, number[]>, run.slice(0, il).join(''), k);
    else this.unindexed.push(k);
  }

  private forCandidates(name: PreparedName, visit: (k: number) => void): void {
    const { text, offsets } = name;
    const len = name.cps.length;
    const each = (l: number[] | undefined) => {
      if (l) for (const k of l) visit(k);
    };
    if (this.byPrefix.size || this.bySuffix.size) {
      for (let n = 1; n <= PREFIX_KEY && n <= len; n++) {
        if (this.byPrefix.size) each(this.byPrefix.get(text.slice(0, offsets[n])));
        if (this.bySuffix.size) each(this.bySuffix.get(text.slice(offsets[len - n])));
      }
    }
    for (let n = 1; n <= INFIX_KEY; n++) {
      const map = this.byInfix[n - 1] as Map<string, number[]>;
      if (!map.size) continue;
      for (let s = 0; s + n <= len; s++) each(map.get(text.slice(offsets[s], offsets[s + n])));
    }
    for (const k of this.unindexed) visit(k);
  }
}

/** ASCII text is already NFC; skipping normalize() keeps the common case cheap. */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function push(map: Map<string, number[]>, key: string, k: number): void {
  const l = map.get(key);
  if (l) l.push(k);
  else map.set(key, [k]);
}
