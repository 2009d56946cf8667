import { open, type FileHandle } from 'node:fs/promises';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';
import type { SafeRegex } from '../docker/safe-regex.js';
import { RegexWorker } from '../docker/regex-worker.js';
import { lineBytes, linesBackwards, type LineBatch } from './lines-backwards.js';
import { lineText, syslogMessage, YearInference } from './syslog-line.js';
import {
  atLeastSeverity,
  classifySyslog,
  mayHoldSeverity,
  type SyslogSeverity,
  type SyslogSeverityFilter,
} from './syslog-severity.js';

export interface SyslogQuery {
  /** The current log, then (with `rotated`) the one before it: `<path>.1`. */
  path: string;
  rotated: boolean;
  /** Without `sinceMs`: how many of the newest lines are read. With it: at most how many matches are kept. */
  tail: number;
  /** Epoch ms: read back to this time (the lines before it are not read). */
  sinceMs?: number;
  grep?: string;
  regex?: SafeRegex;
  ignoreCase: boolean;
  minSeverity?: SyslogSeverityFilter;
  /** Lines kept before and after each match. */
  context: number;
  /** With `sinceMs`, stop after reading this many bytes. */
  maxScanBytes: number;
  signal?: AbortSignal;
}

export interface SyslogOutLine {
  /** Position among the lines read, 1 = the oldest read. */
  n: number;
  file: 'current' | 'rotated';
  time: number | null;
  severity: SyslogSeverity;
  text: string;
  cutBytes: number;
  match: boolean;
}

export interface SyslogSearch {
  /** Oldest first. */
  lines: SyslogOutLine[];
  /** Lines read (binary ones included). */
  scanned: number;
  /** Lines that passed every filter (all text lines read, without filters). */
  matched: number;
  binaryLines: number;
  bytesRead: number;
  /** Why reading stopped. */
  stoppedBy: 'tail' | 'since' | 'start' | 'matches' | 'budget';
  /** True when the rotated log was asked for and read from. */
  readRotated: boolean;
  /** True when the rotated log was asked for but does not exist. */
  rotatedMissing: boolean;
}

const CHUNK_BYTES = 64 * 1024;
const MAX_CHUNK_BYTES = 1024 * 1024;
export const MAX_SYSLOG_LINE_BYTES = 4096;

interface Pending {
  k: number;
  file: 'current' | 'rotated';
  time: number | null;
  /** Judged only when a filter needs it or the line is kept: most lines of a long search are neither. */
  severity?: SyslogSeverity;
  headerEnd: number;
  text: string;
  cutBytes: number;
}

/**
 * Reads the syslog backwards from its end — never the whole file into memory — and keeps the lines
 * asked for. Without `sinceMs` the newest `tail` lines are read and filtered (`tail -n | grep`); with
 * it, lines back to that time are read and the newest `tail` matches kept. Binary lines (NULs left by
 * a crash) are counted and left out. The regex runs on a worker thread (as docker_logs' does).
 */
export async function searchSyslog(q: SyslogQuery): Promise<SyslogSearch> {
  const current = await openLog(q.path, true);
  // A literal pattern (escaped, so no backtracking): V8 searches it faster than lower-casing every line.
  const needle =
    q.grep === undefined
      ? undefined
      : new RegExp(q.grep.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), q.ignoreCase ? 'i' : '');
  const collector = new ContextCollector(
    q.context,
    q.sinceMs === undefined ? Number.POSITIVE_INFINITY : q.tail,
  );
  const out: SyslogSearch = {
    lines: [],
    scanned: 0,
    matched: 0,
    binaryLines: 0,
    bytesRead: 0,
    stoppedBy: 'start',
    readRotated: false,
    rotatedMissing: false,
  };
  let worker: RegexWorker | null = null;
  let years: YearInference | null = null;
  let k = 0;
  let bytesBefore = 0;
  try {
    if (q.regex) worker = await RegexWorker.start(q.regex, q.signal);
    const stopped = await scanFile(current, 'current');
    if (!stopped && q.rotated) {
      const rotated = await openLog(`${q.path}.1`, false);
      if (rotated) {
        out.readRotated = true;
        await scanFile(rotated, 'rotated');
      } else out.rotatedMissing = true;
    }
  } finally {
    await worker?.terminate();
  }

  /** Reads one file (and closes it); true when the reading is over (tail, since, matches, budget). */
  async function scanFile(handle: FileHandle, file: 'current' | 'rotated'): Promise<boolean> {
    try {
      const { size, mtimeMs } = await handle.stat();
      // The year of the newest line comes from the current log's last write; the rotated one continues it.
      const stamps = (years ??= new YearInference(mtimeMs));
      for await (const batch of linesBackwards(
        handle,
        size,
        {
          chunkBytes: CHUNK_BYTES,
          maxChunkBytes: MAX_CHUNK_BYTES,
          maxLineBytes: MAX_SYSLOG_LINE_BYTES,
          signal: q.signal,
        },
        (n) => (out.bytesRead = bytesBefore + n),
      )) {
        if (skippable(batch, stamps)) {
          out.scanned += batch.starts.length;
          k += batch.starts.length;
          if (q.sinceMs !== undefined && out.bytesRead >= q.maxScanBytes) {
            out.stoppedBy = 'budget';
            return true;
          }
          continue;
        }
        // Lines the cheap filters pass (and, with context, every line: it may be needed around a match).
        const candidates: Pending[] = [];
        const cheapPassed: boolean[] = [];
        let stopAfter: SyslogSearch['stoppedBy'] | null = null;
        for (let li = 0; li < batch.starts.length; li++) {
          if (q.sinceMs === undefined && out.scanned >= q.tail) {
            stopAfter = 'tail';
            break;
          }
          const text = lineText(lineBytes(batch, li));
          if (text === null) {
            out.scanned++;
            out.binaryLines++;
            k++;
            continue;
          }
          const time = stamps.parseTime(text);
          if (q.sinceMs !== undefined && time !== null && time < q.sinceMs) {
            stopAfter = 'since';
            break;
          }
          out.scanned++;
          const headerEnd = stamps.headerEnd;
          let severity: SyslogSeverity | undefined;
          let cheap = true;
          if (q.minSeverity !== undefined) {
            severity = classifySyslog(syslogMessage(text, headerEnd));
            cheap = atLeastSeverity(severity, q.minSeverity);
          }
          if (cheap && needle !== undefined) cheap = needle.test(text);
          // Without context a line no filter passes is never shown: no need to keep it.
          if (cheap || q.context > 0) {
            candidates.push({ k, file, time, headerEnd, severity, text, cutBytes: batch.cuts[li] as number });
            cheapPassed.push(cheap);
          }
          k++;
        }
        const passed = await regexBatch(candidates, cheapPassed);
        for (let i = 0; i < candidates.length; i++) {
          const isMatch = passed[i] === 1;
          if (isMatch) out.matched++;
          collector.add(candidates[i] as Pending, isMatch);
          if (collector.done()) {
            stopAfter = 'matches';
            break;
          }
        }
        if (stopAfter) {
          out.stoppedBy = stopAfter;
          return true;
        }
        if (q.sinceMs !== undefined && out.bytesRead >= q.maxScanBytes) {
          out.stoppedBy = 'budget';
          return true;
        }
      }
      bytesBefore += size;
      return false;
    } finally {
      await handle.close();
    }
  }

  /**
   * True when no line of the batch can match, so none needs decoding or judging: grep and severity
   * find nothing in the chunk's whole text, no context is asked for, the tail does not end inside
   * the batch, it holds no NUL (binary lines are counted), and its oldest line is still inside the `since` window. Then the oldest line's stamp is
   * taken, so the year carries on as if every line had been read.
   */
  function skippable(batch: LineBatch, stamps: YearInference): boolean {
    if (q.context > 0 || (needle === undefined && q.minSeverity === undefined)) return false;
    if (q.sinceMs === undefined && out.scanned + batch.starts.length > q.tail) return false;
    // A NUL marks binary garbage: its lines are read one by one, so they are counted.
    if (batch.block.includes(0)) return false;
    const text = batch.block.toString('utf8');
    if (needle !== undefined && !needle.test(text)) return skipTo(batch, stamps);
    if (q.minSeverity !== undefined && !mayHoldSeverity(text, q.minSeverity)) return skipTo(batch, stamps);
    return false;
  }

  function skipTo(batch: LineBatch, stamps: YearInference): boolean {
    const oldest = lineText(lineBytes(batch, batch.starts.length - 1));
    const time = oldest === null ? null : stamps.peekTime(oldest);
    // Without a stamp on the oldest line the window's end cannot be told: read the lines one by one.
    if (q.sinceMs !== undefined && (time === null || time < q.sinceMs)) return false;
    if (oldest !== null) stamps.parseTime(oldest);
    return true;
  }

  /** 1 per line that passed the cheap filters and, when there is one, the regex (run only on those). */
  async function regexBatch(lines: Pending[], cheapPassed: boolean[]): Promise<Uint8Array> {
    const passed = Uint8Array.from(cheapPassed, (ok) => (ok ? 1 : 0));
    if (!worker) return passed;
    const forRegex: number[] = [];
    for (let i = 0; i < lines.length; i++) if (cheapPassed[i]) forRegex.push(i);
    if (forRegex.length > 0) {
      const m = await worker.match(
        forRegex.map((i) => (lines[i] as Pending).text),
        q.signal,
      );
      forRegex.forEach((i, j) => (passed[i] = m[j] as number));
    }
    return passed;
  }

  out.lines = collector.lines().map((p) => ({
    n: out.scanned - p.k,
    file: p.file,
    time: p.time,
    severity: p.severity ?? classifySyslog(syslogMessage(p.text, p.headerEnd)),
    text: p.text,
    cutBytes: p.cutBytes,
    match: p.match,
  }));
  return out;
}

async function openLog(path: string, required: true): Promise<FileHandle>;
async function openLog(path: string, required: false): Promise<FileHandle | null>;
async function openLog(path: string, required: boolean): Promise<FileHandle | null> {
  try {
    return await open(path, 'r');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if ((code === 'ENOENT' || code === 'ENOTDIR') && !required) return null;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new BackendUnavailableError(
        'There is no system log (syslog) on this host: the file does not exist. On Unraid it is written by rsyslogd from boot on.',
      );
    if (code === 'EACCES' || code === 'EPERM')
      throw new BackendUnavailableError(
        'The system log could not be read (permission denied) — unraid-mcp must run as root.',
      );
    if (code === 'EISDIR')
      throw new BackendUnavailableError('The configured system log is a folder, not a file.');
    throw err;
  }
}

/**
 * Keeps matches and the lines around them while lines arrive newest first. The `context` lines just
 * newer than a match were seen before it and wait in `recent`; the `context` lines older than it
 * arrive next and are owed.
 */
class ContextCollector {
  private readonly kept: Array<Pending & { match: boolean }> = [];
  private recent: Pending[] = [];
  private owed = 0;
  private matches = 0;

  constructor(
    private readonly context: number,
    private readonly maxMatches: number,
  ) {}

  add(line: Pending, isMatch: boolean): void {
    if (isMatch && this.matches < this.maxMatches) {
      this.matches++;
      for (const r of this.recent) this.kept.push({ ...r, match: false });
      this.recent = [];
      this.kept.push({ ...line, match: true });
      this.owed = this.context;
    } else if (this.owed > 0) {
      this.owed--;
      this.kept.push({ ...line, match: false });
    } else if (this.context > 0) {
      this.recent.push(line);
      if (this.recent.length > this.context) this.recent.shift();
    }
  }

  /** The match budget is spent and no context is owed: nothing further back can be kept. */
  done(): boolean {
    return this.matches >= this.maxMatches && this.owed === 0;
  }

  /** Oldest first. */
  lines(): Array<Pending & { match: boolean }> {
    return [...this.kept].sort((a, b) => b.k - a.k);
  }
}
