import { open, stat } from 'node:fs/promises';
import type { AuditFile } from './audit-files.js';
import { tryParse } from './hash-chain.js';

/**
 * A query cursor: the file by the seq of its first record (stable across rotation, which renames
 * audit.jsonl after that seq) and the byte offset in it where the next, older page ends.
 */
export interface Cursor {
  s: number;
  o: number;
}

export class InvalidCursorError extends RangeError {
  override readonly name = 'InvalidCursorError';
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  if (!/^[A-Za-z0-9_-]+$/.test(text))
    throw new InvalidCursorError('audit query: the cursor is not valid (not a cursor a page returned)');
  const c = tryParse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Cursor> | undefined;
  if (
    !c ||
    !Number.isSafeInteger(c.s) ||
    !Number.isSafeInteger(c.o) ||
    (c.s as number) < 1 ||
    (c.o as number) < 0
  )
    throw new InvalidCursorError('audit query: the cursor is not valid (not a cursor a page returned)');
  return c as Cursor;
}

/**
 * Checks a decoded cursor against the files as they are now (newest first, each with its first
 * seq): it must point at the start of a line inside a file of the log. A cursor into files that
 * rotation has since deleted points before the log's start and simply finds nothing more.
 */
export async function checkCursor(
  c: Cursor,
  files: ReadonlyArray<AuditFile & { seq: number }>,
): Promise<Cursor> {
  const file = files.find((f) => f.seq === c.s);
  const oldest = files[files.length - 1];
  if (!file) {
    if (oldest && c.s < oldest.seq) return { s: c.s, o: 0 };
    throw new InvalidCursorError(
      `audit query: the cursor is not valid (no file of the log starts at seq ${c.s}; the log was moved or changed — start again from the first page)`,
    );
  }
  const size = (await stat(file.path)).size;
  if (c.o > size)
    throw new InvalidCursorError(
      `audit query: the cursor is not valid (offset ${c.o} is past the end of ${file.name}, ${size} bytes)`,
    );
  if (c.o > 0 && !(await newlineBefore(file.path, c.o)))
    throw new InvalidCursorError(
      `audit query: the cursor is not valid (offset ${c.o} in ${file.name} is not the start of a record)`,
    );
  return c;
}

async function newlineBefore(path: string, offset: number): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(1);
    const { bytesRead } = await fh.read(b, 0, 1, offset - 1);
    return bytesRead === 1 && b[0] === 0x0a;
  } finally {
    await fh.close();
  }
}
