import { readdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { readFully } from './audit-reader.js';
import { isChained, tryParse } from './hash-chain.js';

/**
 * File layout of an audit directory:
 *
 *   audit.jsonl                          the file being written
 *   audit.0000000000012345.jsonl         rotated: named after the seq of its first record, zero-padded
 *                                        to 16 digits so names sort in chain order (a rare second file
 *                                        with the same first seq gets `.1`, `.2`… before `.jsonl`)
 *   audit.jsonl.partial-<time>           bytes of a torn last line set aside by crash recovery, or
 *                                        bytes someone appended behind the writer (live-file.ts)
 *   audit.jsonl.replaced-<time>          a file someone put in place of the live audit.jsonl
 *   audit.anchor.json                    where the log starts and the last seq it reached (audit-anchor.ts)
 *   .relocation.json                     journal of an unfinished relocation (audit-relocation.ts)
 *
 * Anything else in the directory is ignored by the reader, the verifier and rotation.
 */
export const CURRENT_FILE = 'audit.jsonl';

const ROTATED = /^audit\.(\d{16})(?:\.(\d{1,4}))?\.jsonl$/;

/** One log file, in chain order. `firstSeq` is from the name for rotated files, null for the current one. */
export interface AuditFile {
  name: string;
  path: string;
  current: boolean;
  firstSeq: number | null;
}

export function rotatedName(firstSeq: number, dup = 0): string {
  return `audit.${String(firstSeq).padStart(16, '0')}${dup ? `.${dup}` : ''}.jsonl`;
}

/** The log's files, oldest first: rotated files by first seq, then the current file (if present). */
export async function listAuditFiles(dir: string): Promise<AuditFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const rotated: Array<AuditFile & { dup: number }> = [];
  let current: AuditFile | null = null;
  for (const name of names) {
    if (name === CURRENT_FILE) {
      current = { name, path: join(dir, name), current: true, firstSeq: null };
      continue;
    }
    const m = ROTATED.exec(name);
    if (m)
      rotated.push({
        name,
        path: join(dir, name),
        current: false,
        firstSeq: Number(m[1]),
        dup: Number(m[2] ?? 0),
      });
  }
  rotated.sort((a, b) => (a.firstSeq as number) - (b.firstSeq as number) || a.dup - b.dup);
  const files: AuditFile[] = rotated.map(({ dup: _dup, ...f }) => f);
  if (current) files.push(current);
  return files;
}

/** Rotated files only, oldest first. */
export async function listRotatedFiles(dir: string): Promise<AuditFile[]> {
  return (await listAuditFiles(dir)).filter((f) => !f.current);
}

/** Seq, hash and prev of a record: enough to tell where a chain starts. */
export interface RecordRef {
  seq: number;
  hash: string;
  prev: string;
}

/**
 * The seq of a file's first record, read from its first line only (at most 1 MiB); null when the
 * file is empty or its first line is not a record. Rotation names files by it.
 */
export async function readFirstSeq(path: string): Promise<number | null> {
  const line = await readFirstLine(path);
  const v = line === null ? undefined : (tryParse(line) as { seq?: unknown } | undefined);
  return v && Number.isSafeInteger(v.seq) ? (v.seq as number) : null;
}

/** The first record of a file (its first line, when that is a record), for the anchor. */
export async function readFirstRecord(path: string): Promise<RecordRef | null> {
  const line = await readFirstLine(path);
  const v = line === null ? undefined : tryParse(line);
  return isChained(v) ? { seq: v.seq, hash: v.hash, prev: v.prev } : null;
}

/** A file's first line (at most 1 MiB), null when the file is missing, empty or has no newline. */
async function readFirstLine(path: string): Promise<string | null> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const parts: Buffer[] = [];
    for (let pos = 0; pos < 1024 * 1024;) {
      const buf = Buffer.allocUnsafe(64 * 1024);
      const n = await readFully(fh, buf, pos);
      const nl = buf.subarray(0, n).indexOf(0x0a);
      if (nl >= 0) return Buffer.concat([...parts, buf.subarray(0, nl)]).toString('utf8');
      if (n < buf.length) return null;
      parts.push(buf);
      pos += n;
    }
    return null;
  } finally {
    await fh.close();
  }
}
