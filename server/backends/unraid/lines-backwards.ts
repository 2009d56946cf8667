import type { FileHandle } from 'node:fs/promises';

/**
 * The lines of one chunk, newest first, as places in the bytes they were read into: no object per
 * line, so a search that passes over most lines leaves the garbage collector little to do.
 * `lineBytes(batch, i)` gives line `i`.
 */
export interface LineBatch {
  /** Holds every line of the batch (and may hold more: the start of a line that continues further back). */
  block: Buffer;
  /** Per line: where it starts in `block`, how many of its bytes are kept, how many were cut. */
  starts: number[];
  lengths: number[];
  cuts: number[];
}

/** Line `i` of a batch: its first bytes (at most the maximum line length). */
export function lineBytes(batch: LineBatch, i: number): Buffer {
  const start = batch.starts[i] as number;
  return batch.block.subarray(start, start + (batch.lengths[i] as number));
}

export interface BackwardsOptions {
  /** Bytes of the first read from the end; each further read doubles, up to `maxChunkBytes`. */
  chunkBytes: number;
  maxChunkBytes: number;
  /** Longest line kept whole; longer ones keep their first `maxLineBytes` bytes. */
  maxLineBytes: number;
  signal?: AbortSignal;
}

/**
 * The lines of an open file, newest (last) first, one batch per chunk read from the end. Memory is
 * one chunk plus one line's first `maxLineBytes` bytes, whatever the file's size: a line longer
 * than that keeps its beginning (the part read last) and counts the rest in `cutBytes`. A final
 * newline does not make an empty last line. `onRead` learns the bytes read so far.
 */
export async function* linesBackwards(
  handle: FileHandle,
  size: number,
  opts: BackwardsOptions,
  onRead?: (bytes: number) => void,
): AsyncGenerator<LineBatch> {
  const max = opts.maxLineBytes;
  /** `len` bytes at `at` (fewer if the file shrank meanwhile), in a buffer of their own. */
  const readAt = async (at: number, len: number): Promise<Buffer> => {
    const buf = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await handle.read(buf, got, len - got, at + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  };
  /** The newest unfinished line's first bytes (its start lies further back), and its bytes cut. */
  let carry = Buffer.alloc(0);
  let carryCut = 0;
  let first = true;
  let chunk = opts.chunkBytes;
  let pos = size;
  // The next chunk is read while this one is split and its lines are used: disk and CPU overlap.
  let next: { at: number; read: Promise<Buffer> } | null = null;
  const readNext = () => {
    if (pos === 0) return null;
    const len = Math.min(chunk, pos);
    pos -= len;
    const read = readAt(pos, len);
    read.catch(() => {}); // awaited below or in `finally`; never an unhandled rejection
    return { at: pos, read };
  };
  next = readNext();
  try {
    while (next) {
      opts.signal?.throwIfAborted();
      const data = await next.read;
      const at = next.at;
      // A short tail costs one small read; a long search gets fewer, larger ones.
      if (chunk < opts.maxChunkBytes) chunk = Math.min(chunk * 2, opts.maxChunkBytes);
      next = readNext();
      onRead?.(size - at);
      const block = carry.length === 0 ? data : Buffer.concat([data, carry]);
      const batch: LineBatch = { block, starts: [], lengths: [], cuts: [] };
      let end = block.length;
      let cut = carryCut;
      let nl = block.lastIndexOf(0x0a, end - 1);
      if (first && nl === end - 1 && at + data.length === size) {
        // The file's final newline ends the last line; it does not start an empty one.
        end = nl;
        nl = end === 0 ? -1 : block.lastIndexOf(0x0a, end - 1);
      }
      first = false;
      while (nl !== -1) {
        const start = nl + 1;
        const whole = end - start;
        const keep = Math.min(whole, max);
        // A line past `max`: the bytes beyond its first `max` are counted, not kept.
        batch.starts.push(start);
        batch.lengths.push(keep);
        batch.cuts.push(whole - keep + (end === block.length ? cut : 0));
        cut = 0;
        end = nl;
        nl = end === 0 ? -1 : block.lastIndexOf(0x0a, end - 1);
      }
      // What precedes the first newline of the block starts further back: keep its first `max` bytes.
      const restCut = end === block.length ? cut : 0;
      if (end > max) {
        carryCut = restCut + (end - max);
        carry = Buffer.from(block.subarray(0, max));
      } else {
        carryCut = restCut;
        carry = Buffer.from(block.subarray(0, end));
      }
      if (batch.starts.length > 0) yield batch;
    }
    // The first line of the file (empty when the file starts with a newline).
    if (size > 0) yield { block: carry, starts: [0], lengths: [carry.length], cuts: [carryCut] };
  } finally {
    // A reader that stops early must not close the file under a read still running.
    if (next) await next.read.catch(() => {});
  }
}
