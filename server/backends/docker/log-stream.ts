import { LogDemuxer, type LogStreamName } from './log-demux.js';
import { LineSplitter, MAX_LINE_BYTES } from './line-splitter.js';
import { LogCollector, type CollectorLimits, type LogLine } from './log-collector.js';

export interface LogScanOptions {
  /** TTY containers send raw text; the others send 8-byte-header frames. */
  tty: boolean;
  /** Docker was asked for timestamps: each line starts with one, moved into `time`. */
  timestamps: boolean;
  /** Lines that count as matches; null when every line does (no filter). */
  match: ((text: string) => boolean) | null;
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
  const onLine = (stream: LogStreamName) => (raw: string, cutBytes: number) => {
    let text = raw;
    let time: string | undefined;
    if (opts.timestamps) {
      const ts = TIMESTAMP.exec(text);
      if (ts) {
        time = ts[1];
        text = text.slice(ts[0].length);
      }
    }
    const isMatch = opts.match ? opts.match(text) : true;
    if (cutBytes > 0) text += ` … [line cut: ${cutBytes} more bytes]`;
    collector.push(time === undefined ? { stream, text } : { stream, time, text }, isMatch, cutBytes > 0);
  };
  const splitters: Record<LogStreamName, LineSplitter> = {
    stdout: new LineSplitter(onLine('stdout'), MAX_LINE_BYTES),
    stderr: new LineSplitter(onLine('stderr'), MAX_LINE_BYTES),
  };
  const demux = new LogDemuxer(opts.tty, (stream, bytes) => splitters[stream].push(bytes));
  let bytesRead = 0;
  let nextProgress = PROGRESS_EVERY;
  for await (const chunk of source) {
    opts.signal?.throwIfAborted();
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytesRead += buf.length;
    demux.push(buf);
    if (bytesRead >= nextProgress) {
      nextProgress += PROGRESS_EVERY;
      opts.onProgress?.(bytesRead);
    }
  }
  opts.signal?.throwIfAborted();
  splitters.stdout.end();
  splitters.stderr.end();
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
