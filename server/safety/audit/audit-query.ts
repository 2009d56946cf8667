import { listAuditFiles, readFirstSeq, type AuditFile } from './audit-files.js';
import { readLineBatchesBackward, readLineBatchesForward } from './audit-reader.js';
import { compileFilter, fastTimeMs, type AuditFilter } from './audit-filter.js';
import { isChained, tryParse } from './hash-chain.js';
import type { StoredRecord } from './audit-record.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
/** Bytes one query reads at most before returning what it has (with a cursor to continue). */
export const DEFAULT_MAX_SCAN_BYTES = 256 * 1024 * 1024;
/**
 * Records are appended in time order, but `time` is taken by the caller before it waits for the
 * writer, and clocks get stepped: scanning stops only once records are this much older than `from`.
 */
const TIME_SLACK_MS = 10 * 60 * 1000;

export interface AuditQueryOptions {
  /** From a previous page's `nextCursor`. */
  cursor?: string | null;
  /** Page size, 1–500 (clamped); default 50. */
  limit?: number;
  maxScanBytes?: number;
}

export interface AuditPage {
  /** Newest first. */
  records: StoredRecord[];
  /** Opaque; pass back for the next (older) page. Null when nothing older is left. */
  nextCursor: string | null;
}

/** Cursor: the file by the seq of its first record (stable across rotation) and a byte offset in it. */
interface Cursor {
  s: number;
  o: number;
}

export class InvalidCursorError extends RangeError {
  override readonly name = 'InvalidCursorError';
}

/**
 * One page of records matching `filter`, newest first. Walks the files backwards from the newest
 * in fixed-size chunks (audit-reader.ts): the first page reads one chunk, and a selective filter
 * tests raw bytes before parsing, so memory stays flat however large the log is. Lines that are
 * not records are skipped here; `audit verify` is what reports them.
 */
export async function queryAudit(
  dir: string,
  filter: AuditFilter,
  opts: AuditQueryOptions = {},
): Promise<AuditPage> {
  const limit = clampLimit(opts.limit);
  const maxScan = opts.maxScanBytes ?? DEFAULT_MAX_SCAN_BYTES;
  const cursor = opts.cursor ? decodeCursor(opts.cursor) : null;
  const f = compileFilter(filter);
  const files = await filesNewestFirst(dir);
  const records: StoredRecord[] = [];
  let scanned = 0;

  for (const file of files) {
    if (cursor && file.seq > cursor.s) continue;
    const end = cursor && file.seq === cursor.s ? cursor.o : undefined;
    for await (const batch of readLineBatchesBackward(file.path, { end })) {
      for (const raw of batch) {
        scanned += raw.bytes.length + 1;
        if (f.fromMs !== null && fastTimeMs(raw.bytes) < f.fromMs - TIME_SLACK_MS)
          return { records, nextCursor: null };
        if (f.maybe(raw.bytes)) {
          const line = raw.bytes.toString('utf8');
          const rec = tryParse(line);
          if (isChained(rec) && f.matches(rec, line)) {
            records.push(rec);
            if (records.length === limit)
              return {
                records,
                nextCursor:
                  raw.offset > 0 || file !== files[files.length - 1]
                    ? encodeCursor({ s: file.seq, o: raw.offset })
                    : null,
              };
          }
        }
        if (scanned >= maxScan) return { records, nextCursor: encodeCursor({ s: file.seq, o: raw.offset }) };
      }
    }
  }
  return { records, nextCursor: null };
}

/**
 * Every matching record as its stored JSON line plus "\n", oldest first, for the admin API's
 * download (`Readable.from(exportJsonl(dir, f))`). Streams; reads each file only up to its size
 * when the export started, and never yields a half-written line.
 */
export async function* exportJsonl(dir: string, filter: AuditFilter = {}): AsyncGenerator<string> {
  const f = compileFilter(filter);
  for (const file of await listAuditFiles(dir)) {
    try {
      for await (const batch of readLineBatchesForward(file.path)) {
        const matched: string[] = [];
        for (const raw of batch) {
          if (!raw.complete || !f.maybe(raw.bytes)) continue;
          const line = raw.bytes.toString('utf8');
          const rec = tryParse(line);
          if (isChained(rec) && f.matches(rec, line)) matched.push(line + '\n');
        }
        yield* matched;
      }
    } catch (err) {
      // Rotation deleted the file between listing and reading: it is simply no longer part of the log.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

async function filesNewestFirst(dir: string): Promise<Array<AuditFile & { seq: number }>> {
  const out: Array<AuditFile & { seq: number }> = [];
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

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  const c = tryParse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Cursor> | undefined;
  if (!c || !Number.isSafeInteger(c.s) || !Number.isSafeInteger(c.o) || (c.o as number) < 0)
    throw new InvalidCursorError('audit query: the cursor is not valid');
  return c as Cursor;
}
