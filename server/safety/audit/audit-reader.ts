import { open, type FileHandle } from 'node:fs/promises';

/** One line of a file, without its newline. `bytes` may share memory with the read buffer. */
export interface RawLine {
  /** Byte offset of the line's first byte in the file. */
  offset: number;
  bytes: Buffer;
  /** False for trailing bytes with no newline yet: a write in progress, or debris from a crash. */
  complete: boolean;
}

export interface ReadOptions {
  start?: number;
  /** Default: the file's size when reading starts. */
  end?: number;
  /** First read; each further read doubles, up to `maxChunkSize`. */
  chunkSize?: number;
  maxChunkSize?: number;
}

/** A first page needs one small read; a long scan wants few large ones (each read is a thread-pool round trip). */
const CHUNK = 64 * 1024;
const MAX_CHUNK = 256 * 1024;
const NL = 0x0a;

/**
 * Lines of a file from `end` back to `start`, newest first, one batch per chunk read: the audit
 * query pages through hundreds of megabytes reading chunks from the end (64 KiB growing to 256 KiB),
 * never a whole file, and holds at most one chunk plus one line. Batches (not single lines) keep the per-line
 * cost of an async iterator off the hot path. Bytes after the last newline are yielded with
 * `complete: false` only when `partialTail` is set; otherwise they are skipped.
 */
export async function* readLineBatchesBackward(
  path: string,
  opts: ReadOptions & { partialTail?: boolean } = {},
): AsyncGenerator<RawLine[]> {
  const fh = await open(path, 'r');
  try {
    const start = opts.start ?? 0;
    const end = opts.end ?? (await fh.stat()).size;
    let chunkSize = opts.chunkSize ?? CHUNK;
    const maxChunk = Math.max(chunkSize, opts.maxChunkSize ?? MAX_CHUNK);
    const partialTail = opts.partialTail ?? false;
    // `pending`: bytes whose end is known but whose start is not yet; they follow the next chunk.
    // It is a complete line once a newline has been seen after it; before that it is the tail.
    let pending: Buffer = Buffer.alloc(0);
    let pendingComplete = false;
    let pos = end;
    while (pos > start) {
      const from = Math.max(start, pos - chunkSize);
      chunkSize = Math.min(maxChunk, chunkSize * 2);
      const chunk = Buffer.allocUnsafe(pos - from);
      await readFully(fh, chunk, from);
      const buf = pending.length ? Buffer.concat([chunk, pending]) : chunk;
      const batch: RawLine[] = [];
      let segEnd = buf.length;
      // Newlines inside the chunk only; Buffer#lastIndexOf treats a negative offset as "from the end".
      let nl = buf.lastIndexOf(NL, chunk.length - 1);
      while (nl >= 0) {
        if (pendingComplete)
          batch.push({ offset: from + nl + 1, bytes: buf.subarray(nl + 1, segEnd), complete: true });
        else if (partialTail && segEnd > nl + 1)
          batch.push({ offset: from + nl + 1, bytes: buf.subarray(nl + 1, segEnd), complete: false });
        pendingComplete = true;
        segEnd = nl;
        nl = nl > 0 ? buf.lastIndexOf(NL, nl - 1) : -1;
      }
      pending = buf.subarray(0, segEnd);
      pos = from;
      if (pos <= start) {
        if (pendingComplete) batch.push({ offset: start, bytes: pending, complete: true });
        else if (partialTail && pending.length)
          batch.push({ offset: start, bytes: pending, complete: false });
      }
      if (batch.length) yield batch;
    }
  } finally {
    await fh.close();
  }
}

/** Lines of a file, oldest first, one batch per chunk; bytes after the last newline come last with `complete: false`. */
export async function* readLineBatchesForward(
  path: string,
  opts: ReadOptions = {},
): AsyncGenerator<RawLine[]> {
  const fh = await open(path, 'r');
  try {
    const end = opts.end ?? (await fh.stat()).size;
    let chunkSize = opts.chunkSize ?? CHUNK;
    const maxChunk = Math.max(chunkSize, opts.maxChunkSize ?? MAX_CHUNK);
    let pos = opts.start ?? 0;
    let carry: Buffer = Buffer.alloc(0);
    let carryOffset = pos;
    while (pos < end) {
      const chunk = Buffer.allocUnsafe(Math.min(chunkSize, end - pos));
      chunkSize = Math.min(maxChunk, chunkSize * 2);
      const n = await readFully(fh, chunk, pos);
      if (n === 0) break;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      const bufOffset = carryOffset;
      pos += n;
      const batch: RawLine[] = [];
      let lineStart = 0;
      let nl = buf.indexOf(NL);
      while (nl >= 0) {
        batch.push({ offset: bufOffset + lineStart, bytes: buf.subarray(lineStart, nl), complete: true });
        lineStart = nl + 1;
        nl = buf.indexOf(NL, lineStart);
      }
      carry = buf.subarray(lineStart);
      carryOffset = bufOffset + lineStart;
      if (batch.length) yield batch;
    }
    if (carry.length) yield [{ offset: carryOffset, bytes: carry, complete: false }];
  } finally {
    await fh.close();
  }
}

/** Line-at-a-time view of readLineBatchesBackward, for code that reads only a few lines. */
export async function* readLinesBackward(
  path: string,
  opts: ReadOptions & { partialTail?: boolean } = {},
): AsyncGenerator<RawLine> {
  for await (const batch of readLineBatchesBackward(path, opts)) yield* batch;
}

/** Line-at-a-time view of readLineBatchesForward. */
export async function* readLinesForward(path: string, opts: ReadOptions = {}): AsyncGenerator<RawLine> {
  for await (const batch of readLineBatchesForward(path, opts)) yield* batch;
}

/** Fills `buf` from `position`, looping over short reads; returns the bytes read (less only at EOF). */
export async function readFully(fh: FileHandle, buf: Buffer, position: number): Promise<number> {
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await fh.read(buf, done, buf.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/** A run of complete lines: `bytes` starts at a line start and ends with a newline. */
export interface LineChunk {
  /** File offset of `bytes[0]`. */
  offset: number;
  bytes: Buffer;
}

/**
 * Complete lines from `end` back to `start`, one chunk per read (64 KiB growing to 256 KiB), newest
 * chunk first; bytes after the last newline (a write in progress) are skipped. Unlike
 * readLineBatchesBackward it does not split lines: a query with a selective filter searches a whole
 * chunk for its pattern natively and only looks at the lines that contain it.
 */
export async function* readChunksBackward(path: string, opts: ReadOptions = {}): AsyncGenerator<LineChunk> {
  const fh = await open(path, 'r');
  try {
    const start = opts.start ?? 0;
    let pos = opts.end ?? (await fh.stat()).size;
    let chunkSize = opts.chunkSize ?? CHUNK;
    const maxChunk = Math.max(chunkSize, opts.maxChunkSize ?? MAX_CHUNK);
    // `carry`: the start of the newer chunk up to its first newline, the end of a line that began earlier.
    let carry: Buffer = Buffer.alloc(0);
    let tailTrimmed = false;
    while (pos > start) {
      const from = Math.max(start, pos - chunkSize);
      chunkSize = Math.min(maxChunk, chunkSize * 2);
      const chunk = Buffer.allocUnsafe(pos - from);
      await readFully(fh, chunk, from);
      pos = from;
      let buf = carry.length ? Buffer.concat([chunk, carry]) : chunk;
      if (!tailTrimmed) {
        const last = buf.lastIndexOf(NL);
        // Everything read so far follows the last newline: an unfinished line, never a record.
        if (last < 0) continue;
        buf = buf.subarray(0, last + 1);
        tailTrimmed = true;
      }
      let bodyStart = 0;
      if (from > start) {
        const first = buf.indexOf(NL);
        if (first < 0 || first === buf.length - 1) {
          carry = buf;
          continue;
        }
        bodyStart = first + 1;
        carry = buf.subarray(0, bodyStart);
      } else carry = Buffer.alloc(0);
      yield { offset: from + bodyStart, bytes: buf.subarray(bodyStart) };
    }
  } finally {
    await fh.close();
  }
}
