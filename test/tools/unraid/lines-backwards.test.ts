import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineBytes, linesBackwards } from '../../../server/backends/unraid/lines-backwards.js';

/**
 * Reading a file's lines from the end, on real files, against the plain answer (the whole file split
 * on "\n"): every chunk size from tiny to larger than the file, lines longer than a chunk and longer
 * than the kept maximum, empty lines, no final newline.
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'umcp-backwards-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readBack(content: Buffer, chunkBytes: number, maxChunkBytes: number, maxLineBytes: number) {
  const path = join(dir, 'f');
  await writeFile(path, content);
  const handle = await open(path, 'r');
  try {
    const out: Array<{ text: string; cutBytes: number }> = [];
    for await (const batch of linesBackwards(handle, content.length, {
      chunkBytes,
      maxChunkBytes,
      maxLineBytes,
    }))
      for (let i = 0; i < batch.starts.length; i++)
        out.push({ text: lineBytes(batch, i).toString('latin1'), cutBytes: batch.cuts[i] as number });
    return out;
  } finally {
    await handle.close();
  }
}

/** What the reader should give: lines newest first, each cut to `max` bytes with the rest counted. */
function expected(content: Buffer, max: number) {
  const text = content.toString('latin1');
  const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  if (text === '') return [];
  return lines.reverse().map((l) => ({ text: l.slice(0, max), cutBytes: Math.max(0, l.length - max) }));
}

describe('linesBackwards', () => {
  const cases: Record<string, Buffer> = {
    'short lines with a final newline': Buffer.from('one\ntwo\nthree\n'),
    'no final newline': Buffer.from('one\ntwo\nthree'),
    'empty lines and a CR': Buffer.from('a\n\n\nb\r\n\nc\n'),
    'one newline only': Buffer.from('\n'),
    'empty file': Buffer.alloc(0),
    'long lines among short ones': Buffer.from(
      ['x'.repeat(300), 'short', 'y'.repeat(1000), '', 'z'.repeat(64), 'end'].join('\n') + '\n',
    ),
    'a file that is one long line': Buffer.from('q'.repeat(5000)),
    'random bytes and newlines': Buffer.from(
      Array.from({ length: 4000 }, (_, i) => ((i * 7919) % 13 === 0 ? 10 : 32 + ((i * 31) % 90))),
    ),
  };
  for (const [name, content] of Object.entries(cases))
    it(name, async () => {
      for (const [chunk, maxChunk] of <Array<[number, number]>>[
        [2, 4],
        [3, 7],
        [7, 64],
        [64, 64],
        [100, 4096],
        [65536, 65536],
      ])
        for (const max of [1, 5, 64, 4096])
          expect(
            await readBack(content, chunk, maxChunk, max),
            `chunk ${chunk}→${maxChunk}, max ${max}`,
          ).toEqual(expected(content, max));
    });
});
