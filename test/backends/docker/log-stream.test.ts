import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { scanLogStream, type LogScanOptions } from '../../../server/backends/docker/log-stream.js';
import { LogCollector } from '../../../server/backends/docker/log-collector.js';
import { buildLineFilter } from '../../../server/backends/docker/log-filter.js';

function frame(stream: 1 | 2, payload: string): Buffer {
  const body = Buffer.from(payload);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

async function* chunks(...parts: Buffer[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield p;
}

const opts = (
  over: Partial<LogScanOptions> = {},
  limits: Partial<LogScanOptions['limits']> = {},
): LogScanOptions => ({
  tty: false,
  timestamps: false,
  match: null,
  ...over,
  limits: { tail: 200, context: 0, budgetBytes: 32 * 1024, filtered: over.match != null, ...limits },
});

/** Lines "1".."n" on stdout, as a framed body. */
const numbered = (n: number) => Buffer.concat(Array.from({ length: n }, (_, i) => frame(1, `${i + 1}\n`)));
const texts = (lines: Array<{ text: string }>) => lines.map((l) => l.text);

describe('scanLogStream', () => {
  it('keeps the last `tail` lines, numbered among the lines read', async () => {
    const scan = await scanLogStream(chunks(numbered(50)), opts({}, { tail: 3 }));
    expect(scan.lines).toEqual([
      { n: 48, stream: 'stdout', text: '48' },
      { n: 49, stream: 'stdout', text: '49' },
      { n: 50, stream: 'stdout', text: '50' },
    ]);
    expect(scan).toMatchObject({
      scanned: 50,
      matched: 50,
      returnedMatches: 3,
      droppedByTail: 47,
      droppedByBudget: 0,
    });
  });

  it('moves Docker timestamps into `time`, and filters on the text after them', async () => {
    const body = Buffer.concat([
      frame(2, '2025-06-01T12:00:00.123456789Z level=error boom\n'),
      frame(1, '2025-06-01T12:00:01.000000001Z fine\n'),
    ]);
    const scan = await scanLogStream(
      chunks(body),
      opts({ timestamps: true, match: buildLineFilter({ ignoreCase: true, level: 'error' }) }),
    );
    expect(scan.lines).toEqual([
      {
        n: 1,
        stream: 'stderr',
        time: '2025-06-01T12:00:00.123456789Z',
        text: 'level=error boom',
        match: true,
      },
    ]);
  });

  it('returns matches with context, merging overlapping groups and marking matches', async () => {
    const match = buildLineFilter({ grep: '0', ignoreCase: false }); // 10, 20, 30, 40, 50
    const scan = await scanLogStream(chunks(numbered(50)), opts({ match }, { context: 6, tail: 2 }));
    // last two matches 40 and 50: 34..46 around 40, 44..50 around 50 — merged into one run from 34 to 50.
    expect(texts(scan.lines)).toEqual(Array.from({ length: 17 }, (_, i) => String(34 + i)));
    expect(scan.lines.filter((l) => l.match).map((l) => l.text)).toEqual(['40', '50']);
    expect(scan).toMatchObject({ scanned: 50, matched: 5, returnedMatches: 2, droppedByTail: 3 });
  });

  it('keeps separate context groups apart, with gaps visible in n', async () => {
    const match = buildLineFilter({ grep: '5', ignoreCase: false }); // 5, 15, 25
    const scan = await scanLogStream(chunks(numbered(30)), opts({ match }, { context: 1 }));
    expect(scan.lines.map((l) => `${l.n}${l.match ? '*' : ''}`)).toEqual([
      '4',
      '5*',
      '6',
      '14',
      '15*',
      '16',
      '24',
      '25*',
      '26',
    ]);
  });

  it('drops the oldest lines when the kept ones would not fit the response budget', async () => {
    const scan = await scanLogStream(chunks(numbered(5000)), opts({}, { tail: 5000, budgetBytes: 2000 }));
    const size = scan.lines.reduce((s, l) => s + JSON.stringify(l).length + 1, 0);
    expect(size).toBeLessThanOrEqual(2000);
    expect(scan.lines.at(-1)?.text).toBe('5000');
    expect(scan.returnedMatches + scan.droppedByBudget).toBe(5000);
    expect(scan.droppedByBudget).toBeGreaterThan(4900);
  });

  it('reports cut lines and a body that ended inside a frame', async () => {
    const scan = await scanLogStream(
      chunks(frame(1, `${'y'.repeat(10_000)}\n`), frame(1, 'partial\n').subarray(0, 12)),
      opts(),
    );
    expect(scan.cutLines).toBe(1);
    expect(scan.lines[0]?.text).toMatch(/^y{4096} … \[line cut: 5904 more bytes\]$/);
    expect(scan.incomplete).toBe(true);
  });

  it('stops when the signal aborts', async () => {
    const ctl = new AbortController();
    async function* endless() {
      for (let i = 0; ; i++) {
        if (i === 10) ctl.abort(new Error('stop'));
        yield frame(1, `${i}\n`);
      }
    }
    await expect(scanLogStream(endless(), opts({ signal: ctl.signal }))).rejects.toThrow('stop');
  });
});

describe('LogCollector', () => {
  it('counts without keeping lines when nothing matches', () => {
    const c = new LogCollector({ tail: 10, context: 3, budgetBytes: 10_000, filtered: true });
    for (let i = 0; i < 1000; i++) c.push({ stream: 'stdout', text: `line ${i}` }, false);
    expect(c.lines()).toEqual([]);
    expect({ scanned: c.scanned, matched: c.matched }).toEqual({ scanned: 1000, matched: 0 });
  });
});

describe('memory stays bounded however large the log is', () => {
  // A generated body of ≥ 50 MB (never stored): 210,000 lines of ~250 bytes on both streams, framed,
  // then re-chunked at odd offsets so frames straddle chunks. Retained heap and buffer memory are
  // measured after a forced GC while the scan is in progress and after it: a processor that
  // concatenated the log (or kept every line) would hold 50+ MB.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;

  it('scans 210,000 lines (≥ 50 MB) with grep, context and tail holding under 20 MB', async () => {
    const LINES = 210_000;
    const pad = 'x'.repeat(240);
    let generated = 0;
    let peak = 0;
    gc();
    const base = process.memoryUsage();
    const sample = () => {
      gc();
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed - base.heapUsed, m.arrayBuffers - base.arrayBuffers);
    };
    async function* body(): AsyncGenerator<Buffer> {
      let carry: Buffer = Buffer.alloc(0);
      let batch: Buffer[] = [carry];
      let size = 0;
      let nextSample = 5_000_000;
      for (let i = 1; i <= LINES; i++) {
        const f = frame(i % 3 === 0 ? 2 : 1, `${i} level=${i % 1000 === 0 ? 'error' : 'info'} ${pad}\n`);
        batch.push(f);
        size += f.length;
        if (size >= 64 * 1024 || i === LINES) {
          const block = Buffer.concat(batch);
          const cutAt = i === LINES ? block.length : block.length - ((i * 7919) % 1000) - 1;
          generated += cutAt;
          yield block.subarray(0, cutAt);
          carry = Buffer.from(block.subarray(cutAt));
          batch = [carry];
          size = carry.length;
          if (generated >= nextSample) {
            nextSample += 5_000_000;
            sample();
          }
        }
      }
    }
    const match = buildLineFilter({ grep: 'level=error', ignoreCase: true });
    const scan = await scanLogStream(body(), opts({ match }, { tail: 10, context: 2 }));
    sample();
    expect(generated).toBeGreaterThanOrEqual(50 * 1024 * 1024);
    expect(scan.bytesRead).toBe(generated);
    expect(scan).toMatchObject({
      scanned: LINES,
      matched: LINES / 1000,
      returnedMatches: 10,
      droppedByTail: LINES / 1000 - 10,
      droppedByBudget: 0,
      incomplete: false,
    });
    expect(scan.lines).toHaveLength(9 * 5 + 3); // 2 lines before and after each match; none after the last
    expect(scan.lines.at(-3)?.text.startsWith('209998 ')).toBe(true);
    expect(scan.lines.at(-1)?.text.startsWith('210000 level=error')).toBe(true);
    expect(peak).toBeLessThan(20 * 1024 * 1024);
  }, 60_000);
});

describe('scanLogStream with a regex (run on a worker thread)', () => {
  it('keeps exactly the lines that pass both the grep in this thread and the regex on the worker', async () => {
    const match = buildLineFilter({ grep: '1', regex: '^1\\d$', ignoreCase: false });
    const scan = await scanLogStream(chunks(numbered(40)), opts({ match }));
    expect(scan.lines.map((l) => l.text)).toEqual(Array.from({ length: 10 }, (_, i) => String(10 + i)));
    expect(scan).toMatchObject({ scanned: 40, matched: 10 });
  });

  it('stops a slow regex at once when the signal aborts, and keeps the event loop free meanwhile', async () => {
    // Lines on which this pattern costs the NFA a few hundred ms each (random a/b/x, 4 KB).
    let seed = 1;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const line = () => Array.from({ length: 4095 }, () => 'abx'[Math.floor(rand() * 3)]).join('');
    const body = Buffer.concat(Array.from({ length: 40 }, () => frame(1, `${line()}\n`)));
    const match = buildLineFilter({ regex: 'a.{0,240}x.{0,240}[^abxyz]', ignoreCase: false });
    const abort = new AbortController();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    setTimeout(() => abort.abort(new Error('deadline')), 300);
    const started = performance.now();
    await expect(scanLogStream(chunks(body), opts({ match, signal: abort.signal }))).rejects.toThrow(
      'deadline',
    );
    clearInterval(ticker);
    expect(performance.now() - started).toBeLessThan(1000);
    // The 10 ms timer kept firing while the worker matched: nothing blocked this thread.
    expect(ticks).toBeGreaterThan(15);
  });
});
