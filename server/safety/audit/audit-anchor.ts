import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../config/atomic-write.js';
import { isChained, tryParse, type ChainTail } from './hash-chain.js';
import { fsyncDir } from './fs-util.js';

/**
 * `audit.anchor.json`, beside the log: where the log starts (seq, hash and prev of its first
 * record) and the last seq it is known to have reached. The chain alone cannot tell a log whose
 * first lines were deleted from one that starts mid-chain after rotation, nor a cut tail from a
 * log that simply ended there; the anchor can.
 *
 * Written atomically and rarely: when the first record goes into an empty directory, at each
 * rotation (the start moves when rotated files are deleted) and when the writer closes (so
 * `unraid-mcp audit verify` without the service knows the last seq). `last` is only ever a seq
 * that was already fsynced, so it never claims more than the disk holds.
 *
 * It lives in the same directory, so whoever can rewrite the log can rewrite it too: it catches
 * cuts made with ordinary tools (sed, head, tail, an editor), not a forger who also edits it.
 */
export const ANCHOR_FILE = 'audit.anchor.json';

export interface AuditAnchor {
  version: 1;
  /** The first record of the log. */
  first: { seq: number; hash: string; prev: string };
  /** The last record known to be on disk when the anchor was written. */
  last: ChainTail;
  updated: string;
  /** What wrote it: "created", "rotated", "closed", "recreated", "head-cut-reported". */
  reason: string;
  /**
   * Hash of the first record found on disk when the writer last recorded an `audit.head-cut`:
   * the event is written once per cut, not at every start.
   */
  headCutReported?: string;
}

export type AnchorRead =
  { state: 'none' } | { state: 'ok'; anchor: AuditAnchor } | { state: 'unreadable'; problem: string };

export async function readAnchor(dir: string): Promise<AnchorRead> {
  let text: string;
  try {
    text = await readFile(join(dir, ANCHOR_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'none' };
    return { state: 'unreadable', problem: (err as Error).message };
  }
  const v = tryParse(text) as Partial<AuditAnchor> | undefined;
  const first = v?.first;
  const last = v?.last;
  const ok =
    v?.version === 1 &&
    isChained(first) &&
    last !== undefined &&
    Number.isSafeInteger(last.seq) &&
    last.seq >= first.seq &&
    typeof last.hash === 'string';
  if (!ok) return { state: 'unreadable', problem: 'it is not a valid anchor (damaged or edited)' };
  return { state: 'ok', anchor: v as AuditAnchor };
}

export async function writeAnchor(dir: string, anchor: AuditAnchor): Promise<void> {
  await writeFileAtomic(join(dir, ANCHOR_FILE), JSON.stringify(anchor) + '\n');
}

/** Removes the anchor of a directory whose records were moved away (relocation). */
export async function removeAnchor(dir: string): Promise<void> {
  try {
    await unlink(join(dir, ANCHOR_FILE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await fsyncDir(dir);
}
