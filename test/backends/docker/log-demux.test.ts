import { describe, expect, it } from 'vitest';
import { LogDemuxer, type LogStreamName } from '../../../server/backends/docker/log-demux.js';
import { LineSplitter, MAX_LINE_BYTES, utf8Boundary } from '../../../server/backends/docker/line-splitter.js';

/** One Docker log frame: 8-byte header (stream, 0, 0, 0, big-endian length) + payload. */
function frame(stream: 0 | 1 | 2, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Runs demuxer + per-stream line splitters over the given chunks; returns "stream:text" lines. */
function decode(chunks: Buffer[], raw = false): { lines: string[]; incomplete: boolean; unknown: number } {
  const lines: string[] = [];
  const split = (stream: LogStreamName) =>
    new LineSplitter((text, cut) => lines.push(`${stream}:${text}${cut ? ` [cut ${cut}]` : ''}`));
  const splitters = { stdout: split('stdout'), stderr: split('stderr') };
  const demux = new LogDemuxer(raw, (stream, bytes) => splitters[stream].push(bytes));
  for (const c of chunks) demux.push(c);
  splitters.stdout.end();
  splitters.stderr.end();
  return { lines, incomplete: demux.incomplete, unknown: demux.unknownFrames };
}

const body = Buffer.concat([
  frame(1, 'first line\n'),
  frame(2, 'an error\n'),
  frame(1, ''),
  // Docker splits a line longer than 16 KB into several messages: a line can span frames.
  frame(1, 'spans '),
  frame(1, 'two frames\n'),
  frame(2, 'zwei Zeilen: ä €\nin einem Frame 🙂\n'),
  frame(1, 'crlf from a tty-ish app\r\n'),
  frame(0, 'stdin echo is skipped\n'),
  frame(1, 'last'),
  frame(1, ' line\n'),
]);
const expected = [
  'stdout:first line',
  'stderr:an error',
  'stdout:spans two frames',
  'stderr:zwei Zeilen: ä €',
  'stderr:in einem Frame 🙂',
  'stdout:crlf from a tty-ish app',
  'stdout:last line',
];

describe('LogDemuxer + LineSplitter', () => {
  it('decodes a multiplexed body in one chunk', () => {
    expect(decode([body])).toEqual({ lines: expected, incomplete: false, unknown: 1 });
  });

  it('gives the same lines wherever the body is split in two (every byte boundary)', () => {
    for (let i = 0; i <= body.length; i++) {
      expect(decode([body.subarray(0, i), body.subarray(i)]).lines, `split at ${i}`).toEqual(expected);
    }
  });

  it('gives the same lines when fed one byte at a time, and in odd-sized chunks', () => {
    const bytes = Array.from({ length: body.length }, (_, i) => body.subarray(i, i + 1));
    expect(decode(bytes).lines).toEqual(expected);
    for (const size of [2, 3, 7, 9, 13]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < body.length; i += size) chunks.push(body.subarray(i, i + size));
      expect(decode(chunks).lines, `chunks of ${size}`).toEqual(expected);
    }
  });

  it('splits at every pair of boundaries too (header and payload cut twice)', () => {
    const small = Buffer.concat([frame(1, 'ab\n'), frame(2, 'cd\n')]);
    for (let i = 0; i <= small.length; i++) {
      for (let j = i; j <= small.length; j++) {
        expect(decode([small.subarray(0, i), small.subarray(i, j), small.subarray(j)]).lines).toEqual([
          'stdout:ab',
          'stderr:cd',
        ]);
      }
    }
  });

  it('reports a body that ends inside a frame header or payload', () => {
    const cut = body.subarray(0, 5);
    expect(decode([cut]).incomplete).toBe(true);
    const midPayload = frame(1, 'hello\n').subarray(0, 10);
    expect(decode([midPayload])).toEqual({ lines: ['stdout:he'], incomplete: true, unknown: 0 });
  });

  it('passes TTY output through as stdout, dropping CR before LF', () => {
    const tty = Buffer.from('hello\r\nworld\r\nno newline at end');
    for (let i = 0; i <= tty.length; i++) {
      expect(decode([tty.subarray(0, i), tty.subarray(i)], true).lines).toEqual([
        'stdout:hello',
        'stdout:world',
        'stdout:no newline at end',
      ]);
    }
  });

  it('cuts a long line at MAX_LINE_BYTES and counts what was dropped, keeping memory flat', () => {
    const long = 'x'.repeat(MAX_LINE_BYTES * 3 + 5);
    const { lines } = decode([frame(1, `${long}\nshort\n`)]);
    expect(lines).toEqual([
      `stdout:${'x'.repeat(MAX_LINE_BYTES)} [cut ${MAX_LINE_BYTES * 2 + 5}]`,
      'stdout:short',
    ]);
  });

  it('cuts at a UTF-8 character boundary', () => {
    // 4095 ASCII bytes, then "é" (2 bytes) straddling the 4096-byte limit.
    const line = `${'a'.repeat(MAX_LINE_BYTES - 1)}é tail`;
    const { lines } = decode([Buffer.from(`${line}\n`)], true);
    expect(lines).toEqual([
      `stdout:${'a'.repeat(MAX_LINE_BYTES - 1)} [cut ${Buffer.byteLength(line) - (MAX_LINE_BYTES - 1)}]`,
    ]);
    expect(utf8Boundary(Buffer.from('ab€'))).toBe(5);
    expect(utf8Boundary(Buffer.from('ab€').subarray(0, 4))).toBe(2);
    expect(utf8Boundary(Buffer.from('🙂').subarray(0, 3))).toBe(0);
  });
});
