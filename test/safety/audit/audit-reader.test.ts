import { afterAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  readChunksBackward,
  readLinesBackward,
  readLinesForward,
  type RawLine,
} from '../../../server/safety/audit/audit-reader.js';
import { removeTempDirs, tempDir } from './audit-helpers.js';

afterAll(removeTempDirs);

/** What a reader must return: every line with its offset, and the unterminated tail marked incomplete. */
function expectedLines(text: string): Array<{ offset: number; text: string; complete: boolean }> {
  const out: Array<{ offset: number; text: string; complete: boolean }> = [];
  let offset = 0;
  const parts = text.split('\n');
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    if (!last || part.length) out.push({ offset, text: part, complete: !last });
    offset += Buffer.byteLength(part) + 1;
  });
  return out;
}

const view = (lines: RawLine[]) =>
  lines.map((l) => ({ offset: l.offset, text: l.bytes.toString('utf8'), complete: l.complete }));

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('chunked line readers', () => {
  it('agree with split("\\n") for random files and chunk sizes, both directions', async () => {
    const dir = await tempDir();
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 150; round++) {
      const lines = Array.from({ length: rand(12) }, () => 'é'.repeat(rand(3)) + 'x'.repeat(rand(40)));
      const text = lines.join('\n') + (rand(2) ? '\n' : '') + (rand(3) === 0 ? 'tail' : '');
      const path = join(dir, `f${round}`);
      await writeFile(path, text);
      // Chunks from 1 byte up, growing (as in a long scan) or not.
      const chunkSize = 1 + rand(20);
      const maxChunkSize = rand(2) ? chunkSize : chunkSize * 8;
      const want = expectedLines(text);
      expect(view(await collect(readLinesForward(path, { chunkSize, maxChunkSize })))).toEqual(want);
      expect(
        view(await collect(readLinesBackward(path, { chunkSize, maxChunkSize, partialTail: true }))),
      ).toEqual([...want].reverse());
      expect(view(await collect(readLinesBackward(path, { chunkSize, maxChunkSize })))).toEqual(
        want.filter((l) => l.complete).reverse(),
      );
      // Whole chunks of complete lines, newest chunk first: split again, they are the same lines.
      const chunks = await collect(readChunksBackward(path, { chunkSize, maxChunkSize }));
      const fromChunks = [...chunks].reverse().flatMap((c) => {
        expect(c.bytes.at(-1)).toBe(0x0a);
        let offset = c.offset;
        return c.bytes
          .toString('utf8')
          .slice(0, -1)
          .split('\n')
          .map((text) => {
            const line = { offset, text, complete: true };
            offset += Buffer.byteLength(text) + 1;
            return line;
          });
      });
      expect(fromChunks).toEqual(want.filter((l) => l.complete));
    }
  });

  it('reads backwards from an offset at a line start (a cursor), and forwards up to an end', async () => {
    const dir = await tempDir();
    const path = join(dir, 'f');
    await writeFile(path, 'aa\nbbb\ncccc\n');
    expect(view(await collect(readLinesBackward(path, { end: 7, chunkSize: 2 })))).toEqual([
      { offset: 3, text: 'bbb', complete: true },
      { offset: 0, text: 'aa', complete: true },
    ]);
    expect(view(await collect(readLinesForward(path, { end: 9 })))).toEqual([
      { offset: 0, text: 'aa', complete: true },
      { offset: 3, text: 'bbb', complete: true },
      { offset: 7, text: 'cc', complete: false },
    ]);
  });
});
