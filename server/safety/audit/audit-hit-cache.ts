import { stat } from 'node:fs/promises';
import type { AuditFile } from './audit-files.js';

/**
 * Where a filter's pattern occurs in a rotated file, remembered after one query has read the
 * whole file: rotated files never change, so the next query with the same filter — the page
 * asking again, or the next page — reads just those lines instead of 10 MiB. Keyed by the file's
 * identity (inode, size, modification time) as well as its name, so a file changed behind our
 * back is read afresh. Bounded: a pattern on more than MAX_HITS lines of a file (a filter that
 * fills a page within a few chunks anyway) is not kept, and at most MAX_ENTRIES entries are.
 */
const MAX_HITS = 10_000;
const MAX_ENTRIES = 256;

export interface FileHits {
  /** Offsets of the lines holding the pattern, ascending. */
  starts: Uint32Array;
  size: number;
  /** Time of the file's first line (ISO), for `scanned.until`; null when it has none. */
  firstTime: string | null;
}

const cache = new Map<string, FileHits>();

export interface HitKey {
  key: string;
  size: number;
}

/** The cache key of a rotated file and a filter's patterns, or null for a file that may still grow. */
export async function hitKey(file: AuditFile, patterns: Buffer[]): Promise<HitKey | null> {
  if (file.current) return null;
  const st = await stat(file.path).catch(() => null);
  if (!st || st.size > 0xffffffff) return null;
  const key = [
    file.path,
    st.dev,
    st.ino,
    st.size,
    st.mtimeMs,
    ...patterns.map((p) => p.toString('latin1')),
  ].join('\0');
  return { key, size: st.size };
}

export function cachedHits(k: HitKey): FileHits | null {
  const hit = cache.get(k.key);
  if (!hit) return null;
  // Most recently used last: the first entry is the one evicted.
  cache.delete(k.key);
  cache.set(k.key, hit);
  return hit;
}

export function rememberHits(k: HitKey, starts: number[], firstTime: string | null): void {
  if (starts.length > MAX_HITS) return;
  const sorted = Uint32Array.from(starts).sort();
  cache.set(k.key, { starts: sorted, size: k.size, firstTime });
  while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
}

/** Number of offsets in `starts` below `end`. */
export function countBelow(starts: Uint32Array, end: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((starts[mid] as number) < end) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
