/** Longest line kept, in bytes; the rest of a longer line is dropped and the line marked as cut. */
export const MAX_LINE_BYTES = 4096;

/** Receives one complete line (without its line ending) and how many bytes were cut off it. */
export type LineSink = (text: string, cutBytes: number) => void;

const NL = 0x0a;

/**
 * Turns a byte stream into lines while holding at most MAX_LINE_BYTES of one unfinished line: a
 * line that never ends (a binary dump, a progress bar without newlines) cannot grow memory. Lines
 * are decoded as UTF-8 after cutting at a character boundary, and a trailing CR (TTY output) is
 * dropped.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private cut = 0;

  constructor(
    private readonly sink: LineSink,
    private readonly maxBytes = MAX_LINE_BYTES,
  ) {}

  push(bytes: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = bytes.indexOf(NL, start);
      if (nl === -1) {
        this.keep(bytes.subarray(start));
        return;
      }
      this.keep(bytes.subarray(start, nl));
      this.emit();
      start = nl + 1;
    }
  }

  /** Emits an unfinished last line, if any (the log ended without a newline). */
  end(): void {
    if (this.pendingBytes > 0 || this.cut > 0) this.emit();
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    const room = this.maxBytes - this.pendingBytes;
    if (room <= 0) {
      this.cut += part.length;
      return;
    }
    const kept = part.length <= room ? part : part.subarray(0, room);
    // Copy: the chunk this slice points into must not stay alive just for a line fragment.
    this.pending.push(Buffer.from(kept));
    this.pendingBytes += kept.length;
    this.cut += part.length - kept.length;
  }

  private emit(): void {
    let bytes =
      this.pending.length === 1
        ? (this.pending[0] as Buffer)
        : Buffer.concat(this.pending, this.pendingBytes);
    let cut = this.cut;
    if (cut > 0) {
      // Back off to a UTF-8 character boundary so the cut never leaves half a character.
      const end = utf8Boundary(bytes);
      cut += bytes.length - end;
      bytes = bytes.subarray(0, end);
    }
    let text = bytes.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    this.pending = [];
    this.pendingBytes = 0;
    this.cut = 0;
    this.sink(text, cut);
  }
}

/** Length of `bytes` without a trailing incomplete UTF-8 sequence. */
export function utf8Boundary(bytes: Buffer): number {
  let i = bytes.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && ((bytes[i] as number) & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return bytes.length;
  const lead = bytes[i] as number;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > continuation + 1 ? i : bytes.length;
}
