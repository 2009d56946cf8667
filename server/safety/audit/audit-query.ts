import { open } from 'node:fs/promises';
import { listAuditFiles, readFirstSeq, type AuditFile } from './audit-files.js';
import { readChunksBackward, readLineBatchesForward } from './audit-reader.js';
import { compileFilter, fastTimeMs, type AuditFilter, type CompiledFilter } from './audit-filter.js';
import { isChained, tryParse } from './hash-chain.js';
import type { StoredRecord } from './audit-record.js';
import { checkCursor, decodeCursor, encodeCursor, type Cursor } from './audit-cursor.js';
import { lineFrom, seekBeforeTime, TIME_SLACK_MS } from './audit-seek.js';
import { cachedHits, countBelow, hitKey, rememberHits, type FileHits } from './audit-hit-cache.js';

export { InvalidCursorError } from './audit-cursor.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
/**
 * Bytes one query reads at most before returning what it has (with a cursor to continue): ~60,000
 * records, about 50 ms of scanning. A filter that matches rarely returns `complete: false` and the
 * page asks again with the cursor, instead of one request reading the whole log.
 */
export const DEFAULT_MAX_SCAN_BYTES = 32 * 1024 * 1024;
/** Wall-clock bound on one query's scan, for slow disks; checked between chunks. */
export const DEFAULT_MAX_SCAN_MS = 250;

export interface AuditQueryOptions {
  /** From a previous page's `nextCursor`. */
  cursor?: string | null;
  /** Page size, 1–500 (clamped); default 50. */
  limit?: number;
  maxScanBytes?: number;
  maxScanMs?: number;
}

export interface AuditPage {
  /** Newest first. */
  records: StoredRecord[];
  /** Opaque; pass back for the next (older) page. Null when nothing older is left. */
  nextCursor: string | null;
  /**
   * False when the scan budget ran out before the page was full: older records may still match,
   * and `nextCursor` continues the search exactly where this one stopped.
   */
  complete: boolean;
  /**
   * What this request read, for the page to show with a partial result ("searched 32 MB, back to
   * …"): bytes of the log, and the time of the oldest record read (null when none was).
   */
  scanned: { bytes: number; until: string | null };
}

type QueryFile = AuditFile & { seq: number };

/**
 * One page of records matching `filter`, newest first. Walks the files backwards from the newest
 * in fixed-size chunks (audit-reader.ts), starting at the cursor or, with a `to` bound, at the
 * place in the log that time was reached (audit-seek.ts), and stops as soon as the page is full,
 * the `from` bound is passed, or the scan budget is spent. A selective filter tests raw bytes
 * before parsing, so memory stays flat however large the log is, and each chunk's await lets the
 * event loop serve other requests. Lines that are not records are skipped here; `audit verify` is
 * what reports them.
 */
export async function queryAudit(
  dir: string,
  filter: AuditFilter,
  opts: AuditQueryOptions = {},
): Promise<AuditPage> {
  const limit = clampLimit(opts.limit);
  const maxBytes = opts.maxScanBytes ?? DEFAULT_MAX_SCAN_BYTES;
  const deadline = performance.now() + (opts.maxScanMs ?? DEFAULT_MAX_SCAN_MS);
  const f = compileFilter(filter);
  const files = await filesNewestFirst(dir);
  let start: Cursor | null = opts.cursor ? await checkCursor(decodeCursor(opts.cursor), files) : null;
  if (f.toMs !== null) {
    const seek = await seekBeforeTime(files, f.toMs + TIME_SLACK_MS);
    if (!start || olderThan(seek, start)) start = seek;
  }
  const page: AuditPage = {
    records: [],
    nextCursor: null,
    complete: true,
    scanned: { bytes: 0, until: null },
  };
  const oldest = files[files.length - 1];
  const stopBefore = f.fromMs === null ? null : f.fromMs - TIME_SLACK_MS;

  for (const file of files) {
    if (start && file.seq > start.s) continue;
    const end = start && file.seq === start.s ? start.o : undefined;
    const key = f.jump ? await hitKey(file, f.jump) : null;
    const known = key ? cachedHits(key) : null;
    if (known) {
      if (await fromKnownHits(file, known, end ?? known.size, f, page, limit, oldest)) return page;
      if (stopBefore !== null && page.scanned.until !== null && Date.parse(page.scanned.until) < stopBefore)
        return page;
      if (performance.now() >= deadline && file !== oldest) {
        page.complete = false;
        page.nextCursor = encodeCursor({ s: file.seq, o: 0 });
        return page;
      }
      continue;
    }
    // A whole rotated file read for a pattern: where it occurs is kept for the next query.
    const collected: number[] | null = key && end === undefined ? [] : null;
    for await (const chunk of readChunksBackward(file.path, { end, maxChunkSize: SCAN_CHUNK })) {
      const buf = chunk.bytes;
      // Newest line first: with a pattern, only the lines holding it; without, every line.
      const starts = f.jump ? lineStartsWith(buf, f.jump) : null;
      if (collected && starts) for (const s of starts) collected.push(chunk.offset + s);
      let i = starts ? starts.length : 0;
      let e = buf.length - 1;
      for (;;) {
        let s: number;
        if (starts) {
          if (i === 0) break;
          s = starts[--i] as number;
          e = buf.indexOf(NL, s);
        } else {
          if (e < 0) break;
          s = e > 0 ? buf.lastIndexOf(NL, e - 1) + 1 : 0;
        }
        const raw = buf.subarray(s, e);
        if (f.maybe(raw)) {
          const line = raw.toString('utf8');
          const rec = tryParse(line);
          if (isChained(rec) && f.matches(rec, line)) {
            page.records.push(rec);
            if (page.records.length === limit) {
              count(page, buf, s, buf.length);
              if (chunk.offset + s > 0 || file !== oldest)
                page.nextCursor = encodeCursor({ s: file.seq, o: chunk.offset + s });
              return page;
            }
          }
        }
        if (!starts) e = s - 1;
      }
      count(page, buf, 0, buf.length);
      // Past the `from` bound: the oldest line of this chunk is older than any match can be.
      if (stopBefore !== null && page.scanned.until !== null && Date.parse(page.scanned.until) < stopBefore)
        return page;
      // Budget checked per chunk: the cursor is the chunk's oldest line, so nothing is skipped or repeated.
      if (page.scanned.bytes >= maxBytes || performance.now() >= deadline) {
        if (chunk.offset > 0 || file !== oldest) {
          page.complete = false;
          page.nextCursor = encodeCursor({ s: file.seq, o: chunk.offset });
        }
        return page;
      }
    }
    if (collected && key) rememberHits(key, collected, page.scanned.until);
  }
  return page;
}

/**
 * A rotated file whose pattern lines are known: reads only those lines (newest first, below
 * `end`). True when the page is full (nextCursor set); the file counts as scanned either way.
 */
async function fromKnownHits(
  file: QueryFile,
  known: FileHits,
  end: number,
  f: CompiledFilter,
  page: AuditPage,
  limit: number,
  oldest: QueryFile | undefined,
): Promise<boolean> {
  const fh = await open(file.path, 'r');
  try {
    for (let i = countBelow(known.starts, end) - 1; i >= 0; i--) {
      const s = known.starts[i] as number;
      const line = await lineFrom(fh, s, end);
      if (!line || !f.maybe(line.bytes)) continue;
      const text = line.bytes.toString('utf8');
      const rec = tryParse(text);
      if (!isChained(rec) || !f.matches(rec, text)) continue;
      page.records.push(rec);
      if (page.records.length === limit) {
        page.scanned.bytes += end - s;
        page.scanned.until = rec.time;
        if (s > 0 || file !== oldest) page.nextCursor = encodeCursor({ s: file.seq, o: s });
        return true;
      }
    }
  } finally {
    await fh.close();
  }
  page.scanned.bytes += end;
  if (known.firstTime !== null) page.scanned.until = known.firstTime;
  return false;
}

const NL = 0x0a;
/** A long scan is bounded by copying from the page cache: fewer, larger reads (the first stays 64 KiB). */
const SCAN_CHUNK = 1024 * 1024;

/** Adds `buf[from, to)` to what the page has scanned; `until` is the time of its oldest line. */
function count(page: AuditPage, buf: Buffer, from: number, to: number): void {
  page.scanned.bytes += to - from;
  const t = fastTimeMs(buf.subarray(from, buf.indexOf(NL, from)));
  if (!Number.isNaN(t)) page.scanned.until = new Date(t).toISOString();
}

/** Start offsets (ascending, distinct) of the lines of `buf` that contain any of `patterns`. */
function lineStartsWith(buf: Buffer, patterns: Buffer[]): number[] {
  const starts: number[] = [];
  for (const p of patterns)
    for (let hit = buf.indexOf(p); hit >= 0;) {
      const s = hit > 0 ? buf.lastIndexOf(NL, hit - 1) + 1 : 0;
      starts.push(s);
      const e = buf.indexOf(NL, hit);
      hit = e < 0 ? -1 : buf.indexOf(p, e + 1);
    }
  if (patterns.length > 1) {
    starts.sort((a, b) => a - b);
    return starts.filter((s, i) => i === 0 || s !== starts[i - 1]);
  }
  return starts;
}

/** True when cursor position `a` lies before (older than) `b` in the chain. */
function olderThan(a: Cursor, b: Cursor): boolean {
  return a.s < b.s || (a.s === b.s && a.o < b.o);
}

/**
 * Every matching record as its stored JSON line plus "\n", oldest first, for the admin API's
 * download (`Readable.from(exportJsonl(dir, f))`). Streams; reads each file only up to its size
 * when the export started, and never yields a half-written line.
 */
export async function* exportJsonl(dir: string, filter: AuditFilter = {}): AsyncGenerator<string> {
  for await (const batch of exportBatches(dir, filter)) for (const m of batch) yield m.line + '\n';
}

/** Matching records of one read chunk: the stored line and the parsed record. */
export type ExportBatch = Array<{ line: string; record: StoredRecord }>;

/**
 * Matching records, oldest first, one batch per chunk read (the HTTP export writes a batch at a
 * time, so the response stream's backpressure keeps memory to about one chunk).
 */
export async function* exportBatches(dir: string, filter: AuditFilter = {}): AsyncGenerator<ExportBatch> {
  const f = compileFilter(filter);
  for (const file of await listAuditFiles(dir)) {
    try {
      for await (const batch of readLineBatchesForward(file.path)) {
        const matched: ExportBatch = [];
        for (const raw of batch) {
          if (!raw.complete || !f.maybe(raw.bytes)) continue;
          if (f.fromMs !== null && fastTimeMs(raw.bytes) < f.fromMs - TIME_SLACK_MS) continue;
          const line = raw.bytes.toString('utf8');
          const rec = tryParse(line);
          if (isChained(rec) && f.matches(rec, line)) matched.push({ line, record: rec });
        }
        if (matched.length) yield matched;
      }
    } catch (err) {
      // Rotation deleted the file between listing and reading: it is simply no longer part of the log.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

async function filesNewestFirst(dir: string): Promise<QueryFile[]> {
  const out: QueryFile[] = [];
  for (const f of await listAuditFiles(dir)) {
    const seq = f.current ? await readFirstSeq(f.path) : f.firstSeq;
    if (seq !== null) out.push({ ...f, seq });
  }
  return out.sort((a, b) => b.seq - a.seq);
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(limit)));
}

export { decodeCursor, encodeCursor };
