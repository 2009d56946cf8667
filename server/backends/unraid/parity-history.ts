import { open } from 'node:fs/promises';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';
import { parseParityLogLine, type ParityLogEntry } from './parity-log-line.js';

export interface ParityHistory {
  /** Newest first. */
  entries: ParityLogEntry[];
  /** Lines read that match no known format (skipped), within the part of the file that was read. */
  skippedLines: number;
  /** True when older lines exist beyond the limit (the file was not read to its start). */
  more: boolean;
  /** False when the log does not exist (no operation has finished on this server, or not Unraid). */
  logExists: boolean;
}

/** Bytes read per step from the end of the file. */
const CHUNK = 64 * 1024;
/** A history line is ~80 bytes; anything much longer is not one and is skipped unread past this. */
const MAX_LINE = 4096;

/**
 * The newest `limit` operations of parity-checks.log, read backwards from the end in chunks, so a
 * history of decades costs what the asked-for lines cost. Lines that match no format are skipped
 * and counted; the read stops at `limit` entries or at `maxBytes`, whichever comes first.
 */
export async function readParityHistory(
  path: string,
  limit: number,
  signal?: AbortSignal,
  maxBytes = 16 * 1024 * 1024,
): Promise<ParityHistory> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return { entries: [], skippedLines: 0, more: false, logExists: false };
    if (code === 'EACCES' || code === 'EPERM')
      throw new BackendUnavailableError(
        'The parity history (parity-checks.log on the flash drive) could not be read (permission denied) — unraid-mcp must run as root.',
      );
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const entries: ParityLogEntry[] = [];
    let skippedLines = 0;
    let pos = size;
    let carry = Buffer.alloc(0);
    let readBytes = 0;
    const take = (raw: Buffer): boolean => {
      if (raw.length === 0) return false;
      const line = raw.length > MAX_LINE ? null : raw.toString('utf8');
      const entry = line === null || line.trim() === '' ? null : parseParityLogLine(line);
      if (entry) entries.push(entry);
      else if (line === null || line.trim() !== '') skippedLines++;
      return entries.length >= limit;
    };
    while (pos > 0 && readBytes < maxBytes) {
      signal?.throwIfAborted();
      const len = Math.min(CHUNK, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      await handle.read(buf, 0, len, pos);
      readBytes += len;
      let block = Buffer.concat([buf, carry]);
      let nl = block.lastIndexOf(0x0a);
      while (nl !== -1) {
        const line = block.subarray(nl + 1);
        block = block.subarray(0, nl);
        if (take(line)) return { entries, skippedLines, more: pos > 0 || block.length > 0, logExists: true };
        nl = block.lastIndexOf(0x0a);
      }
      // An over-long fragment is skipped without being kept whole in memory.
      carry = block.length > MAX_LINE ? block.subarray(0, MAX_LINE + 1) : Buffer.from(block);
    }
    take(carry);
    return { entries, skippedLines, more: pos > 0, logExists: true };
  } finally {
    await handle.close();
  }
}
