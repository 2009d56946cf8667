import { LogDemuxer, type LogStreamName } from './log-demux.js';
import { LineSplitter, MAX_LINE_BYTES } from './line-splitter.js';
import { LogCollector, type CollectorLimits, type LogLine } from './log-collector.js';
import type { LineFilter } from './log-filter.js';
import { RegexWorker } from './regex-worker.js';

export interface LogScanOptions {
  /** TTY containers send raw text; the others send 8-byte-header frames. */
  tty: boolean;
  /** Docker was asked for timestamps: each line starts with one, moved into `time`. */
  timestamps: boolean;
  /** What a line must pass to count as a match; null when every line does (no filter). */
  match: LineFilter | null;
  limits: CollectorLimits;
  signal?: AbortSignal;
  /** Called with the bytes read so far, every PROGRESS_EVERY bytes. */
  onProgress?: (bytesRead: number) => void;
}

export interface LogScan {
  lines: LogLine[];
  scanned: number;
  matched: number;
  returnedMatches: number;
  droppedByTail: number;
  droppedByBudget: number;
  cutLines: number;
  bytesRead: number;
  /** The body ended inside a frame: the daemon or the connection cut the log short. */
  incomplete: boolean;
}

const PROGRESS_EVERY = 16 * 1024 * 1024;
/**
 * Longest stretch of filtering in this thread between two yields to the event loop; the tool's
 * deadline (the signal) is checked at each yield. The regex runs on a worker thread
 * (regex-worker.ts), terminated when the scan ends, so a costly pattern neither holds the loop nor
 * outlives the tool's deadline.
 */
const SLICE_MS = 15;

interface RawLine {
  stream: LogStreamName;
  raw: string;
  cutBytes: number;
}
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) /;

/**
 * Reads a container log body chunk by chunk — demultiplexing, splitting lines, filtering — and keeps
 * only what LogCollector keeps. Nothing here holds more than one chunk, one unfinished line per
 * stream and the collector's bounded window, so memory does not grow with the size of the log.
 */
export async function scanLogStream(
  source: AsyncIterable<Buffer | string>,
  opts: LogScanOptions,
): Promise<LogScan> {
  const collector = new LogCollector(opts.limits);
  // The splitters only collect a chunk's lines; drain() filters them (the regex on a worker) and keeps them.
  const pending: RawLine[] = [];
  const onLine = (stream: LogStreamName) => (raw: string, cutBytes: number) =>
    void pending.push({ stream, raw, cutBytes });
  const splitters: Record<LogStreamName, LineSplitter> = {
    stdout: new LineSplitter(onLine('stdout'), MAX_LINE_BYTES),
    stderr: new LineSplitter(onLine('stderr'), MAX_LINE_BYTES),
  };
  const filter = opts.match;
  let worker: RegexWorker | null = null;
  let sliceStart = performance.now();
  /** Lets other work run once this thread has been busy for SLICE_MS, and stops when the call is over. */
  const breathe = async () => {
    if (performance.now() - sliceStart <= SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    opts.signal?.throwIfAborted();
    sliceStart = performance.now();
  };
  const drain = async () => {
    if (pending.length === 0) return;
    const lines = pending.splice(0).map((l) => withTime(l, opts.timestamps));
    const passed = new Uint8Array(lines.length).fill(1);
    if (filter?.test) {
      for (let i = 0; i < lines.length; i++) {
        passed[i] = filter.test((lines[i] as TimedLine).text) ? 1 : 0;
        await breathe();
      }
    }
    if (worker) {
      const asked: number[] = [];
      for (let i = 0; i < lines.length; i++) if (passed[i]) asked.push(i);
      const answers = await worker.match(
        asked.map((i) => (lines[i] as TimedLine).text),
        opts.signal,
      );
      asked.forEach((i, k) => (passed[i] = answers[k] as number));
    }
    lines.forEach(({ stream, time, text, cutBytes }, i) => {
      const shown = cutBytes > 0 ? `${text} … [line cut: ${cutBytes} more bytes]` : text;
      collector.push(
        time === undefined ? { stream, text: shown } : { stream, time, text: shown },
        filter ? passed[i] === 1 : true,
        cutBytes > 0,
      );
    });
    await breathe();
  };
  const demux = new LogDemuxer(opts.tty, (stream, bytes) => splitters[stream].push(bytes));
  let bytesRead = 0;
  let nextProgress = PROGRESS_EVERY;
  try {
    if (filter?.regex) worker = await RegexWorker.start(filter.regex, opts.signal);
    for await (const chunk of source) {
      opts.signal?.throwIfAborted();
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytesRead += buf.length;
      demux.push(buf);
      await drain();
      if (bytesRead >= nextProgress) {
        nextProgress += PROGRESS_EVERY;
        opts.onProgress?.(bytesRead);
      }
    }
    opts.signal?.throwIfAborted();
    splitters.stdout.end();
    splitters.stderr.end();
    await drain();
  } finally {
    // At the deadline or a cancellation this also stops a regex still running on the worker.
    await worker?.terminate();
  }
  return {
    lines: collector.lines(),
    scanned: collector.scanned,
    matched: collector.matched,
    returnedMatches: collector.returnedMatches,
    droppedByTail: collector.droppedByTail,
    droppedByBudget: collector.droppedByBudget,
    cutLines: collector.cutLines,
    bytesRead,
    incomplete: demux.incomplete,
  };
}

interface TimedLine {
  stream: LogStreamName;
  time?: string;
  text: string;
  cutBytes: number;
}

/** Moves Docker's timestamp (when asked for) from the start of the line into `time`. */
function withTime({ stream, raw, cutBytes }: RawLine, timestamps: boolean): TimedLine {
  const ts = timestamps ? TIMESTAMP.exec(raw) : null;
  return ts
    ? { stream, time: ts[1], text: raw.slice(ts[0].length), cutBytes }
    : { stream, text: raw, cutBytes };
}
