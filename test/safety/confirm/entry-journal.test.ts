import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { EntryJournal, parseJournal } from '../../../server/safety/confirm/entry-journal.js';

const schema = z.object({ id: z.string(), n: z.number() }).strict();
type Rec = z.infer<typeof schema>;
const line = (r: Rec) => JSON.stringify(r) + '\n';

async function journal() {
  const dir = await mkdtemp(join(tmpdir(), 'umcp-journal-'));
  return new EntryJournal<Rec>(join(dir, 'j.jsonl'), schema);
}

describe('parseJournal', () => {
  it('replays changes: the last line of each id wins, in the order ids first appeared', () => {
    const text = line({ id: 'a', n: 1 }) + line({ id: 'b', n: 1 }) + line({ id: 'a', n: 2 });
    expect(parseJournal(text, schema)).toEqual({
      state: 'ok',
      records: [
        { id: 'a', n: 2 },
        { id: 'b', n: 1 },
      ],
      lines: 3,
      tornTail: false,
    });
  });

  it('drops a last line cut off mid-write and keeps every line before it', () => {
    const full = line({ id: 'a', n: 1 }) + line({ id: 'b', n: 1 });
    const torn = full + line({ id: 'a', n: 2 }).slice(0, 9);
    expect(parseJournal(torn, schema)).toMatchObject({
      state: 'ok',
      records: [
        { id: 'a', n: 1 },
        { id: 'b', n: 1 },
      ],
      tornTail: true,
    });
  });

  it('keeps a complete last line that only lacks its newline', () => {
    const text = line({ id: 'a', n: 1 }) + JSON.stringify({ id: 'a', n: 2 });
    expect(parseJournal(text, schema)).toMatchObject({ records: [{ id: 'a', n: 2 }], tornTail: false });
  });

  it('calls a damaged line before the end corrupt, naming it (a lost change could revive an old state)', () => {
    const text = line({ id: 'a', n: 1 }) + '{"id":"a","n":\n' + line({ id: 'b', n: 1 });
    expect(parseJournal(text, schema)).toEqual({ state: 'corrupt', line: 2, reason: 'not JSON' });
    const wrongShape = line({ id: 'a', n: 1 }) + '{"id":"a","n":"two"}\n';
    expect(parseJournal(wrongShape, schema)).toEqual({
      state: 'corrupt',
      line: 2,
      reason: 'not a valid record',
    });
  });
});

describe('EntryJournal', () => {
  it('appends one line per change (mode 0600) and reads them back', async () => {
    const j = await journal();
    expect(await j.read()).toEqual({ state: 'missing' });
    await j.append({ id: 'a', n: 1 });
    const one = (await stat(j.path)).size;
    await j.append({ id: 'a', n: 2 });
    expect((await stat(j.path)).size - one).toBe(line({ id: 'a', n: 2 }).length);
    expect((await stat(j.path)).mode & 0o777).toBe(0o600);
    expect(await j.read()).toMatchObject({ state: 'ok', records: [{ id: 'a', n: 2 }], lines: 2 });
  });

  it('creates its folder on the first append (the state folder may not exist yet)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'umcp-journal-'));
    const j = new EntryJournal<Rec>(join(dir, 'state', 'j.jsonl'), schema);
    await j.append({ id: 'a', n: 1 });
    expect(await j.read()).toMatchObject({ state: 'ok', records: [{ id: 'a', n: 1 }] });
  });

  it('asks for compaction once the lines outgrow the live records, and compacting leaves one line each', async () => {
    const j = await journal();
    let n = 0;
    while (!j.needsCompaction(3)) await j.append({ id: `r${n % 3}`, n: n++ });
    expect(n).toBe(2 * 3 + 100 + 1);
    await j.compact([
      { id: 'r0', n: 1 },
      { id: 'r1', n: 2 },
      { id: 'r2', n: 3 },
    ]);
    expect(await readFile(j.path, 'utf8')).toBe(
      line({ id: 'r0', n: 1 }) + line({ id: 'r1', n: 2 }) + line({ id: 'r2', n: 3 }),
    );
    expect(j.needsCompaction(3)).toBe(false);
  });

  it('reports an unreadable file as corrupt, not missing', async () => {
    const j = await journal();
    const dirJournal = new EntryJournal<Rec>(join(j.path, '..'), schema);
    expect(await dirJournal.read()).toEqual({ state: 'corrupt', line: 0, reason: 'EISDIR' });
  });
});
