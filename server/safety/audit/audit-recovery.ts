import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { CURRENT_FILE, listAuditFiles } from './audit-files.js';
import { readFully, readLinesBackward } from './audit-reader.js';
import { GENESIS, isChained, tryParse, type ChainTail } from './hash-chain.js';
import type { StoredRecord } from './audit-record.js';
import { fsyncDir } from './fs-util.js';

/** Where the chain of a directory ends, found by reading the tails of its files (never whole files). */
export interface TailScan {
  tail: ChainTail;
  /** The record at the tail, null for an empty log. */
  record: StoredRecord | null;
  /** Length of audit.jsonl up to and including the newline of its last record (0 if it has none). */
  validEnd: number;
  /** Bytes after `validEnd` that are not a complete record: a torn write from a crash. */
  debrisBytes: number;
}

/**
 * Finds the last record of the chain. In audit.jsonl, trailing bytes that are not a complete
 * record line — a line without its newline, or lines that are not JSON records — are debris; the
 * last complete line that parses as a record is the tail even if its hash is wrong (continuing from
 * it keeps the tampering visible to verify instead of silently setting it aside). When audit.jsonl
 * holds no record (new, or emptied by a crash right after rotation), the newest rotated file's last
 * record is the tail.
 */
export async function scanTail(dir: string): Promise<TailScan> {
  const files = (await listAuditFiles(dir)).reverse();
  let validEnd = 0;
  let debrisBytes = 0;
  for (const file of files) {
    let size = 0;
    let found: StoredRecord | null = null;
    for await (const line of readLinesBackward(file.path, { partialTail: true })) {
      size = Math.max(size, line.offset + line.bytes.length + (line.complete ? 1 : 0));
      const rec = line.complete ? tryParse(line.bytes.toString('utf8')) : undefined;
      if (isChained(rec)) {
        found = rec;
        if (file.current) {
          validEnd = line.offset + line.bytes.length + 1;
          debrisBytes = size - validEnd;
        }
        break;
      }
    }
    if (file.current && !found) debrisBytes = size;
    if (found) return { tail: { seq: found.seq, hash: found.hash }, record: found, validEnd, debrisBytes };
  }
  return { tail: { seq: 0, hash: GENESIS }, record: null, validEnd, debrisBytes };
}

/** What crash recovery set aside. */
export interface Recovered {
  movedTo: string;
  bytes: number;
  sha256: string;
}

/**
 * Crash recovery for audit.jsonl: a kill -9 or power loss during a write can leave a torn last line
 * (or a few lines of garbage). Those bytes are copied to `audit.jsonl.partial-<time>` (0600) and
 * fsynced, and only then is audit.jsonl truncated to its last complete record — so a crash during
 * recovery loses nothing either (a rerun copies the same bytes again). The caller records an
 * `audit.recovered` event naming the file, and the chain continues from the last complete record.
 * The live-file check uses it too (label `appended`) for bytes someone added behind the writer.
 */
export async function setAsideDebris(
  dir: string,
  validEnd: number,
  now: Date,
  label: 'partial' | 'appended' = 'partial',
): Promise<Recovered | null> {
  const path = join(dir, CURRENT_FILE);
  const fh = await open(path, 'r+');
  try {
    const size = (await fh.stat()).size;
    if (size <= validEnd) return null;
    const movedTo = `${CURRENT_FILE}.${label}-${fileStamp(now)}`;
    const out = await open(join(dir, movedTo), 'wx', 0o600);
    const hash = createHash('sha256');
    try {
      const buf = Buffer.allocUnsafe(64 * 1024);
      for (let pos = validEnd; pos < size;) {
        const n = await readFully(fh, buf.subarray(0, Math.min(buf.length, size - pos)), pos);
        if (n === 0) break;
        hash.update(buf.subarray(0, n));
        await out.write(buf, 0, n);
        pos += n;
      }
      await out.sync();
    } finally {
      await out.close();
    }
    await fsyncDir(dir);
    await fh.truncate(validEnd);
    await fh.sync();
    return { movedTo, bytes: size - validEnd, sha256: hash.digest('hex') };
  } finally {
    await fh.close();
  }
}

/** A time for a file name: ISO 8601 with `:` and `.` replaced, so it sorts and is valid everywhere. */
export function fileStamp(now: Date): string {
  return now.toISOString().replace(/[:.]/g, '-');
}
