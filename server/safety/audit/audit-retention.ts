import { stat, statfs } from 'node:fs/promises';
import type { AuditFile } from './audit-files.js';
import { readLinesBackward } from './audit-reader.js';
import { tryParse } from './hash-chain.js';

/**
 * How long rotated files are kept and how much free space the log leaves on its disk. On
 * persistent storage a flood of calls must not push history out: rotated files beyond keep-N are
 * deleted only once their newest record is older than the retention period, and when the disk
 * runs short instead (below the floor, checked at rotation) the log refuses records — and with
 * them every tool call — rather than delete. In RAM (array stopped) plain keep-N rotation bounds
 * the log, as RAM must be.
 */
export interface RetentionPolicy {
  persistent: boolean;
  /** Rotated files whose newest record is younger than this are never deleted (persistent only). */
  retentionMs: number;
  /** Least free space left on the log's file system, checked at rotation (persistent only; 0 = none). */
  minFreeBytes: number;
}

/** What the owner sets (AUDIT_RETENTION_DAYS, AUDIT_MIN_FREE_MB); `persistent` comes from where the log is. */
export type AuditLimits = Omit<RetentionPolicy, 'persistent'>;

export const DEFAULT_LIMITS: AuditLimits = {
  retentionMs: 30 * 24 * 60 * 60 * 1000,
  minFreeBytes: 256 * 1024 * 1024,
};

/** Free space of a file system, as statfs reports it. */
export type StatFs = (dir: string) => Promise<{ bavail: number; bsize: number }>;

export const realStatFs: StatFs = (dir) => statfs(dir);

/** Bytes an unprivileged writer may still use in `dir`'s file system; null when it cannot be told. */
export async function freeBytes(dir: string, fs: StatFs): Promise<number | null> {
  try {
    const s = await fs(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/**
 * Of the rotated files over keep-N (oldest first), the ones rotation may delete: the leading run
 * whose newest record is at least `retentionMs` old. It stops at the first younger file, so the
 * log only ever loses its oldest end and never gets a hole in the middle.
 */
export async function expiredFiles(files: AuditFile[], retentionMs: number, now: Date): Promise<AuditFile[]> {
  const cutoff = now.getTime() - retentionMs;
  const out: AuditFile[] = [];
  for (const f of files) {
    const newest = await newestRecordTime(f.path);
    if (newest === null || newest > cutoff) break;
    out.push(f);
  }
  return out;
}

/** The `time` of a file's last record (a few lines from its end are tried), else its mtime. */
async function newestRecordTime(path: string): Promise<number | null> {
  let tried = 0;
  for await (const raw of readLinesBackward(path)) {
    const t = Date.parse(
      String((tryParse(raw.bytes.toString('utf8')) as { time?: unknown } | undefined)?.time),
    );
    if (Number.isFinite(t)) return t;
    if (++tried >= 10) break;
  }
  return stat(path).then(
    (s) => s.mtimeMs,
    () => null,
  );
}

export const MIB = 1024 * 1024;

/** "1.5 MiB" style, for messages. */
export function mib(bytes: number): string {
  const v = bytes / MIB;
  return `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10} MiB`;
}
