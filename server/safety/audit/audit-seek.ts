import { open, type FileHandle } from 'node:fs/promises';
import type { AuditFile } from './audit-files.js';
import { fastTimeMs } from './audit-filter.js';
import { readFully } from './audit-reader.js';
import type { Cursor } from './audit-cursor.js';

/**
 * Records are appended in time order, but `time` is taken by the caller before it waits for the
 * writer, and clocks get stepped: a record may be up to this much older than the one before it.
 */
export const TIME_SLACK_MS = 10 * 60 * 1000;

/** Below this many bytes the backward scan is cheaper than more bisection reads. */
const SCAN_WINDOW = 32 * 1024;
/** A line longer than this stops bisection (the scan takes over from there). */
const MAX_PROBE_LINE = 1024 * 1024;

/**
 * Where a backward scan for records older than `limitMs` can start: the first line in chain order
 * whose time is at least `limitMs` (or the end of the log). With `limitMs` = `to` + TIME_SLACK_MS,
 * every line from there on is at or after `to`, so a query with a `to` bound skips them without
 * reading them: a window days back in a 1,000,000-record log costs a few dozen small reads
 * (bisection over the files' first lines, then inside one file) instead of a scan of everything newer.
 */
export async function seekBeforeTime(
  newestFirst: ReadonlyArray<AuditFile & { seq: number }>,
  limitMs: number,
): Promise<Cursor> {
  const files = [...newestFirst].reverse();
  // The last file (oldest first) whose first line is older than the limit; files after it start later.
  let lo = -1;
  let hi = files.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const t = await firstLineTime((files[mid] as AuditFile).path);
    // A first line without a readable time: treat as older, so the scan (not the seek) decides.
    if (!(t >= limitMs)) lo = mid;
    else hi = mid;
  }
  if (lo < 0) {
    const oldest = files[0];
    return { s: oldest ? oldest.seq : 1, o: 0 };
  }
  const file = files[lo] as AuditFile & { seq: number };
  return { s: file.seq, o: await firstLineAtOrAfter(file.path, limitMs) };
}

async function firstLineTime(path: string): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const line = await lineFrom(fh, 0, (await fh.stat()).size);
    return line ? fastTimeMs(line.bytes) : NaN;
  } catch {
    return NaN;
  } finally {
    await fh.close();
  }
}

/** Byte offset of the first line whose time is ≥ limitMs (approximately: within SCAN_WINDOW before it), or the file size. */
async function firstLineAtOrAfter(path: string, limitMs: number): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    // Invariant: the line starting at `lo` is older than the limit; the answer lies in (lo, hi].
    let lo = 0;
    let hi = size;
    while (hi - lo > SCAN_WINDOW) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const nl = await nextNewline(fh, mid, hi);
      if (nl < 0 || nl + 1 >= hi) break;
      const line = await lineFrom(fh, nl + 1, hi);
      if (!line) break;
      const t = fastTimeMs(line.bytes);
      if (Number.isNaN(t)) break;
      if (t >= limitMs) hi = nl + 1;
      else lo = nl + 1;
    }
    return hi;
  } finally {
    await fh.close();
  }
}

/** Offset of the first newline at or after `pos` and before `end`, or -1. */
export async function nextNewline(fh: FileHandle, pos: number, end: number): Promise<number> {
  const buf = Buffer.allocUnsafe(8 * 1024);
  for (let at = pos; at < end && at - pos < MAX_PROBE_LINE;) {
    const n = await readFully(fh, buf.subarray(0, Math.min(buf.length, end - at)), at);
    if (n === 0) return -1;
    const i = buf.subarray(0, n).indexOf(0x0a);
    if (i >= 0) return at + i;
    at += n;
  }
  return -1;
}

/** The complete line starting at `start` (without its newline), or null when it does not end before `end`. */
export async function lineFrom(
  fh: FileHandle,
  start: number,
  end: number,
): Promise<{ bytes: Buffer } | null> {
  const nl = await nextNewline(fh, start, end);
  if (nl < 0) return null;
  const bytes = Buffer.allocUnsafe(nl - start);
  await readFully(fh, bytes, start);
  return { bytes };
}
