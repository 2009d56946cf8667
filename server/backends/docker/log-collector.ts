import type { LogStreamName } from './log-demux.js';

/** One line as docker_logs returns it. */
export interface LogLine {
  /** 1-based position among the lines read (after stream selection): shows gaps between context groups. */
  n: number;
  stream: LogStreamName;
  /** Docker's RFC 3339 receive time, when timestamps were asked for. */
  time?: string;
  text: string;
  /** Set on lines that matched the filters, when a filter is active (context lines lack it). */
  match?: true;
}

export interface CollectorLimits {
  /** Most matching lines to keep (the newest win). */
  tail: number;
  /** Lines kept before and after each match. */
  context: number;
  /** Most bytes of JSON the kept lines may take: what is kept is what can be returned. */
  budgetBytes: number;
  /** False when every line counts as a match (no grep, regex or level): no `match` marks. */
  filtered: boolean;
}

interface Kept {
  line: LogLine;
  size: number;
  isMatch: boolean;
}

/** A FIFO with O(1) amortised shift (Array#shift is O(n) on large arrays). */
class Queue<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  at(i: number): T | undefined {
    return this.items[this.head + i];
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as T;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  toArray(): T[] {
    return this.items.slice(this.head);
  }
}

/**
 * Keeps the newest matching lines and their context while a log streams past, in memory bounded by
 * the response budget: at most `tail` matches and at most `budgetBytes` of serialised lines (plus
 * `context` lines waiting to become "before" context). Older lines are dropped as newer ones arrive,
 * and every drop is counted so the tool can say what it left out.
 */
export class LogCollector {
  private readonly kept = new Queue<Kept>();
  private readonly before: LogLine[] = [];
  private afterLeft = 0;
  private keptBytes = 0;
  private keptMatches = 0;
  scanned = 0;
  matched = 0;
  /** Matches dropped because more than `tail` matched. */
  droppedByTail = 0;
  /** Matches dropped because the kept lines would not fit the response budget. */
  droppedByBudget = 0;
  /** Lines (kept or not) that were longer than the line limit and were cut. */
  cutLines = 0;

  constructor(private readonly limits: CollectorLimits) {}

  push(line: Omit<LogLine, 'n' | 'match'>, isMatch: boolean, wasCut = false): void {
    const n = ++this.scanned;
    if (wasCut) this.cutLines++;
    const full: LogLine = { n, ...line };
    if (isMatch) {
      this.matched++;
      for (const b of this.before.splice(0)) this.add(b, false);
      if (this.limits.filtered) full.match = true;
      this.add(full, true);
      this.afterLeft = this.limits.context;
    } else if (this.afterLeft > 0) {
      this.afterLeft--;
      this.add(full, false);
    } else if (this.limits.context > 0) {
      this.before.push(full);
      if (this.before.length > this.limits.context) this.before.shift();
    }
  }

  private add(line: LogLine, isMatch: boolean): void {
    const size = Buffer.byteLength(JSON.stringify(line)) + 1;
    this.kept.push({ line, size, isMatch });
    this.keptBytes += size;
    if (isMatch) this.keptMatches++;
    while (this.keptMatches > this.limits.tail) this.dropOldestMatch();
    while (this.keptBytes > this.limits.budgetBytes && this.kept.length > 1) {
      const gone = this.shift();
      if (gone?.isMatch) this.droppedByBudget++;
    }
  }

  private shift(): Kept | undefined {
    const gone = this.kept.shift();
    if (gone) {
      this.keptBytes -= gone.size;
      if (gone.isMatch) this.keptMatches--;
    }
    return gone;
  }

  /** Drops the oldest match with its leading context, then context that belonged only to it. */
  private dropOldestMatch(): void {
    for (let gone = this.shift(); gone && !gone.isMatch; gone = this.shift());
    this.droppedByTail++;
    let next: Kept | undefined;
    for (let i = 0; (next = this.kept.at(i)) && !next.isMatch; i++);
    const keepFrom = next ? next.line.n - this.limits.context : Infinity;
    for (
      let front = this.kept.peek();
      front && !front.isMatch && front.line.n < keepFrom;
      front = this.kept.peek()
    )
      this.shift();
  }

  /** The kept lines, oldest first. */
  lines(): LogLine[] {
    return this.kept.toArray().map((k) => k.line);
  }

  /** Matches among the kept lines. */
  get returnedMatches(): number {
    return this.keptMatches;
  }
}
