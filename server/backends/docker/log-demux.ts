/** The stream a log byte came from, as Docker's multiplexed framing labels it. */
export type LogStreamName = 'stdout' | 'stderr';

/** Receives payload bytes in order; a slice may end anywhere inside a line (or a frame). */
export type PayloadSink = (stream: LogStreamName, bytes: Buffer) => void;

const HEADER = 8;

/**
 * Splits Docker's log framing incrementally, chunk by chunk, without buffering a frame: a frame's
 * payload is handed on as it arrives (as sub-slices of the chunks), and only a partial 8-byte header
 * is ever copied. Memory stays constant whatever the size of the log.
 *
 * Non-TTY containers: each frame is an 8-byte header (byte 0 the stream, 1 stdout / 2 stderr;
 * bytes 4–7 the payload length, big-endian) then the payload. Frames split across chunks at any
 * byte. TTY containers: the body is the raw terminal output, all of it on stdout.
 */
export class LogDemuxer {
  private readonly header = Buffer.alloc(HEADER);
  private headerFill = 0;
  private remaining = 0;
  private stream: LogStreamName = 'stdout';
  /** Frames whose stream byte was neither 1 nor 2 (stdin echo, or a corrupt body): skipped, counted. */
  unknownFrames = 0;
  private skipping = false;

  constructor(
    private readonly raw: boolean,
    private readonly sink: PayloadSink,
  ) {}

  push(chunk: Buffer): void {
    if (this.raw) {
      if (chunk.length) this.sink('stdout', chunk);
      return;
    }
    let pos = 0;
    while (pos < chunk.length) {
      if (this.remaining === 0) {
        const take = Math.min(HEADER - this.headerFill, chunk.length - pos);
        chunk.copy(this.header, this.headerFill, pos, pos + take);
        this.headerFill += take;
        pos += take;
        if (this.headerFill < HEADER) return;
        this.headerFill = 0;
        const kind = this.header[0];
        this.remaining = this.header.readUInt32BE(4);
        this.skipping = kind !== 1 && kind !== 2;
        if (this.skipping) this.unknownFrames++;
        this.stream = kind === 2 ? 'stderr' : 'stdout';
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - pos);
      if (!this.skipping) this.sink(this.stream, chunk.subarray(pos, pos + take));
      this.remaining -= take;
      pos += take;
    }
  }

  /** True when the body ended in the middle of a frame (the daemon or the connection cut it short). */
  get incomplete(): boolean {
    return this.remaining > 0 || this.headerFill > 0;
  }
}
