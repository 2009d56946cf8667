import { listAuditFiles, readFirstSeq } from './audit-files.js';
import { readLinesForward } from './audit-reader.js';
import { isChained, tryParse } from './hash-chain.js';
import type { StoredRecord } from './audit-record.js';

/**
 * The record with a given seq, or null. Rotated files are named after their first seq, so only the
 * one file that can hold it is read (forwards, streaming).
 */
export async function findRecordBySeq(dir: string, seq: number): Promise<StoredRecord | null> {
  const files = await listAuditFiles(dir);
  let candidate: string | null = null;
  for (const f of files) {
    const first = f.current ? await readFirstSeq(f.path) : f.firstSeq;
    if (first !== null && first <= seq) candidate = f.path;
  }
  if (!candidate) return null;
  for await (const raw of readLinesForward(candidate)) {
    if (!raw.complete) break;
    const rec = tryParse(raw.bytes.toString('utf8'));
    if (isChained(rec) && rec.seq === seq) return rec;
    if (isChained(rec) && rec.seq > seq) return null;
  }
  return null;
}
