import { open } from 'node:fs/promises';
import { listAuditFiles, readFirstSeq } from './audit-files.js';
import { readLinesForward } from './audit-reader.js';
import { lineFrom, nextNewline } from './audit-seek.js';
import { isChained, tryParse } from './hash-chain.js';
import type { StoredRecord } from './audit-record.js';

/** A record and where it is stored. */
export interface LocatedRecord {
  record: StoredRecord;
  /** File name in the log directory. */
  file: string;
  /** Byte offset of its line in that file. */
  offset: number;
}

/** Below this many bytes a forward scan is cheaper than more bisection reads. */
const SCAN_WINDOW = 32 * 1024;

/** The record with a given seq, or null. */
export async function findRecordBySeq(dir: string, seq: number): Promise<StoredRecord | null> {
  return (await locateRecord(dir, seq))?.record ?? null;
}

/**
 * The record with a given seq and where it is. Rotated files are named after their first seq, so
 * only the one file that can hold it is read, and in it seqs ascend line by line: bisection by
 * byte offset finds the line with a few small reads instead of reading the file (10 MiB) up to it.
 * A line that is not a record (a damaged file) ends bisection; the forward scan from the last
 * good position still finds the record if it is there.
 */
export async function locateRecord(dir: string, seq: number): Promise<LocatedRecord | null> {
  const files = await listAuditFiles(dir);
  let candidate: { path: string; name: string } | null = null;
  for (const f of files) {
    const first = f.current ? await readFirstSeq(f.path) : f.firstSeq;
    if (first !== null && first <= seq) candidate = f;
  }
  if (!candidate) return null;
  const from = await bisectSeq(candidate.path, seq);
  for await (const raw of readLinesForward(candidate.path, { start: from })) {
    if (!raw.complete) break;
    const rec = tryParse(raw.bytes.toString('utf8'));
    if (isChained(rec) && rec.seq === seq) return { record: rec, file: candidate.name, offset: raw.offset };
    if (isChained(rec) && rec.seq > seq) return null;
  }
  return null;
}

/** A line start at or before the line holding `seq` (0 when bisection cannot tell). */
async function bisectSeq(path: string, seq: number): Promise<number> {
  const fh = await open(path, 'r');
  try {
    // Invariant: the line at `lo` has a seq ≤ the one sought (or lo is 0); the line is before `hi`.
    let lo = 0;
    let hi = (await fh.stat()).size;
    while (hi - lo > SCAN_WINDOW) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const nl = await nextNewline(fh, mid, hi);
      if (nl < 0 || nl + 1 >= hi) break;
      const line = await lineFrom(fh, nl + 1, hi);
      const rec = line ? tryParse(line.bytes.toString('utf8')) : undefined;
      if (!isChained(rec)) break;
      if (rec.seq <= seq) lo = nl + 1;
      else hi = nl + 1;
    }
    return lo;
  } finally {
    await fh.close();
  }
}
